"""Batches: every file once, costliest first, enough to keep every worker busy, few enough
that per-task overhead stays small; costs measured from the files where they can be."""

import bz2
import gzip
import lzma
from pathlib import Path

import zstandard
from helpers import UTC_OPTIONS, as_log_file
from hypothesis import given
from hypothesis import strategies as st

from logsweep.analyzers import ANALYZER_NAMES
from logsweep.discovery import LogFile, discover
from logsweep.ledger import Ledger
from logsweep.planning import (
    BARE_POOL_TASK,
    NS_PER_BYTE,
    NS_PER_NEEDLE_LINE,
    NS_PER_PARSED_LINE,
    NS_TO_DECOMPRESS,
    PREFECT_TASK,
    Batch,
    TaskOverhead,
    estimated_cost,
    measured_costs,
    plan,
    plan_batches,
)
from logsweep.readers import Compression
from logsweep.stateful import scan_with_ledger

sizes = st.lists(st.integers(0, 200 << 20), max_size=60)


def files_of(sizes: list[int]) -> list[LogFile]:
    names = ["syslog", "auth.log.2.gz", "kern.log.1", "access.log.3.gz"]
    return [LogFile(f"/l/{i}-{names[i % 4]}", "f", i % 8, s, 0.0) for i, s in enumerate(sizes)]


