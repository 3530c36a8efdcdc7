"""The ``scan_logs`` flow: list the log files, map the parser over them, reduce.

No ``from __future__ import annotations`` here: Prefect reads the parameter
annotations at run time to build the UI form, and ``flow.serve()`` fails on
string annotations with pydantic parameters.
"""

import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal, TypeVar, cast
from uuid import UUID

from prefect import flow, get_client, get_run_logger, unmapped
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import TaskRun
from prefect.exceptions import ObjectNotFound
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import deployment
from prefect.states import Crashed
from prefect.utilities.annotations import quote
from pydantic import Field

from flows.progress import BatchProgress
from flows.runners import SharedApiProcessPoolTaskRunner, default_task_runner, worker_count
from flows.signals import reraise_signal, signals_win
from logsweep.discovery import LogFile
from logsweep.known import KnownFiles
from logsweep.ledger import ledger_lock, parse_when
from logsweep.planning import Batch, plan
from logsweep.report import Report
from logsweep.roots import check_paths, configured_roots
from logsweep.scan import (
    FileResult,
    ScanOptions,
    failed_result,
    in_discovery_order,
    merge_parts,
)
from logsweep.stateful import DEFAULT_RETAIN_DAYS, ledger_options
from tasks import (
    list_logs,
    load_known,
    parse_logs,
    publish_report,
    record_results,
    reduce_results,
    report_from_ledger,
)

AnalyzerName = Literal["usb", "sshd", "robots", "volume"]
T = TypeVar("T")


def unwalked(value: T) -> T:
    """``value`` as a task argument Prefect does not walk looking for futures.

    Prefect visits every element of every argument; a scan's results hold a
    counter per file and hour, which cost ~1.5 s a GiB to walk.  The task
    still receives ``value`` itself (``quote`` is unwrapped before the call).
    """
    return cast(T, quote(value))


def run_name() -> str:
    """Runs are named by date (scan-2026-11-24) so a night's run is easy to find in the UI."""
    return f"scan-{datetime.now():%Y-%m-%d}"


@flow(
    name="scan-logs",
    flow_run_name=run_name,
    description="Scan rotated logs on all cores: USB devices, SSH failures, robots.txt, volume.",
    task_runner=default_task_runner(),
    validate_parameters=True,
)
def scan_logs(
    paths: Annotated[list[str], Field(min_length=1)] = ["/var/log"],  # noqa: B006 - Prefect copies parameter defaults per run
    analyzers: list[AnalyzerName] = ["usb", "sshd", "robots", "volume"],  # noqa: B006
    timezone: str | None = None,
    state_path: str | None = None,
    since: str | None = None,
    until: str | None = None,
    retain_days: Annotated[float, Field(gt=0)] = DEFAULT_RETAIN_DAYS,
    file_time_limit: Annotated[float | None, Field(gt=0)] = None,
    reports_dir: str | None = None,
) -> Report:
    """List the log files, map the parser over them on the process pool, reduce to one report.

    A file that cannot be read gets its own ``error`` entry; the run goes on.

    Args:
        paths: Log files or directories to scan; directories are walked, rotated and
            compressed generations included.
        analyzers: Analyses to run: usb, sshd, robots, volume. Empty means all.
        timezone: IANA zone (e.g. Europe/Paris) of year-less syslog times; empty means
            the zone of the machine running the flow.
        state_path: SQLite ledger file for incremental runs: only new lines are read and
            the report covers everything the ledger holds. Empty: a full, stateless scan.
        since: With a ledger: report hours from this time (24h, 7d, or ISO 8601).
        until: With a ledger: report hours before this time (24h, 7d, or ISO 8601).
        retain_days: With a ledger: days of hourly results, and of deleted files, to keep.
        file_time_limit: Seconds one file may take; past it the file's read stops, what was
            read counts, and its status says why (with a ledger, the next run goes on).
        reports_dir: Folder for this run's JSON and HTML reports (named by date); empty:
            none written. A summary and a table are attached to the run either way.
    """
    options = ScanOptions(
        analyzers=_ordered(analyzers), timezone=timezone or None, time_limit=file_time_limit
    )
    roots = configured_roots(in_deployment=bool(deployment.id))
    if roots is not None:
        check_paths(paths, roots)  # fails the run before any file is read
    with signals_win():  # a cancel that lands while a task run starts still cancels
        if state_path:
            report = _scan_with_ledger(paths, roots, state_path, options, since, until, retain_days)
        else:
            report = _scan(paths, roots, options)
        publish_report(unwalked(report), reports_dir)
    return report


