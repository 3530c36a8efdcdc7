"""The nightly deployment end to end, as an operator runs it.

A real ``prefect server start`` (127.0.0.1, a free port, a temporary
``PREFECT_HOME``; the session's ``live_server``) and a real ``python -m
deployments.nightly`` serving against it, started once for this module and
stopped at its end, also on failure.  Runs are created the ways a user does:
the UI's Run button (through the API call it makes, and in Chromium),
``run_deployment(...)`` and a direct ``scan_logs(...)`` call.
"""

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import BrowserContext
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import DeploymentResponse
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect_server import (
    ROOT,
    RUN_TIMEOUT,
    Server,
    api,
    clean_env,
    serve_nightly,
    wait_final,
)
from test_html_browser import ARTIFACTS, chromium

from logsweep.samples import generate_sample_tree

ZONE = "Europe/Paris"  # not the machine's (UTC in CI): shows LOGSWEEP_CRON_TIMEZONE is used


@pytest.fixture(scope="module")
def logs_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The only folder the served deployment may read (LOGSWEEP_ALLOWED_ROOTS)."""
    root = tmp_path_factory.mktemp("logs")
    # Small on purpose: the machine is shared; the figures are tested elsewhere.
    generate_sample_tree(root / "tree", days=2, lines_per_day=200)
    return root


@pytest.fixture(scope="module")
def deployment(live_server: Server, logs_root: Path) -> Iterator[DeploymentResponse]:
    """The nightly deployment, served; its default paths are the sample tree (Quick run)."""
    env = {
        "LOGSWEEP_ALLOWED_ROOTS": str(logs_root),
        "LOGSWEEP_PATHS": str(logs_root / "tree"),
        "LOGSWEEP_CRON_TIMEZONE": ZONE,
        "LOGSWEEP_REPORTS_DIR": str(logs_root / "reports-default"),
    }

    def registered() -> DeploymentResponse | None:
        with api(live_server) as client:
            found = client.read_deployment_by_name("scan-logs/nightly")
        # Ours, not one an earlier test deployed under the same name.
        return found if found.parameters.get("paths") == [env["LOGSWEEP_PATHS"]] else None

    with serve_nightly(live_server, logs_root / "serve.log", env, registered) as found:
        yield found


def scheduled_runs(server: Server, deployment_id: UUID) -> list[FlowRun]:
    with api(server) as client:
        runs: list[FlowRun] = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
            ),
        )
    # Runs created by hand are scheduled "now"; the cron's are in the future.
    return [r for r in runs if r.auto_scheduled]


def json_reports(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_the_served_deployment_has_the_nightly_schedule(
    live_server: Server, deployment: DeploymentResponse, logs_root: Path
) -> None:
    (schedule,) = deployment.schedules
    assert schedule.active
    assert schedule.schedule.cron == "30 2 * * *"  # type: ignore[union-attr]
    assert schedule.schedule.timezone == ZONE  # type: ignore[union-attr]
    assert deployment.global_concurrency_limit is not None
    assert deployment.global_concurrency_limit.limit == 1
    assert set(deployment.tags) >= {"logsweep", "nightly"}
    assert deployment.parameters == {
        "paths": [str(logs_root / "tree")],
        "reports_dir": str(logs_root / "reports-default"),
    }

    # The server's scheduler creates the next nights' runs: 02:30 in Paris, in the future.
    deadline = time.monotonic() + 90
    while not (runs := scheduled_runs(live_server, deployment.id)):
        assert time.monotonic() < deadline, "the scheduler created no runs"
        time.sleep(1)
    now = datetime.now(UTC)
    for run in runs:
        assert run.expected_start_time is not None
        local = run.expected_start_time.astimezone(ZoneInfo(ZONE))
        assert (local.hour, local.minute) == (2, 30), local
        assert run.expected_start_time > now
    days = {r.expected_start_time.astimezone(ZoneInfo(ZONE)).date() for r in runs}  # type: ignore[union-attr]
    assert len(days) == len(runs)  # one run a night


def test_a_run_created_like_the_ui_run_button_completes_with_its_parameters(
    live_server: Server, deployment: DeploymentResponse, logs_root: Path
) -> None:
    nginx = logs_root / "tree" / "nginx"
    reports = logs_root / "reports-ui"
    with api(live_server) as client:
        created = client.create_flow_run_from_deployment(
            deployment.id,
            parameters={"paths": [str(nginx)], "timezone": "UTC", "reports_dir": str(reports)},
        )
    run = wait_final(live_server, created.id)
    assert run.state_type == StateType.COMPLETED, run.state
    assert run.parameters["paths"] == [str(nginx)]
    (report,) = json_reports(reports)
    assert report["timezone"] == "UTC"
    files = [f["path"] for f in report["files"]]
    assert files and all(f.startswith(f"{nginx}/") for f in files), files
    assert report["robots"]["requests"] > 0


def test_a_path_outside_the_allowed_roots_fails_the_run(
    live_server: Server, deployment: DeploymentResponse
) -> None:
    """The serve process's LOGSWEEP_ALLOWED_ROOTS reaches the run: the form is no file reader."""
    with api(live_server) as client:
        created = client.create_flow_run_from_deployment(
            deployment.id, parameters={"paths": ["/etc"]}
        )
    run = wait_final(live_server, created.id)
    assert run.state_type == StateType.FAILED, run.state
    assert "outside the allowed roots" in (run.state.message or "")  # type: ignore[union-attr]


