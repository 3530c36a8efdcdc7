"""Scan one file into a small mergeable result; merge many into a report.

``scan_file`` is the mapped unit (Python Cookbook 12.8's ``find_robots``): a
top-level function of one file, safe to run in any process, that never raises
for a bad file but says what happened in its ``FileEntry``.  ``build_report``
is the reduce.  Any executor can run the map: the Prefect flow, a bare
``ProcessPoolExecutor``, a loop.
"""

import lzma
import os
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, cast

import isal.igzip_lib
import zstandard

from logsweep import memory
from logsweep.analyzers import ANALYZER_NAMES, ANALYZERS
from logsweep.analyzers.base import Analyzer, Collector, ReadLines
from logsweep.blockcount import (
    KEY_PATTERNS,
    BlockCounts,
    Clock,
    Key,
    KeyPattern,
    Wanted,
    count_block,
)
from logsweep.discovery import LogFile, Skipped
from logsweep.entries import FileEntry, FileStatus
from logsweep.formats import LineParser, LogFormat, Record, detect_format, make_parsers
from logsweep.known import CHECK_BYTES, Known, KnownFiles
from logsweep.readers import (
    MAX_LINE_BYTES,
    ByteRange,
    Compression,
    LineStream,
    fingerprint,
    gzip_header_mtime,
    line_start,
    open_decompressed,
    read_head,
    skip_bytes,
    sniff_compression,
)
from logsweep.records import SyslogRecord
from logsweep.timeinfer import YearWalker, resolve_timezone

if TYPE_CHECKING:
    from logsweep.report import Report

FORMAT_SAMPLE_LINES = 64
# A block the fast path cannot take is halved until its halves are this small (lines):
# about as many lines as a second of a busy log.  Each halving costs a count in C, a
# line by line read ~20x more.
SMALLEST_PART = 128
# What decompressors raise on damaged input; anything else is a bug to surface.
DECODE_ERRORS: tuple[type[Exception], ...] = (
    cast(type[Exception], isal.igzip_lib.IsalError),  # its stub types it as an instance
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    zstandard.ZstdError,
    ValueError,
)
# (bz2 raises plain OSError and ValueError.)


@dataclass(frozen=True, slots=True)
class ScanOptions:
    analyzers: tuple[str, ...] = ANALYZER_NAMES
    timezone: str | None = None  # for year-less formats; None = the machine's
    max_line_bytes: int = MAX_LINE_BYTES
    # Seconds one file may take; the read stops there, keeps what it read and says so.
    time_limit: float | None = None
    # Parse every line one by one (no block counting): the reference the fast path is
    # tested against, and a way to rule it out.
    line_by_line: bool = False
    # Keep each file's partials per UTC hour, as a ledger stores them.  A one-off report
    # only adds them up, so its batches fold them first (fold_hours): a quarter of the
    # bytes to pickle, send and merge in the flow's process.
    hourly: bool = True


class TimeLimitReached(Exception):
    """One file took longer than ScanOptions.time_limit."""


@dataclass(slots=True)
class FileResult:
    entry: FileEntry
    # analyzer -> UTC hour start (epoch seconds, NO_TIME for untimed lines) -> partial
    partials: dict[str, dict[int, Any]] = field(default_factory=dict)
    progress: "ReadProgress | None" = None  # stateful scans only
    # The byte range read (LogFile.part), None for a whole file: merge_parts puts a
    # split file's parts back in file order whatever order their results came in.
    part: tuple[int, int] | None = None


NO_TIME = -1  # the hour bucket of lines without a timestamp
ALL_HOURS = -2  # the one bucket of a folded result (ScanOptions.hourly=False)
HOUR = 3600


