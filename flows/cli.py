"""The ``logsweep`` command line.

``logsweep scan PATH...`` runs the ``scan_logs`` flow (Prefect, process pool)
and prints the report; ``logsweep sample DEST`` writes the demo log tree.
Exit codes: 0 the scan ran (failed files are in the report), 2 unusable
arguments or nothing to scan, 3 another run holds the ledger, 4 the run's
temporary Prefect API server did not start.
"""

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from flows.quiet import quiet_prefect_logs
from flows.worker_start import start_worker_server, stop_worker_server
from logsweep.analyzers import ANALYZER_NAMES, parse_analyzer_names
from logsweep.discovery import discover
from logsweep.ledger import Ledger, LedgerBusy, ledger_report, parse_when
from logsweep.render import OutputFormat, render
from logsweep.report import Report
from logsweep.scan import ScanOptions
from logsweep.timeinfer import resolve_timezone

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BUSY = 3  # another run holds the ledger; try again later
EXIT_NO_SERVER = 4  # the run's temporary Prefect API server did not start


NO_SERVER_HINT = (
    "point PREFECT_API_URL at a running server (prefect server start), or allow the "
    "temporary one more time (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"
)


class UsageError(Exception):
    """An argument the scan cannot work with; reported in one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logsweep",
        description="Scan rotated Linux logs on all cores with Prefect: USB devices, "
        "SSH brute force, robots.txt crawlers, log volume per host/program/hour.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    scan = commands.add_parser(
        "scan",
        help="scan log files and directories and print a report",
        description="Scan log files and directories (walked recursively; rotated and "
        "compressed generations included) and print one report. Each run is a full scan, "
        "unless --state names a ledger: then only new lines are read.",
        epilog="exit status: 0 the scan ran (files that could not be read are in the "
        "report, and a line on stderr counts them), 2 unusable arguments or nothing to "
        "scan, 3 another run holds the ledger, 4 the run's temporary Prefect API server "
        "did not start.",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="log file or directory")
    add_output_options(scan)
    scan.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: one per core)",
    )
    scan.add_argument(
        "--runner",
        choices=["process", "thread", "dask"],
        default="process",
        help="task runner: process pool (default), threads, or Dask (the logsweep[dask] extra)",
    )
    scan.add_argument(
        "--dask-address",
        default=None,
        metavar="ADDR",
        help="with --runner dask: an existing scheduler, tcp://host:8786 "
        "(default: a local cluster of --workers processes)",
    )
    add_state_options(scan)
    scan.add_argument(
        "--retain-days",
        type=float,
        default=30.0,
        metavar="DAYS",
        help="with --state: days of hourly results, and of deleted files, to keep (default 30)",
    )
    scan.add_argument(
        "--file-time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop reading one file after SECONDS (it is reported partial; default: no limit)",
    )
    scan.set_defaults(handler=run_scan)

    report = commands.add_parser(
        "report",
        help="render a report from a ledger without scanning",
        description="Render what a ledger (logsweep scan --state) holds for a time window.",
    )
    add_state_options(report, required=True)
    add_output_options(report)
    report.set_defaults(handler=run_report)

    sample = commands.add_parser(
        "sample",
        help="write a realistic rotated log tree to scan",
        description="Write a deterministic sample tree (syslog, auth.log, kern.log, nginx "
        "access logs, rotated and compressed) whose times are in UTC.",
    )
    sample.add_argument("dest", metavar="DEST", help="directory to create")
    sample.add_argument("--seed", type=int, default=2026)
    sample.add_argument("--days", type=int, default=8)
    sample.set_defaults(handler=run_sample)
    return parser


def add_state_options(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--state",
        required=required,
        metavar="FILE",
        help="SQLite ledger: read only what is new since the last run, report all it holds",
    )
    parser.add_argument(
        "--since",
        metavar="WHEN",
        help="with --state: report hours from WHEN (24h, 7d, 2026-11-24, ISO 8601)",
    )
    parser.add_argument("--until", metavar="WHEN", help="with --state: report hours before WHEN")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=[f.value for f in OutputFormat],
        default=None,
        help="report format (default: table on a terminal, markdown otherwise)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--analyzers",
        default=",".join(ANALYZER_NAMES),
        metavar="LIST",
        help=f"comma-separated analyses to report (default: {','.join(ANALYZER_NAMES)})",
    )
    parser.add_argument(
        "--timezone",
        default=None,
        metavar="TZ",
        help="IANA zone of year-less syslog times (default: the machine's zone)",
    )


def check_scan_arguments(args: argparse.Namespace) -> tuple[str, ...]:
    """Validate before Prefect starts, so a typo costs milliseconds, not a flow run."""
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]}")
    try:
        analyzers = parse_analyzer_names(args.analyzers)
        resolve_timezone(args.timezone)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if (args.since or args.until) and not args.state:
        raise UsageError("--since and --until need --state (a stateless scan reports all it reads)")
    if args.file_time_limit is not None and args.file_time_limit <= 0:
        raise UsageError("--file-time-limit must be positive")
    if args.retain_days <= 0:
        raise UsageError("--retain-days must be positive")
    try:
        now = time.time()
        parse_when(args.since, now), parse_when(args.until, now)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if args.dask_address and args.runner != "dask":
        raise UsageError("--dask-address needs --runner dask")
    if args.dask_address and args.workers is not None:
        raise UsageError("--workers does not apply to an existing Dask cluster (--dask-address)")
    if not discover(args.paths).files:
        raise UsageError(f"nothing log-like found under {', '.join(args.paths)}")
    return analyzers


def prepare_prefect_settings() -> None:
    """What Prefect reads once, when it is imported: set before it is."""
    # A temporary API server on a fresh PREFECT_HOME on a loaded 2-core box takes
    # over 20 s (Prefect's default limit) to start: be patient rather than fail the run.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # A temporary API server lives for one scan: its telemetry heartbeat only competes
    # with the run for the SQLite file ("database is locked" tracebacks in the output).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not sys.stderr.isatty():
        quiet_prefect_logs()  # cron mail gets the report, not Prefect's chatter


def run_scan(args: argparse.Namespace) -> int:
    analyzers = check_scan_arguments(args)
    prepare_prefect_settings()
    with contextlib.ExitStack() as stack:
        if args.runner == "process":
            # The pool's workers' imports (Prefect's, ~1.5 s) run now, beside this
            # process's; the server is stopped last, once the flow's pool is gone.
            start_worker_server()
            stack.callback(stop_worker_server)
        # Imported here: Prefect takes a second to import; usage errors should not wait.
        from flows.api_server import ServerDidNotStart, temporary_api_server
        from flows.runners import DaskNotInstalled, make_task_runner

        # Embedded runs: the API server starts now, while the flow is imported.
        server = stack.enter_context(temporary_api_server())
        from flows.progress import with_progress_bar
        from flows.scan import AnalyzerName, scan_logs

        try:
            runner = make_task_runner(args.runner, args.workers, args.dask_address)
        except DaskNotInstalled as exc:
            raise UsageError(str(exc)) from exc
        if server is not None:
            try:
                stack.enter_context(server.in_use())
            except ServerDidNotStart as exc:
                print(f"logsweep: error: {exc}; {NO_SERVER_HINT}", file=sys.stderr)
                return EXIT_NO_SERVER
        try:
            # A bar of files and bytes on stderr, only when stderr is a terminal.
            report = with_progress_bar(scan_logs.with_options(task_runner=runner))(
                paths=[str(Path(p)) for p in args.paths],
                analyzers=cast("list[AnalyzerName]", list(analyzers)),
                timezone=args.timezone,
                state_path=args.state,
                since=args.since,
                until=args.until,
                retain_days=args.retain_days,
                file_time_limit=args.file_time_limit,
            )
        except LedgerBusy as exc:
            print(f"logsweep: {exc}", file=sys.stderr)
            return EXIT_BUSY
    return emit(report, args)


def run_report(args: argparse.Namespace) -> int:
    """Render the ledger's window without scanning anything (and without Prefect)."""
    if not Path(args.state).is_file():
        raise UsageError(f"no ledger at {args.state} (create one with logsweep scan --state)")
    try:
        analyzers = parse_analyzer_names(args.analyzers)
        resolve_timezone(args.timezone)
        now = time.time()
        since, until = parse_when(args.since, now), parse_when(args.until, now)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    options = ScanOptions(analyzers=analyzers, timezone=args.timezone)
    with Ledger(args.state) as ledger:
        report = ledger_report(ledger, options, since=since, until=until)
    return emit(report, args)


def emit(report: Report, args: argparse.Namespace) -> int:
    fmt = args.format or (OutputFormat.TABLE if sys.stdout.isatty() else OutputFormat.MARKDOWN)
    text = render(report, fmt, color=sys.stdout.isatty() and not args.output)
    if args.output:
        write_atomically(Path(args.output), text)
    else:
        sys.stdout.write(text)
    failed = report.failed_files
    if failed:
        print(
            f"logsweep: {len(failed)} file(s) could not be read completely; "
            "see their status in the report",
            file=sys.stderr,
        )
    return EXIT_OK


def write_atomically(path: Path, text: str) -> None:
    """A report file is either the old one or the complete new one, never half.

    Only for regular files: renaming over ``/dev/null`` or a FIFO would replace
    the device node (as root) or never reach the reader, so those are written to.
    """
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as out:
            out.write(text)
        return
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def run_sample(args: argparse.Namespace) -> int:
    from logsweep.samples import generate_sample_tree

    truth = generate_sample_tree(Path(args.dest), seed=args.seed, days=args.days)
    print(f"wrote {len(truth.files)} log files to {args.dest}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"logsweep: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
