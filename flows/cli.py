"""The ``logsweep`` command line.

``logsweep scan PATH...`` runs the ``scan_logs`` flow (Prefect, process pool)
and prints the report; ``logsweep sample DEST`` writes the demo log tree.
Exit codes: 0 the scan ran (failed files are in the report), 2 unusable
arguments or nothing to scan.
"""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from logsweep.analyzers import ANALYZER_NAMES, parse_analyzer_names
from logsweep.discovery import discover
from logsweep.render import OutputFormat, render
from logsweep.timeinfer import resolve_timezone

EXIT_OK = 0
EXIT_USAGE = 2


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
        "compressed generations included) and print one report. Each run is a full scan.",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="log file or directory")
    scan.add_argument(
        "--format",
        choices=[f.value for f in OutputFormat],
        default=None,
        help="report format (default: table on a terminal, markdown otherwise)",
    )
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    scan.add_argument(
        "--analyzers",
        default=",".join(ANALYZER_NAMES),
        metavar="LIST",
        help=f"comma-separated analyses to run (default: {','.join(ANALYZER_NAMES)})",
    )
    scan.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: one per core)",
    )
    scan.add_argument(
        "--runner",
        choices=["process", "thread"],
        default="process",
        help="task runner: process pool (default) or threads",
    )
    scan.add_argument(
        "--timezone",
        default=None,
        metavar="TZ",
        help="IANA zone of year-less syslog times (default: the machine's zone)",
    )
    scan.set_defaults(handler=run_scan)

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
    if not discover(args.paths).files:
        raise UsageError(f"nothing log-like found under {', '.join(args.paths)}")
    return analyzers


def run_scan(args: argparse.Namespace) -> int:
    analyzers = check_scan_arguments(args)
    # Imported here: Prefect takes a second to import; usage errors should not wait for it.
    from flows.runners import make_task_runner, quiet_prefect_logs
    from flows.scan import AnalyzerName, scan_logs

    if not sys.stderr.isatty():
        quiet_prefect_logs()  # cron mail gets the report, not Prefect's chatter
    runner = make_task_runner(args.runner, args.workers)
    report = scan_logs.with_options(task_runner=runner)(
        paths=[str(Path(p)) for p in args.paths],
        analyzers=cast("list[AnalyzerName]", list(analyzers)),
        timezone=args.timezone,
    )
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
    """A report file is either the old one or the complete new one, never half."""
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
