"""The report as one self-contained HTML page: inline CSS, hand-made SVG charts, no script.

The page is read offline and as a mail attachment, so nothing in it is fetched: styles
and charts are inline, and its Content-Security-Policy forbids scripts and every request
(a mail client or browser that honours it will not run anything even if escaping failed).
Log text is attacker-controlled, so every string that comes from the report goes through
``escape.for_html``, in tables and inside SVG ``<title>`` alike.

Sizes stay bounded whatever the report holds: tables show the top ``TOP`` rows and a
"… N more (M lines)" row, and a chart has at most ``MAX_BARS`` bars (a long span groups
hours into longer bars), so 100,000 distinct sources render in milliseconds.

Pure standard library on top of the report models; ``write_html`` is what a deployment
calls to put the page next to its JSON.
"""

import heapq
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from logsweep.escape import for_html
from logsweep.report import FileEntry, Report, SshdSection, UsbDevice, VolumeSection

TOP = 20  # rows of a ranked table
MAX_ROWS = 500  # rows of a list (files, devices, logins) before "… N more"
MAX_BARS = 240  # ten days of hourly bars; longer spans get longer bars
HOUR = 3600
_BAR_HOURS = (1, 2, 3, 4, 6, 8, 12, 24, 48, 168)
_LABEL_HOURS = (1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720, 1440, 2160, 4320, 8760)
MAX_LABELS = 12

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

# Tableau 10: tells eight series apart, including for the common colour blindnesses.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
)
OTHER_COLOR = "#9c755f"
REST_COLOR = "#bab0ac"
SSH_COLOR = "#c0392b"

# Chart geometry, in SVG user units (the SVG scales to the page width).
WIDTH, HEIGHT = 960, 240
LEFT, RIGHT, TOP_MARGIN, BOTTOM = 56, 10, 10, 30
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP_MARGIN - BOTTOM

STYLE = """
:root { color-scheme: light; --ink: #1f2328; --muted: #656d76; --line: #d0d7de;
  --soft: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1120px; padding: 24px 20px 48px; color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.meta, .note, .caption { color: var(--muted); }
.caption { font-size: 12px; margin-top: 2px; }
nav { margin: 12px 0 4px; display: flex; flex-wrap: wrap; gap: 6px 14px; }
nav a { color: var(--accent); text-decoration: none; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
  gap: 10px; margin: 16px 0 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
  background: var(--soft); }
.figure .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .label { color: var(--muted); font-size: 12px; }
.figure.alert .value { color: #b42318; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 0 28px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--soft); }
td.k, td.path { overflow-wrap: anywhere; font-size: 12.5px;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.t { white-space: nowrap; font-variant-numeric: tabular-nums; font-size: 13px; }
td.bar { width: 28%; min-width: 80px; }
td.bar span { display: block; height: 10px; border-radius: 2px; background: #7aa6d6; }
tr.more td { color: var(--muted); font-style: italic; }
tr.hub td { color: var(--muted); }
.tag { font-size: 11px; border: 1px solid var(--line); border-radius: 9px; padding: 0 6px;
  color: var(--muted); }
.status { font-size: 12px; border-radius: 9px; padding: 1px 8px; white-space: nowrap; }
.status.ok { background: #dafbe1; color: #116329; }
.status.partial { background: #fff8c5; color: #7d4e00; }
.status.error { background: #ffebe9; color: #a40e26; }
.status.unchanged, .status.gone { background: var(--soft); color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
figure { margin: 8px 0 0; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart .axis { stroke: #8c959f; stroke-width: 1; }
svg.chart .grid { stroke: #eaeef2; stroke-width: 1; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #57606a; }
svg.chart .hit { fill: #000; fill-opacity: 0; }
svg.chart .hit:hover { fill-opacity: 0.07; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap;
  gap: 4px 16px; font-size: 12.5px; }
ul.legend li { overflow-wrap: anywhere; }
ul.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  margin-right: 5px; vertical-align: -1px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { body { max-width: none; } section, figure, table { break-inside: avoid; } }
"""


def e(text: str) -> str:
    """Escape text from the report (log-derived or not) for HTML and inline SVG."""
    return for_html(text)


# --- public API ------------------------------------------------------------------------


