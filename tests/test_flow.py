"""The scan_logs flow on a real Prefect API: process pool, threads, Python API, failures."""

import json
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from helpers import close_prefect_clients, open_websockets, scan_paths
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

import flows.scan
import tasks.parse
from flows.runners import make_task_runner
from flows.scan import scan_logs
from logsweep.known import KnownFiles
from logsweep.planning import plan
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
    state = scan_logs.with_options(task_runner=make_task_runner("process", 2))(
        paths=[str(root)], timezone="UTC", return_state=True
    )
    report = state.result()
    assert isinstance(report, Report)
    assert_matches_truth(report, truth)
    assert_reduce_follows_every_parse(state.state_details.flow_run_id)


def assert_reduce_follows_every_parse(flow_run_id: UUID | None) -> None:
    """The UI's graph: the reduce's inputs (passed unwalked) still link it to each parse."""
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    parses = {r.id for r in runs if r.task_key.startswith("parse_logs")}
    (listing,) = [r.id for r in runs if r.task_key.startswith("list_logs")]
    (reduce,) = [r for r in runs if r.task_key.startswith("reduce_results")]
    upstream = {i.id for inputs in reduce.task_inputs.values() for i in inputs if i.id}
    assert len(parses) >= 2
    assert upstream == {*parses, listing}  # the skipped files come from the listing


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
def test_closing_prefect_clients_leaves_no_websocket_pinging(
    sample_tree: tuple[Path, SampleTruth],
) -> None:
    # What conftest runs after each test: an open events socket pings from Prefect's
    # loop thread with the global random, which hypothesis reports in later tests.
    root, _ = sample_tree
    scan_logs.with_options(task_runner=make_task_runner("thread", 1))(
        paths=[str(root / "auth.log")], analyzers=["sshd"], timezone="UTC"
    )
    deadline = time.monotonic() + 10
    while not open_websockets() and time.monotonic() < deadline:
        time.sleep(0.05)  # the run's events go out on the events worker's own schedule
    assert open_websockets() == ["/api/events/in"]
    close_prefect_clients()
    assert open_websockets() == []


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
def test_a_stateful_run_plans_with_what_its_ledger_knows(
    sample_tree: tuple[Path, SampleTruth], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second run prices files by what is left to read (planning's ``known``)."""
    root, _ = sample_tree
    seen: list[int | None] = []

    def recording_plan(*args: Any, known: KnownFiles | None = None, **kwargs: Any) -> Any:
        seen.append(None if known is None else len(known.by_fingerprint))
        return plan(*args, known=known, **kwargs)

    monkeypatch.setattr(flows.scan, "plan", recording_plan)
    flow = scan_logs.with_options(task_runner=make_task_runner("thread", 2))
    state = str(tmp_path / "state.db")
    for _night in range(2):
        flow(paths=[str(root / "auth.log")], state_path=state, timezone="UTC")
    assert seen == [0, 1]  # an empty ledger, then the one file it read


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


@pytest.mark.usefixtures("prefect_api")
def test_a_run_leaves_artifacts_and_report_files(
    sample_tree: tuple[Path, SampleTruth], tmp_path: Path
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    root, truth = sample_tree
    hostile = root.parent / "hostile"
    hostile.mkdir(exist_ok=True)
    (hostile / "auth.log").write_text(
        "Nov 24 10:00:00 web01 sshd[1]: Failed password for invalid user "
        "<img src=x onerror=alert(1)> from 198.51.100.99 port 1 ssh2\n"
    )
    state = scan_logs.with_options(task_runner=make_task_runner("thread", 2))(
        paths=[str(root / "nginx"), str(hostile)],
        timezone="UTC",
        reports_dir=str(tmp_path / "reports"),
        return_state=True,
    )
    report = state.result()
    flow_run_id = state.state_details.flow_run_id
    written = sorted(p.suffix for p in (tmp_path / "reports").iterdir())
    assert written == [".html", ".json"]
    saved = json.loads(next((tmp_path / "reports").glob("*.json")).read_text())
    assert saved["robots"] == truth.to_json()["robots"] == report.model_dump(mode="json")["robots"]
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    assert run.name.startswith("scan-20")
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) >= {"scan-summary", "scan-offenders", "scan-progress", "scan-html-report"}
    assert by_key["scan-progress"].data == 100.0
    summary = str(by_key["scan-summary"].data)
    assert "<img" not in summary.replace("`<img", "")  # only inside a code span
    table = str(by_key["scan-offenders"].data)
    assert "<img" not in table and "198.51.100.99" in table
    assert "file://" in str(by_key["scan-html-report"].data)


@pytest.mark.usefixtures("prefect_api")
def test_a_path_outside_the_allowed_roots_fails_the_run_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (outside / "syslog").write_text("Nov 24 10:00:00 h cron[1]: x\n")
    monkeypatch.setenv("LOGSWEEP_ALLOWED_ROOTS", str(allowed))
    state = scan_logs.with_options(task_runner=make_task_runner("thread", 1))(
        paths=[str(allowed / ".." / "outside")], return_state=True
    )
    assert state.is_failed()
    assert "outside the allowed roots" in (state.message or "")
