"""The C kernel (logsweep/_keyscan.c) counts RFC 3164 and access blocks as the regex does.

``count_block(..., native=False)`` is the reference: the key pattern of
blockcount.py.  Lines are built piece by piece from each element of that
pattern, right and wrong (a priority of four digits, a day without its space,
a host ending in ":", a pid without "]"...), so every branch of the kernel
meets lines that must match and lines that must not.  Keys, their
first-appearance order, line counts and odd lines must all be equal.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logsweep import blockcount
from logsweep.blockcount import KEY_PATTERNS, KeyPattern, Wanted, count_block
from logsweep.formats import LogFormat

PATTERNS = KEY_PATTERNS[LogFormat.RFC3164]

PRIORITY = st.sampled_from(["", "", "<13>", "<1>", "<191>", "<1913>", "<>", "<13", "<x>", "13>"])
MONTH = st.sampled_from(["Nov", "Nov", "Dec", "Jan", "NOV", "nov", "No", "Novx", "Fo\u00e9"])
DAY = st.sampled_from([" 24", " 24", "  4", " 4", " 04", "  ", " 4x", " 244", "24", " a4"])
CLOCK = st.sampled_from(
    [
        " 06:25:00",
        " 06:25:00",
        " 23:59:59",
        " 06:60:00",
        " 06:25:61",
        " 6:25:00",
        " 06:25",
        " 06:25:0",
        " 0a:25:00",
        " 06-25-00",
        " 06:5a:00",
    ]
)
FRACTION = st.sampled_from(["", "", ".123", ".1", ".", ".12a", ".000000"])
HOST = st.sampled_from(
    [
        " web-1",
        " web-1",
        " 10.0.0.1",
        " w\u00e9b",
        " host:",
        " ho:st",
        " h[1]",
        " h\r",
        " \t",
        " ",
        "",
        " web-1\x00",
        " a\x01b",
        " fe80::1",
    ]
)
TAG = st.sampled_from(
    [
        " sshd[768105]:",
        " sshd:",
        " kernel:",
        " postfix/smtpd[7]:",
        " CRON[99]:",
        " prog[1]",
        " prog[1] :",
        " prog[:",
        " prog[1]x:",
        " prog[]:",
        " [1]:",
        " :",
        " prog",
        " pr\u00f6g:",
        " a:b:",
        " prog\t:",
        " -- MARK --",
        "",
        " p[1]]:",
        " sshd(pam_unix)[2]:",
    ]
)

# What the scan asks for: usb's and sshd's needles in their programs' lines.
WANTED = Wanted(
    (
        (frozenset({b"kernel"}), (b"usb ",)),
        (frozenset({b"sshd", b"sshd-session"}), (b"Failed ", b"nvalid user ")),
    )
)
# Needles the built lines hold, in and out of the programs above.
REST = st.sampled_from(
    [
        "",
        " message",
        " Failed password for root",
        ": colon",
        "\r",
        " x\r",
        " usb 1-1: Product: X",
        " Invalid user bob",
    ]
)


LINE = st.builds(
    lambda *parts: "".join(parts).encode("utf-8"),
    PRIORITY,
    MONTH,
    DAY,
    CLOCK,
    FRACTION,
    HOST,
    TAG,
    REST,
)


def both(block: bytes, pattern: KeyPattern, wanted: Wanted | None = WANTED) -> None:
    native = count_block(block, pattern, wanted)
    reference = count_block(block, pattern, wanted, native=False)
    assert native.lines == reference.lines
    assert list(native.keys.items()) == list(reference.keys.items())  # first-appearance order
    assert native.odd == reference.odd
    assert native.wanted == reference.wanted


def test_the_kernel_is_built() -> None:
    """CI builds it (pip install -e .): a missing kernel would silently cost 3x on syslog."""
    assert blockcount._keyscan is not None


@settings(max_examples=600, deadline=None)
@given(lines=st.lists(LINE, min_size=1, max_size=40), minute=st.booleans())
def test_built_lines_are_counted_as_the_regex_counts_them(lines: list[bytes], minute: bool) -> None:
    both(b"".join(line + b"\n" for line in lines), PATTERNS[minute])


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400), minute=st.booleans())
def test_arbitrary_bytes_are_counted_as_the_regex_counts_them(data: bytes, minute: bool) -> None:
    both(data + b"\n", PATTERNS[minute])


@given(
    line=LINE,
    cut=st.integers(0, 80),
    junk=st.sampled_from([b"", b"\x00", b"\xff", b"[", b":", b" ", b"\r", b"]"]),
)
def test_a_line_cut_anywhere_is_counted_as_the_regex_counts_it(
    line: bytes, cut: int, junk: bytes
) -> None:
    """Each prefix of a line, so every check of the line's end is exercised."""
    for pattern in PATTERNS:
        both(line[:cut] + junk + b"\n", pattern)


