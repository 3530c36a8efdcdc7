from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import UTC_OPTIONS, scan_paths, write_log

from logsweep.formats import (
    AccessParser,
    Iso8601Parser,
    Rfc3164Parser,
    Rfc5424Parser,
    detect_format,
    make_parsers,
)
from logsweep.records import AccessRecord, SyslogRecord
from logsweep.timeinfer import YearWalker

REF = datetime(2026, 11, 25, tzinfo=UTC).timestamp()


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def test_rfc3164() -> None:
    parser = Rfc3164Parser(YearWalker(REF, UTC))
    assert parser.parse("Apr 24 14:46:01 host prog[123]: hello: world") == SyslogRecord(
        epoch("2026-04-24T14:46:01+00:00"), "host", "prog", "hello: world"
    )
    assert parser.parse("Apr  4 14:46:01 host kernel: [  1.0] x") == SyslogRecord(
        epoch("2026-04-04T14:46:01+00:00"), "host", "kernel", "[  1.0] x"
    )
    # no tag at all
    assert parser.parse("Apr  4 14:46:01 host last message repeated 2 times") == SyslogRecord(
        epoch("2026-04-04T14:46:01+00:00"), "host", "", "last message repeated 2 times"
    )
    assert parser.parse("not a syslog line") is None
    assert parser.parse("Foo 24 14:46:01 host prog: x") is None


def test_rsyslog_iso8601() -> None:
    record = Iso8601Parser().parse(
        "2024-04-24T14:46:01.123456+09:00 host sshd[9]: Accepted password for a from 1.2.3.4"
    )
    assert record == SyslogRecord(
        epoch("2024-04-24T05:46:01.123456+00:00"),
        "host",
        "sshd",
        "Accepted password for a from 1.2.3.4",
    )


def test_rfc5424() -> None:
    parser = Rfc5424Parser()
    record = parser.parse(
        "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 "
        '[exampleSDID@32473 iut="3" eventSource="Appl]ication"] \ufeff\'su root\' failed'
    )
    assert record == SyslogRecord(
        epoch("2003-10-11T22:14:15.003+00:00"), "mymachine.example.com", "su", "'su root' failed"
    )
    nano = parser.parse("1 2003-08-24T05:14:15.000003123-07:00 host app 1 - - msg")
    assert nano is not None and nano.ts == epoch("2003-08-24T12:14:15.000003+00:00")
    assert parser.parse("1 - - - - - -") == SyslogRecord(None, "", "", "")


def test_access_combined_and_common() -> None:
    parser = AccessParser()
    assert parser.parse(
        '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.0" 200 2326 '
        '"http://x/" "Mozilla/4.08 [en] (Win98; I ;Nav)"'
    ) == AccessRecord(
        epoch("2000-10-10T20:55:36+00:00"),
        "1.2.3.4",
        "GET",
        "/a?b=1",
        200,
        "Mozilla/4.08 [en] (Win98; I ;Nav)",
    )
    assert parser.parse(
        '::1 - frank [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.0" 404 -'
    ) == AccessRecord(epoch("2000-10-10T13:55:36+00:00"), "::1", "GET", "/", 404, None)
    # A user agent cut off at the end of the line still parses.
    cut = parser.parse('1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozil')
    assert cut is not None and cut.user_agent == "Mozil"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Nov 24 10:00:00 h p[1]: x"] * 3, "rfc3164"),
        (["2026-11-24T10:00:00.5+00:00 h p[1]: x"] * 3, "iso8601"),
        (["<13>1 2026-11-24T10:00:00Z h p 1 - - x"] * 3, "rfc5424"),
        (
            ['1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"'] * 3,
            "access",
        ),
        (["just some text", "more text"], "unknown"),
        # a header before the syslog lines does not change the verdict
        (["=== log opened ===", "Nov 24 10:00:00 h p: x", "Nov 24 10:00:01 h p: y"], "rfc3164"),
    ],
)
def test_detect_format(lines: list[str], expected: str) -> None:
    parser = detect_format(lines, make_parsers(YearWalker(REF, UTC)))
    assert (parser.format.value if parser else "unknown") == expected


def test_each_file_gets_its_own_format(tmp_path: Path) -> None:
    write_log(tmp_path / "syslog", ["Nov 24 10:00:00 h p[1]: x"])
    write_log(
        tmp_path / "access.log", ['1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1']
    )
    write_log(tmp_path / "notes.txt", ["hello"])
    report = scan_paths([tmp_path], UTC_OPTIONS)
    assert {Path(f.path).name: (f.format, f.unparsed_lines) for f in report.files} == {
        "access.log": ("access", 0),
        "syslog": ("rfc3164", 0),
        "notes.txt": ("unknown", 1),
    }
