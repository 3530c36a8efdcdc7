"""Small shared test helpers (plain functions, no fixtures)."""

import gc
import gzip
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from logsweep.discovery import LogFile, discover
from logsweep.report import Report
from logsweep.scan import ScanOptions, build_report, scan_file

UTC_OPTIONS = ScanOptions(timezone="UTC")


def write_log(
    path: Path, lines: Sequence[str], *, mtime: datetime | None = None, gz: bool = False
) -> Path:
    """Write lines (newline-terminated) and set the mtime logrotate would keep."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(f"{line}\n" for line in lines).encode()
    if gz:
        stamp = int(mtime.timestamp()) if mtime else 0
        path.write_bytes(gzip.compress(data, mtime=stamp))
    else:
        path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def scan_paths(paths: Sequence[Path | str], options: ScanOptions = UTC_OPTIONS) -> Report:
    """The whole core pipeline in this process: discover, scan each file, reduce."""
    found = discover(paths)
    return build_report([scan_file(f, options) for f in found.files], found.skipped, options)


def as_log_file(path: Path) -> LogFile:
    st = path.stat()
    return LogFile(str(path), path.name, 0, st.st_size, st.st_mtime)


def is_subset(expected: Any, actual: Any) -> bool:
    """Dicts: every expected key matches; lists: same length, element-wise subset."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and is_subset(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(is_subset(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


REFERENCE = datetime(2026, 11, 25, tzinfo=UTC)


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below pid, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (ppid := parent_pid(int(entry.name))) is not None:
            children.setdefault(ppid, []).append(int(entry.name))
    found: list[tuple[int, str]] = []
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        try:
            cmd = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        found.append((child, cmd.decode(errors="replace")))
        stack.extend(children.get(child, []))
    return found


FORK_SERVER = "multiprocessing.forkserver import main"


def pool_workers(processes: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The pool workers among ``processes`` (pid, command line), as ``descendants`` gives:
    spawned ones (``spawn_main``), or those a fork server forked, which share its command
    line and are its children; the server itself is not one."""
    servers = {pid for pid, cmd in processes if FORK_SERVER in cmd}
    return [
        (pid, cmd)
        for pid, cmd in processes
        if "spawn_main" in cmd or (pid in servers and parent_pid(pid) in servers)
    ]


def parent_pid(pid: int) -> int | None:
    try:
        return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def close_prefect_clients() -> None:
    """Stop the events and run-log senders a test process keeps after running flows.

    Why: while open, the events websocket is pinged every 20 s from Prefect's event-loop
    thread, and websockets draws each ping's payload from the global ``random``.  A ping
    that lands inside a hypothesis draw reads as "random module inside strategies"
    (HypothesisDeprecationWarning, to become an error).  The next flow run reopens them.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    EventsWorker.drain_all(timeout=10, at_exit=False)
    APILogWorker.drain_all(timeout=10, at_exit=False)


def open_websockets() -> list[str]:
    """The paths of this process's websocket connections that are not closed."""
    from websockets.asyncio.connection import Connection
    from websockets.protocol import State

    return [
        obj.request.path if obj.request else "?"
        for obj in gc.get_objects()
        if isinstance(obj, Connection) and obj.state is not State.CLOSED
    ]


# The modules a pool worker had right after its fork, before any task: filled in the
# worker by record_modules_at_start, the pool's initializer.
MODULES_AT_START: set[str] = set()


def record_modules_at_start() -> None:
    MODULES_AT_START.update(sys.modules)
