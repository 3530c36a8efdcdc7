"""Stateful rescans against logrotate played for real: nothing lost, nothing counted twice.

A ``LogHost`` writes syslog lines to a live file and rotates it the ways
logrotate does; every line it ever writes also goes to an archive outside
the scanned tree.  After each run, the stateful report must equal a
stateless scan of the archive.
"""

import gzip
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import zstandard
from helpers import UTC_OPTIONS, scan_paths

from logsweep.ledger import Ledger, LedgerBusy, ledger_lock, ledger_report, parse_when
from logsweep.report import Report
from logsweep.stateful import scan_with_ledger

ROOT = Path(__file__).resolve().parents[1]
START = 1794000000.0  # 2026-11-06 UTC: before the files' mtimes, so the year is 2026


class LogHost:
    """A live log file with logrotate's moves, and an archive of every line written."""

    def __init__(self, tmp: Path, name: str = "syslog", seed: int = 1) -> None:
        self.dir = tmp / "log"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.archive = tmp / "archive" / "all.log"
        self.archive.parent.mkdir(parents=True, exist_ok=True)
        self.clock = START
        self.rng = random.Random(seed)
        self.live.touch()

    @property
    def live(self) -> Path:
        return self.dir / self.name

    def line(self) -> str:
        self.clock += self.rng.randint(1, 90)
        stamp = time.strftime("%b %e %H:%M:%S", time.gmtime(self.clock))
        ip = f"198.51.100.{self.rng.randint(1, 40)}"
        kind = self.rng.random()
        if kind < 0.5:
            pid = self.rng.randint(100, 999)
            return f"{stamp} web01 sshd[{pid}]: Failed password for root from {ip} port 22 ssh2"
        if kind < 0.6:
            inner = f"Failed password for admin from {ip} port 22 ssh2"
            return f"{stamp} web01 sshd[7]: message repeated 3 times: [ {inner}]"
        if kind < 0.8:
            return (
                f"{stamp} web01 sshd[8]: Invalid user u{self.rng.randint(1, 9)} from {ip} port 22"
            )
        return f"{stamp} web01 CRON[{self.rng.randint(100, 999)}]: (root) CMD (true)"

    def write(self, count: int) -> None:
        lines = "".join(self.line() + "\n" for _ in range(count))
        with self.live.open("a") as live, self.archive.open("a") as archive:
            live.write(lines)
            archive.write(lines)

    def write_partial_line(self, text: str) -> None:
        """A line still being written: no newline yet (not archived until finished)."""
        with self.live.open("a") as live:
            live.write(text)

    def finish_partial_line(self, text: str, rest: str) -> None:
        with self.live.open("a") as live, self.archive.open("a") as archive:
            live.write(rest + "\n")
            archive.write(text + rest + "\n")

    def generations(self) -> list[Path]:
        return sorted(p for p in self.dir.iterdir() if p.name.startswith(self.name + "."))

    def rotate(
        self,
        *,
        compress: str = "gz",
        delaycompress: bool = True,
        copytruncate: bool = False,
        keep: int = 8,
    ) -> None:
        """Shift syslog.N[.gz] up one, move (or copy and truncate) the live file to .1."""

        def number(p: Path) -> int:
            return int(p.name[len(self.name) + 1 :].split(".")[0])

        for old in sorted(self.generations(), key=number, reverse=True):
            n = number(old)
            suffix = old.name[len(f"{self.name}.{n}") :]
            if n + 1 > keep:
                old.unlink()
                continue
            target = self.dir / f"{self.name}.{n + 1}{suffix}"
            old.rename(target)
            if not suffix and (n + 1 >= 2 or not delaycompress):
                self._compress(target, compress)
        first = self.dir / f"{self.name}.1"
        if copytruncate:
            shutil.copy2(self.live, first)
            with self.live.open("r+") as live:
                live.truncate(0)
        else:
            self.live.rename(first)
            self.live.touch()
        if not delaycompress:
            self._compress(first, compress)

    @staticmethod
    def _compress(path: Path, kind: str) -> None:
        data = path.read_bytes()
        stat = path.stat()
        if kind == "gz":
            target, packed = (
                path.with_name(path.name + ".gz"),
                gzip.compress(data, mtime=int(stat.st_mtime)),
            )
        else:
            target, packed = (
                path.with_name(path.name + ".zst"),
                zstandard.ZstdCompressor().compress(data),
            )
        target.write_bytes(packed)
        os.utime(target, (stat.st_atime, stat.st_mtime))  # logrotate keeps the mtime
        path.unlink()

    def dateext_rotate(self, stamp: str) -> None:
        """logrotate's dateext: messages -> messages-YYYYMMDD.gz at once."""
        target = self.dir / f"{self.name}-{stamp}"
        self.live.rename(target)
        self._compress(target, "gz")
        self.live.touch()


