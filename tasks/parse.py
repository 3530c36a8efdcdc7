from prefect import task

from logsweep.discovery import LogFile
from logsweep.scan import FileResult, ScanOptions, scan_files


@task(name="parse-logs")
def parse_logs(files: tuple[LogFile, ...], options: ScanOptions) -> list[FileResult]:
    """Parse one batch of files; a bad file comes back as an error entry, never raises."""
    return scan_files(files, options)
