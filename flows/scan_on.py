"""``scan_logs_on``: the scan with its task runner as a flow parameter.

A Prefect flow's task runner is fixed before its run starts (by the decorator
or ``with_options``), so ``scan_logs`` cannot pick one from its own
parameters.  This small flow does the picking: it builds the runner from
``runner``, ``workers`` and ``dask_address`` and runs ``scan_logs`` on it as a
subflow, so ``scan_logs`` itself stays one list → map → reduce with nothing
runner-specific in it.  Serve this flow when each run of a deployment should
choose (the nightly scan on the cluster, an ad-hoc one on the process pool);
the CLI's ``--runner``/``--dask-address`` call ``scan_logs.with_options``
directly, one flow run instead of two.

The scan parameters repeat ``scan_logs``'s, annotations, defaults and
descriptions alike; ``tests/test_dask.py`` fails when the two drift apart.
No ``from __future__ import annotations``, for the reason given in
``flows/scan.py``.
"""

from typing import Annotated

from prefect import flow
from pydantic import Field

from flows.runners import RunnerKind, make_task_runner
from flows.scan import AnalyzerName, scan_logs
from logsweep.report import Report
from logsweep.stateful import DEFAULT_RETAIN_DAYS


@flow(
    name="scan-logs-on",
    description="Scan rotated logs on the task runner each run chooses: process pool, "
    "threads, or a Dask cluster.",
    validate_parameters=True,
)
def scan_logs_on(
    paths: Annotated[list[str], Field(min_length=1)] = ["/var/log"],  # noqa: B006 - Prefect copies parameter defaults per run
    analyzers: list[AnalyzerName] = ["usb", "sshd", "robots", "volume"],  # noqa: B006
    timezone: str | None = None,
    state_path: str | None = None,
    since: str | None = None,
    until: str | None = None,
    retain_days: Annotated[float, Field(gt=0)] = DEFAULT_RETAIN_DAYS,
    file_time_limit: Annotated[float | None, Field(gt=0)] = None,
    reports_dir: str | None = None,
    runner: RunnerKind = "process",
    workers: Annotated[int, Field(ge=1)] | None = None,
    dask_address: str | None = None,
) -> Report:
    """Run ``scan_logs`` as a subflow on the task runner named by ``runner``.

    The ledger (``state_path``) is read and written by the flow's process, never
    by a worker: only file lists, offsets and partial results travel to them.

    Args:
        paths: Log files or directories to scan; directories are walked, rotated and
            compressed generations included.
        analyzers: Analyses to run: usb, sshd, robots, volume. Empty means all.
        timezone: IANA zone (e.g. Europe/Paris) of year-less syslog times; empty means
            the zone of the machine running the flow.
        state_path: SQLite ledger file for incremental runs: only new lines are read and
            the report covers everything the ledger holds. Empty: a full, stateless scan.
        since: With a ledger: report hours from this time (24h, 7d, or ISO 8601).
        until: With a ledger: report hours before this time (24h, 7d, or ISO 8601).
        retain_days: With a ledger: days of hourly results, and of deleted files, to keep.
        file_time_limit: Seconds one file may take; past it the file's read stops, what was
            read counts, and its status says why (with a ledger, the next run goes on).
        reports_dir: Folder for this run's JSON and HTML reports (named by date); empty:
            none written. A summary and a table are attached to the run either way.
        runner: Where the files are parsed: process (a pool on this machine), thread,
            or dask (the logsweep[dask] extra; a cluster, see dask_address).
        workers: Workers of the process pool, the threads, or the local Dask cluster;
            empty means one per core. Not for an existing Dask cluster.
        dask_address: With runner dask, the scheduler of an existing cluster
            (tcp://host:8786), whose workers see the logs at the same paths; empty
            starts a local cluster for this run.
    """
    task_runner = make_task_runner(runner, workers, dask_address)
    return scan_logs.with_options(task_runner=task_runner)(
        paths=paths,
        analyzers=analyzers,
        timezone=timezone,
        state_path=state_path,
        since=since,
        until=until,
        retain_days=retain_days,
        file_time_limit=file_time_limit,
        reports_dir=reports_dir,
    )
