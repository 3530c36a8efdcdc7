"""What the pools of (b) and (c) run: top-level functions, imported by name in spawned workers.

Only ``os``, ``resource`` and ``time`` at import time: a spawned worker imports this module
before its first task, and its start is part of every figure.  (It also runs the
main script again, which is why ``run.py`` is a few lines.)
"""

import os
import resource
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from logsweep.discovery import LogFile
    from logsweep.scan import FileResult, ScanOptions

CHUNK = 1 << 20


def usage() -> tuple[int, float]:
    """This process's peak RSS (KiB on Linux) and CPU seconds so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_maxrss, r.ru_utime + r.ru_stime


def import_core() -> None:
    """A (c) worker's initializer: import the core as soon as the worker starts."""
    import logsweep.scan  # noqa: F401


def floor_file(path: str) -> tuple[int, int, int, int, float]:
    """(b): decompressed bytes and newlines of one file, then this worker's pid, RSS, CPU."""
    from logsweep.readers import open_decompressed, sniff_compression

    size = newlines = 0
    with open(path, "rb") as raw:
        compression = sniff_compression(raw.read(6))
        raw.seek(0)
        stream = open_decompressed(raw, compression)
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            newlines += chunk.count(b"\n")
    return size, newlines, os.getpid(), *usage()


def core_batch(
    files: "tuple[LogFile, ...]", options: "ScanOptions"
) -> "tuple[list[FileResult], int, int, float, float, float]":
    """(c): one planned batch through logsweep's core, then this worker's pid, RSS, CPU,
    and the wall clock (``time.time``, one clock for every process) when it began and
    ended: the run's time outside every batch is what no second worker can share."""
    from logsweep.scan import scan_files

    began = time.time()
    results = scan_files(files, options)
    return results, os.getpid(), *usage(), began, time.time()
