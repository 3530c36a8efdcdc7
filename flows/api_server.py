"""The temporary API server of an embedded run, started as soon as the run is known.

With no ``PREFECT_API_URL`` Prefect starts a temporary API server when the flow
first needs one, and the two costs come one after the other: the CLI process
imports Prefect's whole server package to launch it (~5 s of one core on the
test VM: FastAPI, SQLAlchemy, every model), then the server process imports
the same and migrates its database (~9 s).  The CLI launches that server
itself, with the command and settings Prefect's ``SubprocessASGIServer`` uses,
right after Prefect's settings say the run is embedded, and points this
process and its pool workers at it through ``PREFECT_API_URL``.  The server
then starts while the CLI imports the flow, and the CLI never imports the
server package.  Still one API server per run, stopped when the run ends.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import prefect
from prefect.context import refresh_global_settings_context
from prefect.events.worker import EventsWorker
from prefect.logging import get_logger
from prefect.logging.handlers import APILogWorker
from prefect.settings import get_current_settings

START_ATTEMPTS = 3  # a port taken between choosing it and binding it: try another
STOP_GRACE_SECONDS = 5.0
DRAIN_SECONDS = 5.0  # as Prefect's own flush: never hang the exit on a stuck sender
POLL_SECONDS = 0.1


class ServerDidNotStart(RuntimeError):
    """The temporary API server exited or did not answer in time."""


def embedded_run() -> bool:
    """True when Prefect would start a temporary API server for this process."""
    settings = get_current_settings()
    return not settings.api.url and settings.server.ephemeral.enabled


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(port: int) -> list[str]:
    """Prefect 3's own command for its temporary server (``SubprocessASGIServer``)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(prefect.__module_path__.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def server_environment() -> dict[str, str]:
    """This process's environment and Prefect settings, with the temporary server's flags
    (no UI; ephemeral: the services a one-run server needs), as Prefect passes them."""
    settings = get_current_settings().to_environment_variables(exclude_unset=True)
    return {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        **settings,
    }


@dataclass
class TemporaryServer:
    port: int = field(default_factory=free_port)
    process: "subprocess.Popen[bytes] | None" = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def launch(self) -> None:
        get_logger("logsweep").info("Starting temporary server on %s", self.api_url)
        self.process = subprocess.Popen(server_command(self.port), env=server_environment())

    def wait_until_ready(self, timeout: float) -> None:
        """Return once the server answers its health check; relaunch on another port
        if the chosen one was taken meanwhile."""
        deadline = time.monotonic() + timeout
        for attempt in range(START_ATTEMPTS):
            if attempt:
                self.port = free_port()
                self.launch()
            assert self.process is not None
            while self.process.poll() is None:
                if healthy(self.api_url):
                    return
                if time.monotonic() > deadline:
                    raise ServerDidNotStart(
                        f"the temporary Prefect API server did not answer within {timeout:g} s"
                    )
                time.sleep(POLL_SECONDS)
            code = self.process.returncode
        raise ServerDidNotStart(f"the temporary Prefect API server exited (code {code})")

    @contextlib.contextmanager
    def in_use(self) -> Iterator[None]:
        """Wait for the server, then point Prefect at it through the environment: pool
        workers spawned later inherit it, and this process's global settings (read
        once, at import) are read again.  Global, not a settings context: Prefect's
        log and event threads read the global ones, and without a URL they would start
        a temporary server of their own."""
        self.wait_until_ready(get_current_settings().server.ephemeral.startup_timeout_seconds)
        previous = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = self.api_url
        refresh_global_settings_context()
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = previous
            refresh_global_settings_context()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def healthy(api_url: str) -> bool:
    try:
        # S310: the URL is built here, http://127.0.0.1, never from input.
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def temporary_api_server() -> Iterator[TemporaryServer | None]:
    """Launch this run's temporary API server now, or yield None when Prefect is told
    of a server (``PREFECT_API_URL``, a profile, Cloud).  The caller enters
    ``in_use()`` before its flow starts; the server stops on the way out."""
    if not embedded_run():
        yield None
        return
    server = TemporaryServer()
    server.launch()
    try:
        yield server
    finally:
        drain_prefect_senders()
        server.stop()


def drain_prefect_senders() -> None:
    """Send the logs and events Prefect still queues, while the server is up: after
    it stops, its log thread retries for over a minute ("Error logging to API")."""
    APILogWorker.drain_all(timeout=DRAIN_SECONDS)
    EventsWorker.drain_all(timeout=DRAIN_SECONDS)
