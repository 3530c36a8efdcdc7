"""The Dask task runner (the optional ``logsweep[dask]`` extra), one API server per run.

Imported only by ``flows.runners.make_task_runner("dask", ...)``, so the base
install never needs prefect-dask.  Like the process pool, Dask workers that
get no ``PREFECT_API_URL`` each start a temporary API server of their own
(~13 s each here, and their task runs land in servers nobody sees).  Prefect
ships each task to a worker with the submitting side's *explicitly set*
settings, so ``SharedApiDaskTaskRunner`` sets the flow's temporary server URL
around each submit.  That server listens on 127.0.0.1 only: the URL is handed
over when every worker runs on this host (a local cluster, or a cluster on
127.0.0.1); workers elsewhere need a Prefect server they can reach, set with
``PREFECT_API_URL`` on the flow's side (it travels with each task).
"""

import ipaddress
import logging
from collections.abc import Coroutine, Iterable
from typing import Any, ParamSpec, TypeVar, overload
from urllib.parse import urlsplit

from prefect.client.schemas.objects import RunInput
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.tasks import Task
from prefect_dask.task_runners import DaskTaskRunner, PrefectDaskFuture

from flows.runners import parent_api_url

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("logsweep.dask")


def is_loopback(address: str) -> bool:
    """True for a Dask address on this host only (``tcp://127.0.0.1:40123``, ``inproc://``)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme == "inproc":
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: assume another machine


class SharedApiDaskTaskRunner(DaskTaskRunner):
    """A Dask task runner whose local workers use the flow's temporary API server."""

    _worker_api_url: str | None = None
    _decided = False  # per instance: the flow engine enters a fresh duplicate per run

    def workers(self) -> dict[str, Any]:
        """The cluster's workers now, by address (connects to the cluster on first use)."""
        return dict(self.client.scheduler_info(n_workers=-1)["workers"])

    def cluster_threads(self) -> int:
        """Threads over all workers now in the cluster (for batch planning); 0 if none yet."""
        return sum(int(info["nthreads"]) for info in self.workers().values())

    def api_url_for_workers(self) -> str | None:
        """The temporary server URL to hand to the workers, or None to leave them alone.

        Decided at the first submit, not in ``__enter__``: Prefect also enters a
        copy of the flow's task runner on each Dask worker, where it must stay idle.
        """
        if not self._decided:
            url = parent_api_url()
            if url is not None:
                workers = list(self.workers())
                # No worker yet: those that join may be anywhere, so none gets the URL.
                if not workers or not all(is_loopback(w) for w in workers):
                    logger.warning(
                        "Not every Dask worker runs on this host, and others cannot reach "
                        "this process's temporary Prefect server, so each starts its own; set "
                        "PREFECT_API_URL to a Prefect server both sides reach (see README, "
                        "'Running on a Dask cluster')"
                    )
                    url = None
            self._worker_api_url, self._decided = url, True
        return self._worker_api_url

    # The overloads are DaskTaskRunner's own; like it, they narrow TaskRunner's
    # (a PrefectDaskFuture, not a concurrent one), hence the ignore.
    @overload  # type: ignore[override]
    def submit(
        self,
        task: "Task[P, Coroutine[Any, Any, R]]",
        parameters: dict[str, Any],
        wait_for: Iterable[PrefectDaskFuture[R]] | None = None,
        dependencies: dict[str, set[RunInput]] | None = None,
    ) -> PrefectDaskFuture[R]: ...

    @overload
    def submit(
        self,
        task: "Task[Any, R]",
        parameters: dict[str, Any],
        wait_for: Iterable[PrefectDaskFuture[R]] | None = None,
        dependencies: dict[str, set[RunInput]] | None = None,
    ) -> PrefectDaskFuture[R]: ...

    def submit(
        self,
        task: "Task[Any, Any]",
        parameters: dict[str, Any],
        wait_for: Iterable[PrefectDaskFuture[Any]] | None = None,
        dependencies: dict[str, set[RunInput]] | None = None,
    ) -> PrefectDaskFuture[Any]:
        url = self.api_url_for_workers() if self._started else None
        if url is None:
            return super().submit(task, parameters, wait_for, dependencies)
        # The submit serializes the current settings into the task it ships, so the
        # URL reaches the worker for this task only: a shared cluster is not changed.
        with temporary_settings(updates={PREFECT_API_URL: url}):
            return super().submit(task, parameters, wait_for, dependencies)
