"""Split the file list into tasks: large files first, small ones batched.

A Prefect process-pool task costs ~50-100 ms of overhead, so a task per tiny
file would spend more time on bookkeeping than on logs; one task per core
would leave cores idle behind the largest file.  Longest-processing-time
first packing over a few batches per worker balances both.  A big plain file
(a live syslog of gigabytes) is first cut into byte ranges, so it is read on
every core too; compressed streams cannot be entered in the middle.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from logsweep.discovery import LogFile

# Compressed bytes cost several times their size to read; names are only a
# cost estimate here, the reader still trusts magic bytes.
_COMPRESSED_WEIGHT = 8
_COMPRESSED_NAMES = (".gz", ".bz2", ".xz", ".zst", ".zstd")
TARGET_TASK_BYTES = 32 << 20
BATCHES_PER_WORKER = 3
# Plain files above this are read in parts; a part costs a task's overhead and a
# few seeks, so parts stay large.
SPLIT_BYTES = 64 << 20


@dataclass(frozen=True, slots=True)
class Batch:
    files: tuple[LogFile, ...]
    cost: int


def estimated_cost(log: LogFile) -> int:
    weight = _COMPRESSED_WEIGHT if log.path.endswith(_COMPRESSED_NAMES) else 1
    return max(log.size, 1) * weight


def plan_batches(files: Sequence[LogFile], workers: int) -> list[Batch]:
    """Pack files into batches, costliest batch first."""
    if not files:
        return []
    total = sum(estimated_cost(f) for f in files)
    count = min(
        len(files),
        max(1, workers) * BATCHES_PER_WORKER,
        max(1, math.ceil(total / TARGET_TASK_BYTES)),
    )
    count = max(count, min(len(files), max(1, workers)))  # every core gets something
    bins: list[list[LogFile]] = [[] for _ in range(count)]
    loads = [0] * count
    for log in sorted(files, key=estimated_cost, reverse=True):
        lightest = loads.index(min(loads))
        bins[lightest].append(log)
        loads[lightest] += estimated_cost(log)
    batches = [Batch(tuple(b), load) for b, load in zip(bins, loads, strict=True) if b]
    return sorted(batches, key=lambda b: b.cost, reverse=True)


def split_large(files: Sequence[LogFile], workers: int) -> list[LogFile]:
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
        count = min(math.ceil(log.size / SPLIT_BYTES), workers * BATCHES_PER_WORKER)
        bounds = [log.size * i // count for i in range(count + 1)]
        out.extend(
            replace(log, part=(start, end), size=end - start)
            for start, end in itertools.pairwise(bounds)
        )
    return out
