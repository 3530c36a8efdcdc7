"""The work-pool alternative: ``prefect deploy`` of deployments/prefect.yaml, then a worker.

What ``make deploy`` and ``make worker`` do, against the session's real server:
the CLI creates the process pool and the deployment from the YAML (cron and zone
from LOGSWEEP_CRON / LOGSWEEP_CRON_TIMEZONE), and a real ``prefect worker start``
runs a flow run created with custom parameters.  The worker is stopped at the
end, also on failure.
"""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.responses import DeploymentResponse
from prefect_server import (
    PREFECT,
    ROOT,
    Server,
    api,
    clean_env,
    stop,
    wait_final,
    wait_for,
)

from logsweep.samples import generate_sample_tree

POOL = "logsweep"  # the pool deployments/prefect.yaml names
CRON, ZONE = "0 3 * * 1-5", "America/New_York"  # not the defaults: the variables are read


def prefect_cli(server: Server, *args: str, **env: str) -> str:
    out = subprocess.run(
        [str(PREFECT), "--no-prompt", *args],
        env=clean_env(PREFECT_API_URL=server.api_url, PREFECT_HOME=str(server.home), **env),
        cwd=ROOT,  # where `make deploy` runs: the pull step's working directory
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, f"prefect {' '.join(args)}:\n{out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.fixture(scope="module")
def deployed(live_server: Server) -> DeploymentResponse:
    """What `make deploy` does, on the session's temporary server (its own pools only)."""
    prefect_cli(live_server, "work-pool", "create", POOL, "--type", "process")
    prefect_cli(
        live_server,
        "deploy",
        "--prefect-file",
        "deployments/prefect.yaml",
        "--all",
        LOGSWEEP_CRON=CRON,
        LOGSWEEP_CRON_TIMEZONE=ZONE,
    )
    with api(live_server) as client:
        deployment: DeploymentResponse = client.read_deployment_by_name("scan-logs/nightly")
    return deployment


@pytest.fixture(scope="module")
def worker(live_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A process worker on the pool; yields the only folder its runs may read."""
    root = tmp_path_factory.mktemp("pool-logs")
    generate_sample_tree(root / "tree", days=1, lines_per_day=200)
    log = root / "worker.log"
    env = clean_env(
        PREFECT_API_URL=live_server.api_url,
        PREFECT_HOME=str(root / "worker-home"),
        PREFECT_WORKER_QUERY_SECONDS="1",  # default 10: seconds of idle polling per test
        LOGSWEEP_ALLOWED_ROOTS=str(root),
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PREFECT), "worker", "start", "--pool", POOL],
            env=env,
            cwd=root,  # not the repository: the deployment's pull step must take it there
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def started() -> bool | None:
            return True if b"started!" in log.read_bytes() else None

        wait_for("prefect worker", started, process, log)
        yield root
    finally:
        stop(process)


def test_prefect_deploy_reads_the_yaml_and_the_schedule_variables(
    deployed: DeploymentResponse,
) -> None:
    (schedule,) = deployed.schedules
    assert schedule.schedule.cron == CRON  # type: ignore[union-attr]
    assert schedule.schedule.timezone == ZONE  # type: ignore[union-attr]
    assert deployed.work_pool_name == POOL
    assert deployed.entrypoint == "flows/scan.py:scan_logs"
    assert deployed.parameters == {"paths": ["/var/log"]}
    assert deployed.global_concurrency_limit is not None
    assert deployed.global_concurrency_limit.limit == 1
    assert set(deployed.tags) >= {"logsweep", "nightly"}
    (pull,) = deployed.pull_steps or []
    assert pull == {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}


def test_a_worker_runs_the_deployment_with_custom_parameters(
    live_server: Server, deployed: DeploymentResponse, worker: Path
) -> None:
    reports = worker / "reports"
    with api(live_server) as client:
        created = client.create_flow_run_from_deployment(
            deployed.id,
            parameters={
                "paths": [str(worker / "tree")],
                "timezone": "UTC",
                "reports_dir": str(reports),
            },
        )
    run = wait_final(live_server, created.id)
    assert run.state_type == StateType.COMPLETED, run.state
    (report_file,) = reports.glob("*.json")
    report = json.loads(report_file.read_text())
    assert report["sshd"]["failures"] > 0
    assert all(f["path"].startswith(f"{worker}/tree/") for f in report["files"])
