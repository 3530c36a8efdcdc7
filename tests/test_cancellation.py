"""Cancelling a running nightly scan, as the UI's Cancel button does, against a real server.

A real ``prefect server start`` (the session's ``live_server``) and a real
``python -m deployments.nightly`` serving against it; a stateful run (a ledger)
over a tree that takes ~30+ s on two cores is cancelled once it has recorded a
batch and is parsing the next ones.  The run must be ``Cancelled`` within 10 s
of the request, every process started for it (the flow-run subprocess, its pool
workers, multiprocessing's resource tracker) must be gone by then, and the
ledger must hold whole files only, so that the next run reads exactly what is
missing: its report then counts every line of the tree exactly once.

Two smaller tests pin the two halves of the fix: pool workers exit when their
flow-run process is SIGKILLed (the runner's last resort), and a termination
signal that Prefect hid behind an ordinary error still stops the flow.
"""

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from helpers import REFERENCE, descendants, pool_workers
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    TaskRunFilter,
    TaskRunFilterName,
)
from prefect.client.schemas.objects import FlowRun, StateType, TaskRun
from prefect.client.schemas.responses import DeploymentResponse
from prefect.exceptions import TerminationSignal
from prefect.states import Cancelling
from prefect_server import (
    ROOT,
    RUN_TIMEOUT,
    Server,
    api,
    clean_env,
    serve_nightly_process,
    stop,
    wait_final,
)

from flows.signals import signal_behind, signals_win
from logsweep.analyzers import ANALYZER_NAMES
from logsweep.discovery import discover
from logsweep.ledger import Ledger, ledger_report
from logsweep.planning import plan
from logsweep.scan import ScanOptions

CANCEL_DEADLINE = 10.0  # seconds from the Cancel request: the reliability requirement
WORKERS = os.cpu_count() or 1  # the served flow's pool: one worker per core
# Twice as many batches as workers (the planner's second round of batches starts at 2
# s of work a worker): one round parses while a batch of the first is recorded.
FILES = 4 * WORKERS + 1
LINES_PER_FILE = 600_000  # ~12 s of parsing per file here: a whole run takes ~55 s
IPS = 100
USERS = 7
# A user name that is not ASCII: sshd's C reader leaves such a line to the line parser,
# so the run stays long enough to cancel mid-way however fast the common lines get
# (ASCII names: 0.4 s a file).
USER = "us\u00e9r"
LINE = (
    "Nov {d} {h:02d}:{m:02d}:{s:02d} {host} sshd[{pid}]: "
    "Failed password for " + USER + "{u} from 198.51.100.{ip} port {port} ssh2\n"
)


@dataclass(frozen=True)
class Tree:
    root: Path  # the only folder the served deployment may read
    logs: Path
    lines: dict[str, int]  # path -> lines, every one a failed SSH password


def host(k: int) -> str:
    return f"web{k:02d}"


def write_gzip_log(path: Path, k: int, n: int) -> None:
    """n sshd failures of host k, one a second from Nov 10 (distinct heads: distinct files)."""
    text = "".join(
        LINE.format(
            d=10 + i // 86400,
            h=i // 3600 % 24,
            m=i // 60 % 60,
            s=i % 60,
            host=host(k),
            pid=1000 + i % 5000,
            u=i % USERS,
            ip=i % IPS,
            port=40000 + i % 20000,
        )
        for i in range(n)
    )
    stamp = REFERENCE.timestamp()  # the year of the year-less times: 2026
    # Level 1: fast to write; its size still makes the planner put each file in its own batch.
    path.write_bytes(gzip.compress(text.encode(), compresslevel=1, mtime=int(stamp)))
    os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    root = tmp_path_factory.mktemp("cancel")
    lines: dict[str, int] = {}
    for k in range(1, FILES + 1):
        path = root / "logs" / host(k) / "auth.log.1.gz"
        path.parent.mkdir(parents=True)
        write_gzip_log(path, k, LINES_PER_FILE)
        lines[str(path)] = LINES_PER_FILE
    tree = Tree(root=root, logs=root / "logs", lines=lines)
    # Cancelling "mid-way" needs a batch recorded while others still parse: more batches
    # than workers.  The planner prices these lines as the fast path's (it cannot know
    # the user names send them to the parser), so it takes this many files to get them.
    batches = plan(discover([str(tree.logs)]).files, WORKERS, ANALYZER_NAMES, split=False)
    assert len(batches) > WORKERS, [len(b.files) for b in batches]
    return tree


@dataclass(frozen=True)
class Served:
    pid: int  # the serve process: flow runs are its children
    deployment: DeploymentResponse


