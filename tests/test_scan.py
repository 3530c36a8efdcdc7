"""scan_file on good and bad input: one bad file never costs the others."""

import bz2
import gzip
import lzma
import pickle
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zstandard
from helpers import UTC_OPTIONS, as_log_file, scan_paths, write_log

from logsweep.discovery import discover
from logsweep.known import KnownFiles
from logsweep.samples import SampleTruth
from logsweep.scan import (
    ALL_HOURS,
    ScanOptions,
    build_report,
    merge_partials,
    scan_file,
    scan_files,
)

LINE = "Nov 24 10:00:00 web01 sshd[1]: Failed password for root from 198.51.100.7 port 1 ssh2"


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    # Varied lines: the compressed stream must span several decompressor input blocks.
    lines = [
        LINE.replace("port 1", f"port {i}").replace(".7 ", f".{i % 251} ") for i in range(100_000)
    ]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "auth.log.2.gz"
    path.write_bytes(data[: len(data) // 2])
    result = scan_file(as_log_file(path), UTC_OPTIONS)
    assert result.entry.status == "partial"
    assert result.entry.error is not None and "truncated" in result.entry.error
    assert 10_000 < result.entry.lines < 100_000
    assert merge_partials([result], ["sshd"])["sshd"].failures == result.entry.lines


def test_corrupt_files_are_errors_and_the_rest_is_reported(tmp_path: Path) -> None:
    write_log(tmp_path / "auth.log", [LINE])
    (tmp_path / "a.log.1.gz").write_bytes(b"\x1f\x8b\x08\x00garbage-garbage-garbage")
    (tmp_path / "b.log.1.bz2").write_bytes(b"BZh91AY&SYgarbage")
    (tmp_path / "c.log.1.xz").write_bytes(b"\xfd7zXZ\x00garbage")
    (tmp_path / "d.log.1.zst").write_bytes(b"\x28\xb5\x2f\xfdgarbage")
    report = scan_paths([tmp_path])
    status = {Path(f.path).name: (f.status, bool(f.error)) for f in report.files}
    assert status == {
        "a.log.1.gz": ("error", True),
        "auth.log": ("ok", False),
        "b.log.1.bz2": ("error", True),
        "c.log.1.xz": ("error", True),
        "d.log.1.zst": ("error", True),
    }
    assert report.sshd is not None and report.sshd.failures == 1


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    path = write_log(tmp_path / "syslog", [LINE])
    path.chmod(0)
    try:
        if path.open("rb"):  # root reads anything; then this case cannot be made here
            result = None
    except PermissionError:
        result = scan_file(as_log_file(path), UTC_OPTIONS)
    finally:
        path.chmod(0o644)
    if result is not None:
        assert result.entry.status == "error"
        assert "Permission denied" in (result.entry.error or "")


def test_file_gone_between_listing_and_reading(tmp_path: Path) -> None:
    path = write_log(tmp_path / "syslog", [LINE])
    log = as_log_file(path)
    path.unlink()
    result = scan_file(log, UTC_OPTIONS)
    assert result.entry.status == "error"
    assert "No such file" in (result.entry.error or "")


def test_invalid_utf8_nul_runs_and_missing_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "syslog"
    path.write_bytes(
        b"Nov 24 10:00:00 web01 sshd[1]: Invalid user caf\xe9 from 198.51.100.7 port 1\n"
        + b"\x00" * 4096
        + b"Nov 24 10:00:01 web01 sshd[1]: Invalid user bob from 198.51.100.7 port 2\n"
        + b"Nov 24 10:00:02 web01 sshd[1]: Invalid user eve from 198.51.100.7 port 3"
    )
    result = scan_file(as_log_file(path), UTC_OPTIONS)
    assert result.entry.status == "ok"
    assert result.entry.lines == 3
    assert result.entry.unparsed_lines == 0
    assert dict(merge_partials([result], ["sshd"])["sshd"].invalid_users) == {
        "caf\\xe9": 1,
        "bob": 1,
        "eve": 1,
    }


def test_every_compression_gives_the_same_report(tmp_path: Path) -> None:
    data = (LINE + "\n").encode() * 3
    makers = {
        "gz": gzip.compress,
        "bz2": bz2.compress,
        "xz": lzma.compress,
        "zst": zstandard.ZstdCompressor().compress,
        "plain": lambda d: d,
    }
    for suffix, make in makers.items():
        (tmp_path / suffix).mkdir()
        (tmp_path / suffix / f"auth.log.2.{suffix}").write_bytes(make(data))
    figures = set()
    for suffix in makers:
        report = scan_paths([tmp_path / suffix])
        assert report.files[0].status == "ok"
        assert report.sshd is not None
        figures.add((report.files[0].lines, report.sshd.failures, report.files[0].fingerprint))
    assert len(figures) == 1


def test_empty_and_binary_files(tmp_path: Path) -> None:
    (tmp_path / "empty.log").write_bytes(b"")
    (tmp_path / "noise.log").write_bytes(bytes(range(256)) * 64)
    report = scan_paths([tmp_path])
    entries = {Path(f.path).name: f for f in report.files}
    assert entries["empty.log"].status == "ok" and entries["empty.log"].lines == 0
    assert entries["noise.log"].status == "ok" and entries["noise.log"].format == "unknown"


def test_report_has_the_json_contract(tmp_path: Path) -> None:
    write_log(tmp_path / "auth.log", [LINE])
    data = scan_paths([tmp_path]).model_dump(mode="json")
    assert data["schema_version"] == 1
    assert set(data["files"][0]) >= {
        "path",
        "family",
        "generation",
        "compression",
        "format",
        "fingerprint",
        "lines",
        "bytes_read",
        "status",
        "error",
    }
    assert set(data["sshd"]) >= {
        "failures",
        "failed_by_ip",
        "failed_by_user",
        "invalid_users",
        "pam_failures_by_rhost",
        "accepted",
    }
    assert set(data["usb"]) == {"devices"}
    assert set(data["robots"]) == {"requests", "by_ip", "user_agents"}
    assert set(data["volume"]) >= {"by_host", "by_program", "by_hour"}
    assert (
        data["volume"]["by_hour"] == {"2026-11-24T10:00:00+00:00": 1} or data["volume"]["by_hour"]
    )


def test_an_unexpected_parser_exception_costs_only_its_file(
    tmp_path: Path, monkeypatch: "pytest.MonkeyPatch"
) -> None:
    from logsweep.analyzers import sshd

    # A line sshd's C reader leaves to the parser (the PAM error shape), so the rules run.
    pam = "Nov 24 10:00:00 web01 sshd[1]: error: PAM: Authentication failure for x from 1.2.3.4"
    write_log(tmp_path / "auth.log", [pam])
    write_log(tmp_path / "syslog", ["Nov 24 10:00:00 web01 cron[1]: fine"])

    def broken(program: str, message: str) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(sshd, "message_event", broken)
    report = scan_paths([tmp_path])
    status = {Path(f.path).name: (f.status, f.error) for f in report.files}
    assert status["syslog"] == ("ok", None)
    assert status["auth.log"][0] == "partial"  # what was read before the bug still counts
    assert "internal error" in (status["auth.log"][1] or "")


def test_a_file_over_its_time_limit_stops_with_what_it_read(tmp_path: Path) -> None:
    lines = [LINE.replace("port 1", f"port {i}") for i in range(300_000)]
    path = write_log(tmp_path / "auth.log", lines)
    options = ScanOptions(timezone="UTC", time_limit=0.05)
    result = scan_file(as_log_file(path), options, KnownFiles())
    assert result.entry.status == "partial"
    assert "time limit of 0.05 s reached" in (result.entry.error or "")
    assert 0 < result.entry.lines < 300_000
    # what was read is exactly what the ledger would record: the next run goes on from there
    assert result.progress is not None and not result.progress.complete
    assert merge_partials([result], ["sshd"])["sshd"].failures == result.entry.lines


def test_folded_hours_give_the_same_report_in_fewer_bytes(
    sample_tree: tuple[Path, SampleTruth],
) -> None:
    """A one-off scan's batches add up their hours (ScanOptions.hourly=False): the report
    must not change, and what a batch sends back must shrink."""
    root, _ = sample_tree
    found = discover([root])
    hourly = scan_files(found.files, UTC_OPTIONS)
    folded = scan_files(found.files, replace(UTC_OPTIONS, hourly=False))
    assert any(len(hours) > 1 for r in hourly for hours in r.partials.values())
    for result in folded:
        assert all(set(hours) <= {ALL_HOURS} for hours in result.partials.values())
    assert [r.entry for r in folded] == [r.entry for r in hourly]
    stamp = datetime(2026, 11, 25, tzinfo=UTC)
    assert build_report(folded, found.skipped, UTC_OPTIONS, generated_at=stamp) == build_report(
        hourly, found.skipped, UTC_OPTIONS, generated_at=stamp
    )
    assert len(pickle.dumps(folded)) < len(pickle.dumps(hourly)) / 2
