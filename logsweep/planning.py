"""Split the file list into tasks: costliest first, small files batched.

A Prefect process-pool task costs ~50-100 ms of overhead, so a task per tiny
file would spend more time on bookkeeping than on logs; one task per core
would leave cores idle behind the largest file.  Longest-processing-time
first packing over a few batches per worker balances both.  How few depends
on the executor (``TaskOverhead``): a bare ``ProcessPoolExecutor`` task costs
under a millisecond, so there every file can be its own task, and the pool
evens out whatever the costs got wrong.  A big plain file
(a live syslog of gigabytes) is first cut into byte ranges, so it is read on
every core too; compressed streams cannot be entered in the middle.

Packing is only as good as the costs.  A byte of auth.log costs several
times a byte of syslog (most of its lines hold an sshd needle, read by a
second kernel), so ``measured_costs`` reads a sample of each family and
prices a file by its lines' bytes plus its needle lines (~12x more for one
parsed in Python than for one a kernel judges); ``estimated_cost``
is the guess from the size alone, where nothing could be read.  With a ledger,
only what is left to read is priced: a rotated file read to its end costs next
to nothing (only its head is read), a grown one the bytes after its offset
(and, compressed, decompressing up to there), so the night's new lines, not the
old files, are spread out.
"""

import contextlib
import itertools
import math
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import zstandard

from logsweep.analyzers import ANALYZERS
from logsweep.analyzers.base import Analyzer
from logsweep.blockcount import lines_with
from logsweep.discovery import LogFile
from logsweep.known import KnownFiles
from logsweep.readers import Compression, open_decompressed, read_head, sniff_compression

# Costs in nanoseconds of one worker, fitted (least squares) to scan_file's CPU time
# per file of the benchmark tree (benchmarks/RESULTS.md) on the 2-core test VM: a
# byte of lines counted; a byte of lines decompressed, by compression (gzip fitted,
# the others scaled by their decompressors' measured speed against isal's on 40 MiB
# of syslog: zstd 1.1x, xz 9.3x, bzip2 46x); and a line an analyzer reads by itself
# (a needle line: an sshd failure, a USB line).  Only their ratios shape the
# batches; their size decides how many there are (TaskOverhead.target_task_cost).
NS_PER_BYTE = 1.3
NS_TO_DECOMPRESS = {
    Compression.NONE: 0.0,
    Compression.GZIP: 0.7,
    Compression.ZSTD: 0.8,
    Compression.XZ: 6.5,
    Compression.BZIP2: 32.0,
}
NS_PER_NEEDLE_LINE = 1000
# A needle line parsed in Python, not judged by a kernel: every robots and USB line, and
# an sshd line its kernel (``read_lines``) leaves to the regular expressions because it
# is not printable ASCII (a UTF-8 user name, a tab).  Measured as above but on 100,000
# lines of each: robots 11.5 us, USB 13.8 us, sshd 12.3 us (its kernel's: ~0.5 us).
NS_PER_PARSED_LINE = 12_000
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
# Compressed files hold several times their size in lines (logs compress 8-18x);
# where the size of the lines is unknown, names are the guess, the reader still
# trusts magic bytes.
_COMPRESSED_WEIGHT = 8
_COMPRESSION_BY_NAME = {
    ".gz": Compression.GZIP,
    ".bz2": Compression.BZIP2,
    ".xz": Compression.XZ,
    ".zst": Compression.ZSTD,
    ".zstd": Compression.ZSTD,
}
_COMPRESSED_NAMES = tuple(_COMPRESSION_BY_NAME)
SAMPLE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class TaskOverhead:
    """What running one task costs an executor on top of its work, as planning sees it."""

    ns: int
    # At most this many batches per worker: beyond a few, the overhead is all they add
    # once the pool has evened out the costs' errors.
    batches_per_worker: int

    @property
    def target_task_cost(self) -> int:
        """A task's work, in ns, that makes its overhead ~10 % of it."""
        return self.ns * 10


