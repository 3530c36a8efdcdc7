"""The scan_logs flow on a real Prefect API: process pool, threads, Python API, failures."""

from pathlib import Path
from typing import Any

import pytest
from helpers import scan_paths

import tasks.parse
from flows.runners import make_task_runner
from flows.scan import scan_logs
from logsweep.report import Report
from logsweep.samples import SampleTruth


def without_root_hub_flag(report: Report) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    for device in data["usb"]["devices"]:
        device.pop("root_hub")
    return data


def assert_matches_truth(report: Report, truth: SampleTruth) -> None:
    expected = truth.to_json()
    data = without_root_hub_flag(report)
    assert data["usb"]["devices"] == expected["usb"]
    assert data["sshd"] == expected["ssh"]
    assert data["robots"] == expected["robots"]
    assert data["volume"] == expected["volume"]
    assert all(f["status"] == "ok" for f in data["files"])
    assert len(data["files"]) == len(expected["files"])
    assert sorted(Path(s["path"]).name for s in data["skipped"]) == sorted(
        Path(s).name for s in expected["skipped"]
    )


@pytest.mark.usefixtures("prefect_api")
def test_flow_on_the_process_pool_reports_the_sample_truth(
    sample_tree: tuple[Path, SampleTruth],
) -> None:
    root, truth = sample_tree
    report = scan_logs.with_options(task_runner=make_task_runner("process", 2))(
        paths=[str(root)], timezone="UTC"
    )
    assert isinstance(report, Report)
    assert_matches_truth(report, truth)


@pytest.mark.usefixtures("prefect_api")
def test_flow_on_threads_equals_the_plain_core(sample_tree: tuple[Path, SampleTruth]) -> None:
    root, _ = sample_tree
    report = scan_logs.with_options(task_runner=make_task_runner("thread", 3))(
        paths=[str(root)], analyzers=["sshd", "usb"], timezone="UTC"
    )
    assert report.analyzers == ["usb", "sshd"]  # report order, whatever the order asked
    assert report.robots is None and report.volume is None
    core = scan_paths([root])
    assert report.sshd == core.sshd and report.usb == core.usb
    assert [f.path for f in report.files] == [f.path for f in core.files]


@pytest.mark.usefixtures("prefect_api")
def test_python_api_default_call_returns_the_json_contract(
    sample_tree: tuple[Path, SampleTruth],
) -> None:
    root, truth = sample_tree
    auth = sorted(str(p) for p in root.glob("auth.log*"))
    report = scan_logs(paths=[*auth, str(root / "nginx")], timezone="UTC")
    data = report.model_dump(mode="json")
    assert data["schema_version"] == 1
    assert {f["family"] for f in data["files"]} == {"auth.log", "access.log"}
    assert data["sshd"] == truth.to_json()["ssh"]
    assert data["robots"] == truth.to_json()["robots"]


@pytest.mark.usefixtures("prefect_api")
def test_a_failing_batch_becomes_error_entries_and_the_reduce_still_runs(
    sample_tree: tuple[Path, SampleTruth], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = sample_tree
    real = tasks.parse.scan_files

    def explode_on_kern_log(files: Any, *args: Any) -> Any:
        if any("kern.log" in f.path for f in files):
            raise RuntimeError("simulated parser bug")
        return real(files, *args)

    # Threads share this process, so the patched task body is the one that runs.
    monkeypatch.setattr(tasks.parse, "scan_files", explode_on_kern_log)
    paths = sorted(str(p) for p in [*root.glob("kern.log*"), *root.glob("auth.log*")])
    report = scan_logs.with_options(task_runner=make_task_runner("thread", 2))(
        paths=paths, timezone="UTC"
    )
    statuses = {f.path: f.status for f in report.files}
    assert len(statuses) == len(paths)  # every file is accounted for
    failed = [f for f in report.files if f.status == "error"]
    assert any(f.family == "kern.log" for f in failed)
    assert all("simulated parser bug" in (f.error or "") for f in failed)
    survivors = [path for path, status in statuses.items() if status == "ok"]
    assert report.sshd == scan_paths(survivors).sshd  # the reduce ran over the rest


@pytest.mark.usefixtures("prefect_api")
def test_stateful_flow_on_the_process_pool_over_three_nights(tmp_path: Path) -> None:
    """The flow with a ledger: logrotate between runs, each report equals the union."""
    from test_incremental import LogHost, assert_equals_union

    host, state = LogHost(tmp_path, seed=7), tmp_path / "state.db"
    flow = scan_logs.with_options(task_runner=make_task_runner("process", 2))
    for _night in range(3):
        host.write(1500)
        report = flow(paths=[str(host.dir)], timezone="UTC", state_path=str(state))
        assert_equals_union(report, host)
        host.rotate()
    host.write(10)
    report = flow(paths=[str(host.dir)], timezone="UTC", state_path=str(state), analyzers=["sshd"])
    assert_equals_union_sshd = report.sshd == scan_paths([host.archive]).sshd
    assert assert_equals_union_sshd and report.usb is None
    assert {f.status for f in report.files} == {"ok", "unchanged"}