def sections(report: Report) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    return {k: data[k] for k in ("usb", "sshd", "robots", "volume")}


def assert_equals_union(report: Report, host: LogHost) -> None:
    union = scan_paths([host.archive])
    assert sections(report) == sections(union)


def run(host: LogHost, state: Path) -> Report:
    return scan_with_ledger([host.dir], state, UTC_OPTIONS)


def bytes_read(report: Report) -> int:
    return sum(f.bytes_read for f in report.files)


@pytest.mark.parametrize("compress", ["gz", "zst"])
def test_nightly_delaycompress_rotation_over_many_runs(tmp_path: Path, compress: str) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    for _night in range(10):  # more nights than kept generations: files get deleted too
        host.write(400)
        assert_equals_union(run(host, state), host)
        host.rotate(compress=compress)
    host.write(50)
    report = run(host, state)
    assert_equals_union(report, host)
    statuses = {f.status for f in report.files}
    assert "gone" in statuses and "unchanged" in statuses


def test_second_run_without_change_reads_next_to_nothing(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    for _ in range(5):
        host.write(2000)
        run(host, state)
        host.rotate()
    host.write(2000)
    first = run(host, state)
    second = run(host, state)
    assert sections(second) == sections(first)
    assert [f.lines for f in second.files] == [f.lines for f in first.files]
    # each compressed file: its head; each plain one: the bytes before its offset
    assert bytes_read(second) <= len(second.files) * (4096 + 1024)
    assert all(f.status == "unchanged" for f in second.files)


def test_one_new_day_reads_about_the_new_bytes(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    for _ in range(8):
        host.write(3000)
        run(host, state)
        host.rotate()
    before = host.archive.stat().st_size
    host.write(3000)
    new_bytes = host.archive.stat().st_size - before
    report = run(host, state)
    assert_equals_union(report, host)
    overhead = len(report.files) * (4096 + 1024)
    assert new_bytes <= bytes_read(report) <= new_bytes + overhead


def test_two_rotations_between_runs(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(500)
    run(host, state)
    for _ in range(2):
        host.write(500)
        host.rotate()
    host.write(100)
    assert_equals_union(run(host, state), host)


def test_half_read_live_file_rotated_and_compressed_is_resumed_inside_the_stream(
    tmp_path: Path,
) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(3000)
    run(host, state)  # reads the live file to its current end
    host.write(700)  # lines written after the run, before rotation
    host.rotate(delaycompress=False)  # straight to syslog.1.gz
    host.write(10)
    report = run(host, state)
    assert_equals_union(report, host)
    rotated = next(f for f in report.files if f.path.endswith("syslog.1.gz"))
    assert rotated.status == "ok" and rotated.lines == 3700


def test_copytruncate(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(800)
    run(host, state)
    host.write(200)
    host.rotate(copytruncate=True)  # syslog.1 is a copy; syslog is emptied in place
    host.write(300)
    assert_equals_union(run(host, state), host)
    host.write(100)
    host.rotate(copytruncate=True)
    assert_equals_union(run(host, state), host)


def test_truncated_and_rewritten_live_file_is_read_from_the_start(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(900)
    run(host, state)
    # "> syslog" by hand, then the daemon writes again: size below the offset
    shutil.move(host.live, host.dir / "syslog.1")  # keep its lines in the tree
    host.live.touch()
    host.write(50)
    assert_equals_union(run(host, state), host)


def test_bytes_before_the_offset_changed_means_rewritten(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(900)
    run(host, state)
    # Rewritten in place with the same head but different later content and a larger size.
    data = host.live.read_bytes()
    head, rest = data[:5000], data[5000:]
    mangled = head + rest.replace(b"Failed password for root", b"Failed password for ROOT")
    (tmp_path / "archive" / "all.log").write_bytes(mangled + b"")
    host.live.write_bytes(mangled)
    host.write(10)
    report = run(host, state)
    # the old read's lines stay counted (they were real), the rewritten file is read anew
    rewritten = [f for f in report.files if f.path == str(host.live)]
    assert [f.status for f in rewritten] == ["gone", "ok"] or [f.status for f in rewritten] == [
        "ok",
        "gone",
    ]
    assert report.sshd is not None
    assert report.sshd.failed_by_user.get("ROOT", 0) > 0


def test_dateext(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path, name="messages"), tmp_path / "state.db"
    for day in range(12, 16):
        host.write(300)
        assert_equals_union(run(host, state), host)
        host.dateext_rotate(f"202611{day}")
    host.write(20)
    report = run(host, state)
    assert_equals_union(report, host)
    assert {f.family for f in report.files} == {"messages"}


def test_partial_last_line_waits_for_its_newline(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(100)
    text = host.line()
    host.write_partial_line(text[:20])
    assert_equals_union(run(host, state), host)
    host.finish_partial_line(text[:20], text[20:])
    assert_equals_union(run(host, state), host)


def test_empty_and_tiny_files_neither_collide_nor_get_lost(tmp_path: Path) -> None:
    log, state = tmp_path / "log", tmp_path / "state.db"
    log.mkdir()
    line = "Nov 10 10:00:00 web01 sshd[1]: Failed password for root from 192.0.2.{} port 1 ssh2\n"
    (log / "a.log").write_text("")
    (log / "b.log").write_text("")
    (log / "c.log").write_text(line.format(1))
    (log / "d.log").write_text(line.format(1))  # same tiny content as c.log
    first = scan_with_ledger([log], state, UTC_OPTIONS)
    assert first.sshd is not None and first.sshd.failures == 2
    (log / "a.log").write_text(line.format(2))
    with (log / "c.log").open("a") as grow:
        grow.write(line.format(3) * 200)  # past the fingerprint window
    second = scan_with_ledger([log], state, UTC_OPTIONS)
    assert second.sshd is not None
    assert second.sshd.failed_by_ip == {"192.0.2.3": 200, "192.0.2.1": 2, "192.0.2.2": 1}


def test_report_window_and_report_without_scanning(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(2000)  # about 25 hours of lines
    full = run(host, state)
    with Ledger(state) as ledger:
        everything = ledger_report(ledger, UTC_OPTIONS)
        assert sections(everything) == sections(full)
        cut = START + 12 * 3600
        early = ledger_report(ledger, UTC_OPTIONS, until=cut)
        late = ledger_report(ledger, UTC_OPTIONS, since=cut)
    assert early.sshd is not None and late.sshd is not None and full.sshd is not None
    assert early.sshd.failures + late.sshd.failures == full.sshd.failures
    assert 0 < early.sshd.failures < full.sshd.failures
    cut_hour = time.strftime("%Y-%m-%dT%H", time.gmtime(cut))
    assert early.volume is not None and late.volume is not None
    assert max(early.volume.by_hour) < cut_hour <= min(late.volume.by_hour)


def test_parse_when() -> None:
    assert parse_when("24h", 100000.0) == 100000.0 - 86400
    assert parse_when("2026-11-24", 0) == 1795478400.0
    assert parse_when("2026-11-24T06:00+01:00", 0) == 1795478400.0 + 5 * 3600
    assert parse_when(None, 0) is None
    with pytest.raises(ValueError, match="cannot read time"):
        parse_when("yesterday-ish", 0)


def test_ledger_file_is_private(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(10)
    run(host, state)
    assert state.stat().st_mode & 0o777 == 0o600


def test_a_second_run_waits_or_stops_with_a_clear_message(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with (
        ledger_lock(state),
        pytest.raises(LedgerBusy, match="another logsweep run"),
        ledger_lock(state, wait_seconds=0.3),
    ):
        pass


_WORKER = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
from helpers import UTC_OPTIONS
from logsweep.stateful import scan_with_ledger
scan_with_ledger([{log!r}], {state!r}, UTC_OPTIONS, lock_wait=120)
print("done")
"""


def _spawn(host: LogHost, state: Path) -> "subprocess.Popen[str]":
    code = _WORKER.format(
        root=str(ROOT), tests=str(ROOT / "tests"), log=str(host.dir), state=str(state)
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def _many_files(host: LogHost) -> None:
    for _ in range(8):
        host.write(3000)
        host.rotate()
    host.write(3000)


def _stored(state: Path) -> int:
    if not state.exists():
        return 0
    try:
        with Ledger(state) as ledger:
            return len(ledger.files())
    except Exception:  # the schema may not be written yet
        return 0


def test_a_run_killed_mid_way_leaves_the_ledger_consistent(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    _many_files(host)
    stored_after_kill = []
    for _attempt in range(3):
        victim = _spawn(host, state)
        before = _stored(state)
        deadline = time.monotonic() + 60
        # Kill as soon as the run has committed at least one more file: mid-way by construction.
        while _stored(state) <= before and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        victim.kill()
        victim.wait()
        stored_after_kill.append(_stored(state))
    report = run(host, state)
    assert_equals_union(report, host)
    # at least one kill landed mid-run: some files stored, not all
    assert any(0 < n < len(report.files) for n in stored_after_kill), stored_after_kill


def test_two_runs_at_once_never_double_count(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    _many_files(host)
    first, second = _spawn(host, state), _spawn(host, state)
    assert first.communicate(timeout=120)[0].strip() == "done"
    assert second.communicate(timeout=120)[0].strip() == "done"
    assert_equals_union(run(host, state), host)


def test_retention_prunes_old_hours_and_long_gone_files(tmp_path: Path) -> None:
    host, state = LogHost(tmp_path), tmp_path / "state.db"
    host.write(300)
    run(host, state)
    host.rotate(delaycompress=False)
    host.write(300)
    run(host, state)
    (host.dir / "syslog.1.gz").unlink()  # logrotate deleted the oldest generation
    kept = scan_with_ledger([host.dir], state, UTC_OPTIONS)  # default retention: 30 days
    assert [f.status for f in kept.files if f.path.endswith(".gz")] == ["gone"]
    assert kept.sshd is not None and kept.sshd.failures > 0
    # the lines are from 2026-11-06; a retention of one day, today, keeps none of them
    pruned = scan_with_ledger([host.dir], state, UTC_OPTIONS, retain_days=1)
    assert pruned.sshd is not None and pruned.sshd.failures == 0
    assert [f.status for f in pruned.files if f.path.endswith(".gz")] == ["gone"]  # gone today
    with Ledger(state) as ledger:  # two days later, the file gone for more than a day is forgotten
        ledger.prune(1, now=time.time() + 2 * 86400)
        assert not any(f.path.endswith(".gz") for f in ledger.files())
        assert any(f.path == str(host.live) for f in ledger.files())
