"""The scan_logs flow on a local Dask cluster against the process pool, same tree.

    .venv/bin/python benchmarks/dask_vs_pool.py [--size-mb 40] [--workers 2] [--repeat 3]
                                                 [--tree DIR] [--append]

Writes the sample tree (``logsweep.samples.generate_sample_tree``, 8 days)
with ``lines_per_day`` chosen so it holds about ``--size-mb`` MB of
decompressed log text, or scans ``--tree DIR`` as it is.  Then times whole
flow runs, alternating, median of ``--repeat``: the process pool with
``--workers`` workers, and a Dask ``LocalCluster`` with as many single-threaded
worker processes (both started and stopped by each run, as ``logsweep scan``
does).  One Prefect API server serves every run (started by an untimed
warm-up).  Both reports must agree, or nothing is reported.  ``--append``
adds the table to ``benchmarks/RESULTS.md``.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from logsweep.discovery import discover
from logsweep.samples import generate_sample_tree
from logsweep.scan import ScanOptions, scan_file

RESULTS = Path(__file__).with_name("RESULTS.md")
CALIBRATION_LINES = 300  # lines per day of the small tree that measures bytes per line


def decompressed_mb(root: Path) -> float:
    """MB of log text under root, as a scan reads it (decompressed)."""
    options = ScanOptions(timezone="UTC")
    return sum(scan_file(f, options).entry.bytes_read for f in discover([root]).files) / 1e6


def write_tree(dest: Path, size_mb: float) -> int:
    """The sample tree sized to about size_mb decompressed; returns its lines_per_day."""
    with tempfile.TemporaryDirectory() as tmp:
        generate_sample_tree(Path(tmp), days=8, lines_per_day=CALIBRATION_LINES)
        per_line_per_day = decompressed_mb(Path(tmp)) / CALIBRATION_LINES
    lines_per_day = max(CALIBRATION_LINES, round(size_mb / per_line_per_day))
    generate_sample_tree(dest, days=8, lines_per_day=lines_per_day)
    return lines_per_day


def analyses(report: Any) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    return {k: data[k] for k in ("usb", "sshd", "robots", "volume")} | {
        "files": [(f["path"], f["status"], f["lines"]) for f in data["files"]]
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, prefect {version('prefect')}, "
        f"prefect-dask {version('prefect-dask')}, distributed {version('distributed')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=40.0, help="decompressed MB to scan")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", type=Path, help="scan this tree instead of writing one")
    parser.add_argument("--append", action="store_true", help=f"append the table to {RESULTS}")
    args = parser.parse_args()

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no phoning home
    # Imported after the arguments: --help should not wait for Prefect.
    from flows.quiet import quiet_prefect_logs
    from flows.runners import make_task_runner
    from flows.scan import scan_logs

    quiet_prefect_logs()  # the timings are the output
    with tempfile.TemporaryDirectory() as tmp:
        if args.tree:
            root, how = args.tree, f"`{args.tree}`"
        else:
            root = Path(tmp) / "tree"
            lines_per_day = write_tree(root, args.size_mb)
            how = f"the sample tree, 8 days, lines_per_day={lines_per_day}"
        found = discover([root])
        disk_mb = sum(f.size for f in found.files) / 1e6
        start = time.perf_counter()
        mb = decompressed_mb(root)
        core = time.perf_counter() - start
        print(f"{how}: {len(found.files)} files, {disk_mb:.1f} MB on disk")
        print(f"{mb:.1f} MB decompressed; the plain core reads it in {core:.2f} s in one process")

        runners: dict[str, Callable[[], Any]] = {
            f"process pool, {args.workers} workers": lambda: make_task_runner(
                "process", args.workers
            ),
            f"Dask LocalCluster, {args.workers} workers": lambda: make_task_runner(
                "dask", args.workers
            ),
        }

        def scan(make_runner: Callable[[], Any], paths: list[str]) -> tuple[float, Any]:
            start = time.perf_counter()
            report = scan_logs.with_options(task_runner=make_runner())(paths=paths, timezone="UTC")
            return time.perf_counter() - start, report

        # Untimed: starts the API server and imports everything once.
        smallest = min(found.files, key=lambda f: f.size).path
        for make_runner in runners.values():
            scan(make_runner, [smallest])

        times: dict[str, list[float]] = {name: [] for name in runners}
        reports: dict[str, Any] = {}
        for round_ in range(args.repeat):
            for name, make_runner in runners.items():  # alternating: drift hits both alike
                seconds, report = scan(make_runner, [str(root)])
                times[name].append(seconds)
                reports[name] = analyses(report)
                print(f"  round {round_ + 1}: {name}: {seconds:.2f} s", flush=True)
        first, *others = reports.values()
        if any(other != first for other in others):
            sys.exit("the runners' reports differ; no timings reported")

    medians = {name: statistics.median(t) for name, t in times.items()}
    pool, dask = medians.values()
    rows = [f"| {name} | {s:.2f} | {mb / s:.1f} |" for name, s in medians.items()]
    table = "\n".join(
        [
            "| runner | seconds (median) | MB/s |",
            "|---|---|---|",
            *rows,
            f"| **Dask / pool** | **{dask / pool:.2f}** | |",
        ]
    )
    print(table)
    if args.append:
        day = datetime.now(UTC).date().isoformat()
        section = (
            f"\n## Dask LocalCluster vs process pool (`benchmarks/dask_vs_pool.py`)\n\n"
            f"{day}, {machine()}.\n\nInput: {how}: {len(found.files)} files, "
            f"{disk_mb:.1f} MB on disk, {mb:.1f} MB decompressed (the plain core reads it "
            f"in {core:.2f} s in one process, without Prefect). Whole flow runs (runner "
            f"start and stop included), alternating, median of {args.repeat}.\n\n{table}\n"
        )
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(section)
        print(f"appended to {RESULTS}")


if __name__ == "__main__":
    main()
