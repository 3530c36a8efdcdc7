"""sshd's C reader (logsweep/_sshdscan.c) gives the events the rules give, or leaves the line.

The reference is the line-by-line path: the RFC 3164 parser, then
``sshd.extract`` (the rules' regexes, tried by ``message_event``).  For every
line the reader decides (an event, or none), the parser must take the line,
find an sshd program and give that same event, counted under the stamp the
volume kernel keys the line by.  Lines are built from heads and messages right
and wrong (every optional part of the rules, injected " from ", hostile users,
repeated messages cut or padded), from each rule's own regex, and from
arbitrary bytes; the reader must also decide the common shapes, or the fast
path would be empty.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logsweep import _keyscan, _sshdscan
from logsweep.analyzers import sshd
from logsweep.analyzers.base import Event
from logsweep.blockcount import HOUR, MINUTE, Clock
from logsweep.formats import LogFormat, make_parsers
from logsweep.timeinfer import YearWalker

ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)

# Heads the reader takes, and heads with one part wrong (or several).
GOOD_HEAD = st.tuples(
    st.sampled_from(["", "<38>"]),
    st.sampled_from(["Nov 24", "Nov  4", "Nov 4"]),
    st.sampled_from([" 10:00:01", " 10:07:59", " 10:00:01.5"]),
    st.sampled_from([" web01", " 10.0.0.1", " h-1.example"]),
    st.sampled_from(
        [" sshd[12]: ", " sshd: ", " sshd[12]:", " sshd-session[3]: ", " sshd-auth: ",
         " sshd(pam_unix)[4]: ", " sshd[12]:  ", " sshd[]: "]
    ),
).map("".join)  # fmt: skip
ANY_HEAD = st.tuples(
    st.sampled_from(["", "<38>", "<3800>", "\x00", "<x>"]),
    st.sampled_from(["Nov 24", "Nov  4", "Nov 244", "nov 24"]),
    st.sampled_from([" 10:00:01", " 10:60:00", " 10:00:01."]),
    st.sampled_from([" web01", " web:", " w[1]", " w\u00e9b", ""]),
    st.sampled_from([" sshd[12]: ", " sshd[12] ", " sshdx[12]: ", " sshd[1: ", " cron[1]: "]),
).map("".join)
HEAD = st.one_of(GOOD_HEAD, GOOD_HEAD, ANY_HEAD)

USERS = ["root", "admin", "", "a b", "x from 6.6.6.6 port 2 ssh2", "invalid", "r\u00fcot", "[x]"]
IPS = ["198.51.100.7", "2001:db8::1", "1.2.3.4:", "", "1.2.3.4]"]
TAILS = [
    " port 22 ssh2",
    " port 22",
    "",
    " port 22 ssh2: RSA SHA256:abc",
    " port 22 ssh2 [preauth]",
    " [preauth]",
    " port 22 ssh2 ",
    " port x ssh2",
    " ssh22",
    " port 22 ssh2:x",
    " port 22 ssh2: from 9.9.9.9 port 1 ssh2",
    "\tport 22",
]
FROM_USER_IP = st.builds(
    lambda user, ip, tail: f"{user} from {ip}{tail}",
    st.sampled_from(USERS),
    st.sampled_from(IPS),
    st.sampled_from(TAILS),
)
METHODS = st.sampled_from(
    ["password", "publickey", "keyboard-interactive/pam", "none", "x/", "p w"]
)
MESSAGE = st.one_of(
    st.builds(
        lambda method, prefix, rest: f"Failed {method} for {prefix}{rest}",
        METHODS,
        st.sampled_from(["", "invalid user ", "illegal user ", "invalid user invalid user "]),
        FROM_USER_IP,
    ),
    st.builds(lambda i, rest: f"{i}nvalid user {rest}", st.sampled_from("Ii"), FROM_USER_IP),
    st.builds(lambda method, rest: f"Accepted {method} for {rest}", METHODS, FROM_USER_IP),
    st.builds(
        lambda prefix, middle, rhost: f"{prefix}authentication failure;{middle}{rhost}",
        st.sampled_from(["pam_unix(sshd:auth): ", "", "pam_unix(sshd:session): "]),
        st.sampled_from([" logname= uid=0 ruser= rhost=", " rhost=", " xrhost=", ";rhost=", ""]),
        st.sampled_from(["203.0.113.9", "203.0.113.9  user=root", "", " user=root", "a]"]),
    ),
    st.sampled_from(
        [
            "error: PAM: Authentication failure for root from 192.0.2.6",
            "Connection closed by invalid user ubuntu 192.0.2.3 port 5 [preauth]",
            "Disconnected from invalid user x 192.0.2.3 port 5 [preauth]",
            "[ID 800047 auth.info] Failed password for root from 192.0.2.9 port 2 ssh2",
            "Failed",
            "",
        ]
    ),
    *[st.from_regex(rule.pattern, fullmatch=True, alphabet=ASCII) for rule in sshd.RULES],
    st.text(ASCII, max_size=40),
)


def repeated(message: str, n: str, opening: str, closing: str) -> str:
    return f"message repeated {n} times: [{opening}{message}{closing}"


LINE_TEXT = st.builds(
    lambda head, message, wrap: head + (repeated(message, *wrap) if wrap else message),
    HEAD,
    MESSAGE,
    st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from(["3", "12", "0", "123456789", "1234567890", "x"]),
            st.sampled_from([" ", " ", "", "  "]),
            st.sampled_from(["]", "]", "] ", "", "]]", "]x"]),
        ),
    ),
)
LINE = st.one_of(
    LINE_TEXT.map(lambda text: text.encode("utf-8")),
    LINE_TEXT.map(lambda text: text.encode("utf-8")),
    st.builds(lambda text, junk: text.encode() + junk, LINE_TEXT, st.binary(max_size=4)),
    st.binary(max_size=120),
).map(lambda line: line.replace(b"\n", b""))

REFERENCE = datetime(2026, 11, 25, tzinfo=UTC).timestamp()


def parsed_event(line: bytes) -> tuple[bool, Event | None]:
    """(whether the parser reads the line as one of sshd's programs, its event)."""
    parser = next(
        p
        for p in make_parsers(YearWalker(REFERENCE, ZoneInfo("UTC")))
        if p.format is LogFormat.RFC3164
    )
    text = line.lstrip(b"\x00").removesuffix(b"\r").decode("utf-8", "backslashreplace")
    record = parser.parse(text)
    if record is None or record.program not in sshd.PROGRAMS:
        return False, None
    return True, sshd.extract(record)


def volume_stamp(line: bytes, minute: bool) -> bytes:
    """The stamp the volume kernel counts the line under (the clock times it)."""
    _, keys, _, _ = _keyscan.count_rfc3164(line + b"\n", minute)
    ((stamp, _, _),) = keys
    return stamp


def read_events(lines: list[bytes], minute: bool) -> tuple[list[tuple[bytes, Event]], list[int]]:
    """The kernel's events (``sshd_events``) as the rules' events; ``read_lines`` adds up
    the same events per stamp (``sshd_counts``, tested against these below)."""
    reads, left = _sshdscan.sshd_events(b"".join(line + b"\n" for line in lines), minute)
    return [
        (stamp, {"rule": rule, "count": n, **dict(zip(sshd.FIELDS[rule], fields, strict=True))})
        for stamp, (rule, fields, n) in reads
    ], left


def decided(line: bytes, minute: bool) -> tuple[bytes, Event] | bool | None:
    """The reader's verdict on one line: (stamp, event), None (no event), False (left)."""
    events, left = read_events([line], minute)
    if left:
        assert left == [0] and events == []
        return False
    assert len(events) <= 1
    return events[0] if events else None


def untimed(stamp: bytes, minute: bool) -> bool:
    """Whether the scan's clock gives the stamp no time (Aaa 0 10): the scan then reads
    the block line by line, and the parser judges the line."""
    clock = Clock(LogFormat.RFC3164, YearWalker(REFERENCE, ZoneInfo("UTC")), REFERENCE)
    starts = clock.walk([(stamp,)], MINUTE if minute else HOUR)
    return starts is None or starts[(stamp,)] is None


def check(line: bytes, minute: bool) -> bool:
    """Whether the reader decided the line; if so, that it decided as the parser did."""
    verdict = decided(line, minute)
    if verdict is False:
        return False
    is_sshd, event = parsed_event(line)
    if verdict is None:
        assert event is None, (line, event)
        return True
    stamp, read = verdict
    assert stamp == volume_stamp(line, minute), line
    assert (is_sshd and read == event) or (not is_sshd and untimed(stamp, minute)), line
    return True


# A canonical line in slots; each slot's first choice is the canonical one.
SLOTS: dict[str, list[str]] = {
    "priority": ["", "<38>", "<3800>", "<x>", "\x00"],
    "date": ["Nov 24", "Nov  4", "Nov 4", "Nov 244", "nov 24", "Aaa 0"],
    "clock": [" 10:07:01", " 10:07:01.5", " 10:60:00", " 10:07:01."],
    "host": [" web01", " web:", " w[1]", " w\u00e9b", ""],
    "program": [" sshd[12]: ", " sshd: ", " sshd[12]:", " sshd[12]:  ", " sshd-session[3]: ",
                " sshd-auth: ", " sshd(pam_unix)[4]: ", " sshdx[12]: ", " sshd-sessio: ",
                " sshd[12] ", " sshd[1: ", " cron[1]: "],
    "repeat": ["", "message repeated 3 times: [ ", "message repeated 3 times: [",
               "message repeated 3 times: [  ", "message repeated x times: [ "],
    "method": ["Failed password for ", "Failed keyboard-interactive/pam for ",
               "Failed x/ for ", "Failed p w for ", "Accepted publickey for ", "Invalid user ",
               "invalid user ", "Failed password for invalid user ",
               "Failed password for illegal user "],
    "user": ["root", "", "a b", "invalid", "x from 6.6.6.6 port 2 ssh2", "r\u00fcot", "[x]"],
    "from": [" from ", " from  ", " frm "],
    "ip": ["192.0.2.1", "2001:db8::1", "1.2.3.4:", "", "1.2.3.4]"],
    "tail": [*TAILS, " [preauth]x", " port 22 [preauth] ", " ssh2", " port 22 ssh", " port "],
    "end": ["", "]", "] ", " "],
}  # fmt: skip


def one_slot_off() -> list[str]:
    """The canonical line, and each slot's other choices with the others canonical."""
    canonical = {slot: choices[0] for slot, choices in SLOTS.items()}
    texts = []
    for slot, choices in SLOTS.items():
        for choice in choices:
            texts.append("".join({**canonical, slot: choice}.values()))
    # A repeated line has its closing bracket: each slot again, inside one.
    repeat = {**canonical, "repeat": SLOTS["repeat"][1], "end": "]"}
    for slot, choices in SLOTS.items():
        for choice in choices:
            texts.append("".join({**repeat, slot: choice}.values()))
    return texts


PAM_SLOTS: dict[str, list[str]] = {
    "head": ["Nov 24 10:07:01 web01 sshd[12]: ", "Nov 24 10:07:01 web01 sshd(pam_unix)[4]: "],
    "repeat": ["", "message repeated 2 times: [ "],
    "start": ["pam_unix(sshd:auth): authentication failure;", "authentication failure;",
              "pam_unix(sshd:session): authentication failure;",
              "pam_unix(sshd:auth): authentication failure"],
    "middle": [" logname= uid=0 euid=0 tty=ssh ruser= rhost=", " rhost=", ";rhost=",
               " xrhost=", " x_rhost=", " 1rhost=", "", " rhost= rhost="],
    "rhost": ["203.0.113.9", "203.0.113.9  user=root", "", " user=root", "a]", "a b"],
    "end": ["", "]", " "],
}  # fmt: skip


def pam_lines() -> list[str]:
    """Every combination: pam_unix's search for rhost= meets every neighbour."""
    texts = [""]
    for choices in PAM_SLOTS.values():
        texts = [text + choice for text in texts for choice in choices]
    return texts


@pytest.mark.parametrize("minute", [False, True])
def test_pam_unix_lines_are_decided_as_the_parser_decides(minute: bool) -> None:
    texts = pam_lines()
    verdicts = [check(text.encode("utf-8"), minute) for text in texts]
    assert sum(verdicts) > len(texts) // 5


@pytest.mark.parametrize("minute", [False, True])
def test_each_part_of_a_line_changed_alone_is_decided_as_the_parser_decides(minute: bool) -> None:
    texts = one_slot_off()
    verdicts = [check(text.encode("utf-8"), minute) for text in texts]
    assert sum(verdicts) > len(texts) // 3  # most of them are decided, not left


def test_the_kernel_is_built() -> None:
    """CI builds it (pip install -e .): without it the parser reads every sshd line."""
    assert sshd._sshdscan is not None


@settings(max_examples=3000, deadline=None)
@given(line=LINE, minute=st.booleans())
def test_a_line_the_reader_decides_is_read_as_the_parser_and_the_rules_read_it(
    line: bytes, minute: bool
) -> None:
    check(line, minute)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(LINE, max_size=30), minute=st.booleans())
