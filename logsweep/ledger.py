"""The state ledger: what has been read of which file, and the partial results, by hour.

An SQLite file (mode 0600).  Each file the scanner has read is a row known by
the fingerprint of its decompressed head (see known.py) with the offset and
line count reached; its analyzer partials are stored per UTC hour, so any
time window can be reported later without reading a log again.  A file's new
partials and its new offset are committed in one transaction: a run killed
at any point leaves every file either before or after its read, never between.
Runs on the same ledger are serialised by an exclusive lock on ``FILE.lock``.
"""

import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import Any

from logsweep.analyzers import ANALYZERS
from logsweep.discovery import Skipped
from logsweep.formats import LogFormat
from logsweep.known import Known, KnownFiles
from logsweep.readers import Compression
from logsweep.report import FileEntry, Report, SkippedEntry
from logsweep.scan import NO_TIME, FileResult, ScanOptions
from logsweep.timeinfer import resolve_timezone

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    family TEXT NOT NULL,
    generation INTEGER NOT NULL,
    compression TEXT NOT NULL,
    format TEXT NOT NULL,
    head_len INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    offset INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    check_hash TEXT NOT NULL,
    complete INTEGER NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    gone_at REAL
);
CREATE INDEX IF NOT EXISTS files_by_fingerprint ON files (fingerprint);
CREATE TABLE IF NOT EXISTS partials (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    analyzer TEXT NOT NULL,
    hour INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (file_id, analyzer, hour)
);
"""


class LedgerBusy(RuntimeError):
    """Another run holds the ledger."""


@dataclass(frozen=True, slots=True)
class LedgerFile:
    """One file row, as a report lists it."""

    entry_id: int
    path: str
    family: str
    generation: int
    compression: str
    format: str
    fingerprint: str
    lines: int
    gone: bool


def _create_private(path: Path) -> None:
    """Create the file 0600 before SQLite opens it: the ledger holds log excerpts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)