# Prefect's process pool (and its Dask runner): ~0.1 s per task, so tasks of ~1 s.
PREFECT_TASK = TaskOverhead(ns=100_000_000, batches_per_worker=3)
# A bare ProcessPoolExecutor: under 1 ms per task (pickling one path list and a result).
BARE_POOL_TASK = TaskOverhead(ns=1_000_000, batches_per_worker=64)
# Plain files above this are read in parts; a part costs a task's overhead and a
# few seeks, so parts stay large.
SPLIT_BYTES = 64 << 20


@dataclass(frozen=True, slots=True)
class Batch:
    files: tuple[LogFile, ...]
    cost: int


def estimated_cost(log: LogFile) -> int:
    """A file's cost in ns from its size and name alone."""
    kind = _compression_by_name(log.path)
    weight = 1 if kind is Compression.NONE else _COMPRESSED_WEIGHT
    return int(max(log.size, 1) * weight * (NS_PER_BYTE + NS_TO_DECOMPRESS[kind]))


def _compression_by_name(path: str) -> Compression:
    return next(
        (kind for suffix, kind in _COMPRESSION_BY_NAME.items() if path.endswith(suffix)),
        Compression.NONE,
    )


Cost = Callable[[LogFile], int]


def plan(
    files: Sequence[LogFile],
    workers: int,
    analyzers: Iterable[str],
    split: bool,
    overhead: TaskOverhead = PREFECT_TASK,
    known: KnownFiles | None = None,
) -> list[Batch]:
    """The scan's batches: big plain files in parts (``split``: stateless scans only),
    priced by ``measured_costs`` (what is left to read after ``known``, a ledger's) and
    packed by ``plan_batches`` for ``overhead``."""
    if split:
        files = split_large(files, workers, overhead)
    return plan_batches(files, workers, measured_costs(files, analyzers, known), overhead)


