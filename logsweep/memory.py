"""The allocator setting a scan needs: freed block buffers kept for the next block.

A scan allocates and frees buffers of about a MiB for every block (the
decompressed chunk, the block, its wanted lines).  glibc serves such sizes
with a fresh ``mmap``, or gives the top of its heap back to the system once
they are freed, so every block's memory is faulted in again, page by page:
measured on a batch of the benchmark tree (0.9 s of CPU), 105,000 page faults
and 0.23 s of system time; with the thresholds below, 10 page faults and
0.03 s.  The peak is unchanged (46 MiB for that batch): the heap keeps at most
``TRIM_THRESHOLD`` of freed memory for reuse.
"""

import ctypes
import functools
import sys

# glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# Allocations up to this come from the heap (blocks are ~1 MiB, a joined chunk a few).
MMAP_THRESHOLD = 4 << 20
# Free memory the heap keeps before it gives any back.
TRIM_THRESHOLD = 32 << 20


@functools.cache
def keep_freed_buffers() -> bool:
    """Set glibc's thresholds, once per process; False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success; musl's stub returns 0 and changes nothing.
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
