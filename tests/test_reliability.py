"""A worker process that dies mid-scan does not sink the run (real pool, real SIGKILL)."""

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import helpers
import pytest
from helpers import scan_paths, write_log
from prefect import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterState,
    FlowRunFilterStateType,
    TaskRunFilter,
    TaskRunFilterState,
    TaskRunFilterStateType,
)
from prefect.client.schemas.objects import StateType

from flows.runners import make_task_runner
from flows.scan import scan_logs

# A non-ASCII user sends each line to the parser (~20 us a line here) rather than the
# C kernel (~0.2 us), so the big file stays open for seconds: long enough for its
# task run to be reported Running before the worker is killed.
LINE = (
    "Nov 24 10:{m:02d}:{s:02d} web01 sshd[{p}]: "
    "Failed password for r\u00f6\u00f6t from 198.51.100.{i} port {p} ssh2"
)
BIG_FILE_LINES = 200_000


def pool_workers(parent: int) -> list[int]:
    return [pid for pid, _ in helpers.pool_workers(helpers.descendants(parent))]


def open_logs(pid: int, folder: Path) -> set[str]:
    """The files under ``folder`` that process ``pid`` has open."""
    found = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith(f"{folder}/"):
                    found.add(target)
    except OSError:
        pass
    return found


def parse_runs_reported_running() -> int:
    """Started parse tasks of the running flow run the API knows of (workers report by events)."""
    flow_running = FlowRunFilterStateType(any_=[StateType.RUNNING])
    task_running = TaskRunFilterStateType(any_=[StateType.RUNNING])
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=flow_running)),
            task_run_filter=TaskRunFilter(state=TaskRunFilterState(type=task_running)),
        )
    return len([r for r in runs if r.task_key.startswith("parse_logs")])


def kill_the_reader(
    target: Path, killed: list[int], stop: threading.Event, once_reported: bool
) -> None:
    """SIGKILL the pool worker reading ``target``.

    ``once_reported``: only once the API shows its task run Running, the case that
    would leave a run Running forever.  Every worker holding a log open is inside a
    parse task; when the API reports as many running, the target's is among them.
    Otherwise the instant it opens the file, usually before the API heard of its
    task run: the flow must not wait for a report that never comes.
    """
    while not stop.is_set():
        reading = {pid: open_logs(pid, target.parent) for pid in pool_workers(os.getpid())}
        readers = [pid for pid, files in reading.items() if files]
        victims = [pid for pid in readers if str(target) in reading[pid]]
        if victims and (not once_reported or parse_runs_reported_running() >= len(readers)):
            os.kill(victims[0], signal.SIGKILL)
            killed.append(victims[0])
            return
        time.sleep(0.02 if once_reported else 0.002)


@pytest.mark.usefixtures("prefect_api")
@pytest.mark.parametrize("once_reported", [True, False], ids=["once-running", "on-open"])
def test_a_killed_worker_costs_a_retry_not_the_run(tmp_path: Path, once_reported: bool) -> None:
    big = [
        LINE.format(m=i // 60 % 60, s=i % 60, p=1000 + i % 5000, i=i % 200)
        for i in range(BIG_FILE_LINES)
    ]
    write_log(tmp_path / "auth.log", big)
    for n in range(1, 4):
        write_log(tmp_path / f"auth.log.{n}", big[: 2000 * n])
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(
        target=kill_the_reader, args=(tmp_path / "auth.log", killed, stop, once_reported)
    )
    killer.start()
    try:
        state = scan_logs.with_options(task_runner=make_task_runner("process", 2))(
            paths=[str(tmp_path)], timezone="UTC", analyzers=["sshd"], return_state=True
        )
    finally:
        stop.set()
        killer.join()
    assert killed, "no worker was killed: the test did not test anything"
    report = state.result()
    assert [f.status for f in report.files] == ["ok"] * 4  # the crashed files were read again
    assert report.sshd == scan_paths([tmp_path]).sshd
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[state.state_details.flow_run_id])
            )
        )
    states = [r.state.type.value for r in runs if r.state is not None]
    assert "RUNNING" not in states and "PENDING" not in states, states
    if once_reported:
        assert "CRASHED" in states, states
