"""A stateful scan in this process: the ledger-backed counterpart of ``build_report``.

The Prefect flow runs the same steps with the map on a process pool; this
in-process version serves tests, benchmarks and anyone without Prefect.
"""

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from logsweep.analyzers import ANALYZER_NAMES
from logsweep.discovery import Skipped, discover
from logsweep.ledger import Ledger, ledger_lock, ledger_report
from logsweep.report import Report
from logsweep.scan import FileResult, ScanOptions, scan_file

DEFAULT_RETAIN_DAYS = 30.0
DEFAULT_OPTIONS = ScanOptions()


def ledger_options(options: ScanOptions) -> ScanOptions:
    """What a stateful scan computes: every analysis, so a later report may ask for any."""
    return ScanOptions(ANALYZER_NAMES, options.timezone, options.max_line_bytes, options.time_limit)


def finish_run(
    ledger: Ledger,
    options: ScanOptions,
    recorded: Mapping[int, FileResult],
    unrecorded: Sequence[FileResult],
    skipped: Sequence[Skipped],
    roots: Sequence[str],
    retain_days: float,
    since: float | None = None,
    until: float | None = None,
) -> Report:
    """Mark files not found under the roots gone, prune past the retention, report the window."""
    now = time.time()
    ledger.mark_gone(list(recorded), roots, now)
    ledger.prune(retain_days, now)
    return ledger_report(
        ledger,
        options,
        recorded=recorded,
        unrecorded=unrecorded,
        skipped=skipped,
        since=since,
        until=until,
    )


def scan_with_ledger(
    paths: Sequence[str | Path],
    state_path: str | Path,
    options: ScanOptions = DEFAULT_OPTIONS,
    *,
    since: float | None = None,
    until: float | None = None,
    retain_days: float = DEFAULT_RETAIN_DAYS,
    lock_wait: float | None = None,
) -> Report:
    """Read what is new under ``paths``, store it, report the ledger's window."""
    roots = [str(p) for p in paths]
    with ledger_lock(state_path, lock_wait), Ledger(state_path) as ledger:
        found = discover(roots)
        known = ledger.known_files()
        scan_options = ledger_options(options)
        recorded: dict[int, FileResult] = {}
        unrecorded: list[FileResult] = []
        for log in found.files:
            result = scan_file(log, scan_options, known)
            stored = ledger.record([result])
            recorded |= stored
            if not stored:
                unrecorded.append(result)
        return finish_run(
            ledger, options, recorded, unrecorded, found.skipped, roots, retain_days, since, until
        )
