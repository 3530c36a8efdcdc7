"""The scan's fast path: count a whole block of lines with C-level calls.

Parsing line by line in Python costs about 10 µs a line (measured on the
benchmark tree); a regex ``findall`` over a block about 1 µs.  Of the
analyzers, only ``volume`` needs every line, and only three fields of it:
the time to the hour (to the minute where needed), the host and the
program.  So a block (about 1 MiB of whole lines) goes through:

1. one ``findall`` of a format's *key pattern*, which takes those fields
   from every line of the canonical shape, and a ``Counter`` of the keys:
   a block of 10,000 lines becomes a few dozen distinct keys, each turned
   into a UTC hour once;
2. the *odd* lines (any the key pattern does not take: another shape, a
   NUL-prefixed line, an empty line) are found by the same pattern negated
   and parsed one by one by the ordinary parser, so nothing is guessed;
3. the lines the other analyzers need are found by their *needles*
   (``b"usb "``, ``b"/robots.txt"``, sshd's ``b"Failed "``...) in lines of
   their *programs* (``kernel``, ``sshd``...): literal searches that skip
   everything else; they are read one by one.

For RFC 3164 (syslog, auth.log, kern.log) and access logs, most of the
bytes, the C kernel ``_keyscan.c`` does 1-3 in one pass over the block,
without a regex or an object per counted line.

The key patterns are the line parsers' regular expressions (formats.py)
cut down to the fields counted and written for a block: ``\\n`` anchors a
line start and no field crosses a newline.  Tests check that the fast path
and the line-by-line path give the same partials.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from logsweep.formats import LogFormat, iso_epoch
from logsweep.timeinfer import MONTHS, YearWalker

try:  # RFC 3164 and access keys counted in C (_keyscan.c): the same results, ~10x faster
    from logsweep import _keyscan
except ImportError:  # not built (a bare source tree): the regex below does it all
    _keyscan = None  # type: ignore[assignment]

# The tag as split_tag reads it: "prog[pid]:" or "prog:"; anything else leaves
# the program empty.  The group is the program.
_TAG = rb"(?:([^\s\[:]+)(?:\[[^\]\n]*\])?:)?"
# Where the time stamp's group ends: after the hour, or after the minute.  Minutes
# and seconds are 00-59 so a stamp's span holds its lines (the parser takes a
# "14:59:99" into the next hour; such a line is left to it).
_TO_HOUR, _TO_MINUTE = rb"):[0-5]\d:[0-5]\d", rb":[0-5]\d):[0-5]\d"

# RFC 3164: time stamp, host, program.  The host is the first word when it
# neither ends in ":" nor holds "[" (else the line has no host and the odd-line
# parser handles it).
_RFC3164_KEY = (
    rb"\n(?:<\d{1,3}>)?([A-Z][a-z]{2} [ \d]?\d \d\d%s(?:\.\d+)? "
    rb"([^ \n\r\[]*[^ \n\r\[:]) " + _TAG
)
# rsyslog's ISO 8601: time stamp and UTC offset, host, program.
_ISO8601_KEY = (
    rb"\n(?:<\d{1,3}>)?(\d{4}-\d\d-\d\dT\d\d%s(?:\.\d{1,9})?(Z|[+-]\d\d:?\d\d) "
    rb"(\S+) " + _TAG
)
# Access logs: time stamp and offset of the canonical "[24/Nov/2026:14:46:01 +0100]",
# with the rest of the line shaped as the access parser requires.  The quoted
# request is the unrolled loop [^"\\]*(?:\\.[^"\\]*)*: the same strings as
# (?:[^"\\]|\\.)* without an alternation per character (3.5x faster here).
_ACCESS_KEY = (
    rb"\n\S+ \S+ (?:\S+|\"[^\"\n]*\") \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d%s "
    rb"([+-]\d{4})\] \"[^\"\\\n]*(?:\\[^\n][^\"\\\n]*)*\" (?:\d{3}|-) \S"
)

Key = tuple[bytes, ...]
HOUR = 3600
MINUTE = 60


@dataclass(frozen=True, slots=True)
class KeyPattern:
    """How one format's lines are counted a block at a time, at one time resolution."""

    format: LogFormat
    keys: re.Pattern[bytes]
    odd: re.Pattern[bytes]  # the lines ``keys`` does not take
    time_fields: int  # how many leading groups make the time stamp
    syslog: bool  # host and program follow the time; and a bad time fails the line
    span: int  # seconds a time stamp covers: HOUR or MINUTE