def test_a_block_of_lines_is_read_as_its_lines_one_by_one(lines: list[bytes], minute: bool) -> None:
    events, left = read_events(lines, minute)
    counted: dict[tuple[bytes, str], int] = {}
    for stamp, event in events:
        key = (stamp, repr(sorted((k, v) for k, v in event.items() if k != "count")))
        counted[key] = counted.get(key, 0) + event["count"]
    alone: dict[tuple[bytes, str], int] = {}
    alone_left = []
    for i, line in enumerate(lines):
        verdict = decided(line, minute)
        if verdict is False:
            alone_left.append(i)
        elif verdict is not None:
            stamp, event = verdict
            key = (stamp, repr(sorted((k, v) for k, v in event.items() if k != "count")))
            alone[key] = alone.get(key, 0) + event["count"]
    assert left == alone_left
    assert counted == alone


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(LINE, max_size=30), minute=st.booleans())
def test_read_lines_adds_up_the_kernels_events_per_stamp(lines: list[bytes], minute: bool) -> None:
    """The fast path's counts (sshd_counts, added by add_read) are its events (sshd_events,
    each counted by add_event, as the parser's path counts them), stamp by stamp."""
    events, left = read_events(lines, minute)
    by_events: dict[bytes, sshd.SshdPartial] = {}
    for stamp, event in events:
        sshd.add_event(by_events.setdefault(stamp, sshd.SshdPartial()), event, 3600)
    counts, counts_left = sshd.read_lines(lines, minute)
    by_counts: dict[bytes, sshd.SshdPartial] = {}
    for stamp, stamp_counts in counts:
        sshd.add_read(by_counts.setdefault(stamp, sshd.SshdPartial()), stamp_counts, 3600)
    assert counts_left == left
    assert by_counts == by_events


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_every_rule_starts_with_a_literal_the_kernel_knows(data: st.DataObject) -> None:
    """A message starting with none of RULE_STARTS is decided as no event: so no rule may
    match one."""
    for rule in sshd.RULES:
        message = data.draw(st.from_regex(rule.pattern, fullmatch=True))
        assert rule.pattern.match(message)
        assert message.startswith(_sshdscan.RULE_STARTS), (rule.name, message)