@pytest.fixture(scope="module")
def served(live_server: Server, tree: Tree) -> Iterator[Served]:
    env = {"LOGSWEEP_ALLOWED_ROOTS": str(tree.root), "LOGSWEEP_PATHS": str(tree.logs)}

    def registered() -> DeploymentResponse | None:
        with api(live_server) as client:
            found = client.read_deployment_by_name("scan-logs/nightly")
        # Ours, not the one another module served under the same name.
        return found if found.parameters.get("paths") == [str(tree.logs)] else None

    with serve_nightly_process(live_server, tree.root / "serve.log", env, registered) as (
        process,
        deployment,
    ):
        yield Served(pid=process.pid, deployment=deployment)


# -- processes, by (pid, start time) so a reused pid is not mistaken for a survivor ----------

Proc = tuple[int, int]


def start_time(pid: int) -> int | None:
    """Clock ticks after boot at which pid started; None once it is gone (or a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else int(fields[19])


def processes_below(pid: int) -> dict[Proc, str]:
    found: dict[Proc, str] = {}
    for child, cmd in descendants(pid):
        started = start_time(child)
        if started is not None:
            found[(child, started)] = cmd
    return found


def alive(procs: dict[Proc, str]) -> dict[Proc, str]:
    return {p: cmd for p, cmd in procs.items() if start_time(p[0]) == p[1]}


def kill_all(procs: dict[Proc, str]) -> None:
    """A failed test must not leave a run's processes behind either."""
    for pid, _ in alive(procs):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# -- the API -------------------------------------------------------------------------------


def task_runs(server: Server, flow_run_id: UUID) -> list[TaskRun]:
    with api(server) as client:
        runs: list[TaskRun] = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return runs


