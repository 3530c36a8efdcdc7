"""A worker process that dies mid-scan does not sink the run (real pool, real SIGKILL)."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from helpers import scan_paths, write_log
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

from flows.runners import make_task_runner
from flows.scan import scan_logs

LINE = (
    "Nov 24 10:{m:02d}:{s:02d} web01 sshd[{p}]: "
    "Failed password for root from 198.51.100.{i} port {p} ssh2"
)
TICKS = os.sysconf("SC_CLK_TCK")


def pool_workers(parent: int) -> list[int]:
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"multiprocessing" in cmd and b"resource_tracker" not in cmd:
            workers.append(int(entry.name))
    return workers


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def kill_a_busy_worker(killed: list[int], stop: threading.Event) -> None:
    """SIGKILL the first pool worker that has parsed for a while: it dies mid-file."""
    while not stop.is_set():
        for pid in pool_workers(os.getpid()):
            if cpu_seconds(pid) > 4.0:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
        time.sleep(0.05)


@pytest.mark.usefixtures("prefect_api")
def test_a_killed_worker_costs_a_retry_not_the_run(tmp_path: Path) -> None:
    big = [
        LINE.format(m=i // 60 % 60, s=i % 60, p=1000 + i % 5000, i=i % 200) for i in range(700_000)
    ]
    write_log(tmp_path / "auth.log", big)
    for n in range(1, 4):
        write_log(tmp_path / f"auth.log.{n}", big[: 2000 * n])
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=kill_a_busy_worker, args=(killed, stop))
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
    assert "CRASHED" in states, states
