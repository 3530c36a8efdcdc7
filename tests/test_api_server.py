"""The CLI's temporary API server for embedded runs (a real uvicorn Prefect server)."""

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect_server import clean_env

from flows.api_server import TemporaryServer, embedded_run, healthy, temporary_api_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.usefixtures("prefect_api")
def test_no_server_of_its_own_when_prefect_is_told_of_one() -> None:
    assert not embedded_run()
    with temporary_api_server() as server:
        assert server is None


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_taken_port_costs_a_relaunch_not_the_run(
    taken_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Launched on a port someone else holds, the server exits; it is launched again on
    a free one, answers there, and is stopped for good."""
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server = TemporaryServer(port=taken_port)
    server.launch()
    try:
        server.wait_until_ready(timeout=120)
        assert server.port != taken_port
        assert healthy(server.api_url)
        process = server.process
        assert process is not None
    finally:
        server.stop()
    assert process.poll() is not None, "the server process still runs"
    assert not healthy(server.api_url)


IN_USE = """
import os
from prefect.settings import get_current_settings
from flows.api_server import embedded_run, healthy, temporary_api_server

assert embedded_run()
with temporary_api_server() as server:
    assert server is not None
    with server.in_use():
        assert os.environ["PREFECT_API_URL"] == server.api_url  # for workers spawned later
        assert get_current_settings().api.url == server.api_url  # for this process
        assert healthy(server.api_url)
    assert "PREFECT_API_URL" not in os.environ
    assert not get_current_settings().api.url
assert not healthy(server.api_url)
print("ok")
"""


def test_in_use_points_prefect_and_workers_at_the_server_and_back(tmp_path: Path) -> None:
    """In a process of its own: this session's test server is in every settings context here."""
    env = clean_env(PREFECT_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-c", IN_USE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


def test_a_server_that_does_not_start_in_time_ends_the_scan_with_one_line(
    tmp_path: Path,
) -> None:
    """Exit 4 and what to do, no traceback, and the half-started server is stopped."""
    (tmp_path / "syslog").write_text("Nov 24 10:00:00 h cron[1]: x\n")
    env = clean_env(
        PREFECT_HOME=str(tmp_path / "home"),
        # Importing the server package alone takes seconds; a fresh home is migrated too.
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1",
    )
    cmd = [sys.executable, "-m", "flows.cli", "scan", str(tmp_path / "syslog")]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (4, ""), done.stderr
    assert done.stderr.splitlines()[-1] == (
        "logsweep: error: the temporary Prefect API server did not answer within 1 s;"
        " point PREFECT_API_URL at a running server (prefect server start), or allow the"
        " temporary one more time (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"
    )
    assert "Traceback" not in done.stderr
    assert not servers_of(tmp_path / "home"), "the server of this run still runs"


def servers_of(home: Path) -> list[int]:
    """Uvicorn processes started with this PREFECT_HOME (their environment says so)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile, or not a process
            continue
        if b"uvicorn" in cmdline and f"PREFECT_HOME={home}".encode() in environ:
            found.append(int(proc.name))
    return found
