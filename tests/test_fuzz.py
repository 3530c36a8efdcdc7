"""Property-based fuzzing of everything that touches hostile bytes.

Bounded in time so CI stays fast (``max_examples``); any crash hypothesis
finds becomes an explicit regression case below.
"""

import gzip
import io
import os
from datetime import UTC
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logsweep.analyzers import ANALYZERS
from logsweep.discovery import LogFile, discover, split_rotation
from logsweep.formats import make_parsers
from logsweep.readers import LineStream
from logsweep.records import AccessRecord, SyslogRecord
from logsweep.scan import ScanOptions, scan_file
from logsweep.timeinfer import YearWalker

REF = 1795600000.0
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text near the formats' shapes finds more than uniform noise.
fragments = st.sampled_from(
    [
        "Nov 24 10:00:00 ",
        "Feb 29 ",
        "2026-11-24T10:00:00.123456+09:00 ",
        "<34>1 ",
        "- - ",
        "web01 ",
        "sshd[1]: ",
        "kernel: [  1.0] ",
        "usb 1-1: ",
        "New USB device found, ",
        "idVendor=046d, idProduct=c52b",
        "Failed password for ",
        "invalid user ",
        " from ",
        "1.2.3.4",
        " port 22 ssh2",
        "message repeated 3 times: [ ",
        "]",
        "rhost=",
        '"GET ',
        "/robots.txt",
        ' HTTP/1.1" 200 1 "-" "',
        "[24/Nov/2026:10:00:00 +0000] ",
        "\x00",
        "\x1b[31m",
        "é",
        "\ufeff",
        " ",
        ":",
        "[",
        "\\",
        '"',
    ]
)
hostile_lines = st.one_of(st.text(max_size=200), st.lists(fragments, max_size=12).map("".join))


@FUZZ
@given(hostile_lines)
@example("Feb 29 10:00:00 h sshd[1]: x")  # Feb 29 with no leap year near the reference
@example("Nov 24 99:99:99 h p: x")
@example('1.2.3.4 - - [31/Feb/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1')
def test_parsers_and_analyzers_never_raise(line: str) -> None:
    for parser in make_parsers(YearWalker(REF, UTC)):
        record = parser.parse(line)
        if record is None:
            continue
        assert isinstance(record, SyslogRecord | AccessRecord)
        for analyzer in ANALYZERS.values():
            factory = (
                analyzer.syslog_collector
                if isinstance(record, SyslogRecord)
                else analyzer.access_collector
            )
            if factory is not None:
                collector = factory()
                collector.feed(record)
                analyzer.summarize(collector.finish())


@FUZZ
@given(st.binary(max_size=3000), st.integers(1, 300), st.integers(1, 200))
def test_line_stream_never_loses_or_invents_bytes(data: bytes, chunk: int, max_line: int) -> None:
    stream = LineStream(io.BytesIO(data), chunk=chunk, max_line=max_line)
    lines = list(stream)
    assert stream.bytes_read == len(data)
    assert all(len(line) <= max_line for line in lines)
    expected = data.split(b"\n")
    if expected[-1] == b"":
        expected.pop()  # a final newline ends the last line; it does not start one
    assert len(lines) == len(expected)  # every line once, long ones cut, none invented
    assert [line[:max_line] for line in expected] == lines
    assert stream.truncated_lines == sum(len(line) > max_line for line in expected)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2000), st.booleans())
def test_scan_file_reports_anything_without_raising(tmp_path: Path, data: bytes, gz: bool) -> None:
    path = tmp_path / "fuzz.log"
    path.write_bytes(gzip.compress(data)[: max(1, len(data) // 2)] if gz else data)
    st_ = path.stat()
    result = scan_file(
        LogFile(str(path), "fuzz.log", 0, st_.st_size, st_.st_mtime), ScanOptions(timezone="UTC")
    )
    assert result.entry.status in ("ok", "partial", "error")
    assert result.entry.lines >= 0


@FUZZ
@given(st.text(alphabet=st.characters(blacklist_characters="/\x00"), min_size=1, max_size=40))
@example(".gz")  # found by this test: the stem came out empty
def test_split_rotation_never_raises_and_keeps_a_stem(name: str) -> None:
    stem, number, date = split_rotation(name)
    assert stem
    assert number is None or date is None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(alphabet="abcxyz.-_0123456789", min_size=1, max_size=12), max_size=8))
def test_discovery_lists_every_regular_file_once(tmp_path: Path, names: list[str]) -> None:
    root = tmp_path / "tree"
    root.mkdir(exist_ok=True)
    for child in root.iterdir():
        child.unlink()
    made = set()
    for name in names:
        if name in (".", "..") or name.startswith(
            ("wtmp", "btmp", "lastlog", "faillog", "utmp", "tallylog")
        ):
            continue
        (root / name).write_text("x\n")
        made.add(os.path.join(root, name))
    found = discover([root])
    assert sorted(f.path for f in found.files) == sorted(made)