def wait_until(what: str, probe: Callable[[], bool], timeout: float, poll: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, f"{what}: not after {timeout:.0f} s"
        time.sleep(poll)


def expected_sshd() -> tuple[dict[str, int], dict[str, int]]:
    by_ip = Counter(f"198.51.100.{i % IPS}" for i in range(LINES_PER_FILE))
    by_user = Counter(f"{USER}{i % USERS}" for i in range(LINES_PER_FILE))
    return (
        {ip: n * FILES for ip, n in by_ip.items()},
        {user: n * FILES for user, n in by_user.items()},
    )


def test_cancel_stops_the_run_in_10_s_leaves_no_process_and_a_consistent_ledger(
    live_server: Server, served: Served, tree: Tree, tmp_path: Path
) -> None:
    state_path = tmp_path / "state.db"
    parameters: dict[str, Any] = {
        "paths": [str(tree.logs)],
        "state_path": str(state_path),
        "timezone": "UTC",
    }
    before = processes_below(served.pid)
    run_procs: dict[Proc, str] = {}
    try:
        with api(live_server) as client:
            run = client.create_flow_run_from_deployment(
                served.deployment.id, parameters=parameters
            )

        # Cancel mid-way: a batch is in the ledger and the pool is parsing the next ones.
        def mid_way() -> bool:
            with api(live_server) as client:
                state = client.read_flow_run(run.id).state
            assert state is not None and not state.is_final(), f"run ended first: {state}"
            tasks = task_runs(live_server, run.id)
            recorded = any(
                t.name.startswith("record-batch") and t.state_type == StateType.COMPLETED
                for t in tasks
            )
            parsing = any(
                t.name.startswith("parse-logs") and t.state_type == StateType.RUNNING for t in tasks
            )
            return state.is_running() and recorded and parsing

        wait_until("a recorded batch while others parse", mid_way, RUN_TIMEOUT)
        run_procs = {p: c for p, c in processes_below(served.pid).items() if p not in before}
        shown = "\n".join(f"{pid}: {cmd}" for (pid, _), cmd in run_procs.items())
        workers = pool_workers([(pid, c) for (pid, _), c in run_procs.items()])
        assert workers, f"no pool worker among the run's processes:\n{shown}"
        print(f"\nthe run's processes:\n{shown}")

        with api(live_server) as client:
            asked = time.monotonic()
            # What the UI's Cancel button posts: set_state {type: CANCELLING}, force=true.
            client.set_flow_run_state(run.id, Cancelling(), force=True)

        def final() -> FlowRun | None:
            with api(live_server) as client:
                found: FlowRun = client.read_flow_run(run.id)
            return found if found.state is not None and found.state.is_final() else None

        deadline = asked + CANCEL_DEADLINE
        while (ended := final()) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        took = time.monotonic() - asked
        assert ended is not None, f"still not final {took:.1f} s after the cancel request"
        assert ended.state_type == StateType.CANCELLED, ended.state
        print(f"cancel request -> Cancelled: {took:.1f} s")

        while alive(run_procs) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = alive(run_procs)
        print(f"run processes: {len(run_procs)} during the run, {len(left)} left after cancel")
        assert not left, f"processes of the cancelled run still alive: {left}"
        assert processes_below(served.pid).keys() == before.keys()
    finally:
        kill_all(run_procs)

    # The ledger holds whole files only, and its partials are exactly theirs.
    with Ledger(state_path) as ledger:
        rows = {f.path: f.lines for f in ledger.files()}
        stored = ledger_report(ledger, ScanOptions(timezone="UTC"))
    assert 0 < len(rows) < FILES, rows  # cancelled after a batch, before the last
    assert rows == {path: tree.lines[path] for path in rows}
    assert stored.sshd is not None
    assert stored.sshd.failures == sum(rows.values())

    # The next night's run reads exactly what the cancelled one had not recorded.
    reports = tmp_path / "reports"
    with api(live_server) as client:
        rerun = client.create_flow_run_from_deployment(
            served.deployment.id, parameters={**parameters, "reports_dir": str(reports)}
        )
    finished = wait_final(live_server, rerun.id)
    assert finished.state_type == StateType.COMPLETED, finished.state
    (report_path,) = reports.glob("*.json")
    report = json.loads(report_path.read_text())
    statuses = {f["path"]: f["status"] for f in report["files"]}
    assert statuses == {p: "unchanged" if p in rows else "ok" for p in tree.lines}
    by_ip, by_user = expected_sshd()
    total = FILES * LINES_PER_FILE
    assert report["sshd"]["failures"] == total  # nothing lost, nothing counted twice
    assert report["sshd"]["failed_by_ip"] == by_ip
    assert report["sshd"]["failed_by_user"] == by_user
    assert report["volume"]["by_host"] == {host(k): LINES_PER_FILE for k in range(1, FILES + 1)}
    assert sum(report["volume"]["by_hour"].values()) == total


NAPPING_FLOW = """
import time
from prefect import flow, task
from flows.runners import SharedApiProcessPoolTaskRunner

@task
def nap(seconds: float) -> None:
    time.sleep(seconds)

@flow(task_runner=SharedApiProcessPoolTaskRunner(max_workers=2))
def napping() -> None:
    nap.map([600.0, 600.0]).wait()

napping()
"""


def test_pool_workers_exit_when_the_flow_process_is_killed(
    live_server: Server, tmp_path: Path
) -> None:
    """SIGKILL, the runner's last resort (and the OOM killer's way), gives the flow-run
    process no chance to stop its pool: the workers must notice and exit by themselves."""
    log = tmp_path / "napping.log"
    with log.open("wb") as out:
        flow_process = subprocess.Popen(
            [sys.executable, "-c", NAPPING_FLOW],
            env=clean_env(PREFECT_API_URL=live_server.api_url, PREFECT_HOME=str(tmp_path)),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop() below reaches whatever is left of it
        )
    workers: dict[Proc, str] = {}
    try:

        def napping() -> bool:
            assert flow_process.poll() is None, log.read_text(errors="replace")
            below = processes_below(flow_process.pid)
            found = {pid for pid, _ in pool_workers([(p[0], c) for p, c in below.items()])}
            workers.update((p, c) for p, c in below.items() if p[0] in found)
            if len(workers) < 2:
                return False
            with api(live_server) as client:
                tasks = client.read_task_runs(
                    task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="nap-"))
                )
            return sum(t.state_type == StateType.RUNNING for t in tasks) == 2

        wait_until("two pool workers napping", napping, 120)
        os.kill(flow_process.pid, signal.SIGKILL)
        flow_process.wait(10)
        deadline = time.monotonic() + 5
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(workers), f"orphaned pool workers: {alive(workers)}"
    finally:
        kill_all(workers)
        stop(flow_process)


def test_a_termination_signal_hidden_behind_an_error_still_stops_the_flow() -> None:
    """Prefect 3.9 raises ValueError("Task run is not set") when SIGTERM lands while an
    in-process task run is being created; the flow must see the signal, not a failed batch."""
    sigterm = TerminationSignal(signal.SIGTERM)
    with pytest.raises(ValueError) as raised:
        try:
            raise sigterm
        except TerminationSignal:
            raise ValueError("Task run is not set")  # noqa: B904 - what Prefect does
    assert signal_behind(raised.value) is sigterm
    with pytest.raises(TerminationSignal) as stopped, signals_win():
        raise raised.value
    assert stopped.value is sigterm

    assert signal_behind(ValueError("a real error")) is None
    with pytest.raises(ValueError), signals_win():
        raise ValueError("a real error")
