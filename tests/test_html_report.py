"""The HTML report: self-contained, inert log text, bounded size (no browser here)."""

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import scan_paths, write_log

from logsweep.html_report import CSP, MAX_BARS, TOP, to_html, write_html
from logsweep.render import render
from logsweep.report import (
    AcceptedLogin,
    FileEntry,
    Report,
    RobotsSection,
    SkippedEntry,
    SshdSection,
    UsbDevice,
    UsbSection,
    VolumeSection,
)

GENERATED = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HOSTILE = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror=alert(1)>',
    "</title><svg onload=alert(2)>",
    "evil\x1b]8;;http://evil.example\x07link",
    "&amp; stays &amp;",
]


def hour(n: int) -> str:
    return (datetime(2026, 11, 24, tzinfo=UTC) + timedelta(hours=n)).isoformat()


def empty_report(**sections: object) -> Report:
    return Report(
        generated_at=GENERATED,
        timezone="UTC",
        analyzers=list(sections),
        files=[],
        **sections,
    )


def file_entry(path: str, status: str = "ok", error: str | None = None) -> FileEntry:
    return FileEntry(
        path=path,
        family="syslog",
        generation=0,
        compression="none",
        format="rfc3164",
        fingerprint="0" * 64,
        lines=3,
        bytes_read=120,
        status=status,
        error=error,
    )


def hostile_report() -> Report:
    """Attacker text in every place the page shows log text, charts included."""
    first = HOSTILE[0]
    return Report(
        generated_at=GENERATED,
        timezone="UTC",
        analyzers=["usb", "sshd", "robots", "volume"],
        files=[file_entry(f"/var/log/{h}", "error", h) for h in HOSTILE],
        skipped=[SkippedEntry(path=h, reason=h) for h in HOSTILE],
        usb=UsbSection(
            devices=[
                UsbDevice(
                    vendor_id=first,
                    product_id=first,
                    manufacturer=h,
                    product=h,
                    serial=h,
                    connections=1,
                    first_seen=GENERATED,
                    last_seen=GENERATED,
                    hosts=[h],
                    root_hub=False,
                )
                for h in HOSTILE
            ]
        ),
        sshd=SshdSection(
            failures=len(HOSTILE),
            failed_by_ip={h: 1 for h in HOSTILE},
            failed_by_user={h: 1 for h in HOSTILE},
            invalid_users={h: 1 for h in HOSTILE},
            pam_failures_by_rhost={h: 1 for h in HOSTILE},
            accepted=[AcceptedLogin(user=h, ip=h, method=h, count=1) for h in HOSTILE],
            failures_by_hour={hour(0): len(HOSTILE)},
        ),
        robots=RobotsSection(
            requests=len(HOSTILE),
            by_ip={h: 1 for h in HOSTILE},
            user_agents={h: 1 for h in HOSTILE},
        ),
        volume=VolumeSection(
            by_host={h: 1 for h in HOSTILE},
            by_program={h: 1 for h in HOSTILE},
            by_hour={hour(0): len(HOSTILE)},
            by_program_hour={h: {hour(0): 1} for h in HOSTILE},
        ),
    )


def test_every_log_string_is_escaped_even_inside_svg() -> None:
    page = to_html(hostile_report())
    assert "<script" not in page.lower()
    assert "<img" not in page and "<svg onload" not in page and "</title><svg" not in page
    assert "\x1b" not in page and "\x07" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&amp;amp; stays &amp;amp;" in page  # text, not an entity the log chose
    # Program names appear in the chart's tooltips (SVG <title>) and legend, escaped.
    tooltip = re.search(r'<rect class="hit"[^>]*><title>(.*?)</title>', page, re.DOTALL)
    assert tooltip is not None
    assert "&lt;/title&gt;&lt;svg onload=alert(2)&gt;: 1" in tooltip.group(1)


def test_the_page_is_self_contained_and_forbids_scripts_and_requests() -> None:
    page = to_html(hostile_report())
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    tags = re.findall(r"<[a-zA-Z][^<>]*>", page)  # real tags: escaped text has no "<"
    assert tags and not [t for t in tags if re.search(r"\s(?:src|on\w+)\s*=", t)]
    hrefs = [h for t in tags for h in re.findall(r'\shref="([^"]*)"', t)]
    assert hrefs and all(h.startswith("#") for h in hrefs)  # in-page anchors only
    assert "url(" not in page and "@import" not in page
    # The one URL in a tag is the SVG namespace name, which is never fetched (URLs in
    # the log text are text).
    urls = {u for t in tags for u in re.findall(r"https?://[^\s\"'>]+", t)}
    assert urls == {"http://www.w3.org/2000/svg"}


def test_empty_report_and_unselected_analyzers_render() -> None:
    page = to_html(empty_report())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert 'id="files"' in page and 'id="volume"' not in page and 'id="chart-ssh"' not in page
    page = to_html(
        empty_report(
            usb=UsbSection(devices=[]),
            sshd=SshdSection(
                failures=0,
                failed_by_ip={},
                failed_by_user={},
                invalid_users={},
                pam_failures_by_rhost={},
                accepted=[],
            ),
            robots=RobotsSection(requests=0, by_ip={}, user_agents={}),
            volume=VolumeSection(by_host={}, by_program={}, by_hour={}),
        )
    )
    for section in ("volume", "sshd", "usb", "robots", "files"):
        assert f'<section id="{section}"' in page
    assert "<svg" not in page  # no data, no empty chart frame
    assert "No lines with a time to chart." in page
    assert "No failures with a time to chart." in page


