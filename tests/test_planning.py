"""Batches: every file once, costliest first, enough to keep every worker busy, few enough
that per-task overhead stays small."""

from hypothesis import given
from hypothesis import strategies as st

from logsweep.discovery import LogFile
from logsweep.planning import (
    BATCHES_PER_WORKER,
    TARGET_TASK_BYTES,
    estimated_cost,
    plan_batches,
)

sizes = st.lists(st.integers(0, 200 << 20), max_size=60)


def files_of(sizes: list[int]) -> list[LogFile]:
    names = ["syslog", "auth.log.2.gz", "kern.log.1", "access.log.3.gz"]
    return [LogFile(f"/l/{i}-{names[i % 4]}", "f", i % 8, s, 0.0) for i, s in enumerate(sizes)]


@given(sizes, st.integers(1, 8))
def test_every_file_is_in_exactly_one_batch(sizes: list[int], workers: int) -> None:
    files = files_of(sizes)
    batches = plan_batches(files, workers)
    planned = [f for b in batches for f in b.files]
    assert sorted(planned, key=lambda f: f.path) == sorted(files, key=lambda f: f.path)
    assert [b.cost for b in batches] == sorted((b.cost for b in batches), reverse=True)
    assert all(b.cost == sum(estimated_cost(f) for f in b.files) for b in batches)
    if files:
        total = sum(estimated_cost(f) for f in files)
        assert len(batches) >= min(len(files), workers)  # no idle worker while files wait
        assert len(batches) <= max(workers * BATCHES_PER_WORKER, min(len(files), workers))
        # Many small files: few tasks (each costs ~0.1 s in Prefect's pool).
        assert len(batches) <= max(workers, -(-total // TARGET_TASK_BYTES))


def test_compressed_files_weigh_more_than_their_size() -> None:
    plain, gz = files_of([1000, 1000])[0], files_of([1000, 1000])[1]
    assert estimated_cost(gz) > estimated_cost(plain)


def test_the_biggest_file_goes_first_and_small_ones_share_a_batch() -> None:
    files = files_of([100 << 20] + [1 << 10] * 20)
    batches = plan_batches(files, workers=2)
    assert files[0] in batches[0].files
    assert len(batches) <= 2 * BATCHES_PER_WORKER
    assert max(len(b.files) for b in batches) > 1
