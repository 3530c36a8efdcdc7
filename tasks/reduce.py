from collections.abc import Sequence

from prefect import task
from prefect.cache_policies import NO_CACHE

from logsweep.discovery import Skipped
from logsweep.report import Report
from logsweep.scan import FileResult, ScanOptions, build_report


@task(name="reduce-results", cache_policy=NO_CACHE)
def reduce_results(
    results: Sequence[FileResult], skipped: Sequence[Skipped], options: ScanOptions
) -> Report:
    """Merge every file's partial results into one report."""
    return build_report(results, skipped, options)
