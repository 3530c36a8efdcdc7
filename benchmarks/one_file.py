"""Peak memory and time of logsweep reading one (big) file in one process.

The issue's memory target holds "also for one 1 GiB file": this reads FILE with
``scan_file`` (block path, all analyzers), the way one pool worker would, and
prints its lines, seconds and the process's peak RSS (``ru_maxrss``).

    .venv/bin/python benchmarks/one_file.py /var/log/syslog.1 --timezone UTC
"""

import argparse
import resource
import time
from pathlib import Path

from logsweep.discovery import LogFile
from logsweep.scan import ScanOptions, scan_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--timezone", default=None, help="IANA zone of year-less times")
    args = parser.parse_args()
    st = args.file.stat()
    log = LogFile(str(args.file), args.file.name, 0, st.st_size, st.st_mtime)
    start = time.perf_counter()
    result = scan_file(log, ScanOptions(timezone=args.timezone))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    entry = result.entry
    print(
        f"{args.file}: {entry.status}, {st.st_size / 2**20:.0f} MiB on disk, "
        f"{entry.lines:,} lines in {seconds:.2f} s, peak RSS {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
