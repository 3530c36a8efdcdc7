"""Task runners for the scan, and the fix that keeps one run on one API server.

Prefect 3.9's ``ProcessPoolTaskRunner`` spawns workers that rebuild their
settings from the parent's explicitly set settings plus their environment.
With no ``PREFECT_API_URL`` (the embedded default) the parent's temporary
server is not among those, so every worker starts a temporary server of its
own (~4 s each; 3 servers for 2 workers).  ``SharedApiProcessPoolTaskRunner``
hands the parent's server URL to each worker in the pool initializer.

Its workers start with Prefect imported: they are forked from a fork server
that imported it once (``flows/worker_start.py``), not spawned fresh.

It also makes cancellation quick and clean.  Cancelling a run (the UI's
Cancel, the API) makes the serve process or worker send SIGTERM to the
flow-run process only, wait up to 30 s, then SIGKILL it alone.  Prefect turns
the SIGTERM into ``TerminationSignal``; the stock pool's exit then waits for
every running batch (the 30 s), and the SIGKILL orphans its workers.  Here the
pool kills its workers at once when the flow is leaving on such a signal, and
each worker exits by itself when the flow-run process dies however it dies.
The Dask runner (``flows/dask_runner.py``, the optional ``logsweep[dask]``
extra) does the same for Dask workers on this host; it is imported only when
asked for.
"""

import contextlib
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import Any, Literal, Self, cast

import prefect.task_runners
from prefect.futures import PrefectFuture
from prefect.settings import get_current_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.worker_start import worker_context

RunnerKind = Literal["process", "thread", "dask"]

DASK_MISSING = "the dask runner needs the dask extra: pip install 'logsweep[dask]'"


class DaskNotInstalled(ImportError):
    """prefect-dask is missing: the base install works without it."""


ORPHAN_CHECK_SECONDS = 0.5


def _init_worker(
    flow_pid: int,
    api_url: str | None,
    user_initializer: Callable[..., None] | None,
    user_initargs: tuple[Any, ...],
) -> None:
    """Runs once in each worker, before any task."""
    _exit_with(flow_pid)
    if api_url is not None:
        os.environ["PREFECT_API_URL"] = api_url  # so get_client() sees the parent's server
    if user_initializer is not None:
        user_initializer(*user_initargs)


def _exit_with(flow_pid: int) -> None:
    """Exit this worker as soon as the flow-run process that owns its pool is gone.

    A SIGKILLed flow-run process (the runner's last resort on cancel, the OOM
    killer) cannot stop its pool, and a worker would go on parsing, then wait
    forever for work.  The worker is not that process's child but its fork
    server's, and the fork server outlives it while any worker holds the pipe
    it watches, so a change of parent says nothing.  A thread waits on a pidfd
    of the flow-run process instead (readable once it has exited); without
    pidfds (not Linux) it polls the pid.  Not prctl's PR_SET_PDEATHSIG: that
    only watches the parent, and fires when the *thread* that started the
    worker ends (a Prefect resolver thread here).
    """
    try:
        pidfd: int | None = os.pidfd_open(flow_pid)
    except ProcessLookupError:
        os._exit(1)  # gone before this worker started
    except (AttributeError, OSError):
        pidfd = None

    def watch() -> None:
        if pidfd is not None:
            select.select([pidfd], [], [])
        else:
            while _exists(flow_pid):
                time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(1)  # no cleanup to run: results would have nowhere to go

    threading.Thread(target=watch, name="logsweep-exit-with-flow", daemon=True).start()


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's: the pid was reused, the flow-run process is gone
    return True


def _kill_workers(runner: ProcessPoolTaskRunner) -> None:
    """Kill the pool's workers now: their batches' results would be thrown away."""
    executor = runner._executor
    if executor is None:
        return
    # ProcessPoolExecutor has no public way to stop running calls before Python 3.14.
    workers = list(executor._processes.values())
    for worker in workers:
        worker.kill()
    for worker in workers:
        worker.join(5)


def parent_api_url() -> str | None:
    """The temporary API server this process uses, or None when an explicit URL is set.

    An explicit URL (a running server, Cloud, the test harness) already reaches
    the workers through the environment Prefect passes them.
    """
    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        return None
    from prefect.server.api.server import SubprocessASGIServer

    # The process-wide singleton that get_client() starts for the flow run;
    # start() returns at once when it is already running.
    server = SubprocessASGIServer()
    server.start()
    return str(server.api_url)


