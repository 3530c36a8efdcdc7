"""The scan's progress bar: files and bytes on a terminal, nothing in a pipe or cron mail."""

import io
import itertools
import logging
import os
import re
from pathlib import Path

import pytest
from rich.console import Console

from flows.progress import (
    CONSOLE_LEVEL,
    BatchProgress,
    ScanProgress,
    progress_bar,
    report_progress,
    reporting_to,
    with_progress_bar,
)
from logsweep.discovery import LogFile, discover
from logsweep.planning import Batch
from logsweep.samples import SampleTruth

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def log(name: str, size: int) -> LogFile:
    return LogFile(f"/var/log/{name}", name, 0, size, 0.0)


BATCHES = [
    Batch((log("syslog", 1_500_000), log("auth.log", 500_000)), 2_000_000),
    Batch((log("kern.log", 1_000_000),), 1_000_000),
]


def run_scan() -> None:
    """What collect() does with the batches, as they finish."""
    progress = BatchProgress(BATCHES)
    for batch in BATCHES:
        progress.done(batch)


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def screen_lines(text: str) -> list[str]:
    """Output lines as a terminal shows them: colours dropped, each line's last redraw."""
    return [ANSI.sub("", line).split("\r")[-1] for line in text.split("\n")]


def test_batches_report_files_and_bytes_done() -> None:
    seen: list[ScanProgress] = []
    with reporting_to(seen.append):
        run_scan()
    assert seen == [
        ScanProgress(0, 3, 0, 3_000_000),
        ScanProgress(2, 3, 2_000_000, 3_000_000),
        ScanProgress(3, 3, 3_000_000, 3_000_000),
    ]
    report_progress(ScanProgress(9, 9, 9, 9))  # the reporter is gone after the block
    assert len(seen) == 3


def test_no_bar_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # rich alone would call this a terminal and draw into the pipe.
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert Console(stderr=True).is_terminal
    with progress_bar():
        run_scan()
    assert with_progress_bar(lambda n: n * 2)(21) == 42
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_no_bar_on_a_console_that_is_not_a_terminal() -> None:
    out = io.StringIO()
    with progress_bar(Console(file=out)):
        run_scan()
    assert out.getvalue() == ""


def test_bar_on_a_terminal_shows_files_and_bytes() -> None:
    console, out = terminal()
    with progress_bar(console):
        run_scan()
    last = [line for line in screen_lines(out.getvalue()) if line.strip()][-1]
    assert "3/3 files" in last and "3.0/3.0 MB" in last and "━" in last, last


def test_log_lines_print_above_the_bar_not_through_it() -> None:
    console, out = terminal()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("logsweep-test-progress")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with progress_bar(console):
            progress = BatchProgress(BATCHES)
            logger.warning("a log line while scanning")
            progress.done(BATCHES[0])
        assert handler.stream is out  # given back after the bar
    finally:
        logger.removeHandler(handler)
    lines = screen_lines(out.getvalue())
    assert "a log line while scanning" in lines  # a line of its own, not glued to the bar
    assert any("2/3 files" in line for line in lines)


def test_workers_started_under_the_bar_log_only_warnings_to_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.logging.configuration import DEFAULT_LOGGING_SETTINGS_PATH, load_logging_config

    console, _ = terminal()
    monkeypatch.delenv(CONSOLE_LEVEL, raising=False)
    with progress_bar(console):
        assert os.environ[CONSOLE_LEVEL] == "WARNING"
        # The variable is Prefect's override of its console handler (what a worker reads).
        config = load_logging_config(DEFAULT_LOGGING_SETTINGS_PATH)
        assert config["handlers"]["console"]["level"] == "WARNING"
        assert config["handlers"]["api"]["level"] != "WARNING"  # the API still gets INFO
    assert CONSOLE_LEVEL not in os.environ
    monkeypatch.setenv(CONSOLE_LEVEL, "DEBUG")  # the user's choice wins
    with progress_bar(console):
        assert os.environ[CONSOLE_LEVEL] == "DEBUG"


@pytest.mark.usefixtures("prefect_api")
def test_the_flow_reports_every_batch(sample_tree: tuple[Path, SampleTruth]) -> None:
    from flows.runners import make_task_runner
    from flows.scan import scan_logs

    root, _ = sample_tree
    seen: list[ScanProgress] = []
    with reporting_to(seen.append):
        scan_logs.with_options(task_runner=make_task_runner("thread", 2))(
            paths=[str(root)], analyzers=["sshd"], timezone="UTC"
        )
    files = discover([root]).files
    size = sum(f.size for f in files)
    assert seen[0] == ScanProgress(0, len(files), 0, size)
    assert seen[-1] == ScanProgress(len(files), len(files), size, size)
    assert len(seen) > 2  # batch by batch, not all at the end
    assert all(a.files_done < b.files_done for a, b in itertools.pairwise(seen))
