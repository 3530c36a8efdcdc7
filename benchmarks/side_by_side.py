"""Where a logsweep scan's time goes, side by side, in one run.

    .venv/bin/python benchmarks/make_tree.py /tmp/tree --mib 1024
    .venv/bin/python benchmarks/run.py /tmp/tree [--rounds 3] [--workers 2] [--no-server]
                                                 [--configs a,b,c,d1,e1,f1,d2,e2,f2] [--append]

Every configuration reads the same tree (``benchmarks/make_tree.py``) with the
same number of worker processes; each round runs every configuration once, in
turn, so whatever else the machine is doing hits all of them alike, and each
figure is the median of ``--rounds`` (3 or more).  A/b/c start a fresh
``ProcessPoolExecutor`` per run (``spawn``, as Prefect's stock pool does, so the
workers' start and imports are counted; logsweep's own Prefect pool forks its
workers from a preloaded fork server since the tenth session, and (c) keeps
``spawn`` so its figures compare across sessions):

(a) **cookbook** -- Python Cookbook 12.8 done by hand (``benchmarks/cookbook.py``):
    text-mode ``gzip.open``/``open``, ``for line in f``, ``line.split()``, a
    regex on the lines that matter, the four analyses, one file per task,
    merged in the parent.  What logsweep must beat (target: 5x).
(b) **floor** -- decompression alone: each file read in 1 MiB chunks through
    the decompressor logsweep uses (``logsweep.readers.sniff_compression`` +
    ``open_decompressed``, isal for gzip), counting newlines, one file per
    task.  No Python parser can beat it; logsweep should stay within 3x.
    Also run with 1 worker: the floor's own scaling, in the same rounds, is
    what this machine's cores let a pool of code that is not logsweep's gain.
(c) **core** -- logsweep without Prefect: ``discovery.discover``,
    ``planning.plan`` (as the flow plans: parts, sampled costs, but for a bare
    pool's ~1 ms tasks, ``BARE_POOL_TASK``: a task per file), ``scan.scan_files``
    per task on the pool, ``merge_parts`` + ``scan.build_report`` in the
    parent; with 1 worker and with ``--workers``, so the ratio is how the
    map-reduce scales (target: 1.85x for 2 workers).  The workers are started
    before the parent plans and exit while it builds the report, as a
    map-reduce driver would do it; the run ends when they have exited.
    Each batch reports when it began and ended, so the run's time outside
    every batch (what no second worker can share) is printed, with the best
    scaling a perfect split of the rest could give.
(d) **CLI** -- ``logsweep scan TREE --format json --output FILE --timezone UTC
    --workers N`` as a subprocess: the whole product, Prefect included.
    (d1) the embedded default: no ``PREFECT_API_URL``, so the run starts its
    own temporary API server (in a ``PREFECT_HOME`` kept across runs, as a
    user's ``~/.prefect`` is); (d2) against a ``prefect server start`` on
    127.0.0.1 and a free port that this script starts (temporary
    ``PREFECT_HOME``) and stops at the end, also on failure.
(e) **CLI, tiny tree** -- the same command on a tree of one 20-line syslog:
    the fixed cost of a run.  (d) - (e) is the marginal cost of the data,
    which is what is compared with (a) and (b).
(f) **bare flow** -- ``benchmarks/bare_flow.py``: a flow on the same
    ``SharedApiProcessPoolTaskRunner`` mapping one trivial task, run the same
    way: Prefect's own fixed cost.  (e)/(f) is logsweep's overhead on top of
    Prefect's (target: at most 1.3).

MB/s and lines/s are of decompressed data (the sizes (b) counts).  Peak RSS:
pool workers of (a), (b) and (c) return ``getrusage(RUSAGE_SELF).ru_maxrss``
with each result (the peak of the worker so far; the largest is shown);
for subprocesses, a thread polls ``/proc`` every 0.2 s for the process tree's
``VmHWM`` (the CLI's own process, its pool workers, the fork server they are
forked from and any ``uvicorn`` API server, told apart by command line).
``RUSAGE_CHILDREN`` would only give the largest child ever waited for, not
per run.

The machine is shared, so wall times alone mislead.  Every configuration also
reports its CPU seconds (user + system of all its processes: the workers'
``getrusage`` and the parent's for a-c; the ``RUSAGE_CHILDREN`` delta, plus
the ``prefect server``'s own CPU meanwhile, for d-f), and after each round
``N`` busy loops are timed against one: ~N on an idle machine, less when other
work holds cores; (c)'s scaling cannot exceed that.  A run that fails, or
whose report has a file that is not ``ok`` (the core being rewritten
meanwhile, say), is recorded as failed, not as a time.

The answers must agree: (a) and (c) must report the same robots.txt requests
and the same line count (printed both ways; more fields are compared), (b)'s
newlines must equal (c)'s lines, and the CLI's JSON report must equal (c)'s.
A mismatch is printed as such, never hidden.  The CLI writes its report to a
temporary file, not ``/dev/null``: ``--output`` writes a temporary file beside
the target and renames it over it, which as root would replace the
``/dev/null`` device node with a regular file.

``PREFECT_SERVER_ANALYTICS_ENABLED=false`` everywhere; every inherited
``PREFECT_*`` variable is removed from the subprocesses' environment.
``--append`` adds the result table to ``benchmarks/RESULTS.md``.
"""