def plan_batches(
    files: Sequence[LogFile],
    workers: int,
    cost: Cost = estimated_cost,
    overhead: TaskOverhead = PREFECT_TASK,
) -> list[Batch]:
    """Pack files into batches, costliest batch first."""
    if not files:
        return []
    workers = max(1, workers)
    total = sum(cost(f) for f in files)
    # Whole rounds of equal batches (with 5 batches on 2 workers one worker would run a
    # batch alone at the end), each batch at least the target cost where there is enough.
    rounds = min(overhead.batches_per_worker, total // (overhead.target_task_cost * workers))
    count = min(len(files), workers * max(1, rounds))
    bins: list[list[LogFile]] = [[] for _ in range(count)]
    loads = [0] * count
    for log in sorted(files, key=cost, reverse=True):
        lightest = loads.index(min(loads))
        bins[lightest].append(log)
        loads[lightest] += cost(log)
    batches = [Batch(tuple(b), load) for b, load in zip(bins, loads, strict=True) if b]
    return sorted(batches, key=lambda b: b.cost, reverse=True)


def split_large(
    files: Sequence[LogFile], workers: int, overhead: TaskOverhead = PREFECT_TASK
) -> list[LogFile]:
    """Big plain files as byte-range parts (``LogFile.part``), the rest unchanged.

    For stateless scans only: the ledger tracks whole files.  The name is only
    a guess at compression; a part of a file that turns out compressed reads
    nothing, and its first part reads the whole stream.
    """
    if workers < 2:
        return list(files)
    out: list[LogFile] = []
    for log in files:
        compressed = log.path.endswith(_COMPRESSED_NAMES)
        if compressed or log.part is not None or log.size <= SPLIT_BYTES:
            out.append(log)
            continue
        count = min(math.ceil(log.size / SPLIT_BYTES), workers * overhead.batches_per_worker)
        bounds = [log.size * i // count for i in range(count + 1)]
        out.extend(
            replace(log, part=(start, end), size=end - start)
            for start, end in itertools.pairwise(bounds)
        )
    return out


def measured_costs(
    files: Sequence[LogFile], analyzers: Iterable[str], known: KnownFiles | None = None
) -> Cost:
    """Costs from the files themselves: the bytes of lines each holds (a gzip member's
    trailer says it), and the share of needle lines in a sample of its family; with
    ``known``, only the bytes a stateful scan will read (``_left_to_read``)."""
    readers = [ANALYZERS[name] for name in analyzers if ANALYZERS[name].needles]
    density: dict[str, float] = {}  # family -> ns of needle lines per byte
    for log in sorted(files, key=lambda f: f.generation):
        if log.family not in density and log.size > 0:
            # Only a price: a file that cannot be read keeps the size guess, and its
            # scan reports why.
            with contextlib.suppress(Exception):
                density[log.family] = _needle_ns_per_byte(Path(log.path), readers)
    costs: dict[tuple[str, tuple[int, int] | None], int] = {}
    for log in files:
        shape = _data_shape(log)
        if shape is None or log.family not in density:
            costs[(log.path, log.part)] = estimated_cost(log)
        else:
            kind, size = shape
            counted, decompressed = (
                (size, size) if known is None else _left_to_read(log, kind, size, known)
            )
            per_line_byte = NS_PER_BYTE + density[log.family]
            cost = counted * per_line_byte + decompressed * NS_TO_DECOMPRESS[kind]
            costs[(log.path, log.part)] = max(1, int(cost))
    return lambda log: costs.get((log.path, log.part)) or estimated_cost(log)


def _left_to_read(log: LogFile, kind: Compression, size: int, known: KnownFiles) -> tuple[int, int]:
    """The bytes of lines a stateful scan will count in ``log`` and those it will decompress,
    as ``scan._scan_file`` decides: nothing for a rotated file read to its end, what follows
    the offset of one read before (a compressed stream is decompressed up to it), all of a
    new file.  Only a price: a head that cannot be read is a new file's."""
    try:
        with open(log.path, "rb") as raw:
            head = read_head(open_decompressed(raw, kind))
    except Exception:
        return size, size
    match = known.match(head, log.path)
    if match is None:
        return size, size
    if match.complete:
        return 0, 0
    return max(0, size - match.offset), size


def _needle_ns_per_byte(path: Path, readers: Sequence[Analyzer[Any]]) -> float:
    """What the needle lines in the first ``SAMPLE_BYTES`` of lines of ``path`` cost the
    ``readers`` (analyzers with needles), in ns per byte of lines."""
    with path.open("rb") as raw:
        kind = sniff_compression(raw.read(6))
        raw.seek(0)
        sample = open_decompressed(raw, kind).read(SAMPLE_BYTES)
    sample = sample[: sample.rfind(b"\n") + 1]
    if not sample:
        return 0.0
    ns = 0
    for analyzer in readers:
        lines = lines_with(sample, analyzer.needles or ())
        parsed = len(lines)
        if analyzer.read_lines is not None:  # its kernel judges printable ASCII lines
            parsed = sum(1 for line in lines if line.translate(None, _PRINTABLE_ASCII))
        ns += (len(lines) - parsed) * NS_PER_NEEDLE_LINE + parsed * NS_PER_PARSED_LINE
    return ns / len(sample)


def _data_shape(log: LogFile) -> tuple[Compression, int] | None:
    """How ``log`` (its part) is compressed and its bytes of lines (guessed from its size
    where the format does not say); None if it cannot be opened."""
    if log.part is not None:
        return Compression.NONE, log.part[1] - log.part[0]
    try:
        with open(log.path, "rb") as raw:
            kind = sniff_compression(raw.read(6))
            if kind is Compression.NONE:
                return kind, log.size
            return kind, _declared_size(raw, kind, log.size) or log.size * _COMPRESSED_WEIGHT
    except OSError:
        return None


def _declared_size(raw: BinaryIO, kind: Compression, size: int) -> int | None:
    """The bytes of lines a compressed file says it holds; None where it does not say or
    cannot be trusted.  Below the file's own size a figure is wrong: a gzip ISIZE that
    wrapped (mod 2**32), or the first of several members or frames."""
    declared = None
    if kind is Compression.GZIP and size >= 18:
        raw.seek(-4, 2)
        (declared,) = struct.unpack("<I", raw.read(4))  # ISIZE: the last member's
    elif kind is Compression.ZSTD:
        raw.seek(0)
        with contextlib.suppress(zstandard.ZstdError):
            declared = zstandard.frame_content_size(raw.read(18))  # -1: not written
    return declared if declared is not None and declared >= size else None
