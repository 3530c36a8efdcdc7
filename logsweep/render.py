"""Render a Report as JSON, Markdown, terminal tables or a self-contained HTML page.

All log-derived text passes through logsweep.escape for the target format;
JSON keeps it verbatim.
"""

import io
import json
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from logsweep.escape import for_markdown, for_terminal
from logsweep.report import Report

TOP = 20


class OutputFormat(StrEnum):
    JSON = "json"
    MARKDOWN = "markdown"
    TABLE = "table"
    HTML = "html"


def render(
    report: Report, fmt: OutputFormat | str, *, color: bool = False, width: int | None = None
) -> str:
    """The report as text; ``color`` means a terminal (tables then fit its width)."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.JSON:
        return to_json(report)
    if fmt is OutputFormat.MARKDOWN:
        return to_markdown(report)
    if fmt is OutputFormat.HTML:
        from logsweep.html_report import to_html  # a page of its own; nothing shared here

        return to_html(report)
    return to_table(report, color=color, width=width)


def to_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


# --- shared shaping --------------------------------------------------------------


def summary_line(report: Report) -> str:
    statuses: dict[str, int] = {}
    for f in report.files:
        statuses[f.status] = statuses.get(f.status, 0) + 1
    status_text = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    lines = sum(f.lines for f in report.files)
    size = sum(f.bytes_read for f in report.files)
    return (
        f"{len(report.files)} files ({status_text or 'none'}), {lines:,} lines, "
        f"{size / 1e6:,.1f} MB decompressed; {len(report.skipped)} skipped; "
        f"year-less times read as {report.timezone}"
    )


def top_items(counts: Mapping[str, int], n: int = TOP) -> tuple[list[tuple[str, int]], int]:
    """The first n entries (already ranked) and how many more there are."""
    items = list(counts.items())
    return items[:n], max(0, len(items) - n)


def _when(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds").replace("+00:00", "Z")


def _known(esc: Callable[[str], str], value: str | None) -> str:
    """Escaped text; an unknown value (None) shows as a dash, unlike an empty string."""
    return "–" if value is None else esc(value)


Row = tuple[str, ...]
Section = tuple[str, Sequence[str], list[Row], str]  # title, headers, rows, note


def sections(report: Report, esc: Callable[[str], str]) -> list[Section]:
    """Every table of the report, with log-derived cells passed through ``esc``."""
    out: list[Section] = []
    if report.usb is not None:
        rows: list[Row] = [
            (
                f"{d.vendor_id}:{d.product_id}",
                _known(esc, d.manufacturer),
                _known(esc, d.product),
                _known(esc, d.serial),
                str(d.connections),
                _when(d.first_seen),
                _when(d.last_seen),
                esc(", ".join(d.hosts)),
            )
            for d in report.usb.devices
        ]
        note = f"{len(rows)} devices, {sum(d.connections for d in report.usb.devices)} connections"
        headers = (
            "ID",
            "Manufacturer",
            "Product",
            "Serial",
            "Conn.",
            "First seen",
            "Last seen",
            "Hosts",
        )
        out.append(("USB devices", headers, rows, note))
    if report.sshd is not None:
        s = report.sshd
        note = f"{s.failures:,} failed authentications from {len(s.failed_by_ip):,} sources"
        out.append(
            _counts("SSH failures by source", ("Source", "Failures"), s.failed_by_ip, esc, note)
        )
        out.append(_counts("SSH failures by user", ("User", "Failures"), s.failed_by_user, esc))
        out.append(_counts("SSH invalid users", ("User", "Attempts"), s.invalid_users, esc))
        out.append(
            _counts("PAM failures by rhost", ("rhost", "Failures"), s.pam_failures_by_rhost, esc)
        )
        accepted: list[Row] = [
            (esc(a.user), esc(a.ip), esc(a.method), str(a.count)) for a in s.accepted
        ]
        out.append(("SSH accepted logins", ("User", "Source", "Method", "Count"), accepted, ""))
    if report.robots is not None:
        r = report.robots
        note = f"{r.requests:,} requests for /robots.txt from {len(r.by_ip):,} clients"
        out.append(_counts("robots.txt by client", ("Client", "Requests"), r.by_ip, esc, note))
        out.append(
            _counts("robots.txt by user agent", ("User agent", "Requests"), r.user_agents, esc)
        )
    if report.volume is not None:
        v = report.volume
        out.append(_counts("Lines by host", ("Host", "Lines"), v.by_host, esc))
        out.append(_counts("Lines by program", ("Program", "Lines"), v.by_program, esc))
        busiest = dict(sorted(v.by_hour.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(
            _counts(
                "Busiest hours (UTC)",
                ("Hour", "Lines"),
                busiest,
                str,
                f"{len(v.by_hour):,} hours with lines",
            )
        )
    files: list[Row] = [
        (
            esc(f.path),
            str(f.generation),
            f.compression,
            f.format,
            f"{f.lines:,}",
            f.status,
            esc(f.error or ""),
        )
        for f in report.files
    ]
    out.append(
        (
            "Files",
            ("Path", "Gen.", "Compression", "Format", "Lines", "Status", "Error"),
            files,
            summary_line(report),
        )
    )
    if report.skipped:
        skipped: list[Row] = [(esc(s.path), esc(s.reason)) for s in report.skipped]
        out.append(("Skipped", ("Path", "Reason"), skipped, ""))
    return out


def _counts(
    title: str,
    headers: Sequence[str],
    counts: Mapping[str, int],
    esc: Callable[[str], str],
    note: str = "",
) -> Section:
    shown, more = top_items(counts)
    rows: list[Row] = [(esc(k), f"{n:,}") for k, n in shown]
    if more:
        rest = sum(n for _, n in list(counts.items())[TOP:])
        rows.append((f"… {more:,} more", f"{rest:,}"))
    return title, headers, rows, note


# --- Markdown ----------------------------------------------------------------------


def to_markdown(report: Report) -> str:
    parts = [
        "# logsweep report",
        "",
        f"Generated {_when(report.generated_at)}: {summary_line(report)}.",
    ]
    for title, headers, rows, note in sections(report, for_markdown):
        parts += ["", f"## {title}", ""]
        if note:
            parts += [note + ".", ""]
        if not rows:
            parts.append("_None._")
            continue
        parts.append(_md_row(headers))
        parts.append(_md_row(["---"] * len(headers)))
        parts.extend(_md_row(row) for row in rows)
    return "\n".join(parts) + "\n"


def _md_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# --- terminal tables ---------------------------------------------------------------


_NUMBER = re.compile(r"[\d,.]+")
# Short cells a line break would make hard to read (times, ids, counts).
_NO_WRAP = frozenset({"ID", "Conn.", "First seen", "Last seen", "Gen.", "Hour", "Status"})


def to_table(report: Report, *, color: bool = False, width: int | None = None) -> str:
    """rich tables; ``color`` is for a terminal, whose width is used when none is given."""
    if width is None:
        # The report is rendered into a buffer, so rich cannot see the terminal itself.
        width = shutil.get_terminal_size((120, 24)).columns if color else 120
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(Text(f"logsweep report — {summary_line(report)}", style="bold"))
    for title, headers, rows, note in sections(report, for_terminal):
        console.print()
        console.print(Text(title, style="bold cyan"))
        if note:
            # Printed on its own: as a table caption it would wrap to a narrow table's width.
            console.print(Text(note, style="dim"))
        if not rows:
            console.print(Text("  none", style="dim italic"))
            continue
        table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False)
        for i, header in enumerate(headers):
            # A count column: every cell a number, bar the "… N more" row's label.
            numeric = all(_NUMBER.fullmatch(row[i]) for row in rows if not row[0].startswith("…"))
            table.add_column(
                header,
                justify="right" if numeric else "left",
                overflow="fold",
                no_wrap=header in _NO_WRAP,
            )
        for row in rows:
            # Text objects: rich never interprets log text as markup.
            style = "dim italic" if row[0].startswith("…") else ""
            table.add_row(*(Text(cell) for cell in row), style=style)
        console.print(table)
    return buffer.getvalue()
