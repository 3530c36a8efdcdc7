"""Tasks over the state ledger.  They run in the flow's process, which holds the ledger lock."""

from collections.abc import Mapping, Sequence

from prefect import task
from prefect.cache_policies import NO_CACHE

from logsweep.discovery import Skipped
from logsweep.known import KnownFiles
from logsweep.ledger import Ledger
from logsweep.report import Report
from logsweep.scan import FileResult, ScanOptions
from logsweep.stateful import finish_run


@task(name="load-ledger", cache_policy=NO_CACHE)
def load_known(state_path: str) -> KnownFiles:
    """What the ledger knows: fingerprints, offsets, completeness of every file read before."""
    with Ledger(state_path) as ledger:
        return ledger.known_files()


@task(name="record-batch", cache_policy=NO_CACHE)
def record_results(state_path: str, results: Sequence[FileResult]) -> dict[int, FileResult]:
    """Commit one batch's offsets and partials, each file atomically."""
    with Ledger(state_path) as ledger:
        return ledger.record(results)


@task(name="report-from-ledger", cache_policy=NO_CACHE)
def report_from_ledger(
    state_path: str,
    options: ScanOptions,
    recorded: Mapping[int, FileResult],
    unrecorded: Sequence[FileResult],
    skipped: Sequence[Skipped],
    roots: Sequence[str],
    retain_days: float,
    since: float | None,
    until: float | None,
) -> Report:
    """Mark deleted files gone, prune past the retention, report the window."""
    with Ledger(state_path) as ledger:
        return finish_run(
            ledger, options, recorded, unrecorded, skipped, roots, retain_days, since, until
        )