def test_the_shapes_sshd_writes_are_decided() -> None:
    """Not a vacuous equality: the common lines of a brute force are read in C."""
    head = "Nov 24 10:07:01 web01 sshd[12]: "
    lines = {
        "Failed password for root from 192.0.2.1 port 2 ssh2": {
            "rule": "failed", "method": "password", "user": "root", "ip": "192.0.2.1"},
        "Failed password for invalid user guest from 192.0.2.2 port 2 ssh2": {
            "rule": "failed", "method": "password", "user": "guest", "ip": "192.0.2.2"},
        "Failed password for illegal user guest from 192.0.2.2 port 2 ssh2": {
            "rule": "failed", "method": "password", "user": "guest", "ip": "192.0.2.2"},
        "Failed publickey for bob from 2001:db8::1 port 22 ssh2: RSA SHA256:abc": {
            "rule": "failed", "method": "publickey", "user": "bob", "ip": "2001:db8::1"},
        "Invalid user admin from 192.0.2.3 port 41": {
            "rule": "invalid_user", "user": "admin", "ip": "192.0.2.3"},
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        "rhost=192.0.2.4  user=root": {"rule": "pam_unix", "rhost": "192.0.2.4"},
        "Accepted publickey for deploy from 192.0.2.5 port 22 ssh2: ED25519 SHA256:x": {
            "rule": "accepted", "method": "publickey", "user": "deploy", "ip": "192.0.2.5"},
        "Connection closed by invalid user ubuntu 192.0.2.6 port 5 [preauth]": None,
    }  # fmt: skip
    for message, fields in lines.items():
        for text, count in ((message, 1), (repeated(message, "4", " ", "]"), 4)):
            line = (head + text).encode()
            expected = None if fields is None else (b"Nov 24 10", {**fields, "count": count})
            assert decided(line, minute=False) == expected, text
            assert check(line, minute=False)
    first = (head + next(iter(lines))).encode()
    assert decided(first, minute=True) == (
        b"Nov 24 10:07",
        {"rule": "failed", "count": 1, "method": "password", "user": "root", "ip": "192.0.2.1"},
    )


def test_lines_are_left_to_the_parser_without_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sshd, "_sshdscan", None)
    line = b"Nov 24 10:07:01 web01 sshd[12]: Failed password for root from 192.0.2.1 port 2 ssh2"
    assert sshd.read_lines([line, line], False) == ([], [0, 1])


def test_printable_ascii_is_what_the_kernel_judges() -> None:
    """Any other byte leaves the line: Python's classes then differ from plain ASCII."""
    head = "Nov 24 10:07:01 web01 sshd[12]: Failed password for "
    for char in ["\x1c", "\t", "\x7f", "\u00e9", "\u0664"]:
        line = f"{head}r{char}t from 192.0.2.1 port 2 ssh2".encode()
        assert decided(line, False) is False
        check(line, False)
