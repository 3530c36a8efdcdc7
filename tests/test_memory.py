"""Freed block buffers are reused, not faulted in again for every block.

Counted in page faults (``ru_minflt``), not seconds: a fresh interpreter scans
a 24 MiB log twice and reports the faults of the second scan, with the
allocator setting (what every scan does) and without it.
"""

import subprocess
import sys
from pathlib import Path

from logsweep import memory

CHILD = r"""
import resource, sys
from logsweep import memory
if sys.argv[2] == "off":
    memory.keep_freed_buffers = lambda: False
from logsweep.discovery import LogFile
from logsweep.scan import ScanOptions, scan_file
log = LogFile(sys.argv[1], "auth.log", 0, 1, 0.0)
scan_file(log, ScanOptions(timezone="UTC"))
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
result = scan_file(log, ScanOptions(timezone="UTC"))
assert result.entry.status == "ok", result.entry
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def second_scan_faults(path: Path, setting: str) -> int:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), setting],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_a_scan_reuses_its_freed_buffers(tmp_path: Path) -> None:
    assert memory.keep_freed_buffers()  # glibc, as on every machine this runs on
    line = (
        "Nov 24 10:{:02d}:{:02d} web01 sshd[{}]: "
        "Failed password for root from 192.0.2.{} port {} ssh2\n"
    )
    path = tmp_path / "auth.log"
    with path.open("w") as out:
        for i in range(280_000):  # ~24 MiB: two dozen blocks
            out.write(line.format(i // 60 % 60, i % 60, i, i % 250, i))
    reused, refaulted = second_scan_faults(path, "on"), second_scan_faults(path, "off")
    print(f"page faults of the second scan: {reused} with the setting, {refaulted} without")
    assert reused * 10 < refaulted, (reused, refaulted)