def _key_pattern(fmt: LogFormat, template: bytes, span: int) -> KeyPattern:
    pattern = template % (_TO_HOUR if span == HOUR else _TO_MINUTE)
    # The odd-line pattern holds the key pattern in a lookahead, its groups made
    # non-capturing so findall returns the lines alone.
    body = re.sub(rb"(?<!\\)\((?!\?)", b"(?:", pattern.removeprefix(rb"\n"))
    syslog = fmt is not LogFormat.ACCESS
    return KeyPattern(
        fmt,
        re.compile(pattern),
        re.compile(rb"\n(?!" + body + rb")([^\n]*)"),
        1 if fmt is LogFormat.RFC3164 else 2,
        syslog,
        span,
    )


_TEMPLATES = {
    LogFormat.RFC3164: _RFC3164_KEY,
    LogFormat.ISO8601: _ISO8601_KEY,
    LogFormat.ACCESS: _ACCESS_KEY,
}
# Coarsest first: hour stamps give the fewest distinct keys.  A block whose
# stamps do not fit whole UTC hours (a +05:30 zone) or that holds the file's
# mtime is tried again to the minute (see Clock.walk).
KEY_PATTERNS: dict[LogFormat, tuple[KeyPattern, ...]] = {
    fmt: (_key_pattern(fmt, template, HOUR), _key_pattern(fmt, template, MINUTE))
    for fmt, template in _TEMPLATES.items()
}


Group = tuple[frozenset[bytes] | None, tuple[bytes, ...]]


@dataclass(frozen=True, slots=True)
class Wanted:
    """The lines the sampled analyzers read, one (programs, needles) group each: a line
    holding one of a group's needles, of one of its programs (None: any).  A syslog line
    the key pattern does not take is a candidate for every group: its program is the
    parser's to find.  Access logs have no programs."""

    groups: tuple[Group, ...]

    @property
    def needles(self) -> list[bytes]:
        return sorted({needle for _, needles in self.groups for needle in needles})


@dataclass(slots=True)
class BlockCounts:
    """What the key pattern found in one block."""

    lines: int
    keys: Counter[Key]  # (time fields..., host, program) -> lines; time only for access logs
    odd: list[bytes]  # lines the key pattern did not take, in order
    wanted: list[bytes]  # the lines a Wanted asked for, in order


def count_block(
    block: bytes, pattern: KeyPattern, wanted: Wanted | None = None, native: bool = True
) -> BlockCounts:
    """Count the keys of a block of whole lines (each ending in ``\\n``), and find the
    lines ``wanted`` asks for.

    ``native``: RFC 3164 blocks go to the C kernel when it is built, which does both
    in one pass; False forces the regex, the reference the kernel is tested against.
    """
    counted = _count_natively(block, pattern, wanted) if native else None
    if counted is not None:
        return counted
    # A leading "\n" so the first line is anchored like the others; the last
    # newline dropped so no empty line appears after it.
    text = b"\n" + block[:-1]
    lines = block.count(b"\n")
    keys: list[Key] = pattern.keys.findall(text)
    odd = pattern.odd.findall(text) if len(keys) < lines else []
    counts = BlockCounts(lines, Counter(keys), odd, [])
    if wanted is not None and wanted.groups:
        counts.wanted = wanted_lines(block, pattern, wanted, counts)
    return counts


def _count_natively(block: bytes, pattern: KeyPattern, wanted: Wanted | None) -> BlockCounts | None:
    """The C kernel's counts, or None: not built, or a format (a Wanted) it does not do."""
    kernel = _keyscan
    if kernel is None:
        return None
    minute = pattern.span == MINUTE
    groups = tuple(
        (None if programs is None else tuple(programs), needles)
        for programs, needles in (wanted.groups if wanted else ())
    )
    if pattern.format is LogFormat.ACCESS:
        lines, stamps, odd, taken = kernel.count_access(block, minute, groups)
        return BlockCounts(lines, Counter[Key](stamps), odd, taken)
    if pattern.format is LogFormat.RFC3164:
        lines, keys, odd, taken = kernel.count_rfc3164(block, minute, groups)
        return BlockCounts(lines, Counter[Key](keys), odd, taken)
    return None


def wanted_lines(
    block: bytes, pattern: KeyPattern, wanted: Wanted, counts: BlockCounts
) -> list[bytes]:
    """The lines of ``block`` that ``wanted`` asks for (the kernel's fourth result)."""
    if not pattern.syslog:
        return lines_with(block, wanted.needles)
    # A block whose every line was counted names all its programs in its keys: the
    # needles of a group none of whose programs is there need no search.
    seen = None if counts.odd else {key[-1] for key in counts.keys}
    groups = [
        (programs, needles)
        for programs, needles in wanted.groups
        if seen is None or programs is None or not programs.isdisjoint(seen)
    ]
    keep: list[bytes] = []
    for line in lines_with(block, {n for _, needles in groups for n in needles}):
        key = pattern.keys.match(b"\n" + line)
        # An untagged line's program is b"" (findall's empty group; match's is None).
        program = None if key is None else key.groups()[-1] or b""
        if any(
            (program is None or programs is None or program in programs)
            and any(needle in line for needle in needles)
            for programs, needles in groups
        ):
            keep.append(line)
    return keep


