"""A progress bar for the scan (files and bytes done), shown on a terminal only.

The flow reports each finished batch through ``BatchProgress``; whoever called the
flow decides what, if anything, shows it.  The CLI wraps its call in
``with_progress_bar``, which draws a rich bar on stderr when stderr is a terminal
and does nothing under cron, in a pipe or in CI, whatever ``FORCE_COLOR`` says.

The reporter is process-wide, not a context variable: Prefect may run the flow
body in another thread or context than the caller's, where a context variable
set by the caller would not be seen.

Prefect's log handler writes to the stderr it was configured with, behind rich's
back, which would print its lines through the bar; while the bar shows, handlers
that write to the bar's stream go through it instead, so they print above it.
Worker processes cannot be rerouted: those started while the bar shows print only
warnings to the terminal (their INFO lines still reach the Prefect API).
"""

import functools
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, ParamSpec, TypeVar, cast

from rich.console import Console
from rich.file_proxy import FileProxy
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from flows.quiet import CONSOLE_LEVEL
from logsweep.planning import Batch

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ScanProgress:
    files_done: int
    files_total: int
    bytes_done: int  # on disk (compressed) bytes of the files done, as listed
    bytes_total: int


Reporter = Callable[[ScanProgress], None]
_reporter: Reporter | None = None


def report_progress(progress: ScanProgress) -> None:
    """Hand progress to the installed reporter; a no-op when none is (the usual case)."""
    reporter = _reporter
    if reporter is not None:
        reporter(progress)


@contextmanager
def reporting_to(reporter: Reporter) -> Iterator[None]:
    """Install ``reporter`` for the duration of the block."""
    global _reporter
    previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = previous


class BatchProgress:
    """The scan's progress as batches finish: totals from the plan, one call per batch."""

    def __init__(self, batches: Sequence[Batch]) -> None:
        self.files_total = sum(len(b.files) for b in batches)
        self.bytes_total = sum(f.size for b in batches for f in b.files)
        self.files_done = 0
        self.bytes_done = 0
        self._report()  # the bar shows its totals before the first batch ends

    def done(self, batch: Batch) -> None:
        self.files_done += len(batch.files)
        self.bytes_done += sum(f.size for f in batch.files)
        self._report()

    def _report(self) -> None:
        report_progress(
            ScanProgress(self.files_done, self.files_total, self.bytes_done, self.bytes_total)
        )


@contextmanager
def progress_bar(console: Console | None = None) -> Iterator[None]:
    """A bar of files and bytes done while the block runs, if the console is a terminal.

    Without a console, stderr is used, and only when it is a terminal: rich alone would
    also draw into a pipe when FORCE_COLOR or similar is set, and cron mail has no use
    for a bar.  Tests pass a console of their own.
    """
    if console is None:
        if not sys.stderr.isatty():
            yield
            return
        console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    columns = (
        TextColumn("scanning"),
        BarColumn(),
        TextColumn("{task.fields[files]}"),
        DownloadColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar, _logs_above(console), _quiet_workers():
        # Hidden until the flow knows its files: starting Prefect takes seconds.
        task = bar.add_task("scan", total=None, files="", visible=False)

        def show(p: ScanProgress) -> None:
            # Bytes drive the bar (one large file takes longer than many small ones);
            # a tree of empty files goes by files instead.
            if p.bytes_total:
                done, total = p.bytes_done, p.bytes_total
            else:
                done, total = p.files_done, max(p.files_total, 1)
            files = f"{p.files_done:,}/{p.files_total:,} files"
            bar.update(task, completed=done, total=total, files=files, visible=True)
            bar.refresh()  # batches are few: draw each one now, not at the next tick

        with reporting_to(show):
            yield


@contextmanager
def _logs_above(console: Console) -> Iterator[None]:
    """Log handlers writing to the bar's stream print through it (above the bar)."""
    stream = _unproxied(console.file)
    proxy = cast("IO[str]", _AboveBar(console, stream))
    restore: list[Callable[[], object]] = []
    for handler in _handlers():
        inner = getattr(handler, "console", None)  # Prefect's handler prints with rich
        if isinstance(inner, Console) and _unproxied(inner.file) is stream:
            restore.append(functools.partial(setattr, inner, "file", inner.file))
            inner.file = proxy
        elif isinstance(handler, logging.StreamHandler) and handler.stream is stream:
            restore.append(functools.partial(handler.setStream, handler.stream))
            handler.setStream(proxy)
    try:
        yield
    finally:
        proxy.flush()
        for undo in restore:
            undo()


@contextmanager
def _quiet_workers() -> Iterator[None]:
    """Worker processes started in the block log only warnings to the terminal.

    Their per-task INFO lines ("Finished in state Completed()") would cut through the
    bar, which shows that progress anyway.  Only the console handler's level changes,
    through Prefect's logging.yml override variable, so the API still gets every line;
    a level the user set is kept.  (Pool workers are forked from a fork server and log
    as it does: the CLI starts it quiet, before the bar.)
    """
    if CONSOLE_LEVEL in os.environ:
        yield
        return
    os.environ[CONSOLE_LEVEL] = "WARNING"
    try:
        yield
    finally:
        os.environ.pop(CONSOLE_LEVEL, None)


class _AboveBar(io.TextIOBase):
    """Lines written here print with ``console``, so above its bar, colours kept.

    rich's FileProxy does the work; it is wrapped because a rich Console given a
    FileProxy unwraps it (``rich_proxied_file``) and writes to the terminal directly.
    """

    def __init__(self, console: Console, stream: IO[str]) -> None:
        self._proxy = FileProxy(console, stream)
        self._stream = stream

    def write(self, text: str) -> int:
        self._proxy.write(text)
        return len(text)

    def flush(self) -> None:
        self._proxy.flush()

    def isatty(self) -> bool:  # Prefect's console keeps its colours
        return self._stream.isatty()

    def fileno(self) -> int:  # and its width
        return self._stream.fileno()


def _unproxied(stream: IO[str]) -> IO[str]:
    """The file under rich's proxy (sys.stderr is one while a bar shows)."""
    inner: IO[str] = getattr(stream, "rich_proxied_file", stream)
    return inner


def _handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()]
    loggers += [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return list({id(h): h for logger in loggers for h in logger.handlers}.values())


def with_progress_bar(fn: Callable[P, R], console: Console | None = None) -> Callable[P, R]:
    """``fn`` run inside ``progress_bar``: wraps a flow call in one expression."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with progress_bar(console):
            return fn(*args, **kwargs)

    return run
