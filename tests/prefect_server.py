"""A real ``prefect server start`` and a real ``python -m deployments.nightly``, for tests.

Plain context managers (the fixtures in the test modules wrap them): each
process is stopped on the way out, also when the test fails (terminate,
wait 10 s, kill).  Their output goes to a file so a failure can show it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.objects import FlowRun

ROOT = Path(__file__).resolve().parents[1]
PREFECT = Path(sys.executable).parent / "prefect"
STARTUP_TIMEOUT = 120.0
RUN_TIMEOUT = 240.0  # a flow run of a small sample tree, on a busy 2-core machine

T = TypeVar("T")


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT, where the UI is
    home: Path

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without inherited PREFECT_* settings (the session harness
    may have set some), plus what a server or serve process of ours needs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",  # no network, no phoning home
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
    )
    env.update(extra)
    return env


def tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def stop(process: "subprocess.Popen[bytes]") -> None:
    """Terminate the process group (uvicorn and flow-run subprocesses too), then kill."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    process: "subprocess.Popen[bytes]",
    log: Path,
    timeout: float = STARTUP_TIMEOUT,
) -> T:
    """Poll ``probe`` until it returns a value; fail early, with the output, if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what}: process exited {process.returncode}\n{tail(log)}")
        try:
            value = probe()
        except Exception:  # not up yet: connection refused, 404, ...
            value = None
        if value is not None:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what}: not ready after {timeout:.0f} s\n{tail(log)}")


@contextmanager
def running_server(home: Path) -> Iterator[Server]:
    """``prefect server start`` on 127.0.0.1 and a free port, with its SQLite under ``home``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_env(
        PREFECT_HOME=str(home),
        # The UI calls the API at this address; Prefect's default is port 4200.
        PREFECT_SERVER_UI_API_URL=f"{url}/api",
        PREFECT_SERVER_UI_ENABLED="true",
    )
    log = home / "server.log"
    home.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, so stop() reaches uvicorn's children
        )
    try:

        def healthy() -> bool | None:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
                return True if response.status == 200 else None

        wait_for("prefect server", healthy, process, log)
        yield Server(url=url, home=home)
    finally:
        stop(process)


@contextmanager
def api(server: Server) -> Iterator["SyncPrefectClient"]:
    """A sync client of ``server``, whatever API URL the session's harness has set."""
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings(updates={PREFECT_API_URL: server.api_url}),
        get_client(sync_client=True) as client,
    ):
        yield client


@contextmanager
def serve_nightly(
    server: Server, log: Path, env: Mapping[str, str], ready: Callable[[], T | None]
) -> Iterator[T]:
    """``python -m deployments.nightly`` against ``server``; yields what ``ready`` found."""
    with serve_nightly_process(server, log, env, ready) as (_, found):
        yield found


@contextmanager
def serve_nightly_process(
    server: Server, log: Path, env: Mapping[str, str], ready: Callable[[], T | None]
) -> "Iterator[tuple[subprocess.Popen[bytes], T]]":
    """``serve_nightly``, also yielding the serve process (its flow runs are its children)."""
    full_env = clean_env(
        PREFECT_API_URL=server.api_url, PREFECT_HOME=str(log.parent / "serve-home"), **env
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "deployments.nightly"],
            env=full_env,
            cwd=ROOT,  # the flow runs import flows.scan from here
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop() also ends a flow run still in progress
        )
    try:
        yield process, wait_for("serve deployments.nightly", ready, process, log)
    finally:
        stop(process)


def wait_final(server: Server, flow_run_id: UUID, timeout: float = RUN_TIMEOUT) -> "FlowRun":
    deadline = time.monotonic() + timeout
    while True:
        with api(server) as client:
            run = client.read_flow_run(flow_run_id)
        if run.state is not None and run.state.is_final():
            return run
        assert time.monotonic() < deadline, f"flow run still {run.state_name} after {timeout} s"
        time.sleep(1)