@contextmanager
def ledger_lock(path: str | Path, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the ledger for one run; a second run waits, then stops with a clear message.

    The wait is ``wait_seconds``, else ``LOGSWEEP_LOCK_WAIT`` seconds, else 30 s.
    """
    if wait_seconds is None:
        wait_seconds = float(os.environ.get("LOGSWEEP_LOCK_WAIT", "30"))
    lock_path = Path(f"{path}.lock")
    _create_private(lock_path)
    with open(lock_path, "r+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = handle.read().strip() or "unknown"
                    raise LedgerBusy(
                        f"another logsweep run (pid {holder}) is using the ledger {path}; "
                        f"waited {wait_seconds:.0f} s"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


class Ledger:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        _create_private(self.path)
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        (version,) = self._db.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
        if int(version) != SCHEMA_VERSION:
            raise ValueError(
                f"{path}: ledger schema {version}, this logsweep reads {SCHEMA_VERSION}"
            )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- reading ----------------------------------------------------------------------

    def known_files(self) -> KnownFiles:
        rows = self._db.execute(
            "SELECT id, path, head_len, fingerprint, offset, lines, check_hash, complete, format"
            " FROM files"
        )
        return KnownFiles.of(
            Known(i, p, hl, fp, off, n, chk, bool(done), fmt)
            for i, p, hl, fp, off, n, chk, done, fmt in rows
        )

    def files(self) -> list[LedgerFile]:
        rows = self._db.execute(
            "SELECT id, path, family, generation, compression, format, fingerprint, lines,"
            " gone_at IS NOT NULL FROM files ORDER BY family, generation DESC, first_seen, id"
        )
        return [
            LedgerFile(i, path, family, gen, comp, fmt, fp, lines, bool(gone))
            for i, path, family, gen, comp, fmt, fp, lines, gone in rows
        ]

    def partials(
        self, analyzers: Sequence[str], since: float | None = None, until: float | None = None
    ) -> dict[str, Any]:
        """Every stored partial of the window merged, per analyzer.

        Windows are whole UTC hours: both ends round down to the hour, so
        ``[since, until)`` and ``[until, later)`` split the lines exactly.
        Lines without a time only count when no window is asked for.
        """
        merged: dict[str, Any] = {}
        for name in analyzers:
            query = "SELECT data FROM partials WHERE analyzer = ?"
            args: list[Any] = [name]
            if since is not None or until is not None:
                query += " AND hour != ? AND hour >= ? AND hour < ?"
                args += [
                    NO_TIME,
                    _hour_floor(since),
                    _hour_floor(until) if until is not None else 2**62,
                ]
            load = ANALYZERS[name].load
            parts = (load(json.loads(data)) for (data,) in self._db.execute(query, args))
            merged[name] = reduce(lambda a, b: a.merge(b), parts, ANALYZERS[name].empty())
        return merged

    # -- writing ----------------------------------------------------------------------

    def record(
        self, results: Iterable[FileResult], now: float | None = None
    ) -> dict[int, FileResult]:
        """Store each result's progress and partials, one transaction per file.

        Returns the results stored, by ledger id.  A result that continues an
        entry already continued in this call (two identical short files) is
        left out: its content is the entry's own.
        """
        now = time.time() if now is None else now
        seen: dict[int, FileResult] = {}
        for result in results:
            progress = result.progress
            if progress is None:
                continue  # stateless, empty, or unreadable before its first byte
            if progress.known_id is not None and progress.known_id in seen:
                continue
            with self._transaction() as db:
                entry_id = self._upsert(db, result, now)
                for name, hours in result.partials.items():
                    for hour, partial in hours.items():
                        self._merge_partial(db, entry_id, name, hour, partial)
            seen[entry_id] = result
        return seen

    def _upsert(self, db: sqlite3.Connection, result: FileResult, now: float) -> int:
        p, e = result.progress, result.entry
        assert p is not None
        values = (
            e.path,
            e.family,
            e.generation,
            e.compression,
            e.format,
            p.head_len,
            p.fingerprint,
            p.end,
            e.lines,
            p.check,
            int(p.complete),
        )
        if p.known_id is not None:
            db.execute(
                "UPDATE files SET path=?, family=?, generation=?, compression=?, format=?,"
                " head_len=?, fingerprint=?, offset=?, lines=?, check_hash=?, complete=?,"
                " last_seen=?, gone_at=NULL WHERE id=?",
                (*values, now, p.known_id),
            )
            return p.known_id
        cursor = db.execute(
            "INSERT INTO files (path, family, generation, compression, format, head_len,"
            " fingerprint, offset, lines, check_hash, complete, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, now, now),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @staticmethod
    def _merge_partial(
        db: sqlite3.Connection, entry_id: int, name: str, hour: int, partial: Any
    ) -> None:
        row = db.execute(
            "SELECT data FROM partials WHERE file_id=? AND analyzer=? AND hour=?",
            (entry_id, name, hour),
        ).fetchone()
        if row is not None:
            partial = ANALYZERS[name].load(json.loads(row[0])).merge(partial)
        db.execute(
            "INSERT OR REPLACE INTO partials VALUES (?, ?, ?, ?)",
            (entry_id, name, hour, json.dumps(partial.to_data(), separators=(",", ":"))),
        )

    def mark_gone(self, seen: Iterable[int], roots: Sequence[str], now: float) -> None:
        """Files under the scanned roots that were not found this run were deleted."""
        seen_ids = set(seen)
        prefixes = [str(Path(r).absolute()) for r in roots]
        rows = self._db.execute("SELECT id, path FROM files WHERE gone_at IS NULL").fetchall()
        gone = [
            (now, entry_id)
            for entry_id, path in rows
            if entry_id not in seen_ids and _under(str(Path(path).absolute()), prefixes)
        ]
        with self._transaction() as db:
            db.executemany("UPDATE files SET gone_at=? WHERE id=?", gone)

    def prune(self, retain_days: float, now: float) -> None:
        """Forget hours older than the retention, and files gone for longer than it."""
        horizon = now - retain_days * 86400
        with self._transaction() as db:
            db.execute("DELETE FROM partials WHERE hour != ? AND hour < ?", (NO_TIME, horizon))
            db.execute("DELETE FROM files WHERE gone_at IS NOT NULL AND gone_at < ?", (horizon,))


def _hour_floor(epoch: float | None) -> float:
    return -(2**62) if epoch is None else (epoch // 3600) * 3600


def _under(path: str, prefixes: Sequence[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_when(text: str | None, now: float) -> float | None:
    """``24h``/``7d``/``30m``/``2w`` ago, or an ISO 8601 instant (naive = UTC); None stays None."""
    if not text:
        return None
    text = text.strip()
    unit = _UNITS.get(text[-1:].lower())
    if unit is not None and text[:-1].replace(".", "", 1).isdigit():
        return now - float(text[:-1]) * unit
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"cannot read time {text!r}: use e.g. 24h, 7d, 2026-11-24 or 2026-11-24T06:00+01:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def ledger_report(
    ledger: Ledger,
    options: ScanOptions,
    *,
    recorded: Mapping[int, FileResult] | None = None,
    unrecorded: Sequence[FileResult] = (),
    skipped: Sequence[Skipped] = (),
    since: float | None = None,
    until: float | None = None,
) -> Report:
    """The report of everything the ledger holds in the window.

    ``recorded`` are this run's results by ledger id: their entries say what
    the run read.  Known files not read this run are ``unchanged``, or
    ``gone`` once logrotate deleted them; ``unrecorded`` (unreadable or empty
    files) are listed as they are.
    """
    recorded = recorded or {}
    entries: list[FileEntry] = []
    for f in ledger.files():
        result = recorded.get(f.entry_id)
        if result is not None:
            entries.append(result.entry)
            continue
        entries.append(
            FileEntry(
                path=f.path,
                family=f.family,
                generation=f.generation,
                compression=Compression(f.compression).value,
                format=LogFormat(f.format).value,
                fingerprint=f.fingerprint,
                lines=f.lines,
                bytes_read=0,
                status="gone" if f.gone else "unchanged",
            )
        )
    entries += [r.entry for r in unrecorded]
    entries.sort(key=lambda e: (e.family, -e.generation, e.status == "gone"))
    merged = ledger.partials(options.analyzers, since, until)
    return Report(
        generated_at=datetime.now(UTC),
        timezone=str(resolve_timezone(options.timezone)),
        analyzers=list(options.analyzers),
        files=entries,
        skipped=[SkippedEntry(path=s.path, reason=s.reason) for s in skipped],
        window_start=None if since is None else datetime.fromtimestamp(since, UTC),
        window_end=None if until is None else datetime.fromtimestamp(until, UTC),
        **{name: ANALYZERS[name].summarize(p) for name, p in merged.items()},
    )
