"""Pool workers that start with Prefect already imported.

A pool worker spawned fresh spends about 1.5 s of CPU importing Prefect before
its first task, and a run on two cores starts two of them right when the scan
begins.  Where the platform has one (every POSIX system), the pool therefore
uses a fork server: one process that imports Prefect, the pool's initializers
and the parse task once, and loads the Prefect collections that each worker's
first task run would load (``collections_preload``), then forks each worker
from that state (a pool of one gave its first result 9-12 ms after it was
made, once the server had imported).  Its workers keep ``spawn``'s rules:
each gets the parent's ``sys.path`` and working directory, and its arguments
by pickle; the environment is the fork server's, and Prefect passes each task
the parent's on top.

The CLI starts the fork server first thing (``start_worker_server``), so its
imports run while the CLI imports Prefect and the API server starts.  No
Prefect import here, on purpose.
"""

import multiprocessing
import os
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

from flows.quiet import CONSOLE_LEVEL

# What a worker needs before its first task: Prefect's task engine, the pool's
# initializers (Prefect's and ours), the parse task with the core under it, and the
# Prefect collections its first task run would load.
PRELOAD = (
    "prefect.task_engine",
    "prefect.task_runners",
    "flows.runners",
    "tasks.parse",
    "flows.collections_preload",
)


def worker_context() -> BaseContext:
    """The start method of the scan's pool: a preloaded fork server, else ``spawn``."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def start_worker_server() -> None:
    """Start the fork server now, its console logging as quiet as the CLI's workers.

    Prefect configures a process's logging when it is imported, so the fork
    server's environment decides its workers' console level: warnings only,
    as the CLI wants on a pipe and under its progress bar (unless the user set
    a level).
    """
    if worker_context().get_start_method() != "forkserver":
        return
    added = CONSOLE_LEVEL not in os.environ
    os.environ.setdefault(CONSOLE_LEVEL, "WARNING")
    try:
        forkserver.ensure_running()
    finally:
        if added:
            os.environ.pop(CONSOLE_LEVEL, None)


def stop_worker_server() -> None:
    """Stop the fork server and wait for it, as a pool's exit waits for its workers.

    It would exit by itself once this process did; stopped here, a run leaves no
    process behind, and the server's CPU (its workers' too, which it waited for)
    counts as this process's children's, as spawned workers' did.
    """
    # The stdlib's own tests stop it this way; there is no public call (Python 3.11-3.14).
    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()