import argparse
import contextlib
import json
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Sibling modules: benchmarks/ is sys.path[0] when run.py runs, and the spawned workers
# inherit sys.path.  The pools run functions of these two, which import little.
import cookbook
import pool_work

if TYPE_CHECKING:
    from logsweep.report import Report
    from logsweep.scan import FileResult

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
RESULTS = HERE / "RESULTS.md"
POLL_SECONDS = 0.2
RUN_TIMEOUT = 3600.0
SERVER_STARTUP_TIMEOUT = 180.0
TINY_LINES = 20
MIB = 1 << 20

RSS_NOTE = (
    "Peak RSS: (a)-(c) the largest ru_maxrss a pool worker returned; (d)-(f) the largest "
    "VmHWM polled in /proc every 0.2 s, per role (the CLI/flow process, pool workers, "
    "their fork server, uvicorn API servers), xN = processes seen. CPU s (median, "
    "user+system): (a)-(c) the workers' getrusage plus the parent's; (d)-(f) the "
    "RUSAGE_CHILDREN delta (the run's process tree as reaped) plus, for d2-f2, the "
    "prefect server's CPU meanwhile."
)
ALL_CONFIGS = ("a", "b", "c", "d1", "e1", "f1", "d2", "e2", "f2")
TARGETS = {
    "speedup": 5.0,  # (a) / ((d) - (e)) at least
    "floor": 3.0,  # ((d) - (e)) / (b) at most
    "overhead": 1.3,  # (e) / (f) at most
    "scaling": 1.85,  # (c, 1 worker) / (c, N workers) at least, for 2 workers
}


def self_cpu() -> float:
    return pool_work.usage()[1]


