"""A Prefect flow that does nothing, on logsweep's task runner: the floor of any flow run.

    .venv/bin/python benchmarks/bare_flow.py [--workers 2] [--items 1]

Configuration (f) of ``benchmarks/run.py``.  It pays what every ``logsweep
scan`` pays before and after reading a single line: starting Python and
importing Prefect, reaching the API (with no ``PREFECT_API_URL``, starting the
embedded temporary server), creating the flow run, starting
``SharedApiProcessPoolTaskRunner`` (``flows/runners.py``: workers forked from a
fork server that imports Prefect when the runner starts, and that talk to the
parent's server), one mapped task run per item, and shutting it all down.  (The
CLI starts that fork server first thing, beside its own imports: an overlap
logsweep adds, which this flow does not have.)  Logs are quieted as the CLI
quiets them under a pipe.  ``logsweep scan`` on a one-line tree divided by this
is the overhead logsweep adds on top of Prefect's own.
"""

import argparse
import os
import sys
from collections.abc import Sequence

# As flows/cli.py does, and before Prefect reads its settings: a temporary server on a
# fresh PREFECT_HOME on a loaded 2-core box can take more than Prefect's 20 s to start.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from prefect import flow, task

from flows.quiet import quiet_prefect_logs
from flows.runners import make_task_runner
from flows.worker_start import stop_worker_server


@task(name="noop")
def noop(item: int) -> int:
    return item


@flow(name="bare-flow")
def bare_flow(items: int = 1) -> list[int]:
    """Map one trivial task over ``items`` items on the flow's task runner."""
    futures = noop.map(list(range(items)))
    return [future.result() for future in futures]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=None, help="pool workers (default: cores)")
    parser.add_argument("--items", type=int, default=1, help="mapped task runs")
    args = parser.parse_args(argv)
    if not sys.stderr.isatty():
        quiet_prefect_logs()
    runner = make_task_runner("process", args.workers)
    try:
        result = bare_flow.with_options(task_runner=runner)(items=args.items)
    finally:
        stop_worker_server()  # waited for, as the CLI does, so its CPU counts here too
    return 0 if result == list(range(args.items)) else 1


if __name__ == "__main__":
    sys.exit(main())
