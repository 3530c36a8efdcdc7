import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from logsweep.samples import SampleTruth, generate_sample_tree

if TYPE_CHECKING:
    from prefect_server import Server

# No network here, and tests must not phone home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """One real (temporary) Prefect server for the whole session: it takes seconds to start.

    Shared by every test module that runs flows, so a session starts one, not one per file.
    Imported here, not at the top: the core's tests must not pay for importing Prefect.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(autouse=True)
def close_prefect_clients_after_each_test() -> Iterator[None]:
    """No Prefect client thread touches the global ``random`` during later (hypothesis) tests.

    See ``helpers.close_prefect_clients``.  A no-op until a test has imported Prefect's events.
    """
    yield
    if "prefect.events.worker" in sys.modules:
        from helpers import close_prefect_clients

        close_prefect_clients()


@pytest.fixture(scope="session")
def sample_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleTruth]:
    root = tmp_path_factory.mktemp("sample") / "tree"
    return root, generate_sample_tree(root)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> "Iterator[Server]":
    """A real ``prefect server start`` (127.0.0.1, free port, temporary PREFECT_HOME).

    Session-scoped: the served deployment and the work-pool tests share it, each
    with its own module-scoped process serving or working against it.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect_server import running_server

    with running_server(tmp_path_factory.mktemp("prefect-home")) as server:
        try:
            yield server
        finally:
            # Send what this process still buffers (events, run logs) while the server is
            # up; otherwise the workers retry at interpreter exit against a closed port.
            EventsWorker.drain_all(timeout=10)
            APILogWorker.drain_all(timeout=10)
