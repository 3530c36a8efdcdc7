"""A big plain file read in byte-range parts on several workers is one file again.

Each part reads the lines that start inside it; merged, the parts give what
reading the file whole gives: every line once, the same counts.
"""

import gzip
import io
import itertools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import as_log_file
from hypothesis import given, settings
from hypothesis import strategies as st
from test_blockcount import comparable

from flows.runners import make_task_runner
from flows.scan import scan_logs
from logsweep import planning
from logsweep.discovery import LogFile
from logsweep.planning import PREFECT_TASK, TaskOverhead, split_large
from logsweep.readers import LineStream
from logsweep.scan import FileResult, ScanOptions, merge_parts, scan_file, scan_files

OPTIONS = ScanOptions(timezone="UTC")


def syslog_lines(count: int) -> list[str]:
    return [
        f"Nov 24 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d} web01 "
        + (
            f"sshd[{i}]: Failed password for root from 198.51.100.{i % 200} port {i} ssh2"
            if i % 7 == 0
            else f"cron[{i}]: job {'x' * (i % 300)}"
        )
        for i in range(count)
    ]


def test_split_large_cuts_big_plain_files_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planning, "SPLIT_BYTES", 1000)
    files = [
        LogFile("/l/syslog", "syslog", 0, 10_000, 0.0),
        LogFile("/l/syslog.2.gz", "syslog", 2, 10_000, 0.0),
        LogFile("/l/small", "small", 0, 999, 0.0),
    ]
    parts = split_large(files, workers=2)
    cut = [p for p in parts if p.path == "/l/syslog"]
    assert len(cut) == 6  # 2 workers x 3 batches each, fewer than size / SPLIT_BYTES
    assert next(p.part for p in cut) == (0, 1666) and cut[-1].part == (8333, 10_000)
    assert all(a.part[1] == b.part[0] for a, b in itertools.pairwise(cut))  # type: ignore[index]
    assert sum(p.size for p in cut) == 10_000
    assert [p.part for p in parts if p.path != "/l/syslog"] == [None, None]
    assert split_large(files, workers=1) == files


@pytest.mark.parametrize("count", [2, 7, 40])
@pytest.mark.parametrize("arrival", [list, lambda r: r[::-1], lambda r: r[1::2] + r[::2]])
@pytest.mark.parametrize("hourly", [True, False])
def test_parts_merged_equal_the_whole_file(
    tmp_path: Path,
    count: int,
    arrival: Callable[[list[FileResult]], list[FileResult]],
    hourly: bool,
) -> None:
    """Whatever order the parts' results come back in (a pool returns them as they finish),
    with hours kept (a ledger's scan) or folded (a one-off scan's batches)."""
    options = replace(OPTIONS, hourly=hourly)
    path = tmp_path / "syslog"
    path.write_text("\n".join(syslog_lines(5000)))  # no final newline: the last line counts
    whole = as_log_file(path)
    size = whole.size
    bounds = [size * i // count for i in range(count + 1)]
    parts = [
        LogFile(whole.path, whole.family, 0, e - s, whole.mtime, (s, e))
        for s, e in itertools.pairwise(bounds)
    ]
    (merged,) = merge_parts(arrival(scan_files(parts, options)))
    (reference,) = scan_files([whole], options)
    assert comparable(merged) == comparable(reference)
    assert merged.entry.lines == 5000
    assert merged.entry.bytes_read == size
    assert merged.entry.fingerprint == reference.entry.fingerprint


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=400).map(lambda b: b.replace(b"\r", b"")),
    cuts=st.lists(st.integers(0, 400), max_size=6),
)
def test_every_line_is_in_exactly_one_part(data: bytes, cuts: list[int]) -> None:
    from logsweep.scan import _part_stream

    bounds = sorted({0, len(data), *(min(c, len(data)) for c in cuts)})
    lines: list[bytes] = []
    for start, end in itertools.pairwise(bounds):
        raw = io.BytesIO(data)
        lines += list(LineStream(_part_stream(raw, (start, end)), max_line=10_000))
    assert lines == list(LineStream(io.BytesIO(data), max_line=10_000))


def test_a_compressed_file_with_a_plain_name_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "syslog"
    path.write_bytes(gzip.compress(("\n".join(syslog_lines(300)) + "\n").encode()))
    whole = as_log_file(path)
    parts = [
        LogFile(whole.path, whole.family, 0, 10, whole.mtime, (0, whole.size // 2)),
        LogFile(whole.path, whole.family, 0, 10, whole.mtime, (whole.size // 2, whole.size)),
    ]
    (merged,) = merge_parts(scan_files(parts, OPTIONS))
    assert comparable(merged) == comparable(scan_file(whole, OPTIONS))
    assert merged.entry.lines == 300


@pytest.mark.usefixtures("prefect_api")
def test_the_flow_reads_a_big_live_file_in_parts_on_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planning, "SPLIT_BYTES", 64 << 10)
    planned: list[LogFile] = []

    def spy(files: list[LogFile], workers: int, overhead: TaskOverhead) -> list[LogFile]:
        assert overhead == PREFECT_TASK  # the flow's tasks are Prefect's
        planned.extend(split_large(files, workers, overhead))
        return planned

    monkeypatch.setattr(planning, "split_large", spy)
    (tmp_path / "syslog").write_text("\n".join(syslog_lines(20_000)) + "\n")
    (tmp_path / "syslog.1").write_text("\n".join(syslog_lines(100)) + "\n")
    report = scan_logs.with_options(task_runner=make_task_runner("process", 2))(
        paths=[str(tmp_path)], timezone="UTC"
    )
    assert [(Path(f.path).name, f.lines) for f in report.files] == [
        ("syslog.1", 100),
        ("syslog", 20_000),
    ]
    reference = [scan_file(as_log_file(tmp_path / n), OPTIONS) for n in ("syslog.1", "syslog")]
    assert report.sshd.failures == sum(
        r.partials["sshd"][h].failures for r in reference for h in r.partials["sshd"]
    )
    assert sum(report.volume.by_host.values()) == 20_100
    assert len([p for p in planned if p.part]) == 6  # the live file went out in parts
