"""The Dask runner: a real scheduler and workers on 127.0.0.1, a local cluster, the extra.

CI installs the ``dask`` extra (``make install``), so nothing here is skipped.
"""

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client
from helpers import descendants

import flows.cli
import flows.dask_runner
from flows.cli import main
from flows.dask_runner import SharedApiDaskTaskRunner, is_loopback
from flows.runners import DaskNotInstalled, make_task_runner
from flows.scan import scan_logs
from flows.scan_on import scan_logs_on
from logsweep.discovery import discover
from logsweep.planning import plan_batches
from logsweep.report import Report
from logsweep.samples import SampleTruth

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECTIONS = ("usb", "sshd", "robots", "volume")


def analyses(report: Report) -> dict[str, Any]:
    """What must not depend on the runner: the four sections and every file's outcome."""
    data = report.model_dump(mode="json")
    files = [(f["path"], f["status"], f["lines"]) for f in data["files"]]
    return {"files": files, **{name: data[name] for name in SECTIONS}}


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Terminate, wait, kill what is left: nothing may outlive the tests."""
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    for proc in processes:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def wait_for_file(path: Path, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"dask scheduler did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``dask scheduler`` and two ``dask worker`` processes, as an operator would start them."""
    home = tmp_path_factory.mktemp("dask")
    info = home / "scheduler.json"  # port 0 + this file: no race for a free port
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (home / f"{name}.log").open("wb")
        # cwd: the workers import flows, tasks and logsweep as the flow process does.
        proc = subprocess.Popen(
            [str(BIN / "dask"), *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()  # the child holds its own copy
        processes.append(proc)
        return proc

    try:
        scheduler = start(
            "scheduler",
            *("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"),
            *("--scheduler-file", str(info)),
        )
        wait_for_file(info, scheduler, home / "scheduler.log")
        address = str(json.loads(info.read_text())["address"])
        for n in (1, 2):
            start(
                f"worker{n}",
                *("worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"),
                *("--name", f"worker{n}", "--local-directory", str(home / f"worker{n}")),
            )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        stop(processes[::-1])  # workers first, so none reconnects to a dying scheduler


def executed_tasks(address: str) -> int:
    """Tasks the cluster's workers have run so far."""
    with Client(address, timeout=30) as client:
        counts = client.run(lambda dask_worker: dask_worker.state.executed_count)
    return sum(counts.values())


@pytest.fixture(scope="module")
def pool_report(prefect_api: None, sample_tree: tuple[Path, SampleTruth]) -> Report:
    root, truth = sample_tree
    report = scan_logs.with_options(task_runner=make_task_runner("process", 2))(
        paths=[str(root)], timezone="UTC"
    )
    # Guards the comparisons below against agreeing on nothing.
    assert report.sshd is not None
    assert report.sshd.failures == truth.to_json()["ssh"]["failures"] > 0
    return report


@pytest.mark.usefixtures("prefect_api")
def test_every_runner_reports_the_same_analyses(
    dask_cluster: str, pool_report: Report, sample_tree: tuple[Path, SampleTruth]
) -> None:
    """The runner is a flow parameter: threads and an existing Dask cluster equal the pool."""
    root, _ = sample_tree
    before = executed_tasks(dask_cluster)
    on_dask = scan_logs_on(
        paths=[str(root)], timezone="UTC", runner="dask", dask_address=dask_cluster
    )
    # Every parse batch ran on the cluster, planned for its two worker threads.
    batches = plan_batches(discover([root]).files, 2)
    assert executed_tasks(dask_cluster) - before == len(batches) > 1
    on_threads = scan_logs_on(paths=[str(root)], timezone="UTC", runner="thread", workers=2)
    assert analyses(on_dask) == analyses(pool_report)
    assert analyses(on_threads) == analyses(pool_report)


def test_cli_on_a_local_dask_cluster_uses_one_api_server(
    tmp_path: Path, pool_report: Report, sample_tree: tuple[Path, SampleTruth]
) -> None:
    """No PREFECT_API_URL: two local Dask workers, and they use the CLI's one API server."""
    root, _ = sample_tree
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DASK_"))}
    env |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # Prefect gives its temporary server 20 s to start; a loaded 2-core CI box needs more.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
    output = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "flows.cli", "scan", str(root), "--runner", "dask"]
    cmd += ["--workers", "2", "--timezone", "UTC", "--format", "json", "--output", str(output)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    servers: set[int] = set()
    workers: set[int] = set()

    def watch() -> None:
        while proc.poll() is None:
            for pid, cmdline in descendants(proc.pid):
                if "uvicorn" in cmdline:
                    servers.add(pid)
                elif "multiprocessing" in cmdline and "resource_tracker" not in cmdline:
                    workers.add(pid)  # the local cluster's worker processes (spawned)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    out, err = proc.communicate(timeout=300)
    watcher.join()
    assert proc.returncode == 0, err
    assert (out, err) == ("", "")  # under a pipe: the report in --output, no Dask chatter
    assert len(workers) == 2, workers
    assert len(servers) == 1, f"expected one API server, saw {len(servers)}"
    report = Report.model_validate_json(output.read_text())
    assert analyses(report) == analyses(pool_report)


def test_scan_logs_on_offers_every_scan_logs_parameter_unchanged() -> None:
    """A parameter added to scan_logs must be added to scan_logs_on too (form and all)."""
    scan = scan_logs.parameters.model_dump()
    scan_on = scan_logs_on.parameters.model_dump()
    for name, schema in scan["properties"].items():
        assert scan_on["properties"].get(name) == schema, name
    assert scan_on["definitions"] == scan["definitions"]
    assert set(scan_on["properties"]) - set(scan["properties"]) == {
        "runner",
        "workers",
        "dask_address",
    }


def test_without_the_extra_the_dask_runner_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As if prefect-dask were not installed: its import fails, even if already imported.
    monkeypatch.setitem(sys.modules, "prefect_dask", None)
    monkeypatch.setitem(sys.modules, "prefect_dask.task_runners", None)
    monkeypatch.delitem(sys.modules, "flows.dask_runner")
    with pytest.raises(DaskNotInstalled, match=r"pip install 'logsweep\[dask\]'"):
        make_task_runner("dask", 2)
    (tmp_path / "syslog").write_text("Nov 24 10:00:00 h cron[1]: x\n")
    monkeypatch.setattr(flows.cli, "quiet_prefect_logs", lambda: None)  # no global state
    code = main(["scan", str(tmp_path), "--runner", "dask"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == "logsweep: error: the dask runner needs the dask extra: " + (
        "pip install 'logsweep[dask]'\n"
    )


def test_an_address_needs_the_dask_runner_and_brings_its_own_workers() -> None:
    with pytest.raises(ValueError, match="needs the dask runner"):
        make_task_runner("process", None, "tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="set where it runs"):
        make_task_runner("dask", 2, "tcp://127.0.0.1:8786")
    runner = make_task_runner("dask", None, "tcp://10.0.0.5:8786")
    assert isinstance(runner, SharedApiDaskTaskRunner)
    assert runner.address == "tcp://10.0.0.5:8786"
    local = make_task_runner("dask", 3)
    assert isinstance(local, SharedApiDaskTaskRunner)
    assert local.cluster_kwargs["n_workers"] == 3
    assert local.cluster_kwargs["threads_per_worker"] == 1  # parsing holds the GIL


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("tcp://127.0.0.1:40123", True),
        ("tcp://[::1]:40123", True),
        ("tcp://localhost:8786", True),
        ("inproc://10.0.0.5/1234/1", True),
        ("127.0.0.2:8786", True),
        ("tcp://10.0.0.5:40123", False),
        ("tcp://worker3.example.org:40123", False),
        ("tls://[2001:db8::5]:40123", False),
    ],
)
def test_loopback_addresses(address: str, local: bool) -> None:
    assert is_loopback(address) is local


def test_the_temporary_api_url_goes_only_to_workers_on_this_host(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker on another machine cannot reach 127.0.0.1: it keeps its own server."""
    monkeypatch.setattr(flows.dask_runner, "parent_api_url", lambda: "http://127.0.0.1:8555/api")

    def runner_with(*workers: str) -> SharedApiDaskTaskRunner:
        runner = SharedApiDaskTaskRunner(address="tcp://127.0.0.1:8786")
        monkeypatch.setattr(runner, "workers", lambda: {w: {"nthreads": 1} for w in workers})
        return runner

    local = runner_with("tcp://127.0.0.1:40001", "tcp://127.0.0.1:40002")
    assert local.api_url_for_workers() == "http://127.0.0.1:8555/api"
    assert local.cluster_threads() == 2
    with caplog.at_level(logging.WARNING, logger="logsweep.dask"):
        mixed = runner_with("tcp://127.0.0.1:40001", "tcp://10.0.0.7:40002")
        assert mixed.api_url_for_workers() is None
    assert "set PREFECT_API_URL" in caplog.text
    assert runner_with().api_url_for_workers() is None  # no worker yet: nothing to judge by