def _scan(paths: list[str], roots: tuple[str, ...] | None, options: ScanOptions) -> Report:
    """list -> map -> reduce, every file read in full."""
    found = list_logs(paths, roots)
    batches = plan(found.files, worker_count(), options.analyzers, split=True)
    summed = replace(options, hourly=False)  # one report: batches add up their hours
    futures = parse_logs.map([b.files for b in batches], options=unmapped(summed))
    results, returned = collect(
        futures, batches, retry=partial(retry_in_fresh_pool, options=summed, known=None)
    )
    whole = merge_parts(results)  # a big file read in parts is one entry again
    ordered = unwalked(in_discovery_order(whole, found.files))
    # wait_for: the parse -> reduce edges of the UI's graph, which unwalked() hides; only
    # batches that returned, as Prefect re-raises a dead worker's BrokenProcessPool.
    return reduce_results(ordered, found.skipped, options, wait_for=returned)


def _scan_with_ledger(
    paths: list[str],
    roots: tuple[str, ...] | None,
    state_path: str,
    options: ScanOptions,
    since: str | None,
    until: str | None,
    retain_days: float,
) -> Report:
    """list -> map (new lines only) -> record each batch -> report from the ledger.

    The lock is held by this (the flow's) process for the whole run, so a
    second run on the same ledger waits, then stops with a clear message.
    """
    now = time.time()
    window = (parse_when(since, now), parse_when(until, now))
    with ledger_lock(state_path):
        found = list_logs(paths, roots)
        known = load_known(state_path)
        batches = plan(found.files, worker_count(), options.analyzers, split=False, known=known)
        futures = parse_logs.map(
            [b.files for b in batches],
            options=unmapped(ledger_options(options)),
            known=unmapped(known),
        )
        recorded: dict[int, FileResult] = {}
        unrecorded: list[FileResult] = []

        def record(batch_results: list[FileResult]) -> None:
            stored = record_results(state_path, unwalked(batch_results))
            recorded.update(stored)
            kept = {id(r) for r in stored.values()}
            unrecorded.extend(r for r in batch_results if id(r) not in kept)

        retry = partial(retry_in_fresh_pool, options=ledger_options(options), known=known)
        results, returned = collect(futures, batches, on_batch=record, retry=retry)
        accounted = {id(r) for r in (*recorded.values(), *unrecorded)}
        unrecorded += [r for r in results if id(r) not in accounted]  # failed batches
        return report_from_ledger(
            state_path,
            options,
            unwalked(recorded),
            unwalked(unrecorded),
            found.skipped,
            paths,
            retain_days,
            *window,
            wait_for=returned,  # the UI's edges, as in _scan
        )


def _ordered(analyzers: list[AnalyzerName]) -> tuple[str, ...]:
    from logsweep.analyzers import parse_analyzer_names

    return parse_analyzer_names(list(analyzers))