class SharedApiProcessPoolTaskRunner(ProcessPoolTaskRunner):
    """A process pool whose workers talk to the parent's API server, never their own,
    and stop at once when the run is cancelled or its process dies."""

    def __enter__(self) -> Self:
        user = (self._initializer, self._initargs)
        self._initializer = _init_worker
        self._initargs = (os.getpid(), parent_api_url(), *user)
        try:
            with _pool_start_method(worker_context()):
                return super().__enter__()
        finally:
            # Restored so duplicate() and re-entry see the user's own initializer.
            self._initializer, self._initargs = user

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Not an error but a signal (TerminationSignal on cancel, KeyboardInterrupt, an
        # abort): the stock exit would wait for every running batch first.
        if exc_type is not None and not issubclass(exc_type, Exception):
            _kill_workers(self)
        super().__exit__(exc_type, exc_value, traceback)


class _StartMethod:
    """``multiprocessing`` as Prefect's module sees it, but ``get_context`` answers ``context``."""

    def __init__(self, context: BaseContext) -> None:
        self._context = context

    def get_context(self, method: str | None = None) -> BaseContext:
        return self._context

    def __getattr__(self, name: str) -> Any:
        return getattr(multiprocessing, name)


@contextlib.contextmanager
def _pool_start_method(context: BaseContext) -> Iterator[None]:
    """Prefect 3.9's ``ProcessPoolTaskRunner.__enter__`` builds its pool (and the queue
    its workers send events through) on ``multiprocessing.get_context("spawn")``, with
    no way to choose: for that call, its module's ``multiprocessing`` hands out ours."""
    names = vars(prefect.task_runners)
    stock = names["multiprocessing"]
    names["multiprocessing"] = _StartMethod(context)
    try:
        yield
    finally:
        names["multiprocessing"] = stock


def default_task_runner() -> TaskRunner[PrefectFuture[Any]]:
    # The flow decorator's annotation is invariant in the future type; the pool's
    # concurrent futures are PrefectFutures all the same.
    return cast(TaskRunner[PrefectFuture[Any]], SharedApiProcessPoolTaskRunner())


def make_task_runner(
    kind: RunnerKind = "process", workers: int | None = None, address: str | None = None
) -> TaskRunner[Any]:
    """The task runner for ``kind``, with ``workers`` workers (default: one per core).

    ``dask`` attaches to the scheduler at ``address`` (``tcp://host:8786``), whose
    workers are whatever that cluster has, or starts a local cluster of ``workers``
    single-threaded processes (parsing is pure Python: threads would share the GIL).
    """
    if address is not None and kind != "dask":
        raise ValueError("a Dask address needs the dask runner")
    if kind == "thread":
        return ThreadPoolTaskRunner(max_workers=workers)
    if kind == "dask":
        return _dask_runner(workers, address)
    return SharedApiProcessPoolTaskRunner(max_workers=workers)


def _dask_runner(workers: int | None, address: str | None) -> TaskRunner[Any]:
    if address is not None and workers is not None:
        raise ValueError("the workers of an existing Dask cluster are set where it runs")
    try:
        # Imported here: prefect-dask is an optional extra, the base install must work.
        from flows.dask_runner import SharedApiDaskTaskRunner
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in {"prefect_dask", "distributed", "dask"}:
            raise  # something else is broken; do not hide it behind the install hint
        raise DaskNotInstalled(DASK_MISSING) from exc
    if address is not None:
        return SharedApiDaskTaskRunner(address=address)
    cluster = {
        "n_workers": workers or os.cpu_count() or 1,
        "threads_per_worker": 1,
        "processes": True,
        # Any free port: a one-shot scan must not collide with another cluster's 8787.
        "dashboard_address": ":0",
    }
    return SharedApiDaskTaskRunner(cluster_kwargs=cluster)


def worker_count() -> int:
    """Workers of the running flow's task runner (for batch planning)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    count = getattr(runner, "_max_workers", None)
    cluster_threads = getattr(runner, "cluster_threads", None)
    if not count and callable(cluster_threads):
        # A Dask cluster's size is whatever it has, perhaps on other machines.
        count = cluster_threads()
    return int(count) if count else (os.cpu_count() or 1)
