"""The block-at-a-time fast path gives exactly what parsing every line gives.

``ScanOptions(line_by_line=True)`` is the reference: each line parsed and fed
to every analyzer.  The fast path counts keys with one regex call per block,
parses the odd lines and only the lines holding an analyzer's needles.  Any
difference in lines, unparsed lines or any analyzer's hourly partial fails.
"""

import gzip
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import as_log_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsweep.analyzers import ANALYZERS
from logsweep.blockcount import KEY_PATTERNS, KeyPattern, count_block, lines_with
from logsweep.formats import LogFormat
from logsweep.readers import CHUNK_BYTES
from logsweep.samples import SampleTruth
from logsweep.scan import FileResult, ScanOptions, scan_file

FAST = ScanOptions(timezone="UTC")
SLOW = ScanOptions(timezone="UTC", line_by_line=True)


def comparable(result: FileResult) -> tuple[Any, ...]:
    """The entry's counts and every non-empty hourly partial (the line-by-line path also
    keeps empty ones for hours in which an analyzer saw lines but found nothing)."""
    data = {
        name: {
            hour: partial.to_data()
            for hour, partial in sorted(hourly.items())
            if partial.to_data() != ANALYZERS[name].empty().to_data()
        }
        for name, hourly in sorted(result.partials.items())
    }
    entry = result.entry
    return entry.status, entry.format, entry.lines, entry.unparsed_lines, data


def assert_same(path: Path, fast: ScanOptions = FAST, slow: ScanOptions = SLOW) -> FileResult:
    log = as_log_file(path)
    quick, reference = scan_file(log, fast), scan_file(log, slow)
    assert comparable(quick) == comparable(reference)
    return quick


def test_the_sample_tree_is_counted_the_same_both_ways(
    sample_tree: tuple[Path, SampleTruth],
) -> None:
    root, _ = sample_tree
    files = [p for p in sorted(root.rglob("*")) if p.is_file()]
    assert len(files) > 20
    formats = {assert_same(p).entry.format for p in files}
    assert {"rfc3164", "access"} <= formats


