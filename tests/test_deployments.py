import subprocess
import sys
from pathlib import Path

import pytest

from deployments.nightly import nightly_deployment
from logsweep.timeinfer import machine_timezone

ROOT = Path(__file__).resolve().parents[1]


def test_importing_deployments_has_no_side_effects() -> None:
    code = (
        "import threading, deployments.nightly as d;"
        "print(threading.active_count(), hasattr(d, 'nightly_deployment'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.split() == ["1", "True"]  # no server, worker or thread started


def test_nightly_deployment_schedule_and_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOGSWEEP_CRON", raising=False)
    deployment = nightly_deployment(timezone="Europe/Paris", paths=["/var/log/nginx"])
    (schedule,) = deployment.schedules or []
    assert schedule.schedule.cron == "30 2 * * *"  # type: ignore[union-attr]
    assert schedule.schedule.timezone == "Europe/Paris"  # type: ignore[union-attr]
    assert deployment.parameters == {"paths": ["/var/log/nginx"]}
    assert deployment.concurrency_limit == 1
    assert "nightly" in deployment.tags


def test_cron_is_settable_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGSWEEP_CRON", "15 4 * * 1-5")
    (schedule,) = nightly_deployment(timezone="UTC").schedules or []
    assert schedule.schedule.cron == "15 4 * * 1-5"  # type: ignore[union-attr]


def test_the_flow_parameters_are_settable_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOGSWEEP_CRON_TIMEZONE", "Asia/Tokyo")
    monkeypatch.setenv("LOGSWEEP_PATHS", "/var/log/nginx:/var/log/apache2")
    monkeypatch.setenv("LOGSWEEP_STATE_PATH", str(tmp_path / "state.db"))
    monkeypatch.setenv("LOGSWEEP_ANALYZERS", "sshd, robots")
    monkeypatch.setenv("LOGSWEEP_REPORTS_DIR", str(tmp_path / "reports"))
    deployment = nightly_deployment()
    (schedule,) = deployment.schedules or []
    assert schedule.schedule.timezone == "Asia/Tokyo"  # type: ignore[union-attr]
    assert deployment.parameters == {
        "paths": ["/var/log/nginx", "/var/log/apache2"],
        "state_path": str(tmp_path / "state.db"),
        "analyzers": ["sshd", "robots"],
        "reports_dir": str(tmp_path / "reports"),
    }
    # Arguments win over the environment.
    assert nightly_deployment(paths=["/srv/logs"]).parameters["paths"] == ["/srv/logs"]


def test_without_settings_the_deployment_keeps_the_flows_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("CRON", "CRON_TIMEZONE", "PATHS", "STATE_PATH", "ANALYZERS", "REPORTS_DIR"):
        monkeypatch.delenv(f"LOGSWEEP_{name}", raising=False)
    deployment = nightly_deployment()
    (schedule,) = deployment.schedules or []
    assert schedule.schedule.cron == "30 2 * * *"  # type: ignore[union-attr]
    assert schedule.schedule.timezone == str(machine_timezone())  # type: ignore[union-attr]
    assert deployment.parameters == {"paths": ["/var/log"]}