def children_cpu() -> float:
    """CPU seconds of every descendant this process (or they, recursively) waited for."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# --------------------------------------------------------------------- samples


@dataclass
class Sample:
    seconds: float
    rss_kib: dict[str, int]  # role ("worker", "main", "server") -> largest peak
    processes: dict[str, int] = field(default_factory=dict)  # role -> how many were seen
    cpu: float = 0.0  # CPU seconds of every process of the run (user + system)
    # (c): seconds from the run's start to its first batch's, and from its last batch's
    # end to the run's; what a second worker cannot share.
    lead: float = 0.0
    tail: float = 0.0


@dataclass
class Config:
    key: str
    label: str
    run: Callable[[], Sample]
    reads_tree: bool  # MB/s and lines/s make sense
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def outside(self) -> float:
        return statistics.median(s.lead + s.tail for s in self.samples)


@dataclass
class Answers:
    """What the last run of each in-process configuration found, for the agreement checks."""

    summary: cookbook.Summary | None = None
    floor_bytes: int = 0
    floor_newlines: int = 0
    core: dict[str, Any] = field(default_factory=dict)  # workers -> report as JSON data
    core_report: "Report | None" = None
    cli: dict[str, dict[str, Any]] = field(default_factory=dict)  # d1/d2 -> JSON report


Usage = dict[int, tuple[int, float]]  # worker pid -> (peak RSS KiB, CPU seconds)


def record(workers: Usage, pid: int, rss: int, cpu: float) -> None:
    old_rss, old_cpu = workers.get(pid, (0, 0.0))
    workers[pid] = (max(old_rss, rss), max(old_cpu, cpu))  # both only grow in a worker


def pool_sample(seconds: float, workers: Usage, parent_cpu: float) -> Sample:
    peak = max((rss for rss, _ in workers.values()), default=0)
    cpu = sum(cpu for _, cpu in workers.values()) + parent_cpu
    return Sample(seconds, {"worker": peak}, {"worker": len(workers)}, cpu)


# --------------------------------------------------------------------- (a), (b), (c)


def run_cookbook(tree: Path, workers: int, method: str, answers: Answers) -> Sample:
    start, cpu = time.perf_counter(), self_cpu()
    summary, workers_usage = cookbook.run(str(tree), workers, method)
    seconds, cpu = time.perf_counter() - start, self_cpu() - cpu
    answers.summary = summary
    return pool_sample(seconds, workers_usage, cpu)


def run_floor(tree: Path, workers: int, method: str, answers: Answers) -> Sample:
    from logsweep.discovery import discover
    from logsweep.planning import estimated_cost

    start, cpu = time.perf_counter(), self_cpu()
    files = sorted(discover([tree]).files, key=estimated_cost, reverse=True)
    size = newlines = 0
    workers_usage: Usage = {}
    with ProcessPoolExecutor(workers, mp_context=get_context(method)) as pool:
        paths = [f.path for f in files]
        for file_size, file_newlines, pid, rss, worker_cpu in pool.map(pool_work.floor_file, paths):
            size += file_size
            newlines += file_newlines
            record(workers_usage, pid, rss, worker_cpu)
    seconds, cpu = time.perf_counter() - start, self_cpu() - cpu
    answers.floor_bytes, answers.floor_newlines = size, newlines
    return pool_sample(seconds, workers_usage, cpu)


def run_core(tree: Path, workers: int, method: str, answers: Answers) -> Sample:
    from logsweep.discovery import discover
    from logsweep.planning import BARE_POOL_TASK, plan
    from logsweep.scan import ScanOptions, build_report, in_discovery_order, merge_parts

    options = ScanOptions(timezone="UTC", hourly=False)  # as the flow's stateless scan
    start, cpu, wall = time.perf_counter(), self_cpu(), time.time()
    results: list[FileResult] = []
    spans: list[tuple[float, float]] = []
    workers_usage: Usage = {}
    context = get_context(method)
    with ProcessPoolExecutor(workers, context, initializer=pool_work.import_core) as pool:
        # A spawn pool starts a worker per submit while none is idle: these start them
        # all now, so they import the core (the initializer) while this process plans.
        for _ in range(workers):
            pool.submit(pool_work.usage)
        found = discover([tree])
        # As the flow plans it (big plain files in byte-range parts, merged back after,
        # priced by a sample of each family), but for a bare pool's ~1 ms tasks: a task
        # per file, which the pool balances as they finish.
        batches = plan(found.files, workers, options.analyzers, True, BARE_POOL_TASK)
        futures = [pool.submit(pool_work.core_batch, batch.files, options) for batch in batches]
        for future in as_completed(futures):
            batch_results, pid, rss, worker_cpu, began, ended = future.result()
            results += batch_results
            record(workers_usage, pid, rss, worker_cpu)
            spans.append((began, ended))
        pool.shutdown(wait=False)  # the workers exit while the report is built
        whole = merge_parts(results)
        report = build_report(in_discovery_order(whole, found.files), found.skipped, options)
    for worker in context.active_children():  # and are waited for, as a pool's exit does
        worker.join()
    seconds, cpu, wall_end = time.perf_counter() - start, self_cpu() - cpu, time.time()
    not_ok(f"(c) with {workers} worker(s)", [(f.path, f.status, f.error) for f in report.files])
    answers.core[str(workers)] = json.loads(report.model_dump_json())
    answers.core_report = report
    sample = pool_sample(seconds, workers_usage, cpu)
    # A tree without a file has no batch: then the whole run is outside them.
    sample.lead = min((began for began, _ in spans), default=wall_end) - wall
    sample.tail = wall_end - max((ended for _, ended in spans), default=wall_end)
    return sample


# --------------------------------------------------------------------- subprocesses


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds of a live process tree (each process's own and its reaped children's)."""
    table = process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    stack, ticks = [root], 0
    while stack:
        pid = stack.pop()
        ticks += table.get(pid, (0, 0))[1]
        stack += children.get(pid, [])
    return ticks / CLOCK_TICKS


