"""Pool workers forked from a server that imported Prefect once (flows/worker_start.py)."""

import multiprocessing
import os
from importlib.metadata import entry_points
from pathlib import Path

import helpers
import prefect.task_runners
import pytest
from helpers import FORK_SERVER, descendants
from prefect import flow, task

from flows.quiet import CONSOLE_LEVEL
from flows.runners import SharedApiProcessPoolTaskRunner
from flows.worker_start import PRELOAD, start_worker_server, stop_worker_server


def fork_servers() -> list[int]:
    return [pid for pid, cmd in descendants(os.getpid()) if FORK_SERVER in cmd]


@task
def parent_pid(_: int) -> int:
    return os.getppid()


@flow(task_runner=SharedApiProcessPoolTaskRunner(max_workers=2))
def parents_of_two_workers() -> list[int]:
    return parent_pid.map(range(2)).result()


@pytest.mark.usefixtures("prefect_api")
def test_pool_workers_are_forked_from_a_server_that_imported_prefect() -> None:
    parents = set(parents_of_two_workers())
    assert os.getpid() not in parents  # not spawned by this process
    (server,) = parents
    cmdline = Path(f"/proc/{server}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert FORK_SERVER in cmdline
    assert all(repr(module) in cmdline for module in PRELOAD), cmdline
    # The stand-in start method was Prefect's for the pool's creation only.
    assert vars(prefect.task_runners)["multiprocessing"] is multiprocessing


@task
def modules_at_start(_: int) -> frozenset[str]:
    # Read through the helpers module: this function reaches the worker by value.
    return frozenset(helpers.MODULES_AT_START)


@flow(
    task_runner=SharedApiProcessPoolTaskRunner(
        max_workers=1, initializer=helpers.record_modules_at_start
    )
)
def a_workers_modules_at_start() -> frozenset[str]:
    return modules_at_start.submit(0).result()


@pytest.mark.usefixtures("prefect_api")
def test_pool_workers_start_with_prefects_collections_loaded() -> None:
    """A task run's context loads Prefect's installed collections (prefect-dask imports
    dask.distributed); the fork server has, so a worker does not before its first task."""
    collections = {ep.module for ep in entry_points(group="prefect.collections")}
    assert "prefect_dask" in collections  # the dask extra, which make install installs
    assert collections <= a_workers_modules_at_start()


def test_the_clis_fork_server_logs_only_warnings_and_stopping_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prefect sets a process's console level when imported: the server's environment is
    what its workers log with.  Stopped, it is waited for (no zombie is left)."""
    stop_worker_server()  # one an earlier test's pool started has another environment
    monkeypatch.delenv(CONSOLE_LEVEL, raising=False)
    start_worker_server()
    try:
        (server,) = fork_servers()
        environ = Path(f"/proc/{server}/environ").read_bytes().split(b"\0")
        assert f"{CONSOLE_LEVEL}=WARNING".encode() in environ
        assert CONSOLE_LEVEL not in os.environ  # this process's own is as it was
    finally:
        stop_worker_server()
    assert not Path(f"/proc/{server}").exists()
    assert fork_servers() == []
