"""The nightly scan as a served deployment: ``python -m deployments.nightly``.

Building the deployment is a plain function; serving it (a long-running
process that polls the Prefect API) happens only under ``__main__``.
"""

import os
from typing import Any, cast

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.scan import scan_logs
from logsweep.timeinfer import machine_timezone

DEFAULT_CRON = "30 2 * * *"  # 02:30, after logrotate's daily run (cron.daily ~06:25 or 00:00)
DEPLOYMENT_NAME = "nightly"


def nightly_deployment(
    cron: str | None = None,
    timezone: str | None = None,
    paths: list[str] | None = None,
) -> RunnerDeployment:
    """The nightly deployment: cron and zone from arguments, then LOGSWEEP_* variables."""
    cron = cron or os.environ.get("LOGSWEEP_CRON", DEFAULT_CRON)
    timezone = timezone or os.environ.get("LOGSWEEP_CRON_TIMEZONE") or str(machine_timezone())
    parameters: dict[str, Any] = {"paths": paths or ["/var/log"]}
    deployment = scan_logs.to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=Cron(cron, timezone=timezone),
        parameters=parameters,
        concurrency_limit=1,  # a slow night must not overlap the next one
        tags=["logsweep", "nightly"],
        description="Nightly scan of rotated logs: USB devices, SSH failures, robots.txt, volume.",
    )
    # to_deployment is sync-compatible: called outside an event loop it returns the value.
    return cast(RunnerDeployment, deployment)


def main() -> None:
    from prefect import serve

    serve(nightly_deployment())


if __name__ == "__main__":
    main()