def test_run_deployment_from_python(
    live_server: Server, deployment: DeploymentResponse, logs_root: Path
) -> None:
    from prefect.deployments import run_deployment

    reports = logs_root / "reports-python"
    with temporary_settings(updates={PREFECT_API_URL: live_server.api_url}):
        run = run_deployment(
            "scan-logs/nightly",
            parameters={"timezone": "UTC", "reports_dir": str(reports)},
            timeout=RUN_TIMEOUT,
            poll_interval=1,
        )
    assert isinstance(run, FlowRun)  # sync-compatible: called from sync code, not a coroutine
    assert run.state_type == StateType.COMPLETED, run.state
    assert run.deployment_id == deployment.id
    (report,) = json_reports(reports)
    families = {f["family"] for f in report["files"]}
    assert {"syslog", "auth.log", "nginx/access.log"} <= families  # the default: whole tree


def test_scan_logs_called_directly_reports_to_the_server(
    live_server: Server, logs_root: Path
) -> None:
    """From Python, no deployment: the run and every task run (the pool's workers included)
    are recorded on the server PREFECT_API_URL names.  In a fresh interpreter, as a user's
    script runs: this process's settings are the session harness's."""
    script = (
        "import sys; from flows.scan import scan_logs; "
        "state = scan_logs(paths=[sys.argv[1]], timezone='UTC', return_state=True); "
        "print(state.state_details.flow_run_id, state.result().sshd.failures)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(logs_root / "tree")],
        env=clean_env(PREFECT_API_URL=live_server.api_url, PREFECT_HOME=str(logs_root / "home")),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert out.returncode == 0, out.stderr
    assert "Starting temporary server" not in out.stderr  # one server: the one we named
    run_id, failures = out.stdout.split()[-2:]
    assert int(failures) > 0
    with api(live_server) as client:
        run: FlowRun = client.read_flow_run(UUID(run_id))
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(run_id)]))
        )
    assert run.state_type == StateType.COMPLETED
    assert run.deployment_id is None
    parsed = [t for t in task_runs if t.task_key.startswith("parse_logs")]
    assert parsed and all(t.state_type == StateType.COMPLETED for t in parsed), task_runs
    assert run.deployment_id is None


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    with chromium(tmp_path / "profile", width=1400) as context:
        yield context


def deployment_run_ids(server: Server, deployment_id: UUID) -> set[UUID]:
    with api(server) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
    return {r.id for r in runs}


def test_quick_run_from_the_ui_in_chromium(
    live_server: Server, deployment: DeploymentResponse, browser: BrowserContext
) -> None:
    """What an operator does: open the deployment, Run → Quick run, watch it complete."""
    before = deployment_run_ids(live_server, deployment.id)
    page = browser.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(f"{live_server.url}/deployments/deployment/{deployment.id}")
        page.get_by_role("button", name="Run", exact=True).click(timeout=60_000)
        page.get_by_text("Quick run", exact=True).click()

        deadline = time.monotonic() + 30
        while not (new := deployment_run_ids(live_server, deployment.id) - before):
            assert time.monotonic() < deadline, "Quick run created no flow run"
            time.sleep(0.5)
        (run_id,) = new

        # Watched in the UI (its own polling, not ours), on the run's page.
        page.goto(f"{live_server.url}/runs/flow-run/{run_id}")
        page.get_by_text("Completed", exact=True).first.wait_for(timeout=RUN_TIMEOUT * 1000)
        assert page.get_by_text("Deployment", exact=True).first.is_visible()
        assert wait_final(live_server, run_id, timeout=10).state_type == StateType.COMPLETED
    finally:
        page.screenshot(path=str(ARTIFACTS / "nightly-quick-run.png"), full_page=True)