def lines_with(block: bytes, needles: Iterable[bytes]) -> list[bytes]:
    """The lines of ``block`` holding any of ``needles``, in order, each once."""
    starts: set[int] = set()
    for needle in needles:
        hit = block.find(needle)
        while hit >= 0:
            start = block.rfind(b"\n", 0, hit) + 1
            end = block.find(b"\n", hit)
            starts.add(start)
            hit = block.find(needle, end)  # the rest of this line cannot add a start
    lines = []
    for start in sorted(starts):
        lines.append(block[start : block.find(b"\n", start)])
    return lines


class Clock:
    """UTC starts of a format's time stamps, for one file.

    ISO 8601 and access-log stamps carry their year and offset.  For RFC 3164
    the file's year walk decides the year, which depends on the order of
    lines; so ``walk`` takes a block's stamps only when they are all of one
    month and all before the file's mtime (at most the walk's step into that
    month), and ``settled`` checks after the block's other lines were parsed
    that the walk took no other step, and that no time went a year back for
    being after the mtime (a file's first line gets the year in which it is
    before the mtime: which line is first decides, and an odd line the walk
    does not see may come before the first counted one).  Otherwise (a month
    boundary, lines written after the mtime) the block goes line by line:
    exact, and rare.
    A stamp's start is ``None`` for a time the parser rejects (Feb 30).
    """

    def __init__(self, fmt: LogFormat, walker: YearWalker, reference: float) -> None:
        self._walker = walker if fmt is LogFormat.RFC3164 else None
        self._reference = reference
        self._expected_changes = 0
        self._fallbacks = 0
        # The longest span worth trying: a zone like +05:30 never has whole UTC hours.
        self.coarsest = HOUR
        self._start: Callable[[Key], float | None] = {
            LogFormat.RFC3164: self._rfc3164,
            LogFormat.ISO8601: self._iso8601,
            LogFormat.ACCESS: self._access,
        }[fmt]

    def walk(self, stamps: Iterable[Key], span: int) -> dict[Key, float | None] | None:
        """Each stamp's start, in the order given; None: not countable at this ``span``."""
        stamps = list(stamps)
        walker = self._walker
        if walker is not None:
            months = {stamp[0][:3] for stamp in stamps}
            month = MONTHS.get(months.pop().decode("ascii")) if len(months) == 1 else None
            if month is None:
                return None
            year, current, changes = walker.state()
            self._expected_changes = changes + (year is None or current != month)
            self._fallbacks = walker.fallbacks
        starts = {stamp: self._start(stamp) for stamp in stamps}
        for start in starts.values():
            if start is None:
                continue
            if start % span:
                self.coarsest = min(self.coarsest, span - 1)  # and so will the next blocks
                return None  # a local hour that is not a UTC hour: needs minutes
            if walker is not None and start + span - 1 > self._reference:
                return None  # holds the mtime: needs finer stamps, or the seconds
        return starts

    def settled(self) -> bool:
        """Whether the walk took no step but into the block's month, and no time went a
        year back for being after the mtime (see ``walk``)."""
        walker = self._walker
        return walker is None or (
            walker.changes == self._expected_changes and walker.fallbacks == self._fallbacks
        )

    def _rfc3164(self, key: Key) -> float | None:
        month_name, day, clock = key[0].decode("ascii").split()  # "Nov", "4", "14[:46]"
        month = MONTHS.get(month_name)
        if month is None or self._walker is None:
            return None
        hour, _, minute = clock.partition(":")
        try:
            return self._walker.epoch(month, int(day), int(hour), int(minute or 0), 0)
        except ValueError:
            return None

    def _iso8601(self, key: Key) -> float | None:
        stamp = key[0].decode("ascii")
        if len(stamp) == 13:  # to the hour: 2026-11-24T14
            stamp += ":00"
        return iso_epoch(f"{stamp}:00{key[1].decode('ascii')}")

    def _access(self, key: Key) -> float | None:
        stamp, offset = key[0].decode("ascii"), key[1].decode("ascii")  # 24/Nov/2026:14[:46]
        month = MONTHS.get(stamp[3:6])
        if month is None:
            return None
        clock = stamp[12:] if len(stamp) > 14 else f"{stamp[12:14]}:00"
        return iso_epoch(f"{stamp[7:11]}-{month:02d}-{stamp[0:2]}T{clock}:00{offset}")