def to_html(report: Report) -> str:
    span = _span(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>logsweep report {e(_when(report.generated_at))}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        _header(report),
        _figures(report),
    ]
    if report.volume is not None:
        parts.append(_volume(report.volume, span))
    if report.sshd is not None:
        parts.append(_sshd(report.sshd, span))
    if report.usb is not None:
        parts.append(_usb(report.usb.devices))
    if report.robots is not None:
        r = report.robots
        parts += [
            '<section id="robots"><h2>robots.txt</h2>',
            f'<p class="note">{_count(r.requests, "requests")} for /robots.txt from '
            f"{_count(len(r.by_ip), 'clients')}.</p>",
            '<div class="grid"><div><h3>By client</h3>',
            _ranked(r.by_ip, "Client", "Requests", "requests"),
            "</div><div><h3>By user agent</h3>",
            _ranked(r.user_agents, "User agent", "Requests", "requests"),
            "</div></div></section>",
        ]
    parts += [
        _files(report),
        f"<footer>logsweep report, schema version {report.schema_version}. Times are UTC "
        "unless a zone is shown. This page runs no script and loads nothing.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def write_html(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write the page to ``path`` atomically: readers see the old file or the whole new one."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    tmp.write_text(to_html(report), encoding="utf-8")
    tmp.replace(target)
    return target


# --- page parts ------------------------------------------------------------------------


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _header(report: Report) -> str:
    links = [("figures", "Summary")]
    links += [
        (name, title)
        for name, title, section in (
            ("volume", "Volume", report.volume),
            ("sshd", "SSH", report.sshd),
            ("usb", "USB devices", report.usb),
            ("robots", "robots.txt", report.robots),
        )
        if section is not None
    ]
    links.append(("files", "Files"))
    nav = "".join(f'<a href="#{anchor}">{title}</a>' for anchor, title in links)
    analyzers = ", ".join(report.analyzers) or "none"
    return (
        "<header><h1>logsweep report</h1>"
        f'<p class="meta">Generated {e(_when(report.generated_at))}. Analyses: {e(analyzers)}. '
        f"Year-less syslog times read as {e(report.timezone)}.</p>"
        f"<nav>{nav}</nav></header>"
    )


def _figure(value: str, label: str, *, alert: bool = False) -> str:
    cls = "figure alert" if alert else "figure"
    return (
        f'<div class="{cls}"><div class="value">{value}</div><div class="label">{label}</div></div>'
    )


def _figures(report: Report) -> str:
    files = report.files
    bad = len(report.failed_files)
    cards = [
        _figure(
            f"{len(files):,}",
            f"files scanned ({bad:,} not fully read)" if bad else "files scanned, all read",
            alert=bool(bad),
        ),
        _figure(f"{sum(f.lines for f in files):,}", "lines"),
        _figure(_size(sum(f.bytes_read for f in files)), "decompressed"),
        _figure(f"{len(report.skipped):,}", "skipped (not text logs)"),
    ]
    if report.usb is not None:
        devices = [d for d in report.usb.devices if not d.root_hub]
        plugs = sum(d.connections for d in devices)
        label = f"USB devices (root hubs aside), {plugs:,} connections"
        cards.append(_figure(f"{len(devices):,}", label))
    if report.sshd is not None:
        s = report.sshd
        cards.append(
            _figure(
                f"{s.failures:,}",
                f"failed SSH logins from {_count(len(s.failed_by_ip), 'sources')}",
                alert=s.failures > 0,
            )
        )
    if report.robots is not None:
        r = report.robots
        label = f"robots.txt requests, {_count(len(r.by_ip), 'clients')}"
        cards.append(_figure(f"{r.requests:,}", label))
    if report.volume is not None and report.volume.by_hour:
        hours = sorted(_hours(report.volume.by_hour))
        days = (hours[-1] + HOUR - hours[0]) / 86400  # hours are starts: count the last
        cards.append(_figure(f"{days:,.1f}", f"days, {_day(hours[0])} → {_day(hours[-1])}"))
    return f'<section id="figures" class="figures">{"".join(cards)}</section>'


def _volume(v: VolumeSection, span: tuple[int, int] | None) -> str:
    programs = list(v.by_program_hour.items())
    series = [
        _Series(program, PALETTE[i % len(PALETTE)], _hours(hours))
        for i, (program, hours) in enumerate(programs)
    ]
    if v.other_programs_by_hour:
        others = max(0, len(v.by_program) - len(programs))
        series.append(
            _Series(_count(others, "other programs"), OTHER_COLOR, _hours(v.other_programs_by_hour))
        )
    # Lines without a program (access logs) are what by_hour has beyond the programs:
    # so the bars add up to every timestamped line.
    total = _hours(v.by_hour)
    rest = dict(total)
    for s in series:
        for hour, n in s.values.items():
            rest[hour] = rest.get(hour, 0) - n
    rest_label = "lines without a program (access logs)" if series else "lines"
    series.append(_Series(rest_label, REST_COLOR, {h: n for h, n in rest.items() if n > 0}))
    chart = _hourly_chart("chart-volume", "Lines per hour by program", series, span, unit="lines")
    return (
        '<section id="volume"><h2>Log volume per hour</h2>'
        f"{chart}"
        '<div class="grid"><div><h3>Lines by program</h3>'
        f"{_ranked(v.by_program, 'Program', 'Lines', 'lines')}"
        "</div><div><h3>Lines by host</h3>"
        f"{_ranked(v.by_host, 'Host', 'Lines', 'lines')}"
        "</div></div></section>"
    )


def _sshd(s: SshdSection, span: tuple[int, int] | None) -> str:
    chart = _hourly_chart(
        "chart-ssh",
        "Failed SSH authentications per hour",
        [_Series("failed authentications", SSH_COLOR, _hours(s.failures_by_hour))],
        span,
        unit="failures",
    )
    accepted = sorted(s.accepted, key=lambda a: (-a.count, a.user, a.ip, a.method))
    rows = [
        f'<tr><td class="k">{e(a.user)}</td><td class="k">{e(a.ip)}</td>'
        f'<td class="k">{e(a.method)}</td><td class="n">{a.count:,}</td></tr>'
        for a in accepted[:MAX_ROWS]
    ]
    rows += _more_rows(len(accepted) - MAX_ROWS, "logins", 4)
    logins = _table(("User", "Source", "Method", "Count"), rows, numeric=(3,))
    return (
        '<section id="sshd"><h2>SSH</h2>'
        f'<p class="note">{_count(s.failures, "failed authentications")} from '
        f"{_count(len(s.failed_by_ip), 'sources')} against "
        f"{_count(len(s.failed_by_user), 'user names')}.</p>"
        f"{chart}"
        '<div class="grid"><div><h3>Top offenders</h3>'
        f"{_ranked(s.failed_by_ip, 'Source', 'Failures', 'failures')}"
        "</div><div><h3>Failures by user</h3>"
        f"{_ranked(s.failed_by_user, 'User', 'Failures', 'failures')}"
        "</div><div><h3>Invalid users</h3>"
        f"{_ranked(s.invalid_users, 'User', 'Attempts', 'attempts')}"
        "</div><div><h3>PAM failures by rhost</h3>"
        f"{_ranked(s.pam_failures_by_rhost, 'rhost', 'Failures', 'failures')}"
        "</div></div>"
        f"<h3>Accepted logins</h3>{logins}</section>"
    )


def _usb(devices: Sequence[UsbDevice]) -> str:
    rows = []
    for d in devices[:MAX_ROWS]:
        hub = ' <span class="tag">root hub</span>' if d.root_hub else ""
        rows.append(
            f"<tr{' class=hub' if d.root_hub else ''}>"
            f'<td class="k">{e(d.vendor_id)}:{e(d.product_id)}{hub}</td>'
            f'<td class="k">{_known(d.manufacturer)}</td><td class="k">{_known(d.product)}</td>'
            f'<td class="k">{_known(d.serial)}</td><td class="n">{d.connections:,}</td>'
            f'<td class="t">{_when(d.first_seen)}</td><td class="t">{_when(d.last_seen)}</td>'
            f'<td class="k">{e(", ".join(d.hosts))}</td></tr>'
        )
    rows += _more_rows(len(devices) - MAX_ROWS, "devices", 8)
    headers = ("ID", "Manufacturer", "Product", "Serial", "Conn.", "First seen", "Last seen")
    table = _table((*headers, "Hosts"), rows, numeric=(4,))
    plugs = sum(d.connections for d in devices)
    return (
        '<section id="usb"><h2>USB devices</h2>'
        f'<p class="note">{_count(len(devices), "devices")}, {_count(plugs, "connections")}.</p>'
        f"{table}</section>"
    )


def _files(report: Report) -> str:
    files = report.files
    # Files that were not read completely always show; the others fill up to MAX_ROWS.
    room = max(0, MAX_ROWS - len(report.failed_files))
    shown: list[FileEntry] = []
    for f in files:
        if f.status in ("error", "partial"):
            shown.append(f)
        elif room:
            shown.append(f)
            room -= 1
    rows = [
        f'<tr><td class="path">{e(f.path)}</td><td class="n">{f.generation}</td>'
        f"<td>{e(f.compression)}</td><td>{e(f.format)}</td>"
        f'<td class="n">{f.lines:,}</td><td class="n">{_size(f.bytes_read)}</td>'
        f'<td><span class="status {e(f.status)}">{e(f.status)}</span></td>'
        f'<td class="k">{e(f.error or "")}</td></tr>'
        for f in shown
    ]
    rows += _more_rows(len(files) - len(shown), "files, all read", 8)
    headers = ("Path", "Gen.", "Compression", "Format", "Lines", "Size", "Status", "Error")
    parts = [
        '<section id="files"><h2>Files</h2>',
        _table(headers, rows, numeric=(1, 4, 5)),
    ]
    if report.skipped:
        skipped = [
            f'<tr><td class="path">{e(s.path)}</td><td>{e(s.reason)}</td></tr>'
            for s in report.skipped[:MAX_ROWS]
        ]
        skipped += _more_rows(len(report.skipped) - MAX_ROWS, "skipped", 2)
        parts += ["<h3>Skipped</h3>", _table(("Path", "Reason"), skipped)]
    parts.append("</section>")
    return "".join(parts)


# --- tables ----------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Sequence[str], numeric: Iterable[int] = ()) -> str:
    if not rows:
        return '<p class="empty">None.</p>'
    right = set(numeric)
    head = "".join(f"<th{' class=n' if i in right else ''}>{h}</th>" for i, h in enumerate(headers))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _more_rows(more: int, what: str, columns: int) -> list[str]:
    if more <= 0:
        return []
    return [f'<tr class="more"><td colspan="{columns}">… {more:,} more {what}</td></tr>']


def _ranked(counts: Mapping[str, int], key: str, count: str, unit: str) -> str:
    """The top TOP entries with a bar each, then one row for all the others."""
    # nsmallest is O(n log TOP) and does not trust the mapping's order.
    top = heapq.nsmallest(TOP, counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if not top:
        return '<p class="empty">None.</p>'
    peak = max(top[0][1], 1)
    rows = [
        f'<tr><td class="k">{_text(k)}</td><td class="n">{n:,}</td>'
        f'<td class="bar"><span style="width:{100 * n / peak:.1f}%"></span></td></tr>'
        for k, n in top
    ]
    more = len(counts) - len(top)
    if more > 0:
        rest = sum(counts.values()) - sum(n for _, n in top)
        rows.append(
            f'<tr class="more"><td colspan="3">… {more:,} more ({_count(rest, unit)})</td></tr>'
        )
    return _table((key, count, ""), rows, numeric=(1,))


def _count(n: int, unit: str) -> str:
    """``1 line``, ``2 lines``: units are given in the plural."""
    return f"{n:,} {unit.removesuffix('s') if n == 1 else unit}"


def _text(value: str) -> str:
    """A log string in a cell; an empty one says so rather than vanishing."""
    return e(value) if value else '<span class="empty">(empty)</span>'


def _known(value: str | None) -> str:
    return "–" if value is None else _text(value)


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,} B"


# --- charts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    name: str  # raw text; escaped when written
    color: str
    values: Mapping[int, int]  # hour start (epoch seconds) -> count


def _hours(counts: Mapping[str, int]) -> dict[int, int]:
    """ISO hour keys (the contract's) to epoch seconds."""
    return {int(datetime.fromisoformat(h).timestamp()): n for h, n in counts.items()}


def _span(report: Report) -> tuple[int, int] | None:
    """The hours both charts cover, so volume and attacks line up on the same axis."""
    keys: list[str] = []
    if report.volume is not None:
        keys += report.volume.by_hour
    if report.sshd is not None:
        keys += report.sshd.failures_by_hour
    hours = [int(datetime.fromisoformat(k).timestamp()) for k in keys]
    return (min(hours), max(hours)) if hours else None


def _bar_hours(span_hours: int) -> int:
    for k in _BAR_HOURS:
        if math.ceil(span_hours / k) <= MAX_BARS:
            return k
    return 168 * math.ceil(span_hours / (168 * MAX_BARS))


def _nice_step(top: float) -> int:
    """A 1-2-5 step that cuts 0..top into at most 5 intervals."""
    raw = max(top / 5, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * magnitude >= raw:
            return int(m * magnitude)
    return int(10 * magnitude)  # unreachable: m = 10 always qualifies


def _compact(n: float) -> str:
    for suffix, scale in (("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:g}{suffix}"
    return f"{n:g}"


def _hour_text(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


def _day(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


def _hourly_chart(
    chart_id: str,
    title: str,
    series: Sequence[_Series],
    span: tuple[int, int] | None,
    *,
    unit: str,
) -> str:
    """A stacked bar chart of hourly counts: SVG plus an HTML legend and caption."""
    series = [s for s in series if s.values]
    if not series or span is None:
        return f'<p class="empty">No {unit} with a time to chart.</p>'
    lo, hi = span
    k = _bar_hours((hi - lo) // HOUR + 1)
    width = k * HOUR
    # Bars start at multiples of their length since the epoch: at UTC midnight and on
    # the hour for bars of up to a day, so a day's bars line up with its label.
    start = lo - lo % width
    bars = (hi - start) // width + 1
    stacks = [[0] * bars for _ in series]
    for row, s in zip(stacks, series, strict=True):
        for hour, n in s.values.items():
            if lo <= hour <= hi:
                row[(hour - start) // width] += n
    totals: list[int] = [sum(col) for col in zip(*stacks, strict=True)]
    step = _nice_step(max(totals))
    y_top = max(step, math.ceil(max(totals) / step) * step)
    slot = PLOT_W / bars
    gap = slot * 0.15 if slot > 3 else 0.0
    base = TOP_MARGIN + PLOT_H

    def y(value: float) -> float:
        return base - PLOT_H * value / y_top

    out = [
        f'<svg id="{chart_id}" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{e(title)}</title>',
    ]
    for tick in range(0, y_top + 1, step):
        ty = y(tick)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{_compact(tick)}</text>'
        )
    out += _time_labels(start, start + bars * width, slot / width, hi - lo)
    # One path per series (a sub-path per bar) keeps the file small for long spans.
    below = [0] * bars
    for s, row in zip(series, stacks, strict=True):
        d = []
        for i, n in enumerate(row):
            if n:
                x = LEFT + i * slot + gap / 2
                top, bottom = y(below[i] + n), y(below[i])
                d.append(f"M{x:.1f} {top:.1f}h{slot - gap:.1f}V{bottom:.1f}h{gap - slot:.1f}z")
                below[i] += n
        out.append(f'<path fill="{s.color}" d="{"".join(d)}"/>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    # Hover targets: a transparent column per bar whose tooltip lists the breakdown.
    for i, total in enumerate(totals):
        if not total:
            continue
        when = start + i * width
        lines = [f"{_hour_text(when)} UTC, {k} h: {_count(total, unit)}"]
        if len(series) > 1:
            lines += [
                f"{e(s.name)}: {row[i]:,}" for s, row in zip(series, stacks, strict=True) if row[i]
            ]
        tip = "\n".join(lines)
        out.append(
            f'<rect class="hit" x="{LEFT + i * slot:.1f}" y="{TOP_MARGIN}" width="{slot:.1f}" '
            f'height="{PLOT_H}"><title>{tip}</title></rect>'
        )
    out.append("</svg>")
    legend = "".join(
        f'<li><i style="background:{s.color}"></i>{_text(s.name)}</li>' for s in series
    )
    bar = "1 hour" if k == 1 else f"{k} hours"
    caption = (
        f"{_hour_text(lo)} → {_hour_text(hi)} UTC; one bar = {bar}; "
        f"{_count(sum(totals), unit)}; hover a bar for its figures."
    )
    return (
        f'<figure>{"".join(out)}<ul class="legend">{legend}</ul>'
        f'<figcaption class="caption">{caption}</figcaption></figure>'
    )


def _time_labels(start: int, end: int, px_per_second: float, span: int) -> list[str]:
    """Ticks and labels at round times (hours or days), at most MAX_LABELS of them."""
    span_hours = span // HOUR + 1
    step_hours = next(
        (h for h in _LABEL_HOURS if span_hours / h <= MAX_LABELS),
        _LABEL_HOURS[-1] * math.ceil(span_hours / (_LABEL_HOURS[-1] * MAX_LABELS)),
    )
    step = step_hours * HOUR
    # Hour steps divide a day and start at midnight; day steps count from the first midnight.
    align = step if step_hours <= 24 else 24 * HOUR
    first = start + (-start) % align
    out = []
    base = TOP_MARGIN + PLOT_H
    for t in range(first, end + 1, step):
        x = LEFT + (t - start) * px_per_second
        if x > WIDTH - RIGHT:
            break
        moment = datetime.fromtimestamp(t, UTC)
        if step_hours >= 720:
            label = moment.strftime("%Y-%m-%d")
        elif step_hours >= 24 or t % (24 * HOUR) == 0:
            label = moment.strftime("%b %d")
        else:
            label = moment.strftime("%H:%M")
        out.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP_MARGIN}" y2="{base}"/>')
        out.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{label}</text>')
    return out
