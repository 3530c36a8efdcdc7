"""The nightly scan as a served deployment: ``python -m deployments.nightly``.

Building the deployment is a plain function; serving it (a long-running
process that polls the Prefect API and runs each flow run in a subprocess)
happens only under ``__main__``.  ``deployments/prefect.yaml`` declares the
same deployment for ``prefect deploy`` to a process work pool.

Everything is settable without editing code, by argument or environment:

- ``LOGSWEEP_CRON`` (default ``30 2 * * *``) and ``LOGSWEEP_CRON_TIMEZONE``
  (default: the machine's zone);
- the flow's own parameters: ``LOGSWEEP_PATHS`` (``:``-separated, default
  ``/var/log``), ``LOGSWEEP_STATE_PATH`` (the ledger: incremental runs),
  ``LOGSWEEP_ANALYZERS`` (``,``-separated) and ``LOGSWEEP_REPORTS_DIR``.

Only what is set becomes a deployment parameter; the rest keeps the flow's
default, so the UI's form shows one source of truth.  Each run can still
override any of them (``{"paths": ["/var/log/nginx"]}``).
"""

import os
from typing import Any, cast

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.scan import scan_logs
from logsweep.timeinfer import machine_timezone

DEFAULT_CRON = "30 2 * * *"  # 02:30, after logrotate's daily run (cron.daily ~06:25 or 00:00)
DEFAULT_PATHS = ["/var/log"]
DEPLOYMENT_NAME = "nightly"
TAGS = ["logsweep", "nightly"]


def _env_list(name: str, sep: str) -> list[str] | None:
    items = [item.strip() for item in os.environ.get(name, "").split(sep) if item.strip()]
    return items or None


def nightly_parameters(
    paths: list[str] | None = None,
    state_path: str | None = None,
    analyzers: list[str] | None = None,
    reports_dir: str | None = None,
) -> dict[str, Any]:
    """The deployment's parameters: arguments first, then LOGSWEEP_* variables."""
    parameters: dict[str, Any] = {
        "paths": paths or _env_list("LOGSWEEP_PATHS", ":") or DEFAULT_PATHS
    }
    state_path = state_path or os.environ.get("LOGSWEEP_STATE_PATH") or None
    if state_path:
        parameters["state_path"] = state_path
    analyzers = analyzers or _env_list("LOGSWEEP_ANALYZERS", ",")
    if analyzers:
        parameters["analyzers"] = analyzers
    reports_dir = reports_dir or os.environ.get("LOGSWEEP_REPORTS_DIR") or None
    if reports_dir:
        if "reports_dir" not in scan_logs.parameters.properties:
            # Fail here, at serve time, rather than on every scheduled run at 02:30.
            raise ValueError("this version of scan_logs has no reports_dir parameter")
        parameters["reports_dir"] = reports_dir
    return parameters


def nightly_deployment(
    cron: str | None = None,
    timezone: str | None = None,
    paths: list[str] | None = None,
    state_path: str | None = None,
    analyzers: list[str] | None = None,
    reports_dir: str | None = None,
) -> RunnerDeployment:
    """The nightly deployment: cron and zone from arguments, then LOGSWEEP_* variables."""
    cron = cron or os.environ.get("LOGSWEEP_CRON") or DEFAULT_CRON
    timezone = timezone or os.environ.get("LOGSWEEP_CRON_TIMEZONE") or str(machine_timezone())
    deployment = scan_logs.to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=Cron(cron, timezone=timezone),
        parameters=nightly_parameters(paths, state_path, analyzers, reports_dir),
        concurrency_limit=1,  # a slow night must not overlap the next one
        tags=TAGS,
        description="Nightly scan of rotated logs: USB devices, SSH failures, robots.txt, volume.",
    )
    # to_deployment is sync-compatible: called outside an event loop it returns the value.
    return cast(RunnerDeployment, deployment)


def main() -> None:
    from prefect import serve

    # Blocks: polls the API for due runs (scheduled or created from the UI) and runs each
    # in a subprocess of this one, with this process's environment and working directory.
    serve(nightly_deployment())


if __name__ == "__main__":
    main()
