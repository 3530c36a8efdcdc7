"""The HTML report in a real browser: Debian's Chromium, headless, driven by Playwright.

Chromium comes from ``make browser`` (apt), never from ``playwright install``.  The page
is the sample tree's report plus hostile log lines; the test checks the charts are drawn,
that nothing runs and nothing is requested, and keeps a screenshot in test-artifacts/.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import REFERENCE, scan_paths, write_log
from playwright.sync_api import BrowserContext, Page, sync_playwright

from logsweep.html_report import CSP, write_html
from logsweep.report import Report
from logsweep.samples import SampleTruth

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Playwright adds --headless and a fresh --user-data-dir (the profile below) itself.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Each payload sets a window flag if it ever runs; the one with a URL makes a request.
SCRIPT_USER = "<script>window.__pwned=1</script>"
IMG_USER = "<img src=x onerror=window.__pwned=2>"
FETCH_USER = "<img src=http://127.0.0.1:9/leak.png>"
STYLE_USER = "</style><script>window.__pwned=5</script>"
PROGRAM = "<svg/onload=window.__pwned=3>"  # no spaces: a syslog tag cannot have any
AGENT = "<img src=x onerror=window.__pwned=4>"


def hostile_logs(root: Path) -> Path:
    lines = [
        f"Nov 24 10:00:{i:02} web01 sshd[9]: Invalid user {user} from 198.51.100.99 port {i}"
        for i, user in enumerate((SCRIPT_USER, IMG_USER, FETCH_USER, STYLE_USER))
    ]
    lines.append(
        f"Nov 24 10:01:00 web01 sshd[9]: Failed password for {SCRIPT_USER} "
        "from 198.51.100.99 port 7 ssh2"
    )
    write_log(root / "secure", lines, mtime=REFERENCE)
    # Enough lines for the hostile program to be among the busiest eight of the sample
    # tree, so it is drawn in the chart and named in its legend and tooltips.
    write_log(
        root / "hostile.log",
        [f"Nov 24 12:{i // 60:02}:{i % 60:02} web01 {PROGRAM}[9]: hi" for i in range(150)],
        mtime=REFERENCE,
    )
    write_log(
        root / "www" / "hostile-access.log",
        [
            f'203.0.113.99 - - [24/Nov/2026:10:00:00 +0000] "GET /robots.txt HTTP/1.1" '
            f'200 10 "-" "{AGENT}"'
        ],
        mtime=REFERENCE,
    )
    return root


@pytest.fixture(scope="module")
def report(
    sample_tree: tuple[Path, SampleTruth], tmp_path_factory: pytest.TempPathFactory
) -> Report:
    root, _ = sample_tree
    return scan_paths([root, hostile_logs(tmp_path_factory.mktemp("hostile"))])


@contextmanager
def chromium(profile: Path, width: int = 1280) -> Iterator[BrowserContext]:
    """Debian's Chromium, headless, in a fresh profile; closed on the way out."""
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make browser`"
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": width, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    with chromium(tmp_path / "profile") as context:
        yield context


def watch(page: Page) -> tuple[list[str], list[str]]:
    """Every request the page makes, and every console message (CSP reports land there)."""
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(message.text))
    return requests, console


def test_the_checks_see_a_script_and_a_request_when_there_is_one(
    browser: BrowserContext, tmp_path: Path
) -> None:
    """The control: the same checks on a page that does run a script and fetch."""
    page = browser.new_page()
    requests, _ = watch(page)
    control = tmp_path / "control.html"
    control.write_text(f"{SCRIPT_USER}{FETCH_USER}", encoding="utf-8")
    page.goto(control.as_uri())
    assert page.evaluate("window.__pwned") == 1
    assert "http://127.0.0.1:9/leak.png" in requests


def test_report_renders_its_charts_runs_nothing_and_requests_nothing(
    browser: BrowserContext, report: Report, tmp_path: Path
) -> None:
    assert report.volume is not None and report.sshd is not None
    assert PROGRAM in report.volume.by_program_hour  # drawn in the chart, not in "other"
    path = write_html(report, tmp_path / "report.html")
    page = browser.new_page()
    requests, console = watch(page)
    page.goto(path.as_uri(), wait_until="load")

    # Nothing ran, nothing was fetched, nothing was even attempted (the CSP would say so).
    assert requests == [path.as_uri()]
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.querySelectorAll('[onerror], [onload], img').length") == 0
    assert not [m for m in console if "Content Security Policy" in m], console
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert csp == CSP

    # The payloads are on the page as text, where a reader can see them.
    assert SCRIPT_USER in page.inner_text("#sshd")
    assert FETCH_USER in page.inner_text("#sshd")
    assert STYLE_USER in page.inner_text("#sshd")
    assert AGENT in page.inner_text("#robots")
    assert PROGRAM in page.inner_text("#volume ul.legend")

    # Both charts are drawn, full width, with a hover target per hour that has data.
    assert page.locator("svg.chart").count() == 2
    for chart in ("#chart-volume", "#chart-ssh"):
        box = page.locator(chart).bounding_box()
        assert box is not None and box["width"] > 1000 and box["height"] > 200, box
    volume_series = len(report.volume.by_program_hour) + 2  # + other programs + no program
    assert page.locator("#chart-volume path").count() == volume_series
    assert page.locator("#chart-volume rect.hit").count() == len(report.volume.by_hour)
    assert page.locator("#chart-ssh rect.hit").count() == len(report.sshd.failures_by_hour)
    tooltip = page.locator("#chart-volume rect.hit title").first.text_content() or ""
    assert tooltip.startswith("2026-11-17 00:00 UTC, 1 h: ")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_the_pages_csp_blocks_what_escaping_would_miss(
    browser: BrowserContext, report: Report, tmp_path: Path
) -> None:
    """Defence in depth: markup smuggled into the body still runs and fetches nothing."""
    path = write_html(report, tmp_path / "report.html")
    smuggled = f"<body>{SCRIPT_USER}{FETCH_USER}{IMG_USER}"
    path.write_text(path.read_text(encoding="utf-8").replace("<body>", smuggled, 1), "utf-8")
    page = browser.new_page()
    blocked: list[tuple[str, str | None]] = []
    page.on("requestfailed", lambda request: blocked.append((request.url, request.failure)))
    page.goto(path.as_uri(), wait_until="load")
    assert page.evaluate("document.scripts.length") == 1  # it is there, and did not run
    assert page.evaluate("window.__pwned") is None
    assert ("http://127.0.0.1:9/leak.png", "csp") in blocked
