"""Split the file list into tasks: large files first, small ones batched.

A Prefect process-pool task costs ~50-100 ms of overhead, so a task per tiny
file would spend more time on bookkeeping than on logs; one task per core
would leave cores idle behind the largest file.  Longest-processing-time
first packing over a few batches per worker balances both.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from logsweep.discovery import LogFile

# Compressed bytes cost several times their size to read; names are only a
# cost estimate here, the reader still trusts magic bytes.
_COMPRESSED_WEIGHT = 8
_COMPRESSED_NAMES = (".gz", ".bz2", ".xz", ".zst", ".zstd")
TARGET_TASK_BYTES = 32 << 20
BATCHES_PER_WORKER = 3


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