def collect(
    futures: "list[PrefectFuture[list[FileResult]]]",
    batches: list[Batch],
    on_batch: Callable[[list[FileResult]], None] | None = None,
    retry: Callable[[LogFile], FileResult] | None = None,
) -> "tuple[list[FileResult], list[PrefectFuture[list[FileResult]]]]":
    """Wait for every batch; a batch that failed turns into error entries for its files.
    Returns every file's result, and the futures of the batches that returned.

    ``on_batch`` gets each batch's results as it finishes (the ledger commits
    them then, so a run killed later keeps what it had read).  When a worker
    process died (os._exit, SIGKILL, the OOM killer), the pool fails every
    batch it still had; their task runs are marked Crashed and ``retry`` reads
    each of their files again, one by one in a fresh pool.
    """
    logger = get_run_logger()
    batch_of = {id(future): batch for future, batch in zip(futures, batches, strict=True)}
    total = sum(len(b.files) for b in batches)
    progress = BatchProgress(batches)  # a terminal's progress bar, when the caller shows one
    artifact = create_progress_artifact(0.0, key="scan-progress", description="files scanned")
    results: list[FileResult] = []
    returned: list[PrefectFuture[list[FileResult]]] = []
    for future in _finishing_order(futures):
        batch = batch_of[id(future)]
        try:
            batch_results = future.result()
            returned.append(future)
            if on_batch is not None:
                on_batch(batch_results)
            results.extend(batch_results)
        except Exception as exc:
            reraise_signal(exc)  # a cancelled run stops here, it does not scan on
            logger.error("batch of %d files failed: %r", len(batch.files), exc)
            if worker_died(exc):
                mark_crashed(future, exc)
            if worker_died(exc) and retry is not None:
                retried = [retry(log) for log in batch.files]
                if on_batch is not None:
                    on_batch(retried)
                results.extend(retried)
            else:  # the reduce still runs and the report names each file it cost
                results.extend(_failed(batch.files, exc))
        progress.done(batch)
        update_progress_artifact(cast(UUID, artifact), 100.0 * progress.files_done / max(1, total))
        logger.info("scanned %d/%d files", len(results), total)
    return results, returned


def _finishing_order(
    futures: "list[PrefectFuture[list[FileResult]]]",
) -> "Iterator[PrefectFuture[list[FileResult]]]":
    """Futures as they finish (for progress); all of them, even if waiting itself fails."""
    seen: set[int] = set()
    try:
        for future in as_completed(futures):
            seen.add(id(future))
            yield future
    except Exception as exc:
        # A broken pool can break as_completed itself; the rest are handled one by one.
        get_run_logger().warning("waiting for batches failed: %r", exc)
    yield from (f for f in futures if id(f) not in seen)


def worker_died(exc: BaseException) -> bool:
    return isinstance(exc, BrokenProcessPool)


def mark_crashed(future: "PrefectFuture[Any]", exc: BaseException) -> None:
    """A task run whose worker died stays Running forever unless someone says otherwise."""
    with get_client(sync_client=True) as client:
        run = _read_task_run(client, future.task_run_id)
        if run is None:
            return  # never reported: still pending when the pool broke, nothing is Running
        if run.state is None or not run.state.is_final():
            client.set_task_run_state(
                future.task_run_id, Crashed(message=f"worker process died: {exc!r}"), force=True
            )


def _read_task_run(client: SyncPrefectClient, task_run_id: UUID) -> TaskRun | None:
    """The task run, or None if the API never heard of it.

    Workers report task runs by events, which the server records a moment
    later: a few tries before concluding the worker died before reporting.
    """
    for attempt in range(10):
        try:
            return client.read_task_run(task_run_id)
        except ObjectNotFound:
            time.sleep(0.2 * (attempt + 1))
    return None


def retry_in_fresh_pool(log: LogFile, options: ScanOptions, known: KnownFiles | None) -> FileResult:
    """Read one file again in a pool of its own: if it kills its worker again, only it is lost."""
    with SharedApiProcessPoolTaskRunner(max_workers=1) as runner:
        future = runner.submit(parse_logs, {"files": (log,), "options": options, "known": known})
        try:
            return future.result()[0]
        except Exception as exc:
            if worker_died(exc):
                mark_crashed(future, exc)
            return failed_result(log, f"worker process died twice reading this file: {exc!r}")


def _failed(files: tuple[LogFile, ...], exc: BaseException) -> list[FileResult]:
    reason = f"task failed: {type(exc).__name__}: {exc}"
    return [failed_result(log, reason) for log in files]