ACCESS_PATTERNS = KEY_PATTERNS[LogFormat.ACCESS]
ACCESS_WANTED = Wanted(((frozenset(), (b"/robots.txt",)),))
ACCESS_LINE = st.builds(
    lambda *parts: "".join(parts).encode("utf-8"),
    st.sampled_from(["198.51.100.7", "198.51.100.7", "::1", "", "a\tb", '"x']),
    st.sampled_from([" -", " -", " ident", " ", " -\t"]),
    st.sampled_from([" -", " bob", ' "a user"', ' "a', ' "a [x"', ' "', " \u00e9", ' "a"b']),
    st.sampled_from(
        [
            " [24/Nov/2026:10:00:01",
            " [24/Nov/2026:23:59:59",
            " [24/nov/2026:10:00:01",
            " [4/Nov/2026:10:00:01",
            " [24/Nov/2026:10:60:01",
            " [24/Nov/2026:10:00:61",
            " [24/Nov/26:10:00:01",
            " 24/Nov/2026:10:00:01",
            "_[24/Nov/2026:10:00:01",  # glued to the user field
        ]
    ),
    st.sampled_from([" +0100]", " -0530]", " +0100]", " 0100]", " +010]", " +0100", "+0100]"]),
    st.sampled_from(
        [
            ' "GET /robots.txt HTTP/1.1"',
            ' "GET / HTTP/1.1"',
            ' "GET /\\"q\\" HTTP/1.1"',
            ' "GET /a\\\\"',
            ' "bad\\',
            ' "unterminated',
            ' ""',
            ' "\u00e9 \x01"',
            "GET / HTTP/1.1",
        ]
    ),
    st.sampled_from([" 200", " 200", " -", " 2000", " 20", " 200x", ""]),
    st.sampled_from([" 512", ' 512 "-" "Googlebot"', " -", " ", " \t5", "", "  5"]),
)


@settings(max_examples=600, deadline=None)
@given(lines=st.lists(ACCESS_LINE, min_size=1, max_size=40), minute=st.booleans())
def test_built_access_lines_are_counted_as_the_regex_counts_them(
    lines: list[bytes], minute: bool
) -> None:
    both(b"".join(line + b"\n" for line in lines), ACCESS_PATTERNS[minute], ACCESS_WANTED)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400), minute=st.booleans())
def test_arbitrary_bytes_are_counted_as_the_access_regex_counts_them(
    data: bytes, minute: bool
) -> None:
    both(data + b"\n", ACCESS_PATTERNS[minute], ACCESS_WANTED)


@given(line=ACCESS_LINE, cut=st.integers(0, 120))
def test_an_access_line_cut_anywhere_is_counted_as_the_regex_counts_it(
    line: bytes, cut: int
) -> None:
    for pattern in ACCESS_PATTERNS:
        both(line[:cut] + b"\n", pattern, ACCESS_WANTED)


def test_canonical_access_lines_are_counted_by_the_kernel() -> None:
    """Not a vacuous equality: the kernel takes the lines a web server writes."""
    line = b'198.51.100.7 - - [24/Nov/2026:10:00:01 +0100] "GET /robots.txt HTTP/1.1" 200 5 "-" "x"'
    counts = count_block(line + b"\n", ACCESS_PATTERNS[0], ACCESS_WANTED)
    assert dict(counts.keys) == {(b"24/Nov/2026:10", b"+0100"): 1}
    assert (counts.odd, counts.wanted) == ([], [line])


