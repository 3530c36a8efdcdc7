"""SSH brute force: failed authentications by source and user, invalid users, logins.

Rules are data (``RULES``): a name and a regex over the sshd message.  A
``message repeated N times: [ ... ]`` line (rsyslog's repeat reduction)
applies the inner message's rule N times.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from logsweep.analyzers.base import (
    Analyzer,
    Event,
    counter_data,
    hour_start,
    merge_counters,
)
from logsweep.records import SyslogRecord

try:  # sshd's common lines read in C (_sshdscan.c): the same events, ~10x faster
    from logsweep import _sshdscan
except ImportError:  # not built (a bare source tree): the parser reads them
    _sshdscan = None  # type: ignore[assignment]

PROGRAMS = frozenset({"sshd", "sshd-session", "sshd-auth", "sshd(pam_unix)"})

# What sshd writes after the source address: " port N ssh2", then ": <auth info>"
# or " [preauth]".  Old releases omit the port or the protocol.
_TAIL = r"(?: port \d+)?(?: ssh\d?)?(?::\s.*| \[preauth\])?\s*$"


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]


def _rule(name: str, pattern: str) -> Rule:
    return Rule(name, re.compile(pattern, re.DOTALL))


# Users and auth info are attacker-controlled and may contain " from X port N".
# The user field is lazy and the tail strict, so the source is the first
# " from ADDR" that is followed by a well-formed tail: an injected "from" in
# the user name is not followed by one, an injected one in the auth info comes
# after the real source (the cases fail2ban's sshd test log exercises).
RULES: tuple[Rule, ...] = (
    _rule(
        "failed",
        r"Failed (?P<method>[\w-]+(?:/[\w-]+)?) for (?:invalid user |illegal user )?"
        r"(?P<user>.*?) from (?P<ip>\S+)" + _TAIL,
    ),
    _rule(
        "pam_error",
        # macOS writes "authentication error ... via <local address>"
        r"error: PAM: [Aa]uthentication (?:failure|error) for (?:illegal user |invalid user )?"
        r"(?P<user>.*?) from (?P<ip>\S+)(?: via \S+)?\s*$",
    ),
    _rule("invalid_user", r"[Ii]nvalid user (?P<user>.*?) from (?P<ip>\S+)" + _TAIL),
    _rule(
        "pam_unix",
        r"(?:pam_unix\(sshd:auth\): )?authentication failure;.*?\brhost=(?P<rhost>\S+)",
    ),
    _rule(
        "accepted",
        r"Accepted (?P<method>[\w-]+(?:/[\w-]+)?) for (?P<user>.*?) from (?P<ip>\S+)" + _TAIL,
    ),
)
# A literal every rule needs (the inner message of "message repeated" too): the
# scan's fast path parses only sshd lines holding one, not every "Connection
# closed" or "Disconnected" line of a brute force.
NEEDLES = (b"Failed ", b"error: PAM: ", b"nvalid user ", b"authentication failure;", b"Accepted ")
# Solaris and some BSDs put "[ID 800047 auth.info] " before the message.
_SOLARIS_ID = re.compile(r"\[ID \d+ [\w.]+\] ")
_REPEATED = re.compile(r"message repeated (?P<n>\d+) times: \[\s?(?P<inner>.*)\]\s*$", re.DOTALL)


def _match_rule(message: str) -> tuple[str, dict[str, str]] | None:
    for rule in RULES:
        match = rule.pattern.match(message)
        if match:
            return rule.name, match.groupdict()
    return None


def extract(record: SyslogRecord) -> Event | None:
    """The event one sshd line reports: ``{"rule", "count", ...fields}`` or None."""
    if record.program not in PROGRAMS:
        return None
    return message_event(record.program, record.message)


def message_event(program: str, message: str) -> Event | None:
    """The event of one message of an sshd program (``extract`` without the record)."""
    count = 1
    if message.startswith("[ID "):
        message = _SOLARIS_ID.sub("", message, count=1)
    repeated = _REPEATED.match(message)
    if repeated:
        count, message = int(repeated["n"]), repeated["inner"]
    found = _match_rule(message)
    if found is None:
        return None
    name, fields = found
    if name == "pam_unix" and program != "sshd(pam_unix)" and not message.startswith("pam_unix"):
        return None  # another PAM module's failure line, not pam_unix's
    return {"rule": name, "count": count, **fields}


# Each rule's fields, in the order _sshdscan.sshd_events gives them.
FIELDS = {
    "failed": ("method", "user", "ip"),
    "pam_error": ("user", "ip"),
    "invalid_user": ("user", "ip"),
    "pam_unix": ("rhost",),
    "accepted": ("method", "user", "ip"),
}
# The events of one time stamp added up (the fast path's reads): failures, then
# failures by source address and by user, invalid users, pam_unix failures by rhost,
# and accepted logins by (user, ip, method).
StampCounts = tuple[
    int,
    dict[str, int],
    dict[str, int],
    dict[str, int],
    dict[str, int],
    dict[tuple[str, str, str], int],
]


def read_lines(
    lines: Sequence[bytes], by_minute: bool
) -> tuple[list[tuple[bytes, StampCounts]], list[int]]:
    """The scan's fast path (scan.py): the events of a block's needle lines, read by
    _sshdscan.c where a line has one of the shapes sshd writes, and added up per time
    stamp, so Python adds a stamp's counters (``add_read``), not one event at a time.
    Stamps: b"Nov 24 10", or b"Nov 24 10:07" by the minute.  Also the indices of the
    lines left to the parser (all of them where the C kernel is not built)."""
    if _sshdscan is None or not lines:
        return [], list(range(len(lines)))
    counts, undecided = _sshdscan.sshd_counts(b"\n".join(lines) + b"\n", by_minute)
    return list(counts.items()), undecided


@dataclass
class SshdPartial:
    failures: int = 0
    failed_by_ip: Counter[str] = field(default_factory=Counter)
    failed_by_user: Counter[str] = field(default_factory=Counter)
    invalid_users: Counter[str] = field(default_factory=Counter)
    pam_failures_by_rhost: Counter[str] = field(default_factory=Counter)
    accepted: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    failures_by_hour: Counter[int] = field(default_factory=Counter)  # hour start, epoch seconds

    def merge(self, other: Self) -> Self:
        return type(self)(
            self.failures + other.failures,
            merge_counters(self.failed_by_ip, other.failed_by_ip),
            merge_counters(self.failed_by_user, other.failed_by_user),
            merge_counters(self.invalid_users, other.invalid_users),
            merge_counters(self.pam_failures_by_rhost, other.pam_failures_by_rhost),
            merge_counters(self.accepted, other.accepted),
            merge_counters(self.failures_by_hour, other.failures_by_hour),
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "failures": self.failures,
            "failed_by_ip": counter_data(self.failed_by_ip),
            "failed_by_user": counter_data(self.failed_by_user),
            "invalid_users": counter_data(self.invalid_users),
            "pam_failures_by_rhost": counter_data(self.pam_failures_by_rhost),
            "accepted": [[*key, n] for key, n in sorted(self.accepted.items())],
            "failures_by_hour": {str(h): n for h, n in sorted(self.failures_by_hour.items())},
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SshdPartial":
        return cls(
            data["failures"],
            Counter(data["failed_by_ip"]),
            Counter(data["failed_by_user"]),
            Counter(data["invalid_users"]),
            Counter(data["pam_failures_by_rhost"]),
            Counter({(u, i, m): n for u, i, m, n in data["accepted"]}),
            Counter({int(h): n for h, n in data["failures_by_hour"].items()}),
        )


def add_read(p: SshdPartial, counts: StampCounts, hour: int | None) -> None:
    """Add one stamp's counts (``read_lines``); ``hour``: the start of its UTC hour."""
    failures, by_ip, by_user, invalid, pam, accepted = counts
    if failures:
        p.failures += failures
        p.failed_by_ip.update(by_ip)
        p.failed_by_user.update(by_user)
        if hour is not None:
            p.failures_by_hour[hour] += failures
    p.invalid_users.update(invalid)
    p.pam_failures_by_rhost.update(pam)
    p.accepted.update(accepted)


