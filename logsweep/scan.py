"""Scan one file into a small mergeable result; merge many into a report.

``scan_file`` is the mapped unit (Python Cookbook 12.8's ``find_robots``): a
top-level function of one file, safe to run in any process, that never raises
for a bad file but says what happened in its ``FileEntry``.  ``build_report``
is the reduce.  Any executor can run the map: the Prefect flow, a bare
``ProcessPoolExecutor``, a loop.
"""

import lzma
import os
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import Any, cast

import isal.igzip_lib
import zstandard

from logsweep.analyzers import ANALYZER_NAMES, ANALYZERS
from logsweep.discovery import LogFile, Skipped
from logsweep.formats import LineParser, LogFormat, detect_format, make_parsers
from logsweep.readers import (
    MAX_LINE_BYTES,
    Compression,
    LineStream,
    gzip_header_mtime,
    open_decompressed,
    sniff_compression,
)
from logsweep.records import AccessRecord, SyslogRecord
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


@dataclass(slots=True)
class FileResult:
    entry: FileEntry
    partials: dict[str, Any] = field(default_factory=dict)


class _FileScan:
    """The per-file state of one scan: parser, collectors, counters."""

    def __init__(self, options: ScanOptions, reference_epoch: float) -> None:
        self.options = options
        self.parsers = make_parsers(reference_epoch, resolve_timezone(options.timezone))
        self.parser: LineParser | None = None
        self.format = LogFormat.UNKNOWN
        self.lines = 0
        self.unparsed = 0
        chosen = [ANALYZERS[name] for name in options.analyzers]
        self.syslog_all = [
            (a.name, a.syslog_collector())
            for a in chosen
            if a.syslog_collector and a.programs is None
        ]
        self.syslog_by_program: dict[str, list[Any]] = {}
        self.syslog_named: list[tuple[str, Any]] = []
        for a in chosen:
            if a.syslog_collector and a.programs is not None:
                collector = a.syslog_collector()
                self.syslog_named.append((a.name, collector))
                for program in a.programs:
                    self.syslog_by_program.setdefault(program, []).append(collector)
        self.access = [(a.name, a.access_collector()) for a in chosen if a.access_collector]

    def choose_format(self, sample: Sequence[str]) -> None:
        self.parser = detect_format(sample, self.parsers)
        self.format = self.parser.format if self.parser else LogFormat.UNKNOWN

    def feed(self, texts: Iterable[str]) -> None:
        parse = self.parser.parse if self.parser else None
        syslog_all = [c for _, c in self.syslog_all]
        by_program = self.syslog_by_program
        access = [c for _, c in self.access]
        for text in texts:
            self.lines += 1
            record = parse(text) if parse else None
            if record is None:
                self.unparsed += 1
            elif isinstance(record, SyslogRecord):
                for collector in syslog_all:
                    collector.feed(record)
                for collector in by_program.get(record.program, ()):
                    collector.feed(record)
            elif isinstance(record, AccessRecord):
                for collector in access:
                    collector.feed(record)

    def partials(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, collector in (*self.syslog_all, *self.syslog_named, *self.access):
            partial = collector.finish()
            out[name] = out[name].merge(partial) if name in out else partial
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


def scan_file(log: LogFile, options: ScanOptions = ScanOptions()) -> FileResult:
    """Read one log file to its end and return its entry and analyzer partials."""
    path = Path(log.path)
    compression = Compression.NONE
    state: _FileScan | None = None
    stream: LineStream | None = None
    error: str | None = None
    try:
        with path.open("rb") as raw:
            st = os.fstat(raw.fileno())
            compression = sniff_compression(raw.read(6))
            raw.seek(0)
            state = _FileScan(options, reference_epoch(path, compression, st.st_mtime))
            stream = LineStream(
                open_decompressed(raw, compression), max_line=options.max_line_bytes
            )
            for batch in stream.batches():
                texts = [_decode(line) for line in batch]
                if state.parser is None and state.format is LogFormat.UNKNOWN and state.lines == 0:
                    state.choose_format(texts[:FORMAT_SAMPLE_LINES])
                state.feed(texts)
    except DECODE_ERRORS as exc:
        error = describe_error(exc)
    except Exception as exc:  # a bug met on hostile input: this file only, never the run
        error = f"internal error (please report): {type(exc).__name__}: {exc}"
    lines = state.lines if state else 0
    status: FileStatus
    if error is None:
        status = "ok"
    elif lines or (stream is not None and stream.bytes_read):
        status = "partial"
    else:
        status = "error"
    entry = FileEntry(
        path=log.path,
        family=log.family,
        generation=log.generation,
        compression=compression.value,
        format=state.format.value if state else LogFormat.UNKNOWN.value,
        fingerprint=stream.fingerprint if stream else "",
        lines=lines,
        bytes_read=stream.bytes_read if stream else 0,
        status=status,
        error=error,
        unparsed_lines=state.unparsed if state else 0,
        truncated_lines=stream.truncated_lines if stream else 0,
    )
    return FileResult(entry, state.partials() if state else {})


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


def scan_files(logs: Sequence[LogFile], options: ScanOptions = ScanOptions()) -> list[FileResult]:
    """Scan several files in this process: the body of one batched task."""
    return [scan_file(log, options) for log in logs]


def merge_partials(results: Iterable[FileResult], analyzers: Sequence[str]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name in analyzers:
        parts = [r.partials[name] for r in results if name in r.partials]
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
