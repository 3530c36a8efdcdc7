"""Find log families under the given paths and order each one oldest -> newest.

A family is a live file and its rotated generations: ``syslog``, ``syslog.1``,
``syslog.2.gz`` ... or ``messages``, ``messages-20261124.gz``.  Names decide the
family and the order; file contents decide compression (see readers.py).
Things that are not text logs are skipped by what they are, without reading them.
"""

import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from logsweep.roots import is_under

# Binary accounting files and journald's store: reading them as text is noise.
_BINARY_NAMES = re.compile(r"^(?:[wb]tmp|lastlog|faillog|utmp|tallylog)(?:[.-].*)?$")
_BINARY_SUFFIXES = (".journal", ".journal~")
_COMPRESSION_SUFFIX = re.compile(r"\.(?:gz|bz2|xz|zst|zstd)$")
_NUMBERED = re.compile(r"^(?P<stem>.+)\.(?P<n>\d{1,4})$")
_DATED = re.compile(r"^(?P<stem>.+)-(?P<date>\d{8}(?:\d{2})?)$")


@dataclass(frozen=True, slots=True)
class LogFile:
    """One file to scan: where it is and where it stands in its family."""

    path: str
    family: str
    generation: int  # 0 = live file; higher = older
    size: int
    mtime: float
    # A byte range [start, end) of a big plain file split across workers (each
    # part reads the lines that start inside it); None: the whole file.
    part: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Discovery:
    files: tuple[LogFile, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    path: Path
    display_dir: str  # directory relative to the scan root, for family names
    stat: os.stat_result


def split_rotation(name: str) -> tuple[str, int | None, str | None]:
    """Split a file name into (family stem, rotation number, dateext stamp).

    ``syslog.2.gz`` -> ("syslog", 2, None); ``messages-20261124.gz`` ->
    ("messages", None, "20261124"); ``syslog`` -> ("syslog", None, None).
    """
    base = _COMPRESSION_SUFFIX.sub("", name) or name  # a file called ".gz" keeps its name
    numbered = _NUMBERED.match(base)
    if numbered:
        return numbered["stem"], int(numbered["n"]), None
    dated = _DATED.match(base)
    if dated:
        return dated["stem"], None, dated["date"]
    return base, None, None


def non_log_reason(name: str, mode: int) -> str | None:
    """Why a directory entry is not a text log, judged without opening it."""
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device node"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if _BINARY_NAMES.match(name):
        return "binary login accounting file"
    if name.endswith(_BINARY_SUFFIXES):
        return "systemd journal file"
    return None


def _walk(
    root: Path, skipped: list[Skipped], roots: Sequence[str] | None = None
) -> Iterator[_Candidate]:
    """Yield regular files under root; follow directory symlinks once, loops never."""
    seen_dirs: set[tuple[int, int]] = set()
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        directory, rel = stack.pop()
        try:
            dir_stat = directory.stat()
        except OSError as exc:
            skipped.append(Skipped(str(directory), f"cannot stat: {exc.strerror}"))
            continue
        key = (dir_stat.st_dev, dir_stat.st_ino)
        if key in seen_dirs:
            skipped.append(Skipped(str(directory), "directory already visited (symlink loop)"))
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(str(directory), f"cannot list: {exc.strerror}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if roots is not None and entry.is_symlink() and not is_under(path, roots):
                skipped.append(Skipped(str(path), "symlink to outside the allowed roots"))
                continue
            try:
                st = entry.stat()  # follows symlinks: a link to a log is a log
            except OSError as exc:
                skipped.append(Skipped(str(path), f"cannot stat: {exc.strerror}"))
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append((path, f"{rel}{entry.name}/"))
                continue
            yield _Candidate(path, rel, st)


def _candidates(
    paths: Iterable[str | Path], skipped: list[Skipped], roots: Sequence[str] | None
) -> Iterator[_Candidate]:
    for given in paths:
        path = Path(given)
        try:
            st = path.stat()
        except OSError as exc:
            skipped.append(Skipped(str(path), f"cannot stat: {exc.strerror}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, skipped, roots)
        else:
            yield _Candidate(path, "", st)


def _order_family(members: list[tuple[_Candidate, int | None, str | None]]) -> list[LogFile]:
    """Give generations (0 = live) and sort oldest first.

    Numbered files keep their number; dated files are ranked newest = 1 after
    the numbered ones, since a family rarely mixes both.  Ties (``x.gz`` next
    to ``x``) fall back to mtime so the order still follows time.
    """
    dated = sorted({d for _, _, d in members if d is not None}, reverse=True)
    highest_number = max((n for _, n, _ in members if n is not None), default=0)
    ranked: list[tuple[int, float, _Candidate]] = []
    for cand, number, date in members:
        if number is not None:
            generation = number
        elif date is not None:
            generation = highest_number + 1 + dated.index(date)
        else:
            generation = 0
        ranked.append((generation, cand.stat.st_mtime, cand))
    ranked.sort(key=lambda r: (-r[0], r[1], str(r[2].path)))
    return [
        LogFile(
            path=str(c.path),
            family="",
            generation=g,
            size=c.stat.st_size,
            mtime=c.stat.st_mtime,
        )
        for g, _, c in ranked
    ]


def discover(paths: Iterable[str | Path], roots: Sequence[str] | None = None) -> Discovery:
    """List the log files under ``paths``, grouped by family, each family oldest first.

    With ``roots``, symlinks found while walking that lead outside them are skipped.
    """
    skipped: list[Skipped] = []
    families: dict[tuple[str, str], list[tuple[_Candidate, int | None, str | None]]] = {}
    seen_files: set[tuple[int, int]] = set()
    for cand in _candidates(paths, skipped, roots):
        identity = (cand.stat.st_dev, cand.stat.st_ino)
        if identity in seen_files:
            continue  # the same file reached twice (overlapping paths or links)
        seen_files.add(identity)
        reason = non_log_reason(cand.path.name, cand.stat.st_mode)
        if reason:
            skipped.append(Skipped(str(cand.path), reason))
            continue
        stem, number, date = split_rotation(cand.path.name)
        key = (str(cand.path.parent), cand.display_dir + stem)
        families.setdefault(key, []).append((cand, number, date))
    files: list[LogFile] = []
    for (_, family), members in sorted(families.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        for log in _order_family(members):
            files.append(LogFile(log.path, family, log.generation, log.size, log.mtime))
    return Discovery(tuple(files), tuple(sorted(skipped, key=lambda s: s.path)))