def test_the_volume_chart_stacks_programs_other_and_lines_without_a_program() -> None:
    volume = VolumeSection(
        by_host={"web01": 9},
        by_program={"cron": 6, "sshd": 3, "kernel": 1},
        by_hour={hour(0): 10, hour(5): 4},
        by_program_hour={"cron": {hour(0): 6}, "sshd": {hour(0): 2, hour(5): 1}},
        other_programs_by_hour={hour(5): 1},
    )
    page = to_html(empty_report(volume=volume))
    chart = page[page.index('<svg id="chart-volume"') : page.index("</svg>")]
    tips = re.findall(r"<title>(.*?)</title>", chart, re.DOTALL)  # the chart's own has an id
    assert tips == [
        "2026-11-24 00:00 UTC, 1 h: 10 lines\ncron: 6\nsshd: 2\n"
        "lines without a program (access logs): 2",
        "2026-11-24 05:00 UTC, 1 h: 4 lines\nsshd: 1\n1 other program: 1\n"
        "lines without a program (access logs): 2",
    ]
    assert chart.count('<rect class="hit"') == 2  # empty hours in between get no target
    assert "one bar = 1 hour" in page


def test_a_year_of_hours_and_100000_sources_render_fast_and_small() -> None:
    ips = {f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}": 1 + i % 7 for i in range(100_000)}
    hours = {hour(h): 1 + h % 50 for h in range(0, 365 * 24)}
    report = empty_report(
        sshd=SshdSection(
            failures=sum(ips.values()),
            failed_by_ip=ips,
            failed_by_user=ips,
            invalid_users={},
            pam_failures_by_rhost={},
            accepted=[],
            failures_by_hour=hours,
        ),
        robots=RobotsSection(requests=sum(ips.values()), by_ip=ips, user_agents=ips),
        volume=VolumeSection(
            by_host={"web01": 1},
            by_program={"cron": 1},
            by_hour=hours,
            by_program_hour={"cron": hours},
        ),
    )
    start = time.perf_counter()
    page = to_html(report)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert len(page.encode()) < 400_000, len(page.encode())
    shown = 100_000 - TOP
    rest = sum(ips.values()) - sum(sorted(ips.values(), reverse=True)[:TOP])
    assert page.count(f"… {shown:,} more ({rest:,} failures)") == 2  # by source, by user
    assert page.count(f"… {shown:,} more ({rest:,} requests)") == 2  # by client, by agent
    for chart in ("chart-volume", "chart-ssh"):
        svg = page[page.index(f'<svg id="{chart}"') :]
        svg = svg[: svg.index("</svg>")]
        assert 0 < svg.count('<rect class="hit"') <= MAX_BARS
    assert "one bar = 48 hours" in page


def test_top_rows_are_the_largest_whatever_the_mapping_order() -> None:
    counts = {f"ip{i:03}": i for i in range(100)}  # ascending: the contract's order broken
    page = to_html(empty_report(robots=RobotsSection(requests=4950, by_ip=counts, user_agents={})))
    rows = re.findall(r'<td class="k">(ip\d+)</td>', page)
    assert rows == [f"ip{i:03}" for i in range(99, 99 - TOP, -1)]


def test_files_that_were_not_read_always_show(tmp_path: Path) -> None:
    files = [file_entry(f"/logs/ok{i}.log") for i in range(600)]
    files.insert(550, file_entry("/logs/broken.log.gz", "error", "not a gzip file"))
    page = to_html(empty_report().model_copy(update={"files": files}))
    assert "/logs/broken.log.gz" in page and "not a gzip file" in page
    assert "/logs/ok498.log" in page and "/logs/ok499.log" not in page
    assert "… 101 more files, all read" in page


def test_render_dispatch_and_write_html_from_a_real_scan(tmp_path: Path) -> None:
    write_log(
        tmp_path / "logs" / "auth.log",
        [
            "Nov 24 10:00:01 web01 sshd[1]: Failed password for root from 198.51.100.7 port 1 ssh2",
            "Nov 24 11:00:01 web01 sshd[1]: Failed password for root from 198.51.100.7 port 2 ssh2",
        ],
    )
    report = scan_paths([tmp_path / "logs"])
    assert render(report, "html") == to_html(report)
    target = write_html(report, tmp_path / "report.html")
    assert target.read_text(encoding="utf-8") == to_html(report)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs", "report.html"]  # no temp left
    assert "2 failed authentications from 1 source" in target.read_text(encoding="utf-8")


def test_a_stray_line_from_1970_keeps_the_chart_bounded() -> None:
    """A span of decades (a bad clock, a parser's guess) still gives a readable chart."""
    hours = {datetime(1970, 1, 1, 5, tzinfo=UTC).isoformat(): 1, hour(0): 10, hour(1): 3}
    page = to_html(
        empty_report(
            volume=VolumeSection(by_host={}, by_program={}, by_hour=hours),
        )
    )
    svg = page[page.index('<svg id="chart-volume"') : page.index("</svg>")]
    assert svg.count('<rect class="hit"') == 2  # 1970, and Nov 2026's two hours in one bar
    labels = re.findall(r'text-anchor="middle">([^<]*)<', svg)
    assert 0 < len(labels) <= 12 and labels[0].startswith("19"), labels