@given(sizes, st.integers(1, 8), st.sampled_from([PREFECT_TASK, BARE_POOL_TASK]))
def test_every_file_is_in_exactly_one_batch(
    sizes: list[int], workers: int, overhead: TaskOverhead
) -> None:
    files = files_of(sizes)
    batches = plan_batches(files, workers, overhead=overhead)
    planned = [f for b in batches for f in b.files]
    assert sorted(planned, key=lambda f: f.path) == sorted(files, key=lambda f: f.path)
    assert [b.cost for b in batches] == sorted((b.cost for b in batches), reverse=True)
    assert all(b.cost == sum(estimated_cost(f) for f in b.files) for b in batches)
    if files:
        total = sum(estimated_cost(f) for f in files)
        per_worker = overhead.batches_per_worker
        assert len(batches) >= min(len(files), workers)  # no idle worker while files wait
        assert len(batches) <= max(workers * per_worker, min(len(files), workers))
        # Whole rounds, one batch per worker each, unless there are fewer files.
        assert len(batches) % workers == 0 or len(batches) == len(files)
        # Many small files: few tasks (each costs ~0.1 s in Prefect's pool), each batch
        # at least the target cost when there is that much work.
        target = overhead.target_task_cost
        assert len(batches) <= workers * max(1, total // (target * workers))


def test_a_bare_pool_gets_a_task_per_file_and_prefect_a_few_batches() -> None:
    """A bare pool's task costs ~1 ms, so each file is a task and the pool balances them
    as they finish; a Prefect task costs ~0.1 s, so files share a batch of ~1 s or more."""
    files = [LogFile(f"/l/syslog.{n}", "syslog", n, 200 << 20, 0.0) for n in range(12)]
    assert sum(estimated_cost(f) for f in files) > 3 * PREFECT_TASK.target_task_cost
    bare = plan_batches(files, 2, overhead=BARE_POOL_TASK)
    assert [len(b.files) for b in bare] == [1] * 12
    prefect = plan_batches(files, 2)
    assert 2 <= len(prefect) <= 2 * PREFECT_TASK.batches_per_worker < len(files)
    assert all(b.cost >= PREFECT_TASK.target_task_cost for b in prefect)


def test_compressed_files_weigh_more_than_their_size() -> None:
    plain, gz = files_of([1000, 1000])[0], files_of([1000, 1000])[1]
    assert estimated_cost(gz) > estimated_cost(plain)


def test_slower_decompressors_weigh_more_by_name() -> None:
    """Where nothing can be read, the name says the decompressor: bzip2 is ~45x isal here."""
    costs = [
        estimated_cost(LogFile(f"/l/messages{suffix}", "messages", 1, 1000, 0.0))
        for suffix in ("", ".gz", ".zst", ".xz", ".bz2")
    ]
    assert costs[0] < costs[1] < costs[2] < costs[3] < costs[4]


def test_the_biggest_file_goes_first_and_small_ones_share_a_batch() -> None:
    files = files_of([100 << 20] + [1 << 10] * 20)
    batches = plan_batches(files, workers=2)
    assert files[0] in batches[0].files
    assert len(batches) <= 2 * PREFECT_TASK.batches_per_worker
    assert max(len(b.files) for b in batches) > 1


def write(path: Path, lines: list[str], gz: bool = False) -> LogFile:
    data = "".join(f"{line}\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return as_log_file(path)


def test_a_family_dense_with_needle_lines_costs_more_per_byte(tmp_path: Path) -> None:
    """auth.log: most lines an sshd failure, each read by itself; syslog: counted in blocks."""
    fail = "Nov 24 10:00:00 web01 sshd[1]: Failed password for root from 192.0.2.1 port 2 ssh2"
    cron = "Nov 24 10:00:00 web01 CRON[1]: (root) CMD (run-parts /etc/cron.hourly ok)"
    auth, syslog = (
        write(tmp_path / "auth.log", [fail] * 500),
        write(tmp_path / "syslog", [cron] * 500),
    )
    cost = measured_costs([auth, syslog], ANALYZER_NAMES)
    assert cost(syslog) == syslog.size * NS_PER_BYTE
    assert cost(auth) > 3 * cost(syslog) * auth.size / syslog.size
    # Without the sshd analyzer nobody reads those lines one by one.
    assert measured_costs([auth], ["volume"])(auth) == auth.size * NS_PER_BYTE


def test_needle_lines_parsed_in_python_cost_more_than_a_kernels(tmp_path: Path) -> None:
    """sshd's kernel judges printable ASCII lines; a UTF-8 user name goes to the regular
    expressions, as does every robots line (no kernel): each costs NS_PER_PARSED_LINE."""
    fail = "Nov 24 10:00:00 web01 sshd[1]: Failed password for {} from 192.0.2.1 port 2 ssh2"
    get = '192.0.2.1 - - [24/Nov/2026:10:00:00 +0000] "GET {} HTTP/1.1" 200 5 "-" "bot"'
    ascii_, utf8, robots = (
        write(tmp_path / "auth.log", [fail.format("root")] * 500),
        write(tmp_path / "secure", [fail.format("rööt")] * 300 + [fail.format("r")] * 200),
        write(tmp_path / "access.log", [get.format("/robots.txt")] * 50 + [get.format("/")] * 450),
    )
    cost = measured_costs([ascii_, utf8, robots], ANALYZER_NAMES)
    assert cost(ascii_) == int(ascii_.size * NS_PER_BYTE + 500 * NS_PER_NEEDLE_LINE)
    assert cost(utf8) == int(
        utf8.size * NS_PER_BYTE + 200 * NS_PER_NEEDLE_LINE + 300 * NS_PER_PARSED_LINE
    )
    assert cost(robots) == int(robots.size * NS_PER_BYTE + 50 * NS_PER_PARSED_LINE)


def test_a_gzip_file_costs_what_its_lines_cost_and_their_decompression(tmp_path: Path) -> None:
    lines = [f"Nov 24 10:00:{i % 60:02d} web01 CRON[{i}]: job {i}" for i in range(2000)]
    plain = write(tmp_path / "syslog.1", lines)
    (tmp_path / "old").mkdir()
    packed = write(tmp_path / "old" / "syslog.1.gz", lines, gz=True)
    cost = measured_costs([plain, packed], ANALYZER_NAMES)
    assert packed.size < plain.size / 5
    # The gzip trailer says how many bytes of lines; it is priced by their bytes.
    decompressing = plain.size * NS_TO_DECOMPRESS[Compression.GZIP]
    assert cost(packed) == int(plain.size * NS_PER_BYTE + decompressing)


def test_files_are_priced_by_their_magic_bytes_decompressor(tmp_path: Path) -> None:
    """Rotated logs come as .gz, .bz2, .xz, .zst: each priced by how fast it decompresses,
    whatever its name says (the reader trusts magic bytes too)."""
    data = "".join(f"Nov 24 10:00:{i % 60:02d} web01 CRON[{i}]: job {i}\n" for i in range(4000))
    packers = {
        "gz": gzip.compress,
        "zst": zstandard.ZstdCompressor().compress,
        "xz": lzma.compress,
        "bz2": bz2.compress,
    }
    files = []
    for n, pack in enumerate(packers.values(), start=1):
        path = tmp_path / f"syslog.{n}"  # no suffix: the bytes decide
        path.write_bytes(pack(data.encode()))
        files.append(as_log_file(path))
    cost = measured_costs(files, ANALYZER_NAMES)
    per_byte = [cost(f) / f.size for f in files]
    assert per_byte[1] < per_byte[2] < per_byte[3]  # zstd < xz < bzip2, byte for byte
    # gzip's trailer and zstd's frame header say how many bytes of lines they hold.
    assert cost(files[0]) < cost(files[1]) < cost(files[0]) * 1.1


def test_a_file_that_cannot_be_read_keeps_the_size_guess(tmp_path: Path) -> None:
    broken = tmp_path / "syslog.2.gz"
    broken.write_bytes(b"\x1f\x8b" + b"not gzip at all" * 10)
    gone = LogFile(str(tmp_path / "vanished"), "vanished", 0, 1000, 0.0)
    files = [as_log_file(broken), gone]
    cost = measured_costs(files, ANALYZER_NAMES)
    assert [cost(f) for f in files] == [estimated_cost(f) for f in files]


def test_plan_balances_measured_costs_across_workers(tmp_path: Path) -> None:
    fail = "Nov 24 10:00:00 web01 sshd[1]: Failed password for root from 192.0.2.1 port 2 ssh2"
    cron = "Nov 24 10:00:00 web01 CRON[1]: (root) CMD (run-parts /etc/cron.hourly ok)"
    files = [write(tmp_path / f"auth.log.{n}", [fail] * 2000) for n in (1, 2)]
    files.append(write(tmp_path / "syslog.1", [cron] * 8_000))

    def auth_files(batches: list[Batch]) -> list[int]:
        return [len([f for f in b.files if "auth" in f.path]) for b in batches]

    # By size, the two small auth files share a batch beside the big syslog; they cost
    # more than it, so each gets a worker.
    assert sorted(auth_files(plan_batches(files, 2))) == [0, 2]
    assert auth_files(plan(files, 2, ANALYZER_NAMES, split=True)) == [1, 1]


def cron(pid: int, count: int) -> list[str]:
    """Lines of one length, no needle, whose pid sets apart files (a head is a file's id)."""
    return [
        f"Nov 24 10:00:00 web01 CRON[{pid}]: (root) CMD (run-parts {n:06d})" for n in range(count)
    ]


LINE = len(cron(1, 1)[0]) + 1


def night_two(tmp_path: Path) -> tuple[dict[str, LogFile], Ledger]:
    """A ledger that read app.log.1 (rotated) and 200 lines of app.log; then app.log grew
    by 300 lines and was rotated and compressed, and other.log appeared with 300 lines."""
    logs, state = tmp_path / "log", tmp_path / "state.db"
    logs.mkdir()
    write(logs / "app.log.1", cron(1, 1000))
    write(logs / "app.log", cron(2, 200))
    scan_with_ledger([logs], state, UTC_OPTIONS)
    (logs / "app.log").unlink()
    write(logs / "app.log.2.gz", cron(2, 500), gz=True)
    write(logs / "other.log", cron(3, 300))
    return {Path(f.path).name: f for f in discover([logs]).files}, Ledger(state)


def test_with_a_ledger_only_what_is_left_to_read_is_priced(tmp_path: Path) -> None:
    files, ledger = night_two(tmp_path)
    with ledger:
        cost = measured_costs(list(files.values()), ANALYZER_NAMES, ledger.known_files())
    assert cost(files["app.log.1"]) == 1  # read to its end: only its head is read again
    assert cost(files["other.log"]) == int(300 * LINE * NS_PER_BYTE)  # new: all of it
    # Grown by 300 lines, and decompressed from its first byte to reach them.
    resumed = 300 * LINE * NS_PER_BYTE + 500 * LINE * NS_TO_DECOMPRESS[Compression.GZIP]
    assert cost(files["app.log.2.gz"]) == int(resumed)
    stateless = measured_costs(list(files.values()), ANALYZER_NAMES)
    assert stateless(files["app.log.1"]) == int(1000 * LINE * NS_PER_BYTE)


def test_with_a_ledger_the_new_lines_are_spread_over_the_workers(tmp_path: Path) -> None:
    files, ledger = night_two(tmp_path)
    with ledger:
        known = ledger.known_files()
    new = {"other.log", "app.log.2.gz"}

    def new_per_batch(batches: list[Batch]) -> list[int]:
        return [len([f for f in b.files if Path(f.path).name in new]) for b in batches]

    # Priced by size, the old app.log.1 takes a worker and the two files to read share
    # the other one.
    assert sorted(new_per_batch(plan(list(files.values()), 2, ANALYZER_NAMES, False))) == [0, 2]
    assert new_per_batch(plan(list(files.values()), 2, ANALYZER_NAMES, False, known=known)) == [
        1,
        1,
    ]
