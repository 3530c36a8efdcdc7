"""What a parsed log line is, whatever format it came in."""

from typing import NamedTuple


class SyslogRecord(NamedTuple):
    """A syslog-family line (RFC 3164, rsyslog ISO 8601, RFC 5424)."""

    ts: float | None  # UTC epoch seconds
    host: str
    program: str  # the tag without [pid]
    message: str


class AccessRecord(NamedTuple):
    """An Apache/nginx common or combined access-log line."""

    ts: float | None
    client: str
    method: str
    target: str  # the request target as sent, query string included
    status: int | None
    user_agent: str | None