def test_a_year_walk_across_blocks_is_the_same(tmp_path: Path) -> None:
    """Dec 31 -> Jan 1 in a file of several blocks: the new year starts at the same line."""
    lines = []
    for i in range(40_000):  # ~3 MiB: several 1 MiB blocks, the rollover in the middle
        day, rest = ("Dec 31", 23 * 3600 + i // 12) if i < 20_000 else ("Jan  1", i // 12)
        clock = f"{rest // 3600 % 24:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"
        lines.append(f"{day} {clock} web-{i % 3} prog{i % 7}[{i}]: message number {i} " * 2)
    path = tmp_path / "syslog"
    path.write_text("\n".join(lines) + "\n")
    stamp = datetime(2027, 1, 2, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    assert path.stat().st_size > 2 * CHUNK_BYTES
    result = assert_same(path)
    hours = sorted(h for h in result.partials["volume"] if h >= 0)
    years = {datetime.fromtimestamp(h, UTC).year for h in hours}
    assert years == {2026, 2027}


def years_counted_both_ways(path: Path, lines: list[str], mtime: datetime) -> set[int]:
    """Write ``lines`` with that mtime, check both paths agree, and return the years
    the volume counted lines in."""
    path.write_text("\n".join(lines) + "\n")
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    result = assert_same(path)
    return {datetime.fromtimestamp(h, UTC).year for h in result.partials["volume"] if h >= 0}


def test_lines_after_the_files_mtime_in_its_last_minute(tmp_path: Path) -> None:
    """Within the mtime's own minute only the seconds tell which lines are a year older."""
    lines = [f"Nov 24 10:00:{s:02d} web01 cron[1]: tick {s}" for s in range(0, 60, 5)]
    mtime = datetime(2026, 11, 24, 10, 0, 30, tzinfo=UTC)
    assert years_counted_both_ways(tmp_path / "syslog", lines, mtime) == {2025, 2026}


def test_an_odd_first_line_before_the_mtime_keeps_its_year(tmp_path: Path) -> None:
    """Found by hypothesis: the first counted line is after the mtime (so a year back),
    but the odd line before it is not; in line order that one is this year."""
    lines = [
        "Nov 24 10:00:01 web: sshd[12]: Failed password for root from 198.51.100.7 port 2 ssh2",
        "Nov 24 10:59:59 web01 sshd[12]: Failed password for root from 198.51.100.7 port 2 ssh2",
    ]
    mtime = datetime(2026, 11, 24, 10, 0, 1, tzinfo=UTC)
    assert years_counted_both_ways(tmp_path / "auth.log", lines, mtime) == {2025, 2026}


# Lines of every shape the key patterns must either take exactly or leave to the parser.
SYSLOG_LINES = st.sampled_from(
    [
        "Nov 24 10:00:01 web01 sshd[12]: Failed password for root from 198.51.100.7 port 2 ssh2",
        "Nov 24 10:00:01 web01 sshd[12]: message repeated 3 times: [ Failed password for "
        "invalid user x from 203.0.113.5 port 22 ssh2]",
        "Nov  4 09:59:59 web02 kernel: [  12.345678] usb 1-1.2: New USB device found, "
        "idVendor=0781, idProduct=5567, bcdDevice= 1.00",
        "Nov  4 09:59:59 web02 kernel: [  12.345679] usb 1-1.2: Product: Cruzer Blade",
        "Nov 4 09:59:59 web02 kernel: one space before a one-digit day",
        "Nov 24 09:30:00 web02 kernel: half past",
        "<13>Nov 24 11:59:59.123 web01 CRON[99]: (root) CMD (run-parts)",
        "Nov 24 12:00:00 web01 -- MARK --",
        "Nov 24 12:00:00 sshd[1]: no host on this line",
        "Nov 24 12:00:00 host: colon after the host",
        "Nov 24 12:00:00  two spaces before the program",
        "Nov 24 12:00:00 web01 prog[unterminated: pid",
        "Nov 24 12:00:61 web01 prog: second 61",
        "Nov 24 12:61:00 web01 prog: minute 61",
        "Nov 24 25:00:00 web01 prog: hour 25",
        "Feb 30 12:00:00 web01 prog: no such day",
        "Feb 29 12:00:00 web01 prog: leap day",
        "Foo 24 12:00:00 web01 prog: no such month",
        "Nov 24 12:00:00 web01",
        "Nov 24 12:00:00 web01 ",
        "Nov 24 12:00:00 w\u00e9b01 pr\u00f6g: utf-8 host and program",
        "Nov 24 12:00:00 web01 postfix/smtpd[7]: connect from unknown",
        "\x00\x00\x00Nov 24 12:00:00 web01 prog: after a NUL run",
        "Nov 24 12:00:00 web01 prog: carriage return\r",
        "Nov 24 12:00:00 web01 prog:\r",
        "",
        "   ",
        "not a log line at all",
        "2026-11-24T12:00:00.123456+01:00 web01 sshd[1]: Invalid user bob from 198.51.100.7",
        "Dec 31 23:59:59 web01 prog: new year's eve",
        "Jan  1 00:00:00 web01 prog: new year",
    ]
)
ACCESS_LINES = st.sampled_from(
    [
        '198.51.100.7 - - [24/Nov/2026:10:00:01 +0100] "GET /robots.txt HTTP/1.1" 200 12 '
        '"-" "Googlebot/2.1"',
        '198.51.100.8 - - [24/Nov/2026:10:00:01 +0100] "GET /robots.txt?x=1 HTTP/1.1" 200 12',
        '198.51.100.9 - "a user" [24/Nov/2026:23:59:59 -0530] "GET / HTTP/1.1" 404 - "-" "x"',
        '198.51.100.9 - - [24/Nov/2026:10:00:61 +0100] "GET / HTTP/1.1" 200 1 "-" "x"',
        '198.51.100.9 - - [31/Feb/2026:10:00:01 +0100] "GET / HTTP/1.1" 200 1 "-" "x"',
        '198.51.100.9 - - [garbage] "GET /robots.txt HTTP/1.1" 200 1 "-" "x"',
        '198.51.100.9 - - [24/Nov/2026:10:00:01 +0100] "GET /\\"q\\" HTTP/1.1" 200 1',
        '198.51.100.9 - - [24/Nov/2026:10:00:01 +0100] "unterminated 200 1',
        "",
        "nonsense",
    ]
)
ISO_LINES = st.sampled_from(
    [
        "2026-11-24T10:00:01.123456+09:00 web01 sshd[1]: Failed password for a from 1.2.3.4",
        "2026-11-24T10:00:01Z web01 kernel: hello",
        "2026-11-24T10:00:01.123456789-05:30 web01 prog: nanoseconds",
        "2026-11-24T10:00:01+0900 web01 prog: offset without colon",
        "2026-13-24T10:00:01+09:00 web01 prog: month 13",
        "2026-11-24T10:00:60+09:00 web01 prog: leap second",
        "2026-11-24T10:00:01+09:00 sshd[1]: hostless",
        "Nov 24 12:00:00 web01 prog: the other format",
        "",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.one_of(
        st.lists(SYSLOG_LINES, min_size=1, max_size=60),
        st.lists(ACCESS_LINES, min_size=1, max_size=60),
        st.lists(ISO_LINES, min_size=1, max_size=60),
    ),
    mtime_second=st.integers(0, 3 * 86400),
    gz=st.booleans(),
    final_newline=st.booleans(),
)
def test_any_mix_of_lines_is_counted_the_same_both_ways(
    tmp_path: Path, lines: list[str], mtime_second: int, gz: bool, final_newline: bool
) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogateescape") + (b"\n" if final_newline else b"")
    path = tmp_path / "mixed.log"
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    # The mtime sets the year walk: from before the lines' day to two days after.
    stamp = datetime(2026, 11, 23, 12, tzinfo=UTC).timestamp() + mtime_second
    os.utime(path, (stamp, stamp))
    assert_same(path)
    # A half-hour zone: UTC hours start at local minute 30.
    kolkata = ScanOptions(analyzers=("usb", "volume"), timezone="Asia/Kolkata")
    assert_same(path, kolkata, ScanOptions(kolkata.analyzers, kolkata.timezone, line_by_line=True))


def test_count_block_counts_keys_and_keeps_odd_lines_in_order() -> None:
    block = (
        b"Nov 24 10:00:01 web01 sshd[1]: a\n"
        b"odd one\n"
        b"Nov 24 10:00:59 web01 sshd[2]: b\n"
        b"\n"
        b"Nov 24 10:01:00 web01 cron: c\n"
        b"odd two\n"
    )
    by_hour, by_minute = KEY_PATTERNS[LogFormat.RFC3164]
    counts = count_block(block, by_minute)
    assert counts.lines == 6
    assert dict(counts.keys) == {
        (b"Nov 24 10:00", b"web01", b"sshd"): 2,
        (b"Nov 24 10:01", b"web01", b"cron"): 1,
    }
    assert counts.odd == [b"odd one", b"", b"odd two"]
    counts = count_block(block, by_hour)
    assert dict(counts.keys) == {
        (b"Nov 24 10", b"web01", b"sshd"): 2,
        (b"Nov 24 10", b"web01", b"cron"): 1,
    }


def test_lines_with_finds_each_line_once_in_order() -> None:
    block = b"a sshd usb x\nnothing\nsshd sshd\nusb end\n"
    assert lines_with(block, (b"usb ", b"sshd")) == [b"a sshd usb x", b"sshd sshd", b"usb end"]
    assert lines_with(block, (b"robots",)) == []


@pytest.mark.parametrize("pattern", [p for ps in KEY_PATTERNS.values() for p in ps])
def test_every_key_pattern_has_the_odd_line_pattern_as_its_negation(pattern: KeyPattern) -> None:
    assert pattern.odd.groups == 1  # findall then returns the lines themselves
    assert pattern.keys.groups == pattern.time_fields + (2 if pattern.syslog else 0)


def test_canonical_lines_are_counted_without_parsing_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The point of the fast path: only odd lines and needle lines no analyzer reads itself
    reach the parser."""
    from logsweep import formats

    calls: list[str] = []
    parse = formats.Rfc3164Parser.parse

    def counting(self: formats.Rfc3164Parser, text: str) -> object:
        calls.append(text)
        return parse(self, text)

    monkeypatch.setattr(formats.Rfc3164Parser, "parse", counting)
    lines = [f"Nov 24 10:{i // 60 % 60:02d}:{i % 60:02d} web01 cron[{i}]: job" for i in range(3000)]
    lines[1000] = "Nov 24 10:16:40 web01 sshd[9]: Invalid user bob from 198.51.100.7 port 2"
    lines[2000] = "Nov 24 10:33:20 hostless-tag: odd"
    path = tmp_path / "syslog"
    path.write_text("\n".join(lines) + "\n")
    result = scan_file(as_log_file(path), FAST)
    assert result.entry.lines == 3000
    assert [c for c in calls if "sshd" in c or "hostless" in c] == [lines[2000]]
    assert len(calls) < 100  # the format sample and the odd line; sshd reads its own
    assert dict(result.partials["sshd"][1795514400].invalid_users) == {"bob": 1}
    assert result.partials["volume"][1795514400].by_program == {
        "cron": 2998,
        "sshd": 1,
        "hostless-tag": 1,
    }


def test_a_zone_without_whole_utc_hours_is_counted_by_minutes_from_then_on() -> None:
    from zoneinfo import ZoneInfo

    from logsweep.blockcount import HOUR, MINUTE, Clock
    from logsweep.timeinfer import YearWalker

    reference = datetime(2026, 11, 25, tzinfo=UTC).timestamp()
    kolkata = Clock(LogFormat.RFC3164, YearWalker(reference, ZoneInfo("Asia/Kolkata")), reference)
    assert kolkata.walk([(b"Nov 24 10",)], HOUR) is None  # 10:00 IST is 04:30 UTC
    assert kolkata.coarsest < HOUR  # later blocks skip the hour pattern
    (start,) = (kolkata.walk([(b"Nov 24 10:31",)], MINUTE) or {}).values()
    assert start == datetime(2026, 11, 24, 5, 1, tzinfo=UTC).timestamp()
    paris = Clock(LogFormat.RFC3164, YearWalker(reference, ZoneInfo("Europe/Paris")), reference)
    assert paris.walk([(b"Nov 24 10",)], HOUR) == {
        (b"Nov 24 10",): datetime(2026, 11, 24, 9, tzinfo=UTC).timestamp()
    }
    assert paris.coarsest == HOUR


# sshd lines built piece by piece: every part of sshd's head right and wrong, and
# messages of every rule, hostile ones included, so the sshd shortcut (read_lines) meets
# lines it must take as the parser does and lines it must leave to it.
# One date per file, as the block path needs one month per block to count it at all.
SSHD_DATE = st.sampled_from(["Nov 24", "Nov  4", "Nov 4", "Feb 30", "Foo 24", "Nov 2\u0664"])
SSHD_HEAD = st.tuples(
    st.sampled_from(["", "", "<38>", "<3800>", "\x00\x00"]),
    st.sampled_from(
        [" 10:00:01", " 10:59:59", " 10:59:61", " 10:61:00", " 10:00:01.123", " 11:00:00"]
    ),
    st.sampled_from([" web01", " web01", " web:", " w[1]", " w\u00e9b", "", " 10.0.0.1"]),
    st.sampled_from(
        [
            " sshd[12]:",
            " sshd[12]:",
            " sshd-session[3]:",
            " sshd-auth:",
            " sshd(pam_unix)[4]:",
            " sshd[12]",
            " sshdx[12]:",
            " sshd[12]:  ",
            " sshd[]:",
            " sshd[1:",
            " sshd:",
        ]
    ),
)
SSHD_MESSAGES = st.sampled_from(
    [
        " Failed password for root from 198.51.100.7 port 22 ssh2",
        " Failed password for invalid user x from 203.0.113.5 port 22 ssh2",
        " Failed publickey for bob from 2001:db8::1 port 22 ssh2: RSA SHA256:abc",
        " Failed password for a from 1.2.3.4 port 1 ssh2 from 6.6.6.6 port 2 ssh2",
        " Failed none for \u00fcser from 192.0.2.1 port 22 ssh2",
        " Invalid user admin from 192.0.2.9 port 41",
        " invalid user  from 192.0.2.9",
        " Connection closed by invalid user ubuntu 192.0.2.3 port 5 [preauth]",
        " pam_unix(sshd:auth): authentication failure; logname= uid=0 rhost=192.0.2.4",
        " authentication failure; logname= uid=0 rhost=192.0.2.5 user=root",
        " error: PAM: Authentication failure for root from 192.0.2.6",
        " Accepted publickey for deploy from 192.0.2.7 port 22 ssh2: ED25519 SHA256:x",
        " message repeated 2 times: [ Failed password for root from 192.0.2.8 port 2 ssh2]",
        " [ID 800047 auth.info] Failed password for root from 192.0.2.9 port 2 ssh2",
        " Failed password for root from 192.0.2.10 port 22 ssh2\r",
        " Failed password for r\xfft from 192.0.2.11 port 22 ssh2",
    ]
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    date=SSHD_DATE,
    lines=st.lists(st.tuples(SSHD_HEAD, SSHD_MESSAGES), min_size=1, max_size=40),
    mtime_second=st.integers(0, 2 * 86400),
)
def test_sshd_lines_read_by_the_shortcut_count_as_the_parser_counts_them(
    tmp_path: Path, date: str, lines: list[tuple[tuple[str, ...], str]], mtime_second: int
) -> None:
    text = "".join(
        f"{priority}{date}{clock}{''.join(rest)}{message}\n"
        for (priority, clock, *rest), message in lines
    )
    path = tmp_path / "auth.log"
    # surrogateescape: "\xff" in a message is the single raw byte, not UTF-8.
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    stamp = datetime(2026, 11, 24, 9, tzinfo=UTC).timestamp() + mtime_second
    os.utime(path, (stamp, stamp))
    assert_same(path)


def test_a_block_holding_the_mtime_is_counted_but_for_the_lines_near_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The block the mtime falls in is halved: only a few lines around it go line by line."""
    from logsweep import scan

    lines = [
        f"Nov 24 {10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d} web01 sshd[{i}]: "
        f"Failed password for root from 192.0.2.{i % 200} port {i} ssh2"
        for i in range(3 * 3600 - 29)  # one a second to 12:59:30, ~270 KiB: one block
    ]
    path = tmp_path / "auth.log"
    path.write_text("\n".join(lines) + "\n")
    # The last line's: the minute 12:59 is not over, its lines need their seconds.
    mtime = datetime(2026, 11, 24, 12, 59, 30, tzinfo=UTC).timestamp()
    os.utime(path, (mtime, mtime))
    one_by_one: list[str] = []
    feed = scan._FileScan.feed

    def counting_feed(self: Any, texts: Any) -> None:
        texts = list(texts)
        one_by_one.extend(texts)
        feed(self, texts)

    with monkeypatch.context() as patched:
        patched.setattr(scan._FileScan, "feed", counting_feed)
        quick = scan_file(as_log_file(path), FAST)
    assert comparable(quick) == comparable(scan_file(as_log_file(path), SLOW))
    assert quick.entry.lines == len(lines)
    assert one_by_one, "the mtime's minute cannot be counted a block at a time"
    assert len(one_by_one) < len(lines) // 40, len(one_by_one)  # the lines of ~2 minutes
