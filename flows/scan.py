"""The ``scan_logs`` flow: list the log files, map the parser over them, reduce.

No ``from __future__ import annotations`` here: Prefect reads the parameter
annotations at run time to build the UI form, and ``flow.serve()`` fails on
string annotations with pydantic parameters.
"""

from collections.abc import Iterator
from typing import Annotated, Literal

from prefect import flow, get_run_logger, unmapped
from prefect.futures import PrefectFuture, as_completed
from pydantic import Field

from flows.runners import default_task_runner, worker_count
from logsweep.discovery import LogFile
from logsweep.planning import Batch, plan_batches
from logsweep.report import Report
from logsweep.scan import FileResult, ScanOptions, failed_result, in_discovery_order
from tasks import list_logs, parse_logs, reduce_results

AnalyzerName = Literal["usb", "sshd", "robots", "volume"]


@flow(
    name="scan-logs",
    description="Scan rotated logs on all cores: USB devices, SSH failures, robots.txt, volume.",
    task_runner=default_task_runner(),
    validate_parameters=True,
)
def scan_logs(
    paths: Annotated[list[str], Field(min_length=1)] = ["/var/log"],  # noqa: B006 - Prefect copies parameter defaults per run
    analyzers: list[AnalyzerName] = ["usb", "sshd", "robots", "volume"],  # noqa: B006
    timezone: str | None = None,
) -> Report:
    """List the log files, map the parser over them on the process pool, reduce to one report.

    A file that cannot be read gets its own ``error`` entry; the run goes on.

    Args:
        paths: Log files or directories to scan; directories are walked, rotated and
            compressed generations included.
        analyzers: Analyses to run: usb, sshd, robots, volume. Empty means all.
        timezone: IANA zone (e.g. Europe/Paris) of year-less syslog times; empty means
            the zone of the machine running the flow.
    """
    options = ScanOptions(analyzers=_ordered(analyzers), timezone=timezone or None)
    found = list_logs(paths)
    batches = plan_batches(found.files, worker_count())
    futures = parse_logs.map([b.files for b in batches], options=unmapped(options))
    results = collect(futures, batches)
    return reduce_results(in_discovery_order(results, found.files), found.skipped, options)


def _ordered(analyzers: list[AnalyzerName]) -> tuple[str, ...]:
    from logsweep.analyzers import parse_analyzer_names

    return parse_analyzer_names(list(analyzers))


def collect(
    futures: "list[PrefectFuture[list[FileResult]]]", batches: list[Batch]
) -> list[FileResult]:
    """Wait for every batch; a batch that failed turns into error entries for its files."""
    logger = get_run_logger()
    batch_of = {id(future): batch for future, batch in zip(futures, batches, strict=True)}
    total = sum(len(b.files) for b in batches)
    results: list[FileResult] = []
    for future in _finishing_order(futures):
        batch = batch_of[id(future)]
        try:
            results.extend(future.result())
        except Exception as exc:
            # A dead worker (BrokenProcessPool) fails every pending future with it;
            # the reduce still runs and the report names each file it cost.
            logger.error("batch of %d files failed: %r", len(batch.files), exc)
            results.extend(_failed(batch.files, exc))
        logger.info("scanned %d/%d files", len(results), total)
    return results


def _finishing_order(
    futures: "list[PrefectFuture[list[FileResult]]]",
) -> "Iterator[PrefectFuture[list[FileResult]]]":
    """Futures as they finish (for progress); all of them, even if waiting itself fails."""
    seen: set[int] = set()
    try:
        for future in as_completed(futures):
            seen.add(id(future))
            yield future
    except Exception as exc:
        # A broken pool can break as_completed itself; the rest are handled one by one.
        get_run_logger().warning("waiting for batches failed: %r", exc)
    yield from (f for f in futures if id(f) not in seen)


def _failed(files: tuple[LogFile, ...], exc: BaseException) -> list[FileResult]:
    reason = f"task failed: {type(exc).__name__}: {exc}"
    return [failed_result(log, reason) for log in files]
