"""Cost of a nightly stateful rescan against a full stateless scan of the same tree.

    .venv/bin/python benchmarks/nightly_rescan.py [--lines-per-day N] [--repeat 3]

Builds a tree the way logsweep meets it at night: syslog and auth.log with
8 rotated generations (delaycompress, gzip), a ledger warmed by one run per
past day, then one new day of lines.  Measures, alternating, median of
``--repeat``: (a) a full stateless scan of the tree, (b) the stateful rescan
(the ledger restored before each repetition).  Both run in this process on
one core, so the ratio is the work saved, not parallelism.
"""

import argparse
import gzip
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from logsweep.discovery import discover
from logsweep.scan import ScanOptions, build_report, scan_file
from logsweep.stateful import scan_with_ledger

OPTIONS = ScanOptions(timezone="UTC")
START = 1794000000.0


def day_of_lines(rng: random.Random, clock: float, count: int, program: str) -> tuple[str, float]:
    lines = []
    for _ in range(count):
        clock += 86400 / count
        stamp = time.strftime("%b %e %H:%M:%S", time.gmtime(clock))
        if program == "sshd":
            ip = f"198.51.100.{rng.randint(1, 250)}"
            lines.append(
                f"{stamp} web01 sshd[{rng.randint(100, 99999)}]: "
                f"Failed password for root from {ip} port {rng.randint(1024, 65535)} ssh2"
            )
        else:
            lines.append(
                f"{stamp} web01 CRON[{rng.randint(100, 99999)}]: (root) CMD "
                f"(command -v debian-sa1 > /dev/null && debian-sa1 1 1) #{rng.random()}"
            )
    return "\n".join(lines) + "\n", clock


def rotate(directory: Path, name: str) -> None:
    for n in range(8, 0, -1):
        for suffix in ("", ".gz"):
            old = directory / f"{name}.{n}{suffix}"
            if not old.exists():
                continue
            if n == 8:
                old.unlink()
                continue
            new = directory / f"{name}.{n + 1}{suffix}"
            old.rename(new)
            if not suffix:
                new.with_name(new.name + ".gz").write_bytes(gzip.compress(new.read_bytes(), 6))
                new.unlink()
    (directory / name).rename(directory / f"{name}.1")
    (directory / name).touch()


def build(root: Path, state: Path, lines_per_day: int) -> None:
    rng = random.Random(12)
    logs = root / "log"
    logs.mkdir(parents=True)
    clock = START
    for day in range(9):
        for name, program in (("syslog", "cron"), ("auth.log", "sshd")):
            text, _ = day_of_lines(rng, clock, lines_per_day, program)
            with (logs / name).open("a") as live:
                live.write(text)
        clock += 86400
        if day < 8:
            scan_with_ledger([logs], state, OPTIONS)  # last night's run
            for name in ("syslog", "auth.log"):
                rotate(logs, name)


def full_scan(logs: Path) -> int:
    found = discover([logs])
    results = [scan_file(f, OPTIONS) for f in found.files]
    build_report(results, found.skipped, OPTIONS)
    return sum(r.entry.bytes_read for r in results)


def rescan(logs: Path, state: Path, snapshot: Path) -> int:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{state}{suffix}").unlink(missing_ok=True)
    shutil.copy(snapshot, state)
    report = scan_with_ledger([logs], state, OPTIONS)
    return sum(f.bytes_read for f in report.files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines-per-day", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, state = Path(tmp), Path(tmp) / "state.db"
        t0 = time.perf_counter()
        build(root, state, args.lines_per_day)
        logs = root / "log"
        snapshot = root / "snapshot.db"
        import sqlite3

        with sqlite3.connect(state) as db:  # fold the WAL in, so one file is the whole state
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(state, snapshot)
        on_disk = sum(p.stat().st_size for p in logs.iterdir())
        print(
            f"tree: {len(os.listdir(logs))} files, {on_disk / 1e6:.1f} MB on disk, "
            f"built in {time.perf_counter() - t0:.1f} s"
        )
        full_times, rescan_times, full_bytes, rescan_bytes = [], [], 0, 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            full_bytes = full_scan(logs)
            full_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            rescan_bytes = rescan(logs, state, snapshot)
            rescan_times.append(time.perf_counter() - t)
        full, inc = statistics.median(full_times), statistics.median(rescan_times)
        print(f"full stateless scan : {full:7.2f} s  {full_bytes / 1e6:8.1f} MB decompressed")
        print(f"nightly rescan      : {inc:7.2f} s  {rescan_bytes / 1e6:8.1f} MB decompressed")
        print(
            f"ratio rescan/full   : {inc / full:7.3f} time, {rescan_bytes / full_bytes:.3f} bytes"
        )


if __name__ == "__main__":
    main()
