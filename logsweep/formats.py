"""Detect a file's log format from its first lines and parse lines of it.

Each format is a class with ``parse(text) -> record | None``; a file gets the
format that parses most of its first lines, and lines that do not fit it
are counted as unparsed rather than guessed at.
"""

import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from logsweep.records import AccessRecord, SyslogRecord
from logsweep.timeinfer import MONTHS, YearWalker

Record = SyslogRecord | AccessRecord


class LogFormat(StrEnum):
    RFC3164 = "rfc3164"
    ISO8601 = "iso8601"
    RFC5424 = "rfc5424"
    ACCESS = "access"
    UNKNOWN = "unknown"


class LineParser(Protocol):
    format: LogFormat

    def parse(self, text: str) -> Record | None: ...


# "prog[123]: msg", "prog: msg"; anything else keeps the whole rest as message.
_TAG = re.compile(r"(?P<prog>[^\s\[:]+)(?:\[(?P<pid>[^\]]*)\])?: ?")


def split_tag(rest: str) -> tuple[str, str]:
    """(program, message) from the part of a syslog line after the host."""
    tag = _TAG.match(rest)
    if tag is None:
        return "", rest
    return tag["prog"], rest[tag.end() :]


_RFC3164 = re.compile(
    r"(?:<\d{1,3}>)?(?P<mon>[A-Z][a-z]{2}) (?P<day>[ \d]?\d) "
    r"(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)(?:\.\d+)? (?P<rest>.*)",
    re.DOTALL,
)


class Rfc3164Parser:
    format = LogFormat.RFC3164

    def __init__(self, walker: YearWalker) -> None:
        self._walker = walker

    def parse(self, text: str) -> SyslogRecord | None:
        match = _RFC3164.match(text)
        if match is None:
            return None
        month = MONTHS.get(match["mon"])
        if month is None:
            return None
        try:
            ts = self._walker.epoch(
                month, int(match["day"]), int(match["h"]), int(match["m"]), int(match["s"])
            )
        except ValueError:
            return None
        rest = match["rest"]
        host, _, rest = rest.partition(" ")
        if host.endswith(":") or "[" in host:
            # No host field (some BSD and local-only setups): the first word is the tag.
            program, message = split_tag(f"{host} {rest}")
            return SyslogRecord(ts, "", program, message)
        program, message = split_tag(rest)
        return SyslogRecord(ts, host, program, message)


_ISO8601 = re.compile(
    r"(?:<\d{1,3}>)?(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)) "
    r"(?P<host>\S+) (?P<rest>.*)",
    re.DOTALL,
)


def iso_epoch(stamp: str) -> float | None:
    try:
        if len(stamp) > 26 and "." in stamp:
            # fromisoformat takes at most microseconds; RFC 5424 allows nanoseconds.
            head, _, tail = stamp.partition(".")
            digits = len(tail) - len(tail.lstrip("0123456789"))
            stamp = f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}"
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


class Iso8601Parser:
    """rsyslog's RSYSLOG_FileFormat: ISO 8601 with offset, then host and tag."""

    format = LogFormat.ISO8601

    def parse(self, text: str) -> SyslogRecord | None:
        match = _ISO8601.match(text)
        if match is None:
            return None
        ts = iso_epoch(match["ts"])
        if ts is None:
            return None
        program, message = split_tag(match["rest"])
        return SyslogRecord(ts, match["host"], program, message)


_RFC5424 = re.compile(
    r"(?:<\d{1,3}>)?1 (?P<ts>-|\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
    r"(?P<sd>-|(?:\[(?:[^\]\"\\]|\\.|\"(?:[^\"\\]|\\.)*\")*\])+)(?: (?P<msg>.*))?",
    re.DOTALL,
)


class Rfc5424Parser:
    format = LogFormat.RFC5424

    def parse(self, text: str) -> SyslogRecord | None:
        match = _RFC5424.match(text)
        if match is None:
            return None
        ts = None if match["ts"] == "-" else iso_epoch(match["ts"])
        if ts is None and match["ts"] != "-":
            return None
        host = "" if match["host"] == "-" else match["host"]
        app = "" if match["app"] == "-" else match["app"]
        message = (match["msg"] or "").removeprefix("\ufeff")
        return SyslogRecord(ts, host, app, message)


_ACCESS = re.compile(
    r"(?P<client>\S+) \S+ (?:\S+|\"[^\"]*\") \[(?P<ts>[^\]]+)\] "
    r"\"(?P<request>[^\"\\]*(?:\\.[^\"\\]*)*)\" (?P<status>\d{3}|-) (?:\S+)"
    r"(?: \"[^\"\\]*(?:\\.[^\"\\]*)*\" \"(?P<ua>[^\"\\]*(?:\\.[^\"\\]*)*)\"?)?",
    re.DOTALL,
)
_CLF_TIME = re.compile(
    r"(?P<day>\d\d)/(?P<mon>[A-Z][a-z]{2})/(?P<year>\d{4}):(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)"
    r" (?P<sign>[+-])(?P<oh>\d\d)(?P<om>\d\d)"
)


def clf_epoch(stamp: str) -> float | None:
    """``24/Nov/2026:14:46:01 +0100`` -> epoch seconds, without strptime's cost."""
    match = _CLF_TIME.fullmatch(stamp)
    if match is None:
        return None
    month = MONTHS.get(match["mon"])
    if month is None:
        return None
    offset = (int(match["oh"]) * 60 + int(match["om"])) * 60
    try:
        local = datetime(
            int(match["year"]),
            month,
            int(match["day"]),
            int(match["h"]),
            int(match["m"]),
            int(match["s"]),
        )
    except ValueError:
        return None
    naive_epoch = (local - _EPOCH).total_seconds()
    return naive_epoch - offset if match["sign"] == "+" else naive_epoch + offset


_EPOCH = datetime(1970, 1, 1)


class AccessParser:
    format = LogFormat.ACCESS

    def parse(self, text: str) -> AccessRecord | None:
        match = _ACCESS.match(text)
        if match is None:
            return None
        ts = clf_epoch(match["ts"])
        method, _, rest = match["request"].partition(" ")
        target = rest.rsplit(" ", 1)[0] if " HTTP/" in rest else rest
        status = match["status"]
        return AccessRecord(
            ts,
            match["client"],
            method,
            target,
            None if status == "-" else int(status),
            match["ua"],
        )


def make_parsers(walker: YearWalker) -> list[LineParser]:
    """One parser per known format; the RFC 3164 one uses the file's year walk."""
    return [Rfc5424Parser(), Iso8601Parser(), Rfc3164Parser(walker), AccessParser()]


def detect_format(sample: Sequence[str], parsers: Sequence[LineParser]) -> LineParser | None:
    """The parser that accepts most sample lines; None when none accepts any.

    Order breaks ties: RFC 5424 before ISO 8601 since both start with a date.
    """
    best: LineParser | None = None
    best_hits = 0
    lines = [line for line in sample if line.strip()]
    for parser in parsers:
        hits = sum(1 for line in lines if _probe(parser, line))
        if hits > best_hits:
            best, best_hits = parser, hits
    return best


def _probe(parser: LineParser, line: str) -> bool:
    if isinstance(parser, Rfc3164Parser):
        # Probing must not move the file's year walk, so test the shape only.
        return _RFC3164.match(line) is not None
    return parser.parse(line) is not None
