"""Files and summaries a scheduled run leaves behind: pure functions, no Prefect.

``write_reports`` stores the JSON report and the HTML page side by side,
named by the run's date; ``summary_markdown`` and ``offender_rows`` shape
what the Prefect artifacts show.  All log text is escaped for its target.
"""

import json
from datetime import datetime
from pathlib import Path

from logsweep.escape import for_html, for_markdown
from logsweep.html_report import write_html
from logsweep.render import summary_line
from logsweep.report import Report

TOP = 10


def write_reports(report: Report, reports_dir: str | Path, stamp: datetime) -> tuple[Path, Path]:
    """``scan-YYYY-MM-DDTHHMMSS.json`` and ``.html`` in reports_dir, each written atomically."""
    folder = Path(reports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / f"scan-{stamp:%Y-%m-%dT%H%M%S}"
    json_path = base.with_suffix(".json")
    tmp = json_path.with_name(f".{json_path.name}.tmp")
    tmp.write_text(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    tmp.replace(json_path)
    html_path = write_html(report, base.with_suffix(".html"))
    return json_path, html_path


def summary_markdown(report: Report, json_path: Path | None, html_path: Path | None) -> str:
    """A short Markdown summary for the run page; every log-derived string in a code span."""
    lines = ["# logsweep scan", "", summary_line(report) + ".", ""]
    if report.sshd is not None:
        lines.append(
            f"- **SSH**: {report.sshd.failures:,} failed authentications from "
            f"{len(report.sshd.failed_by_ip):,} sources"
        )
    if report.usb is not None:
        connections = sum(d.connections for d in report.usb.devices)
        lines.append(f"- **USB**: {len(report.usb.devices)} devices, {connections} connections")
    if report.robots is not None:
        lines.append(f"- **robots.txt**: {report.robots.requests:,} requests")
    problems = [f for f in report.files if f.status in ("error", "partial")]
    for entry in problems[:TOP]:
        reason = for_markdown(entry.error or "", in_table=False)
        lines.append(f"- {entry.status}: {for_markdown(entry.path, in_table=False)} — {reason}")
    if json_path is not None:
        lines += ["", f"Full report: {for_markdown(str(json_path), in_table=False)}"]
    if html_path is not None:
        lines.append(f"HTML report: {for_markdown(str(html_path), in_table=False)}")
    return "\n".join(lines) + "\n"


def offender_rows(report: Report) -> list[dict[str, str]]:
    """Top SSH sources and the USB devices, one table; cells HTML-escaped (the UI renders them)."""
    rows: list[dict[str, str]] = []
    if report.sshd is not None:
        for ip, count in list(report.sshd.failed_by_ip.items())[:TOP]:
            rows.append(
                {
                    "kind": "ssh source",
                    "what": for_html(ip),
                    "count": str(count),
                    "detail": "failed authentications",
                }
            )
    if report.usb is not None:
        for d in report.usb.devices:
            name = " ".join(x for x in (d.manufacturer, d.product) if x)
            rows.append(
                {
                    "kind": "usb device",
                    "what": f"{d.vendor_id}:{d.product_id}",
                    "count": str(d.connections),
                    "detail": for_html(name),
                }
            )
    return rows