def add_event(p: SshdPartial, event: Event, hour: int | None) -> None:
    """Count one event; ``hour``: the start of its UTC hour, None for a line without a time."""
    n, rule = event["count"], event["rule"]
    if rule in ("failed", "pam_error"):
        p.failures += n
        p.failed_by_ip[event["ip"]] += n
        p.failed_by_user[event["user"]] += n
        if hour is not None:
            p.failures_by_hour[hour] += n
    elif rule == "invalid_user":
        p.invalid_users[event["user"]] += n
    elif rule == "pam_unix":
        p.pam_failures_by_rhost[event["rhost"]] += n
    elif rule == "accepted":
        p.accepted[(event["user"], event["ip"], event["method"])] += n


class SshdCollector:
    def __init__(self) -> None:
        self.partial = SshdPartial()

    def feed(self, record: SyslogRecord) -> None:
        event = extract(record)
        if event is not None:
            add_event(self.partial, event, None if record.ts is None else hour_start(record.ts))

    def finish(self) -> SshdPartial:
        return self.partial


ANALYZER = Analyzer(
    name="sshd",
    description="SSH failed logins by source and user, invalid users, accepted logins",
    programs=PROGRAMS,
    syslog_collector=SshdCollector,
    access_collector=None,
    empty=SshdPartial,
    load=SshdPartial.from_data,
    needles=NEEDLES,
    read_lines=read_lines,
    add_read=add_read,
)
