"""Artifacts and report files a run leaves: the task is a few lines over logsweep.publish."""

from datetime import UTC, datetime

from prefect import task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE

from logsweep.publish import offender_rows, summary_markdown, write_reports
from logsweep.report import Report


@task(name="publish-report", cache_policy=NO_CACHE)
def publish_report(report: Report, reports_dir: str | None) -> str | None:
    """Write JSON + HTML to reports_dir (if given); attach a summary and a table to the run."""
    json_path = html_path = None
    if reports_dir:
        json_path, html_path = write_reports(report, reports_dir, datetime.now(UTC))
    create_markdown_artifact(
        summary_markdown(report, json_path, html_path),
        key="scan-summary",
        description="logsweep scan summary",
    )
    if html_path is not None:
        create_link_artifact(html_path.as_uri(), link_text=html_path.name, key="scan-html-report")
    rows = offender_rows(report)
    if rows:
        create_table_artifact(rows, key="scan-offenders", description="SSH sources and USB devices")
    return None if json_path is None else str(json_path)
