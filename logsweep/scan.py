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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import Any, BinaryIO, cast

import isal.igzip_lib
import zstandard

from logsweep.analyzers import ANALYZER_NAMES, ANALYZERS
from logsweep.analyzers.base import Analyzer, Collector
from logsweep.discovery import LogFile, Skipped
from logsweep.formats import LineParser, LogFormat, Record, detect_format, make_parsers
from logsweep.known import CHECK_BYTES, Known, KnownFiles
from logsweep.readers import (
    MAX_LINE_BYTES,
    Compression,
    LineStream,
    fingerprint,
    gzip_header_mtime,
    open_decompressed,
    read_head,
    skip_bytes,
    sniff_compression,
)
from logsweep.records import SyslogRecord
from logsweep.report import FileEntry, FileStatus, Report, SkippedEntry
from logsweep.timeinfer import resolve_timezone

FORMAT_SAMPLE_LINES = 64
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


class TimeLimitReached(Exception):
    """One file took longer than ScanOptions.time_limit."""


@dataclass(slots=True)
class FileResult:
    entry: FileEntry
    # analyzer -> UTC hour start (epoch seconds, NO_TIME for untimed lines) -> partial
    partials: dict[str, dict[int, Any]] = field(default_factory=dict)
    progress: "ReadProgress | None" = None  # stateful scans only


NO_TIME = -1  # the hour bucket of lines without a timestamp
HOUR = 3600


class _Collectors:
    """One set of collectors, with the dispatch tables the hot loop needs."""

    def __init__(self, analyzers: Sequence[Analyzer[Any, Any]]) -> None:
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


class _FileScan:
    """The per-file state of one scan: parser, collectors, counters.

    Partials are kept per UTC hour so a ledger can report any time window
    later.  Line-by-line analyzers get one collector set per hour; analyzers
    that correlate lines (usb) see the whole file and split their partial
    by event time afterwards.
    """

    def __init__(
        self, options: ScanOptions, reference_epoch: float, fmt: LogFormat | None = None
    ) -> None:
        self.options = options
        self.parsers = make_parsers(reference_epoch, resolve_timezone(options.timezone))
        self.parser: LineParser | None = None
        self.format = LogFormat.UNKNOWN
        if fmt is not None:  # resuming mid-file: the format was found at the start
            self.parser = next((p for p in self.parsers if p.format is fmt), None)
            self.format = fmt
        self.format_known = fmt is not None
        self.lines = 0
        self.unparsed = 0
        chosen = [ANALYZERS[name] for name in options.analyzers]
        self._hourly = [a for a in chosen if a.split_by_hour is None]
        self._whole = _Collectors([a for a in chosen if a.split_by_hour is not None])
        self._splitters = {a.name: a.split_by_hour for a in chosen if a.split_by_hour}
        self._buckets: dict[int, _Collectors] = {}

    def choose_format(self, sample: Sequence[str]) -> None:
        self.parser = detect_format(sample, self.parsers)
        self.format = self.parser.format if self.parser else LogFormat.UNKNOWN
        self.format_known = True

    def _bucket(self, hour: int) -> _Collectors:
        bucket = self._buckets.get(hour)
        if bucket is None:
            bucket = self._buckets[hour] = _Collectors(self._hourly)
        return bucket

    def feed(self, texts: Iterable[str]) -> None:
        parse = self.parser.parse if self.parser else None
        whole = self._whole.feed if self._whole.named else None
        last_hour, bucket = NO_TIME - 1, self._bucket(NO_TIME)
        for text in texts:
            self.lines += 1
            record = parse(text) if parse else None
            if record is None:
                self.unparsed += 1
                continue
            hour = NO_TIME if record.ts is None else int(record.ts // HOUR) * HOUR
            if hour != last_hour:  # lines come in time order: one lookup per hour
                last_hour, bucket = hour, self._bucket(hour)
            bucket.feed(record)
            if whole is not None:
                whole(record)

    def partials(self) -> dict[str, dict[int, Any]]:
        """analyzer -> hour -> partial, empty hours left out."""
        out: dict[str, dict[int, Any]] = {}
        for hour, bucket in self._buckets.items():
            if bucket.named and (hour != NO_TIME or self.lines):
                for name, partial in bucket.partials().items():
                    out.setdefault(name, {})[hour] = partial
        for name, partial in self._whole.partials().items():
            out[name] = self._splitters[name](partial)
        return out


def _decode(line: bytes) -> str:
    if line[:1] == b"\x00":
        # A crash leaves NUL runs glued to the next line; the line itself is intact.
        line = line.lstrip(b"\x00")
    if line[-1:] == b"\r":
        line = line[:-1]
    return line.decode("utf-8", "backslashreplace")


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

    Stateless (``known`` is None): the whole file.  Stateful: a file the
    ledger knows is continued from its offset, or skipped when complete.
    """
    started = time.monotonic()
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
            for batch in reader.batches():
                texts = [_decode(line) for line in batch]
                if not state.format_known:
                    state.choose_format(texts[:FORMAT_SAMPLE_LINES])
                state.feed(texts)
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


def _unchanged(log: LogFile, compression: Compression, head: bytes, known: Known) -> FileResult:
    """A rotated file read to its end before: recognised from its head, not read further."""
    entry = FileEntry(
        path=log.path,
        family=log.family,
        generation=log.generation,
        compression=compression.value,
        format=known.format,
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
    return [scan_file(log, options, known) for log in logs]


def merge_partials(results: Iterable[FileResult], analyzers: Sequence[str]) -> dict[str, Any]:
    """One partial per analyzer over every file and every hour."""
    merged: dict[str, Any] = {}
    results = list(results)
    for name in analyzers:
        parts = [p for r in results for p in r.partials.get(name, {}).values()]
        merged[name] = reduce(lambda a, b: a.merge(b), parts, ANALYZERS[name].empty())
    return merged


def build_report(
    results: Sequence[FileResult],
    skipped: Sequence[Skipped] = (),
    options: ScanOptions = ScanOptions(),
    *,
    generated_at: datetime | None = None,
) -> Report:
    """The reduce: order files as discovered, merge partials, summarize each analyzer."""
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