def test_many_distinct_keys_grow_the_table() -> None:
    """Thousands of hosts in one block: the kernel's index grows past its first size."""
    block = b"".join(
        b"Nov 24 06:%02d:00 host-%d prog%d[1]: x\n" % (i % 60, i, i % 7) for i in range(5000)
    )
    for pattern in PATTERNS:
        both(block, pattern)
    assert len(count_block(block, PATTERNS[0]).keys) == 5000


def test_an_empty_block_has_no_lines() -> None:
    assert blockcount._keyscan is not None
    assert blockcount._keyscan.count_rfc3164(b"", False) == (0, {}, [], [])


def test_a_block_must_end_with_a_newline() -> None:
    assert blockcount._keyscan is not None
    with pytest.raises(ValueError, match="newline"):
        blockcount._keyscan.count_rfc3164(b"Nov 24 06:25:00 web-1 sshd: x", False)


def test_wanted_lines_are_those_of_the_programs_holding_a_needle() -> None:
    block = (
        b"Nov 24 06:25:00 web-1 sshd[1]: Failed password for root from 192.0.2.1\n"
        b"Nov 24 06:25:00 web-1 cron[2]: Failed job, Invalid user in crontab\n"
        b"Nov 24 06:25:00 web-1 sshd[3]: usb stick? no: Failed is sshd's, usb is kernel's\n"
        b"Nov 24 06:25:00 web-1 kernel: Failed to load usb-less module\n"
        b"Nov 24 06:25:01 web-1 kernel: [ 1.0] usb 1-1: new high-speed USB device\n"
        b"\x00Nov 24 06:25:02 web-1 sshd[1]: Failed password (odd: its program unknown)\n"
        b"Nov 24 06:25:03 web-1 sshd[1]: Accepted publickey for bob\n"
    )
    lines = block.split(b"\n")
    for native in (True, False):
        counts = count_block(block, PATTERNS[0], WANTED, native=native)
        assert counts.wanted == [lines[0], lines[2], lines[4], lines[5]]
    assert count_block(block, PATTERNS[0]).wanted == []


def test_groups_must_be_programs_and_needles_of_bytes() -> None:
    kernel = blockcount._keyscan
    assert kernel is not None
    with pytest.raises(TypeError, match="needles must be non-empty bytes"):
        kernel.count_rfc3164(b"x\n", False, (((b"sshd",), (b"",)),))
    with pytest.raises(TypeError, match="programs must be non-empty bytes"):
        kernel.count_rfc3164(b"x\n", False, ((("sshd",), (b"x",)),))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a group is"):
        kernel.count_access(b"x\n", False, ((b"x",),))  # type: ignore[arg-type]


@pytest.mark.parametrize("needle", [b"u", b"ab", b"aab", b"usb ", b"abcdefghijklmnopq", b"a" * 19])
def test_a_needle_is_found_wherever_it_starts_and_only_whole(needle: bytes) -> None:
    """The kernel compares 16 starts at a time, then the rest of a line one by one: a
    needle at every offset of messages of every length around those rounds (0-50
    bytes), whole, cut by the line's end, or with its first or last byte wrong."""
    head = b"Nov 24 06:25:00 web-1 kernel: "
    wrong_first = bytes([needle[0] ^ 1]) + needle[1:]
    wrong_last = needle[:-1] + bytes([needle[-1] ^ 1])
    lines = []
    for length in range(51):
        filler = bytes(b"xyz"[i % 3] for i in range(length))
        for at in range(length + 1):
            for piece in (needle, needle[:-1], wrong_first, wrong_last):
                lines.append(head + (filler[:at] + piece + filler[at:])[: length + len(needle)])
    block = b"".join(line + b"\n" for line in lines)
    wanted = Wanted(((frozenset({b"kernel"}), (needle,)),))
    both(block, PATTERNS[0], wanted)
    assert count_block(block, PATTERNS[0], wanted).wanted  # the needle is found somewhere