def process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU ticks incl. reaped children), for every process.

    (This kernel has no /proc/PID/task/*/children.)
    """
    parents: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        # After "comm)": state ppid ... utime(11) stime(12) cutime(13) cstime(14)
        parents[int(entry.name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    return parents


class TreeWatcher(threading.Thread):
    """Polls the peak RSS (VmHWM) of a process and its descendants until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peaks: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.poll()
            self._stop_event.wait(POLL_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def poll(self) -> None:
        parents = process_table()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in parents.items():
            children.setdefault(ppid, []).append(pid)
        stack, tree = [self.root], []
        while stack:
            pid = stack.pop()
            tree.append(pid)
            stack += children.get(pid, [])
        for pid in tree:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                if pid not in self.roles:
                    self.roles[pid] = self._role(pid, parents.get(pid, (0, 0))[0])
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]))
                    break

    def _role(self, pid: int, ppid: int) -> str:
        if pid == self.root:
            return "main"
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if "uvicorn" in cmdline:
            return "server"
        if "multiprocessing.forkserver" in cmdline and ppid == self.root:
            return "forkserver"  # its workers share its command line, a level below
        if "multiprocessing" in cmdline and "resource_tracker" not in cmdline:
            return "worker"
        return "other"

    def sample(self, seconds: float, cpu: float) -> Sample:
        rss: dict[str, int] = {}
        count: Counter[str] = Counter()
        for pid, peak in self.peaks.items():
            role = self.roles.get(pid, "other")
            rss[role] = max(rss.get(role, 0), peak)
            count[role] += 1
        return Sample(seconds, rss, dict(count), cpu)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def stop_group(process: "subprocess.Popen[bytes]", grace: float = 10.0) -> None:
    """Terminate the process group (uvicorn, pool workers too), then kill what is left."""
    with contextlib.suppress(ProcessLookupError):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(grace)
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of a finished run


def run_subprocess(
    cmd: Sequence[str], env: Mapping[str, str], log: Path, server: int | None = None
) -> Sample:
    """Run cmd to its end; its time, peak RSS by role, and CPU seconds (its whole tree's,
    from RUSAGE_CHILDREN, plus what the server process tree ``server`` spent meanwhile)."""
    before = children_cpu() + (tree_cpu(server) if server else 0.0)
    with log.open("ab") as err:
        err.write(f"\n$ {' '.join(cmd)}\n".encode())
        err.flush()
        start = time.perf_counter()
        process = subprocess.Popen(
            list(cmd),
            env=dict(env),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # its own group: stop_group reaches its children
        )
        watcher = TreeWatcher(process.pid)
        watcher.start()
        try:
            code = process.wait(RUN_TIMEOUT)
            seconds = time.perf_counter() - start
        finally:
            watcher.stop()
            stop_group(process)
    if code != 0:
        raise RuntimeError(f"{cmd[0]} exited {code}:\n{tail(log)}")
    cpu = children_cpu() + (tree_cpu(server) if server else 0.0) - before
    return watcher.sample(seconds, cpu)


def prefect_env(home: Path, api_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        # What flows/cli.py defaults to as well: a loaded box starts a server slowly.
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    api_url: str
    pid: int


@contextmanager
def prefect_server(home: Path) -> Iterator[Server]:
    """``prefect server start`` on 127.0.0.1:FREEPORT, always stopped on the way out."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    home.mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    env = prefect_env(home, None) | {"PREFECT_SERVER_UI_API_URL": f"{url}/api"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + SERVER_STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"prefect server exited {process.returncode}:\n{tail(log)}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/api/health", timeout=2) as response,
            ):
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"prefect server not up after {SERVER_STARTUP_TIMEOUT} s")
            time.sleep(0.5)
        yield Server(f"{url}/api", process.pid)
    finally:
        stop_group(process)


def write_tiny_tree(tree: Path, dest: Path) -> None:
    """One 20-line syslog: the head of the tree's live syslog, else a fixed line."""
    dest.mkdir(parents=True)
    source = tree / "syslog"
    lines: list[str] = []
    if source.is_file():
        with source.open(encoding="utf-8", errors="replace") as f:
            lines = [line for _, line in zip(range(TINY_LINES), f, strict=False)]
    if not lines:
        lines = [f"Nov 24 14:46:{i:02d} web-1 CRON[1234]: (root) CMD (true)\n" for i in range(20)]
    (dest / "syslog").write_text("".join(lines), encoding="utf-8")
    if source.is_file():
        mtime = source.stat().st_mtime
        os.utime(dest / "syslog", (mtime, mtime))


def not_ok(what: str, files: Sequence[tuple[str, str, str | None]]) -> None:
    """A run that could not read every file is not a timing: raise (the runner records it)."""
    bad = [f"{path}: {status} {error or ''}" for path, status, error in files if status != "ok"]
    if bad:
        raise RuntimeError(f"{what}: {len(bad)} of {len(files)} files not ok, e.g. {bad[0]}")


def cli_command(tree: Path, output: Path, workers: int) -> list[str]:
    return [
        str(BIN / "logsweep"),
        "scan",
        str(tree),
        "--format",
        "json",
        "--output",
        str(output),
        "--timezone",
        "UTC",
        "--workers",
        str(workers),
    ]


# --------------------------------------------------------------------- reporting


def fmt_rss(sample: Sample) -> str:
    parts = []
    for role in ("worker", "main", "forkserver", "server"):
        if role in sample.rss_kib:
            count = sample.processes.get(role, 1)
            times = f" x{count}" if role in ("worker", "server") else ""
            parts.append(f"{role} {sample.rss_kib[role] / 1024:.0f} MiB{times}")
    return ", ".join(parts) or "-"


def peak_sample(samples: Sequence[Sample]) -> Sample:
    rss: dict[str, int] = {}
    processes: dict[str, int] = {}
    for s in samples:
        for role, kib in s.rss_kib.items():
            rss[role] = max(rss.get(role, 0), kib)
        for role, n in s.processes.items():
            processes[role] = max(processes.get(role, 0), n)
    return Sample(0.0, rss, processes)


def table(configs: Sequence[Config], data_bytes: int, data_lines: int) -> list[str]:
    rows = [
        "| configuration | median s | min-max s | MB/s | lines/s | CPU s | peak RSS (largest) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for c in configs:
        failed = f" ({len(c.failures)} run(s) failed)" if c.failures else ""
        if not c.samples:
            rows.append(f"| {c.label}{failed} | - | - | - | - | - | - |")
            continue
        times = [s.seconds for s in c.samples]
        if c.reads_tree:
            rate = f"{data_bytes / 1e6 / c.median:.1f}"
            lines = f"{data_lines / c.median:,.0f}"
        else:
            rate = lines = "-"
        rows.append(
            f"| {c.label}{failed} | {c.median:.2f} | {min(times):.2f}-{max(times):.2f} | {rate} "
            f"| {lines} | {c.cpu:.2f} | {fmt_rss(peak_sample(c.samples))} |"
        )
    return rows


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def against(value: float, target: float) -> str:
    """``value`` to 2 decimals, or to 3 when 2 would print the target itself: a 1.849x
    shown as "1.85x" beside "MISSES target" reads as a contradiction."""
    text = f"{value:.2f}"
    return f"{value:.3f}" if float(text) == target and value != target else text


def ratios(by_key: Mapping[str, Config], workers: int, data_bytes: int) -> list[str]:
    out: list[str] = []
    c1, cn = by_key.get("c1"), by_key.get("cN")
    if c1 and cn:
        scale = c1.median / cn.median
        target = TARGETS["scaling"]
        note = f" (target >= {target}x for 2 workers)" if workers == 2 else ""
        out.append(
            f"- (c) scaling, {workers} workers vs 1: {c1.median:.2f} s / {cn.median:.2f} s = "
            f"**{against(scale, target)}x**{note}"
            + (f": {verdict(scale >= target)}" if workers == 2 else "")
        )
        out.append(
            f"  - CPU seconds, 1 worker vs {workers}: {c1.cpu:.2f} vs {cn.cpu:.2f} (equal work "
            "means lost scaling is waiting: other load on the cores, or imbalance)"
        )
        if by_round := paired(c1, cn, scaling):
            out.append(f"  - round by round (c1 and cN run back to back): {by_round}x")
        # Amdahl: c1 = serial + parallel; N workers at best serial + parallel / N.
        serial = min(c1.outside, c1.median)
        best = c1.median / (serial + (c1.median - serial) / workers)
        out.append(
            f"  - outside every batch (pool start and imports, planning the workers did not "
            f"overlap, the report, the workers' exit): {c1.outside:.2f} s with 1 worker, "
            f"{cn.outside:.2f} s with {workers}; with c1's, a perfect split of the rest "
            f"gives at most {best:.2f}x"
        )
        b1, bn = by_key.get("b1"), by_key.get("b")
        if b1 and bn:
            floor_scale = b1.median / bn.median
            out.append(
                f"  - the floor's scaling, the same rounds: (b) 1 worker / {workers} = "
                f"{b1.median:.2f} s / {bn.median:.2f} s = {floor_scale:.2f}x (decompression "
                "alone, no logsweep code: what these cores gave a pool meanwhile)"
                + (f"; round by round {r}x" if (r := paired(b1, bn, scaling)) else "")
            )
    for n in ("1", "2"):
        d, e, f = by_key.get(f"d{n}"), by_key.get(f"e{n}"), by_key.get(f"f{n}")
        mode = "embedded API" if n == "1" else "prefect server"
        if d and e:
            marginal = d.median - e.median
            out.append(
                f"- d{n} ({mode}): marginal cost (d)-(e) = {d.median:.2f} - {e.median:.2f} = "
                f"**{marginal:.2f} s**"
                + (f" ({data_bytes / 1e6 / marginal:.1f} MB/s)" if marginal > 0 else "")
            )
            if by_round := paired(d, e, lambda dd, ee: dd - ee):
                out.append(f"  - round by round (d and e run back to back): {by_round} s")
            a, b = by_key.get("a"), by_key.get("b")
            marginal_cpu = d.cpu - e.cpu
            if a and b and marginal_cpu > 0:
                out.append(
                    f"  - by CPU seconds (less sensitive to other load): (d)-(e) = "
                    f"{marginal_cpu:.2f}; (a)/that = {a.cpu / marginal_cpu:.2f}x; "
                    f"that/(b) = {marginal_cpu / b.cpu:.2f}x"
                )
            if marginal <= 0:
                out.append("  - (d)-(e) <= 0: the tree is too small to separate data from overhead")
            else:
                if a:
                    speedup, goal = a.median / marginal, TARGETS["speedup"]
                    out.append(
                        f"  - vs (a) cookbook: (a)/((d)-(e)) = {a.median:.2f} / {marginal:.2f} = "
                        f"**{against(speedup, goal)}x** faster (target >= {goal:g}x): "
                        f"{verdict(speedup >= goal)}"
                    )
                if b:
                    floor, goal = marginal / b.median, TARGETS["floor"]
                    out.append(
                        f"  - vs (b) floor: ((d)-(e))/(b) = {marginal:.2f} / {b.median:.2f} = "
                        f"**{against(floor, goal)}x** the floor (target <= {goal:g}x): "
                        f"{verdict(floor <= goal)}"
                    )
        if e and f:
            overhead, goal = e.median / f.median, TARGETS["overhead"]
            out.append(
                f"- e{n}/f{n} ({mode}): {e.median:.2f} / {f.median:.2f} = "
                f"**{against(overhead, goal)}** (target <= {goal:g}): {verdict(overhead <= goal)}"
                f"; by CPU seconds {e.cpu:.2f} / {f.cpu:.2f} = {e.cpu / f.cpu:.2f}"
            )
    return out


def scaling(one: float, many: float) -> float:
    return one / many


def paired(x: Config, y: Config, combine: Callable[[float, float], float]) -> str:
    """``combine`` of x's and y's runs of the same round: median (min-max); "" if a run
    failed, as rounds would no longer pair up.  Other load moves a round's runs alike, so
    this is steadier than the same figure from two medians."""
    if not x.samples or len(x.samples) != len(y.samples) or x.failures or y.failures:
        return ""
    values = [combine(a.seconds, b.seconds) for a, b in zip(x.samples, y.samples, strict=True)]
    return f"median {statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def clip(value: Any, width: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def differs(a: Any, b: Any) -> str:
    if a == b:
        return "agree"
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        keys = sorted(set(a) | set(b), key=str)
        bad = [k for k in keys if a.get(k) != b.get(k)]
        sample = "; ".join(f"{clip(k, 60)}: {clip(a.get(k))} vs {clip(b.get(k))}" for k in bad[:3])
        return f"MISMATCH in {len(bad)} of {len(keys)} keys ({sample})"
    return f"MISMATCH ({clip(a)} vs {clip(b)})"


def agreement(answers: Answers, workers: int) -> tuple[list[str], int]:
    """Lines to print, and how many checks failed."""
    out: list[str] = []
    failed = 0

    def check(name: str, left: Any, right: Any, show: bool = False) -> None:
        nonlocal failed
        result = differs(left, right)
        failed += result != "agree"
        values = f" ({left:,} vs {right:,})" if show and result == "agree" else ""
        out.append(f"- {name}: {result}{values}")

    core = answers.core.get(str(workers)) or next(iter(answers.core.values()), None)
    report = answers.core_report
    s = answers.summary
    robots, sshd = (report.robots, report.sshd) if report else (None, None)
    usb, volume = (report.usb, report.volume) if report else (None, None)
    if s is not None and report is not None and robots and sshd and usb and volume:
        out.append("(a) cookbook vs (c) core:")
        check("robots.txt requests", s.robots_requests, robots.requests, show=True)
        check("total lines", s.lines, sum(f.lines for f in report.files), show=True)
        check("robots by IP", dict(s.robots), dict(robots.by_ip))
        check("robots user agents", dict(s.robots_agents), dict(robots.user_agents))
        check("sshd failures", s.failures, sshd.failures, show=True)
        check("sshd failed by IP", dict(s.failed_by_ip), dict(sshd.failed_by_ip))
        check("sshd failed by user", dict(s.failed_by_user), dict(sshd.failed_by_user))
        check("sshd invalid users", dict(s.invalid_users), dict(sshd.invalid_users))
        check("sshd pam_unix by rhost", dict(s.pam_by_rhost), dict(sshd.pam_failures_by_rhost))
        accepted = {(x.user, x.ip, x.method): x.count for x in sshd.accepted}
        check("sshd accepted", dict(s.accepted), accepted)
        devices = {(d.vendor_id, d.product_id, d.serial or ""): d.connections for d in usb.devices}
        check("usb connections by device", dict(s.usb_devices()), devices)
        check("volume by host", dict(s.by_host), dict(volume.by_host))
        check("volume by program", dict(s.by_program), dict(volume.by_program))
        by_hour = sum(volume.by_hour.values())
        check("timestamped lines", sum(s.by_hour.values()), by_hour, show=True)
        check("unparsed lines", s.unparsed, sum(f.unparsed_lines for f in report.files), True)
    if answers.floor_bytes and report is not None:
        out.append("(b) floor vs (c) core:")
        check(
            "decompressed bytes",
            answers.floor_bytes,
            sum(f.bytes_read for f in report.files),
            show=True,
        )
        check("newlines vs lines", answers.floor_newlines, sum(f.lines for f in report.files), True)
    if len(answers.core) > 1:
        out.append("(c) 1 worker vs N workers:")
        first, *others = (analyses(r) for r in answers.core.values())
        for other in others:
            check("report (analyses and files)", first, other)
    for key, data in answers.cli.items():
        if core is not None:
            out.append(f"({key}) CLI JSON vs (c) core:")
            check("report (analyses and files)", analyses(data), analyses(core))
    bad_files = [
        f"{f.path}: {f.status} {f.error or ''}"
        for f in (report.files if report else [])
        if f.status != "ok"
    ]
    if bad_files:
        failed += 1
        out.append(f"- files not ok in (c): {bad_files[:5]}")
    return out, failed


def analyses(data: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("path", "status", "lines", "bytes_read", "fingerprint", "format")
    files = [tuple(f[k] for k in keys) for f in data["files"]]
    return {k: data[k] for k in ("usb", "sshd", "robots", "volume")} | {"files": files}


def machine() -> str:
    cpu = platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import version

    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, prefect {version('prefect')}"
    )


def short(exc: BaseException, lines: int = 12) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()
    return "\n    ".join(text[:2] + (["..."] if len(text) > lines else []) + text[2:][-lines:])


SPIN = "sum(range(15_000_000))"  # ~0.5 s of one core


def headroom(workers: int) -> float:
    """How many cores the machine gives right now: ``workers`` busy loops run at once
    against one alone (``workers``.0 on an idle machine, less when other work runs)."""

    def spin(count: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(count)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start

    alone = spin(1)
    return workers * alone / spin(workers)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --------------------------------------------------------------------- main


def compile_bytecode() -> None:
    """Write the project's .pyc files, as its first run does on a usual machine.

    With PYTHONDONTWRITEBYTECODE set (some containers set it) nothing ever
    writes them, and every CLI process and pool worker would compile the
    project's modules again: ~0.1 s each, the same in every configuration
    that imports them, but not what an installed logsweep costs.
    """
    import compileall

    for package in ("logsweep", "flows", "tasks", "deployments", "benchmarks"):
        compileall.compile_dir(ROOT / package, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path, help="the tree to scan (benchmarks/make_tree.py)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--configs",
        default=",".join(ALL_CONFIGS),
        help="which to run (c = 1 and N workers; d2/e2/f2 need the server)",
    )
    parser.add_argument("--no-server", action="store_true", help="skip d2, e2, f2")
    parser.add_argument("--start-method", default="spawn", choices=["spawn", "forkserver", "fork"])
    parser.add_argument("--append", action="store_true", help=f"append the results to {RESULTS}")
    args = parser.parse_args(argv)
    wanted = set(args.configs.split(","))
    if args.no_server:
        wanted -= {"d2", "e2", "f2"}
    if unknown := wanted - set(ALL_CONFIGS):
        parser.error(f"unknown configurations: {sorted(unknown)}")
    if args.rounds < 1 or args.workers < 1:
        parser.error("--rounds and --workers must be at least 1")
    tree = args.tree.resolve()
    if not tree.is_dir():
        parser.error(f"{tree} is not a directory")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    compile_bytecode()

    # Imported here, untimed, once: the parent's side of (b) and (c) uses it.
    import logsweep.scan  # noqa: F401

    print(f"{machine()}\nload average at start: {load()}", flush=True)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="logsweep-bench-")))
        tiny = tmp / "tiny"
        write_tiny_tree(tree, tiny)
        log = tmp / "subprocesses.log"
        answers = Answers()
        n, method = args.workers, args.start_method
        configs: list[Config] = []

        def add(key: str, label: str, run: Callable[[], Sample], reads_tree: bool) -> None:
            configs.append(Config(key, label, run, reads_tree))

        if "a" in wanted:
            add(
                "a",
                f"(a) cookbook 12.8, {n} workers",
                lambda: run_cookbook(tree, n, method, answers),
                True,
            )
        if "b" in wanted:
            add(
                "b",
                f"(b) decompress only (floor), {n} workers",
                lambda: run_floor(tree, n, method, answers),
                True,
            )
            if n != 1:  # how this machine's cores scale code that is not logsweep's
                add(
                    "b1",
                    "(b) decompress only (floor), 1 worker",
                    lambda: run_floor(tree, 1, method, answers),
                    True,
                )
        if "c" in wanted:
            add(
                "c1",
                "(c) core map-reduce, 1 worker",
                lambda: run_core(tree, 1, method, answers),
                True,
            )
            if n != 1:
                add(
                    "cN",
                    f"(c) core map-reduce, {n} workers",
                    lambda: run_core(tree, n, method, answers),
                    True,
                )

        def cli(key: str, home: Path, server: Server | None, target: Path) -> Callable[[], Sample]:
            output = tmp / f"{key}.json"
            env = prefect_env(home, server.api_url if server else None)

            def go() -> Sample:
                output.unlink(missing_ok=True)
                cmd = cli_command(target, output, n)
                sample = run_subprocess(cmd, env, log, server.pid if server else None)
                data = json.loads(output.read_text())
                files = [(f["path"], f["status"], f["error"]) for f in data["files"]]
                not_ok(f"({key}) CLI", files)
                if target == tree:
                    answers.cli[key] = data
                return sample

            return go

        def bare(home: Path, server: Server | None) -> Callable[[], Sample]:
            cmd = [sys.executable, str(HERE / "bare_flow.py"), "--workers", str(n)]
            env = prefect_env(home, server.api_url if server else None)
            return lambda: run_subprocess(cmd, env, log, server.pid if server else None)

        warmups: list[Callable[[], Sample]] = []
        for mode in ("1", "2"):
            if not wanted & {f"d{mode}", f"e{mode}", f"f{mode}"}:
                continue
            home = tmp / f"client-home-{mode}"
            home.mkdir()
            api: Server | None = None
            if mode == "2":
                print("starting prefect server ...", flush=True)
                api = stack.enter_context(prefect_server(tmp / "server-home"))
                print(f"prefect server up: {api.api_url}", flush=True)
            where = "embedded API" if mode == "1" else "prefect server"
            if f"d{mode}" in wanted:
                add(
                    f"d{mode}",
                    f"(d{mode}) logsweep scan CLI, {where}",
                    cli(f"d{mode}", home, api, tree),
                    True,
                )
            if f"e{mode}" in wanted:
                run_e = cli(f"e{mode}", home, api, tiny)
                add(f"e{mode}", f"(e{mode}) CLI on a one-file tree, {where}", run_e, False)
            if f"f{mode}" in wanted:
                run_f = bare(home, api)
                add(f"f{mode}", f"(f{mode}) bare Prefect flow, {where}", run_f, False)
            # Untimed: creates the PREFECT_HOME database, registers the flows, warms caches.
            warmups.append(cli(f"e{mode}", home, api, tiny))
            warmups.append(bare(home, api))
        if "b" in wanted:
            warmups.append(lambda: run_floor(tree, n, method, Answers()))  # page cache

        print(f"untimed warm-up ({len(warmups)} runs) ...", flush=True)
        for warmup in warmups:
            try:
                warmup()
            except Exception as exc:  # a transient failure must not lose the whole benchmark
                print(f"  warm-up failed: {short(exc)}", flush=True)
        cores_seen: list[float] = []
        for round_ in range(args.rounds):
            for c in configs:
                try:
                    sample = c.run()
                except Exception as exc:  # recorded and shown; the other runs go on
                    c.failures.append(short(exc))
                    print(f"  round {round_ + 1}: {c.label}: FAILED {short(exc)}", flush=True)
                    continue
                c.samples.append(sample)
                print(
                    f"  round {round_ + 1}: {c.label}: {sample.seconds:.2f} s  [{fmt_rss(sample)}]",
                    flush=True,
                )
            cores = headroom(n)
            cores_seen.append(cores)
            print(
                f"  after round {round_ + 1}: load average {load()}; {n} busy loops ran "
                f"{cores:.2f}x as fast as one",
                flush=True,
            )

    data_bytes, data_lines = answers.floor_bytes, answers.floor_newlines
    if not data_bytes and answers.core_report is not None:
        data_bytes = sum(f.bytes_read for f in answers.core_report.files)
        data_lines = sum(f.lines for f in answers.core_report.files)
    by_key = {c.key: c for c in configs if c.samples}
    rows = table(configs, data_bytes, data_lines)
    ratio_lines = ratios(by_key, n, data_bytes)
    checks, failed = agreement(answers, n)
    disk = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
    files = sum(1 for p in tree.rglob("*") if p.is_file())
    header = (
        f"Tree `{tree}`: {files} files, {disk / 1e6:.1f} MB on disk, {data_bytes / 1e6:.1f} MB "
        f"({data_bytes / MIB:.1f} MiB) decompressed, {data_lines:,} lines. {n} workers, "
        f"{args.start_method} pools, median of {args.rounds} rounds, alternating. "
        f"Load average at the end: {load()}; {n} busy loops ran "
        f"{statistics.median(cores_seen):.2f}x as fast as one (median over rounds: the "
        f"parallelism other work left)."
    )
    print()
    print(header)
    print()
    print("\n".join(rows))
    print()
    print(RSS_NOTE)
    print()
    print("Ratios (targets from the issue):")
    print("\n".join(ratio_lines))
    print()
    print("Do the answers agree?")
    print("\n".join(checks))
    if args.append:
        day = datetime.now(UTC).date().isoformat()
        section = "\n".join(
            [
                "",
                "## Where the time goes: cookbook, floor, core, CLI (`benchmarks/run.py`)",
                "",
                f"{day}, {machine()}.",
                "",
                header,
                "",
                *rows,
                "",
                RSS_NOTE,
                "",
                *ratio_lines,
                "",
                "Agreement: " + ("all checks agree." if not failed else f"{failed} MISMATCH(ES)."),
                "",
            ]
        )
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(section)
        print(f"appended to {RESULTS}")
    return 1 if failed or any(c.failures for c in configs) else 0


if __name__ == "__main__":
    sys.exit(main())
