from prefect import task
from prefect.cache_policies import NO_CACHE

from logsweep.discovery import LogFile
from logsweep.known import KnownFiles
from logsweep.scan import FileResult, ScanOptions, scan_files


@task(name="parse-logs", cache_policy=NO_CACHE)
def parse_logs(
    files: tuple[LogFile, ...], options: ScanOptions, known: KnownFiles | None = None
) -> list[FileResult]:
    """Parse one batch of files (only what is new when ``known`` comes from a ledger).

    A bad file comes back as an error entry; this never raises for one.
    """
    return scan_files(files, options, known)