class _Collectors:
    """One set of collectors, with the dispatch tables the hot loop needs."""

    def __init__(self, analyzers: Sequence[Analyzer[Any]]) -> None:
        self.named: list[tuple[str, Collector]] = []
        self.every_line: list[Collector] = []
        self.by_program: dict[str, list[Collector]] = {}
        self.access: list[Collector] = []
        for a in analyzers:
            if a.syslog_collector is not None:
                collector = a.syslog_collector()
                self.named.append((a.name, collector))
                if a.programs is None:
                    self.every_line.append(collector)
                for program in a.programs or ():
                    self.by_program.setdefault(program, []).append(collector)
            if a.access_collector is not None:
                collector = a.access_collector()
                self.named.append((a.name, collector))
                self.access.append(collector)

    def feed(self, record: Record) -> None:
        if isinstance(record, SyslogRecord):
            for collector in self.every_line:
                collector.feed(record)
            for collector in self.by_program.get(record.program, ()):
                collector.feed(record)
        else:
            for collector in self.access:
                collector.feed(record)

    def partials(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, collector in self.named:
            partial = collector.finish()
            out[name] = out[name].merge(partial) if name in out else partial
        return out


class _Sink:
    """Collectors of some analyzers for one file: per hour for line-by-line ones,
    one for the whole file for those that correlate lines (usb), which split
    their partial by event time afterwards."""

    def __init__(self, analyzers: Sequence[Analyzer[Any]]) -> None:
        self._hourly = [a for a in analyzers if a.split_by_hour is None]
        self._whole = _Collectors([a for a in analyzers if a.split_by_hour is not None])
        self._splitters = {a.name: a.split_by_hour for a in analyzers if a.split_by_hour}
        self._buckets: dict[int, _Collectors] = {}
        self._last_hour = NO_TIME - 1
        self._bucket = self._get_bucket(NO_TIME)

    def _get_bucket(self, hour: int) -> _Collectors:
        bucket = self._buckets.get(hour)
        if bucket is None:
            bucket = self._buckets[hour] = _Collectors(self._hourly)
        return bucket

    def feed(self, record: Record) -> None:
        hour = NO_TIME if record.ts is None else int(record.ts // HOUR) * HOUR
        if hour != self._last_hour:  # lines come in time order: one lookup per hour
            self._last_hour, self._bucket = hour, self._get_bucket(hour)
        self._bucket.feed(record)
        if self._whole.named:
            self._whole.feed(record)

    def partials(self, had_lines: bool) -> dict[str, dict[int, Any]]:
        """analyzer -> hour -> partial, empty hours left out."""
        out: dict[str, dict[int, Any]] = {}
        for hour, bucket in self._buckets.items():
            if bucket.named and (hour != NO_TIME or had_lines):
                for name, partial in bucket.partials().items():
                    out.setdefault(name, {})[hour] = partial
        for name, partial in self._whole.partials().items():
            out[name] = self._splitters[name](partial)
        return out


class _Reads(NamedTuple):
    """One analyzer's reads of a block (Analyzer.read_lines) and the hour of each stamp."""

    analyzer: Analyzer[Any]
    read: list[tuple[bytes, Any]]
    hours: dict[bytes, int]


class _FileScan:
    """The per-file state of one scan: parser, collectors, counters.

    Partials are kept per UTC hour so a ledger can report any time window
    later.  A file in a format with a key pattern goes a block at a time
    (blockcount.py): ``counted`` analyzers (volume) get counts of keys and the
    odd lines, ``sampled`` ones only the lines holding their needles.  Other
    files, and blocks that need exact seconds, go line by line to both.
    """

    def __init__(
        self, options: ScanOptions, reference_epoch: float, fmt: LogFormat | None = None
    ) -> None:
        self.options = options
        tz = resolve_timezone(options.timezone)
        self.walker = YearWalker(reference_epoch, tz)
        self.parsers = make_parsers(self.walker)
        self.parser: LineParser | None = None
        self.format = LogFormat.UNKNOWN
        self.format_known = False
        self.clock: Clock | None = None
        self._reference = reference_epoch
        self.lines = 0
        self.unparsed = 0
        chosen = [ANALYZERS[name] for name in options.analyzers]
        self._counted = [a for a in chosen if a.needles is None]
        self._sampled = [a for a in chosen if a.needles is not None]
        self._wanted = {
            True: _wanted([a for a in self._sampled if a.syslog_collector]),  # syslog formats
            False: _wanted([a for a in self._sampled if a.access_collector]),  # access logs
        }
        self._block_path = not options.line_by_line and all(a.count for a in self._counted)
        self._counted_sink = _Sink(self._counted)
        self._sampled_sink = _Sink(self._sampled)
        self._counts: dict[str, dict[int, Any]] = {a.name: {} for a in self._counted}
        self._quick = [a for a in self._sampled if a.read_lines and _reads_alone(a, self._sampled)]
        self._quick_partials: dict[str, dict[int, Any]] = {a.name: {} for a in self._quick}
        if fmt is not None:  # resuming mid-file: the format was found at the start
            self._use(next((p for p in self.parsers if p.format is fmt), None), fmt)

    def _use(self, parser: LineParser | None, fmt: LogFormat) -> None:
        self.parser, self.format, self.format_known = parser, fmt, True
        if self._block_path and parser is not None and fmt in KEY_PATTERNS:
            self.clock = Clock(fmt, self.walker, self._reference)

    def choose_format(self, sample: Sequence[str]) -> None:
        parser = detect_format(sample, self.parsers)
        self._use(parser, parser.format if parser else LogFormat.UNKNOWN)

    def feed_block(self, block: bytes) -> None:
        """A block of whole lines, each ending in a newline."""
        if not self.format_known:
            sample = block[:-1].split(b"\n", FORMAT_SAMPLE_LINES)[:FORMAT_SAMPLE_LINES]
            self.choose_format([_decode(line) for line in sample])
        if self.clock is None:
            self._feed_lines(block)
        else:
            self._feed_in_parts(block, self.clock)

    def _feed_lines(self, block: bytes) -> None:
        self.feed(_decode(line) for line in block[:-1].split(b"\n"))

    def _feed_in_parts(self, block: bytes, clock: Clock) -> None:
        """The fast path, or, for a block it cannot take, the same for each half, down to
        blocks of a few lines, which go line by line.  What the fast path cannot take is
        a few lines of a block (those around the file's mtime, or a month's end), and a
        block holds ~10,000: halving leaves the rest of them counted."""
        if self._feed_counted(block, clock):
            return
        half = block.rfind(b"\n", 0, len(block) // 2) + 1
        if half == 0 or block.count(b"\n", 0, half) < SMALLEST_PART:
            self._feed_lines(block)
            return
        self._feed_in_parts(block[:half], clock)
        self._feed_in_parts(block[half:], clock)

    def _feed_counted(self, block: bytes, clock: Clock) -> bool:
        """The fast path, by hour stamps, else minute stamps; False: go line by line."""
        patterns = (p for p in KEY_PATTERNS[self.format] if p.span <= clock.coarsest)
        return any(self._try_counted(block, clock, p) for p in patterns)

    def _try_counted(self, block: bytes, clock: Clock, pattern: KeyPattern) -> bool:
        """Count the block with ``pattern``; False, with nothing counted, if it cannot."""
        counts = count_block(block, pattern, self._wanted[pattern.syslog])
        width = pattern.time_fields
        before = self.walker.state()
        # First-appearance order, which is the lines' order for the year walk.
        starts = clock.walk(dict.fromkeys(key[:width] for key in counts.keys), pattern.span)
        if starts is None:
            self.walker.restore(before)
            return False
        odd = self._parse(counts.odd)
        read = self._read_quickly(counts.wanted, starts, pattern)
        if read is None:
            self.walker.restore(before)
            return False
        quick, rest = read
        needed = self._parse(rest)
        if not clock.settled():
            self.walker.restore(before)
            return False
        self.lines += counts.lines
        self._add_counts(counts, starts, pattern)
        self._add_reads(quick)
        for record in odd:
            if record is None:
                self.unparsed += 1
            else:
                self._counted_sink.feed(record)
        for record in needed:
            if record is not None:
                self._sampled_sink.feed(record)
        return True

    def _read_quickly(
        self, lines: list[bytes], starts: dict[Key, float | None], pattern: KeyPattern
    ) -> tuple[list[_Reads], list[bytes]] | None:
        """What an analyzer's ``read_lines`` takes of the needle lines, with each stamp's
        hour, and the other lines, for the parser.  None if the clock did not time (or
        timed as impossible) a stamp of a read: the block then goes line by line, as
        the parser must judge such a line."""
        if not self._quick or pattern.format is not LogFormat.RFC3164:
            return [], lines
        reads: list[_Reads] = []
        for analyzer in self._quick:
            read, left = cast(ReadLines, analyzer.read_lines)(lines, pattern.span != HOUR)
            hours: dict[bytes, int] = {}
            for stamp in {stamp for stamp, _ in read}:
                start = starts.get((stamp,))
                if start is None:
                    return None
                hours[stamp] = int(start // HOUR) * HOUR
            reads.append(_Reads(analyzer, read, hours))
            lines = [lines[i] for i in left]
        return reads, lines

    def _add_reads(self, reads: list[_Reads]) -> None:
        for analyzer, read, hours in reads:
            hourly = self._quick_partials[analyzer.name]
            for hour in hours.values():
                if hour not in hourly:
                    hourly[hour] = analyzer.empty()
            add = cast(Any, analyzer.add_read)
            for stamp, one in read:
                hour = hours[stamp]
                add(hourly[hour], one, hour)

    def _add_counts(
        self, counts: BlockCounts, starts: dict[Key, float | None], pattern: KeyPattern
    ) -> None:
        width = pattern.time_fields
        for key, n in counts.keys.items():
            start = starts[key[:width]]
            if start is None:
                # A syslog parser rejects a line with an impossible date; the access
                # parser keeps it without a time, which counted analyzers skip.
                self.unparsed += n if pattern.syslog else 0
                continue
            hour = int(start // HOUR) * HOUR
            host = program = None
            if pattern.syslog:
                host = key[width].decode("utf-8", "backslashreplace")
                program = key[width + 1].decode("utf-8", "backslashreplace")
            for analyzer in self._counted:
                hourly = self._counts[analyzer.name]
                partial = hourly.get(hour)
                if partial is None:
                    partial = hourly[hour] = analyzer.empty()
                cast(Any, analyzer.count)(partial, hour, host, program, n)

    def _parse(self, lines: Iterable[bytes]) -> list[Record | None]:
        parse = cast(LineParser, self.parser).parse
        return [parse(_decode(line)) for line in lines]

    def feed(self, texts: Iterable[str]) -> None:
        """Line by line: every analyzer gets every parsed line."""
        parse = self.parser.parse if self.parser else None
        counted, sampled = self._counted_sink.feed, self._sampled_sink.feed
        for text in texts:
            self.lines += 1
            record = parse(text) if parse else None
            if record is None:
                self.unparsed += 1
                continue
            counted(record)
            sampled(record)

    def partials(self) -> dict[str, dict[int, Any]]:
        """analyzer -> hour -> partial, empty hours left out."""
        out = self._sampled_sink.partials(bool(self.lines))
        for name, hourly in self._quick_partials.items():
            _merge_hourly(out.setdefault(name, {}), hourly)
        for name, hourly in self._counted_sink.partials(bool(self.lines)).items():
            _merge_hourly(hourly, self._counts.get(name, {}))
            out[name] = hourly
        return out


def _merge_hourly(into: dict[int, Any], more: dict[int, Any]) -> None:
    for hour, partial in more.items():
        into[hour] = into[hour].merge(partial) if hour in into else partial


def _wanted(analyzers: Sequence[Analyzer[Any]]) -> Wanted:
    """The lines ``analyzers`` read: holding one of an analyzer's needles, of its programs."""
    return Wanted(
        tuple(
            (
                None if a.programs is None else frozenset(p.encode() for p in a.programs),
                a.needles,
            )
            for a in analyzers
            if a.needles
        )
    )


def _reads_alone(analyzer: Analyzer[Any], analyzers: Sequence[Analyzer[Any]]) -> bool:
    """Whether no other analyzer reads the syslog lines of ``analyzer``'s programs: a line
    its ``read_lines`` takes is then nobody else's, and needs no record."""
    mine = analyzer.programs or frozenset()
    return bool(mine) and all(
        other is analyzer
        or other.syslog_collector is None
        or (other.programs is not None and not other.programs & mine)
        for other in analyzers
    )


def _clean(line: bytes) -> bytes:
    """A line as the parser reads it."""
    if line[:1] == b"\x00":
        # A crash leaves NUL runs glued to the next line; the line itself is intact.
        line = line.lstrip(b"\x00")
    if line[-1:] == b"\r":
        line = line[:-1]
    return line


def _decode(line: bytes) -> str:
    return _clean(line).decode("utf-8", "backslashreplace")


def reference_epoch(path: Path, compression: Compression, mtime: float) -> float:
    """The latest instant a year-less line in this file can be from."""
    if compression is Compression.GZIP:
        header_mtime = gzip_header_mtime(path)
        if header_mtime:
            return float(header_mtime)
    return mtime


@dataclass(frozen=True, slots=True)
class ReadProgress:
    """Where a stateful read of one file got to: what the ledger stores with its partials."""

    known_id: int | None  # the ledger entry this read continues; None: a new file
    start: int  # decompressed offset the read began at
    end: int  # offset after the last complete line read
    lines_before: int
    head_len: int
    fingerprint: str
    check: str  # fingerprint() of the CHECK_BYTES before ``end``
    complete: bool  # rotated and read to its end


@dataclass(slots=True)
class _Resume:
    """How to continue a known file: the stream positioned, the bytes before it."""

    start: int
    initial: bytes  # head bytes after ``start`` not yet consumed
    before: bytes  # up to CHECK_BYTES just before ``start``
    skipped: int  # decompressed bytes read only to get to ``start``


def _position(
    raw: BinaryIO,
    stream: BinaryIO,
    head: bytes,
    known: Known,
    compression: Compression,
    size: int,
) -> _Resume | None:
    """Move to the known offset; None when the file is not the one known (truncated, rewritten)."""
    start = known.offset
    if compression is Compression.NONE and size < start:
        return None  # truncated (copytruncate): read again from the start
    if start <= len(head):
        resume = _Resume(start, head[start:], head[:start][-CHECK_BYTES:], 0)
    elif compression is Compression.NONE:
        raw.seek(start - min(CHECK_BYTES, start))
        before = raw.read(min(CHECK_BYTES, start))
        resume = _Resume(start, b"", before, 0)
    else:  # compressed streams cannot seek: decompress up to the offset
        gap = start - len(head)
        tail = skip_bytes(stream, gap, CHECK_BYTES)
        if len(tail) < min(gap, CHECK_BYTES):
            return None  # shorter than what we read before: not the same file
        resume = _Resume(start, b"", (head + tail)[-min(CHECK_BYTES, start) :], gap)
    if fingerprint(resume.before) != known.check:
        return None  # the bytes before the offset changed: rewritten in place
    return resume


def scan_file(
    log: LogFile, options: ScanOptions = ScanOptions(), known: KnownFiles | None = None
) -> FileResult:
    """Read one log file and return its entry and analyzer partials; never raises for the file.

    Stateless (``known`` is None): the whole file, or its part.  Stateful: a file the
    ledger knows is continued from its offset, or skipped when complete.
    """
    result = _scan_file(log, options, known)
    result.part = log.part
    return result


def _scan_file(log: LogFile, options: ScanOptions, known: KnownFiles | None) -> FileResult:
    started = time.monotonic()
    memory.keep_freed_buffers()  # once per process: blocks reuse freed memory
    path = Path(log.path)
    compression = Compression.NONE
    state: _FileScan | None = None
    reader: LineStream | None = None
    head = b""
    match: Known | None = None
    resume = _Resume(0, b"", b"", 0)
    error: str | None = None
    try:
        with path.open("rb") as raw:
            st = os.fstat(raw.fileno())
            compression = sniff_compression(raw.read(6))
            raw.seek(0)
            stream = open_decompressed(raw, compression)
            if log.part is not None and known is None:
                if compression is not Compression.NONE and log.part[0] > 0:
                    return _empty_part(log, compression)  # compressed: part 0 reads it all
                if compression is Compression.NONE:
                    stream = _part_stream(raw, log.part)
            head = read_head(stream)
            match = known.match(head, log.path) if known else None
            if match is not None and match.complete:
                return _unchanged(log, compression, head, match)
            positioned = (
                _position(raw, stream, head, match, compression, st.st_size) if match else None
            )
            if positioned is None:
                if match is not None:  # not the file we knew: back to its first byte
                    match = None
                    raw.seek(0)
                    stream = open_decompressed(raw, compression)
                    head = read_head(stream)
                resume = _Resume(0, head, b"", 0)
            else:
                resume = positioned
            state = _FileScan(
                options,
                reference_epoch(path, compression, st.st_mtime),
                LogFormat(match.format) if match else None,
            )
            reader = LineStream(
                stream,
                max_line=options.max_line_bytes,
                initial=resume.initial,
                hold_partial_tail=known is not None and compression is Compression.NONE,
                tail_bytes=CHECK_BYTES if known is not None else 0,
            )
            deadline = None if options.time_limit is None else started + options.time_limit
            for block in reader.blocks():
                state.feed_block(block)
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeLimitReached(
                        f"time limit of {options.time_limit:g} s reached; "
                        f"{state.lines} lines read, the rest left"
                    )
    except TimeLimitReached as exc:
        error = str(exc)
    except DECODE_ERRORS as exc:
        error = describe_error(exc)
    except Exception as exc:  # a bug met on hostile input: this file only, never the run
        error = f"internal error (please report): {type(exc).__name__}: {exc}"
    new_lines = state.lines if state else 0
    consumed = reader.consumed if reader else 0
    read_bytes = len(head) + resume.skipped + (reader.bytes_read if reader else 0)
    read_bytes -= len(resume.initial) if reader else 0
    status: FileStatus
    if error is not None:
        status = "partial" if new_lines or read_bytes else "error"
    elif match is not None and consumed == 0:
        status = "unchanged"
    else:
        status = "ok"
    entry = FileEntry(
        path=log.path,
        family=log.family,
        generation=log.generation,
        compression=compression.value,
        format=state.format.value if state else LogFormat.UNKNOWN.value,
        fingerprint=fingerprint(head),
        lines=new_lines + (match.lines if match else 0),
        bytes_read=read_bytes,
        status=status,
        error=error,
        unparsed_lines=state.unparsed if state else 0,
        truncated_lines=reader.truncated_lines if reader else 0,
    )
    progress = None
    if known is not None and head and reader is not None:
        end = resume.start + consumed
        tail = (resume.before + reader.tail)[-min(CHECK_BYTES, end) :] if end else b""
        progress = ReadProgress(
            known_id=match.entry_id if match else None,
            start=resume.start,
            end=end,
            lines_before=match.lines if match else 0,
            head_len=len(head),
            fingerprint=fingerprint(head),
            check=fingerprint(tail),
            complete=error is None and (compression is not Compression.NONE or log.generation > 0),
        )
    return FileResult(entry, state.partials() if state else {}, progress)


def _part_stream(raw: BinaryIO, part: tuple[int, int]) -> BinaryIO:
    """The lines that start inside ``part``, the last one read to its end."""
    begin, end = line_start(raw, part[0]), line_start(raw, part[1])
    raw.seek(begin)
    return cast(BinaryIO, ByteRange(raw, max(0, end - begin)))


def _empty_part(log: LogFile, compression: Compression) -> FileResult:
    entry = FileEntry(
        path=log.path,
        family=log.family,
        generation=log.generation,
        compression=compression.value,
        format=LogFormat.UNKNOWN.value,
        fingerprint="",
        lines=0,
        bytes_read=0,
        status="ok",
    )
    return FileResult(entry)


def merge_parts(results: Iterable[FileResult]) -> list[FileResult]:
    """One result per file: the parts of a split file added up (the first part's fingerprint
    and format, the first in the file whatever order the results came in; the worst
    status; errors named by part)."""
    by_path: dict[str, list[FileResult]] = {}
    for result in results:
        by_path.setdefault(result.entry.path, []).append(result)
    return [
        parts[0] if len(parts) == 1 else _merge_file(sorted(parts, key=_part_start))
        for parts in by_path.values()
    ]


def _part_start(result: FileResult) -> int:
    return result.part[0] if result.part else 0


def _merge_file(parts: list[FileResult]) -> FileResult:
    first = parts[0].entry
    errors = [p.entry.error for p in parts if p.entry.error]
    lines = sum(p.entry.lines for p in parts)
    status: FileStatus = "ok"
    if errors:
        status = "partial" if lines else "error"
    entry = replace(
        first,
        lines=lines,
        bytes_read=sum(p.entry.bytes_read for p in parts),
        unparsed_lines=sum(p.entry.unparsed_lines for p in parts),
        truncated_lines=sum(p.entry.truncated_lines for p in parts),
        status=status,
        error="; ".join(errors) if errors else None,
    )
    partials: dict[str, dict[int, Any]] = {}
    for part in parts:
        for name, hourly in part.partials.items():
            merged = partials.setdefault(name, {})
            for hour, partial in hourly.items():
                merged[hour] = merged[hour].merge(partial) if hour in merged else partial
    return FileResult(entry, partials)


def _unchanged(log: LogFile, compression: Compression, head: bytes, known: Known) -> FileResult:
    """A rotated file read to its end before: recognised from its head, not read further."""
    entry = FileEntry(
        path=log.path,
        family=log.family,
        generation=log.generation,
        compression=compression.value,
        format=LogFormat(known.format).value,
        fingerprint=fingerprint(head),
        lines=known.lines,
        bytes_read=len(head),
        status="unchanged",
    )
    progress = ReadProgress(
        known.entry_id,
        known.offset,
        known.offset,
        known.lines,
        len(head),
        fingerprint(head),
        known.check,
        True,
    )
    return FileResult(entry, {}, progress)


def failed_result(log: LogFile, reason: str) -> FileResult:
    """The entry for a file whose scan never returned (its worker died, say)."""
    entry = FileEntry(
        path=log.path,
        family=log.family,
        generation=log.generation,
        compression=Compression.NONE.value,
        format=LogFormat.UNKNOWN.value,
        fingerprint="",
        lines=0,
        bytes_read=0,
        status="error",
        error=reason,
    )
    return FileResult(entry)


def in_discovery_order(results: Iterable[FileResult], files: Sequence[LogFile]) -> list[FileResult]:
    """Results of batched tasks put back in discovery order (families, oldest first)."""
    by_path = {r.entry.path: r for r in results}
    return [by_path[f.path] for f in files if f.path in by_path]


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return f"truncated compressed stream: {exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"


def scan_files(
    logs: Sequence[LogFile], options: ScanOptions = ScanOptions(), known: KnownFiles | None = None
) -> list[FileResult]:
    """Scan several files in this process: the body of one batched task."""
    results = [scan_file(log, options, known) for log in logs]
    return results if options.hourly else [fold_hours(r) for r in results]


def fold_hours(result: FileResult) -> FileResult:
    """``result`` with each analyzer's hourly partials added up into one (``ALL_HOURS``).

    Partials count their own times inside (failures by hour, lines by hour), so
    a report built from folded results is the same; only a ledger needs the
    hours apart, to report a window of them later.
    """
    folded = {
        name: {ALL_HOURS: added_up(name, hourly.values())} if hourly else {}
        for name, hourly in result.partials.items()
    }
    return replace(result, partials=folded)


def added_up(name: str, partials: Iterable[Any]) -> Any:
    """One partial of analyzer ``name`` holding all of ``partials`` (its empty one if none)."""
    return reduce(lambda a, b: a.merge(b), partials, ANALYZERS[name].empty())


def merge_partials(results: Iterable[FileResult], analyzers: Sequence[str]) -> dict[str, Any]:
    """One partial per analyzer over every file and every hour."""
    merged: dict[str, Any] = {}
    results = list(results)
    for name in analyzers:
        merged[name] = added_up(
            name, (p for r in results for p in r.partials.get(name, {}).values())
        )
    return merged


def build_report(
    results: Sequence[FileResult],
    skipped: Sequence[Skipped] = (),
    options: ScanOptions = ScanOptions(),
    *,
    generated_at: datetime | None = None,
) -> "Report":
    """The reduce: order files as discovered, merge partials, summarize each analyzer."""
    # Here, not at the top: pool workers import this module and never need pydantic.
    from logsweep.report import Report, SkippedEntry

    merged = merge_partials(results, options.analyzers)
    sections = {name: ANALYZERS[name].summarize(p) for name, p in merged.items()}
    return Report(
        generated_at=generated_at or datetime.now(UTC),
        timezone=str(resolve_timezone(options.timezone)),
        analyzers=list(options.analyzers),
        files=[r.entry for r in results],
        skipped=[SkippedEntry(path=s.path, reason=s.reason) for s in skipped],
        **sections,
    )
