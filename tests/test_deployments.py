import subprocess
import sys
from pathlib import Path

import pytest

from deployments.nightly import nightly_deployment

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
