import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from logsweep.samples import SampleTruth, generate_sample_tree

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


@pytest.fixture(scope="session")
def sample_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleTruth]:
    root = tmp_path_factory.mktemp("sample") / "tree"
    return root, generate_sample_tree(root)
