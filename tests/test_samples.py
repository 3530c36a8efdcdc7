"""The sample tree is deterministic and its truth agrees with a naive recount of its files.

The recounts below are deliberately simple (regexes over decompressed text), independent of
logsweep's parsers: they check the generator, so that the scanner can be checked against it.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import itertools
import json
import lzma
import os
import re
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zstandard

from logsweep.samples import SampleTruth, generate_sample_tree, main

# Spelled out: calendar.month_abbr follows the process locale.
MONTHS = {
    m: n
    for n, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
MAGIC = {
    ".gz": b"\x1f\x8b",
    ".bz2": b"BZh",
    ".xz": b"\xfd7zXZ\x00",
    ".zst": b"\x28\xb5\x2f\xfd",
}
SYSLOG_FAMILIES = ("syslog", "kern.log", "auth.log")


class Tree:
    """A generated tree, its truth, and each log file's decompressed lines."""

    def __init__(self, dest: Path, truth: SampleTruth) -> None:
        self.dest = dest
        self.truth = truth
        self.year = datetime.fromisoformat(truth.end).year
        self.text = {rel: decompress((dest / rel).read_bytes()).decode() for rel in truth.files}
        self.lines = {rel: text.splitlines() for rel, text in self.text.items()}

    def family(self, name: str) -> Iterator[str]:
        """The lines of every generation of a log, oldest file first."""
        rels = [r for r in self.truth.files if r == name or r.startswith(f"{name}.")]
        for rel in sorted(rels, key=generation, reverse=True):
            yield from self.lines[rel]

    def stamp(self, rel: str, line: str) -> datetime:
        return parse_stamp(rel, line, self.year)


def decompress(raw: bytes) -> bytes:
    if raw.startswith(MAGIC[".gz"]):
        return gzip.decompress(raw)  # reads every member
    if raw.startswith(MAGIC[".bz2"]):
        return bz2.decompress(raw)
    if raw.startswith(MAGIC[".xz"]):
        return lzma.decompress(raw)
    if raw.startswith(MAGIC[".zst"]):
        out: bytes = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
        return out
    return raw


def generation(rel: str) -> int:
    m = re.search(r"\.(\d+)(?:\.\w+)?$", rel)
    return int(m.group(1)) if m else 0


def parse_stamp(rel: str, line: str, year: int) -> datetime:
    name = rel.rsplit("/", 1)[-1]
    if name.startswith("access.log"):
        # [24/Nov/2026:14:46:01 +0000]; strptime is too slow for every line of the tree.
        s = line.split("[", 1)[1]
        assert s[20:27] == " +0000]", line
        hh, mm, ss = (int(x) for x in s[12:20].split(":"))
        return datetime(int(s[7:11]), MONTHS[s[3:6]], int(s[:2]), hh, mm, ss, tzinfo=UTC)
    if name.startswith("messages"):
        return datetime.fromisoformat(line.split(" ", 1)[0])
    if name == "daemon.log":
        return datetime.fromisoformat(line.split(" ", 2)[1])
    hh, mm, ss = (int(x) for x in line[7:15].split(":"))
    return datetime(year, MONTHS[line[:3]], int(line[4:6]), hh, mm, ss, tzinfo=UTC)


def digests(root: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    dest = tmp_path_factory.mktemp("samples")
    return Tree(dest, generate_sample_tree(dest))


# --------------------------------------------------------------------------- determinism


def test_same_arguments_give_byte_identical_trees_whatever_the_machine_zone(
    tmp_path: Path,
) -> None:
    first = generate_sample_tree(tmp_path / "a", seed=7, lines_per_day=150)
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Chatham"  # +12:45/+13:45: any local-time leak shows
    time.tzset()
    try:
        second = generate_sample_tree(tmp_path / "b", seed=7, lines_per_day=150)
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert first == second
    assert first.to_json() == second.to_json()
    other = generate_sample_tree(tmp_path / "c", seed=8, lines_per_day=150)
    assert digests(tmp_path / "c") != digests(tmp_path / "a")
    assert other.to_json() != first.to_json()


# --------------------------------------------------------------------------- layout


def test_tree_holds_exactly_the_listed_files_with_their_compressions(tree: Tree) -> None:
    t = tree.truth
    on_disk = {p.relative_to(tree.dest).as_posix() for p in tree.dest.rglob("*") if p.is_file()}
    assert on_disk == set(t.files) | set(t.skipped)
    assert not set(t.files) & set(t.skipped)
    assert t.skipped == ("journal/system.journal", "wtmp")
    for family in ("syslog", "kern.log", "nginx/access.log"):
        expected = {family, f"{family}.1"} | {f"{family}.{g}.gz" for g in range(2, 8)}
        assert expected <= set(t.files)
    auth = [
        "auth.log",
        "auth.log.1",
        "auth.log.2.gz",
        "auth.log.3.gz",
        "auth.log.4.bz2",
        "auth.log.5.xz",
        "auth.log.6.zst",
        "auth.log.7.gz",
    ]
    assert [f for f in t.files if f.startswith("auth.log")] == auth
    assert [f for f in t.files if f.startswith("messages")] == [
        "messages",
        "messages-20261118.gz",
        "messages-20261121.gz",
    ]
    assert "daemon.log" in t.files
    for rel in t.files:
        raw = (tree.dest / rel).read_bytes()
        suffix = Path(rel).suffix
        if suffix in MAGIC:
            assert raw.startswith(MAGIC[suffix]), rel
        else:
            assert not any(raw.startswith(m) for m in MAGIC.values()), rel
            assert b"\0" not in raw and raw.endswith(b"\n"), rel
        assert tree.lines[rel], f"{rel} is empty"


def test_last_auth_generation_is_two_gzip_members(tree: Tree) -> None:
    raw = (tree.dest / "auth.log.7.gz").read_bytes()
    members, rest = 0, raw
    while rest:
        d = zlib.decompressobj(wbits=31)
        d.decompress(rest)
        rest = d.unused_data
        members += 1
    assert members == 2


def test_binary_files_look_like_wtmp_and_a_journal(tree: Tree) -> None:
    wtmp = (tree.dest / "wtmp").read_bytes()
    assert wtmp and len(wtmp) % 384 == 0 and b"\0" in wtmp
    journal = (tree.dest / "journal" / "system.journal").read_bytes()
    assert journal.startswith(b"LPKSHHRH") and b"\0" in journal


# --------------------------------------------------------------------------- times


def test_mtime_and_gzip_mtime_are_the_last_line_time(tree: Tree) -> None:
    for rel in tree.truth.files:
        path = tree.dest / rel
        last = tree.stamp(rel, tree.lines[rel][-1])
        delta = last - datetime(1970, 1, 1, tzinfo=UTC)
        assert path.stat().st_mtime_ns == delta // timedelta(microseconds=1) * 1000, rel
        raw = path.read_bytes()
        if raw.startswith(MAGIC[".gz"]):
            assert int.from_bytes(raw[4:8], "little") == int(last.timestamp()), rel


def test_each_generation_is_one_utc_day_in_time_order(tree: Tree) -> None:
    end = datetime.fromisoformat(tree.truth.end)
    for rel in tree.truth.files:
        if rel.startswith("messages") or rel == "daemon.log":
            continue
        day = (end - timedelta(days=generation(rel))).date()
        stamps = [tree.stamp(rel, line) for line in tree.lines[rel]]
        assert stamps == sorted(stamps), rel
        assert {s.date() for s in stamps} == {day}, rel
        assert stamps[-1] <= end
    # db02's dateext files end the day before the date in their name.
    for rel, last_day in (("messages-20261118.gz", 17), ("messages-20261121.gz", 20)):
        stamps = [tree.stamp(rel, line) for line in tree.lines[rel]]
        assert stamps == sorted(stamps)
        assert stamps[-1].day == last_day and stamps[-1].utcoffset() == timedelta(0)


def test_kernel_uptimes_rise_within_a_boot_and_restart_once(tree: Tree) -> None:
    uptimes = [
        float(m.group(1))
        for line in tree.family("kern.log")
        if (m := re.search(r" kernel: \[ *(\d+\.\d{6})\] ", line))
    ]
    drops = [i for i, (a, b) in enumerate(itertools.pairwise(uptimes)) if b < a]
    assert len(drops) == 1
    assert uptimes[drops[0] + 1] == 0.0
    assert len(uptimes) == sum(1 for _ in tree.family("kern.log"))


# --------------------------------------------------------------------------- USB


def test_usb_truth_matches_the_kernel_lines(tree: Tree) -> None:
    found = re.compile(
        r"kernel: \[[ \d.]+\] usb \S+: New USB device found, "
        r"idVendor=(\w{4}), idProduct=(\w{4})(, bcdDevice=)?"
    )
    in_kern = [(m, line) for line in tree.family("kern.log") if (m := found.search(line))]
    in_syslog = [line for line in tree.family("syslog") if found.search(line)]
    # Debian logs kernel lines to both files; the truth counts each plug once.
    assert [line for _, line in in_kern] == in_syslog
    usb = tree.truth.usb
    assert sum(d.connections for d in usb) == len(in_kern)
    assert len(in_kern) >= 6
    assert sum(1 for m, _ in in_kern if m.group(3) is None) == 1  # the pre-4.18 kernel
    stamps: dict[tuple[str, str], list[str]] = {}
    for m, line in in_kern:
        stamps.setdefault((m.group(1), m.group(2)), []).append(
            tree.stamp("kern.log", line).isoformat()
        )
    assert {(d.vendor_id, d.product_id) for d in usb} == set(stamps)
    for d in usb:
        seen = stamps[(d.vendor_id, d.product_id)]
        assert (d.connections, d.first_seen, d.last_seen) == (len(seen), min(seen), max(seen))
        assert d.hosts == ("web01",)
        kern = tree.text["kern.log"] + "".join(
            tree.text[r] for r in tree.truth.files if r.startswith("kern.log.")
        )
        assert f": Product: {d.product}\n" in kern
        assert f": Manufacturer: {d.manufacturer}\n" in kern
        if d.serial is not None:
            assert f": SerialNumber: {d.serial}\n" in kern
    by_ids = {(d.vendor_id, d.product_id): d for d in usb}
    assert by_ids[("046d", "c52b")].serial is None
    assert by_ids[("0781", "5581")].serial == "4C530001230512345678"
    assert by_ids[("1d6b", "0002")].manufacturer == "Linux 6.1.0-13-amd64 xhci-hcd"


# --------------------------------------------------------------------------- sshd

FAILED = re.compile(r"sshd\[\d+\]: Failed \S+ for (?:invalid user )?(\S+) from (\S+) port \d+")
REPEATED = re.compile(
    r"sshd\[\d+\]: message repeated (\d+) times: \[ Failed \S+ for (?:invalid user )?(\S+) "
    r"from (\S+) port \d+"
)
PAM_ERROR = re.compile(
    r"sshd\[\d+\]: error: PAM: Authentication failure for (?:illegal user )?(\S+) from (\S+)$"
)
INVALID = re.compile(r"sshd\[\d+\]: Invalid user (\S+) from \S+ port \d+$")
PAM_UNIX = re.compile(r"sshd\[\d+\]: pam_unix\(sshd:auth\): authentication failure; .* rhost=(\S+)")
ACCEPTED = re.compile(r"sshd\[\d+\]: Accepted (\S+) for (\S+) from (\S+) port \d+ ssh2")


def test_ssh_truth_matches_a_regex_recount(tree: Tree) -> None:
    by_ip, by_user, invalid, pam = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    accepted = Counter[tuple[str, str, str]]()
    by_hour = Counter[str]()
    for line in tree.family("auth.log"):
        hour = hour_of(tree.stamp("auth.log", line))
        if m := FAILED.search(line):
            by_user[m.group(1)] += 1
            by_ip[m.group(2)] += 1
            by_hour[hour] += 1
        elif m := REPEATED.search(line):
            by_user[m.group(2)] += int(m.group(1))
            by_ip[m.group(3)] += int(m.group(1))
            by_hour[hour] += int(m.group(1))
        elif m := PAM_ERROR.search(line):
            by_user[m.group(1)] += 1
            by_ip[m.group(2)] += 1
            by_hour[hour] += 1
        elif m := INVALID.search(line):
            invalid[m.group(1)] += 1
        elif m := PAM_UNIX.search(line):
            pam[m.group(1)] += 1
        elif m := ACCEPTED.search(line):
            accepted[(m.group(2), m.group(3), m.group(1))] += 1
    ssh = tree.truth.ssh
    assert ssh.failures == sum(by_ip.values()) == sum(by_user.values())
    assert dict(ssh.failed_by_ip) == by_ip
    assert dict(ssh.failed_by_user) == by_user
    assert dict(ssh.failures_by_hour) == by_hour
    assert len(by_hour) > 24  # failures spread over many hours: a chart, not one bar
    assert dict(ssh.invalid_users) == invalid
    assert dict(ssh.pam_failures_by_rhost) == pam
    assert [(a.user, a.ip, a.method, a.count) for a in ssh.accepted] == sorted(
        (u, ip, meth, n) for (u, ip, meth), n in accepted.items()
    )
    # The ingredients the scanner must handle are all there.
    attackers = [ip for ip, n in by_ip.items() if n >= 5 and not ip.startswith("192.0.2.")]
    assert len(attackers) >= 5 and "2001:db8::66" in attackers
    auth = "\n".join(tree.family("auth.log"))
    for needle in (
        "message repeated ",
        "error: PAM: Authentication failure for illegal user ",
        "Failed publickey for git from 192.0.2.44",
        "Accepted password for alice",
        "Accepted publickey for deploy from 192.0.2.10",
        "[preauth]",
        "pam_unix(cron:session)",
        "sudo:",
    ):
        assert needle in auth, needle
    assert not any("sshd[" in line for line in tree.family("syslog"))


# --------------------------------------------------------------------------- robots

ACCESS = re.compile(
    r'^(\S+) \S+ \S+ \[[^\]]+\] "(?:GET|HEAD) (/robots\.txt(?:\?\S*)?) HTTP/[\d.]+" '
    r'\d{3} \d+ "[^"]*" "([^"]*)"$'
)


def test_robots_truth_matches_the_request_lines(tree: Tree) -> None:
    by_ip, agents = Counter[str](), Counter[str]()
    for line in tree.family("nginx/access.log"):
        if m := ACCESS.match(line):
            by_ip[m.group(1)] += 1
            agents[m.group(3)] += 1
    robots = tree.truth.robots
    assert robots.requests == sum(by_ip.values()) > 0
    assert dict(robots.by_ip) == by_ip
    assert dict(robots.user_agents) == agents
    text = "\n".join(tree.family("nginx/access.log"))
    for needle in (
        "GET /robots.txt?x=1 ",
        "GET /robots.txt.bak ",
        "GET /robots.txtx ",
        "GET /static/robots.txt ",
        "Googlebot/2.1",
        "bingbot/2.0",
        "YandexBot/3.0",
        "AhrefsBot/7.0",
        '"curl/7.88.1"',
    ):
        assert needle in text, needle


# --------------------------------------------------------------------------- volume

RFC3164 = re.compile(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+) ([^\[:\s]+)(?:\[\d+\])?: ")
ISO = re.compile(r"^\S+ (\S+) ([^\[:\s]+)(?:\[\d+\])?: ")
RFC5424 = re.compile(r"^<\d+>1 \S+ (\S+) (\S+) ")


def hour_of(stamp: datetime) -> str:
    return stamp.astimezone(UTC).replace(minute=0, second=0, microsecond=0).isoformat()


def test_volume_truth_matches_a_line_recount(tree: Tree) -> None:
    by_host, by_program, by_hour = Counter[str](), Counter[str](), Counter[str]()
    program_hour = Counter[tuple[str, str]]()
    for rel, lines in tree.lines.items():
        access = rel.startswith("nginx/")
        pattern = RFC5424 if rel == "daemon.log" else ISO if rel.startswith("messages") else RFC3164
        for line in lines:
            hour = hour_of(tree.stamp(rel, line))
            by_hour[hour] += 1
            if access:
                continue
            m = pattern.match(line)
            assert m, (rel, line)
            by_host[m.group(1)] += 1
            by_program[m.group(2)] += 1
            program_hour[(m.group(2), hour)] += 1
    volume = tree.truth.volume
    assert dict(volume.by_host) == by_host
    assert dict(volume.by_program) == by_program
    assert dict(volume.by_hour) == by_hour
    # The eight busiest programs hour by hour, the rest added up; nothing lost or doubled.
    top = [p for p, _ in sorted(by_program.items(), key=lambda kv: (-kv[1], kv[0]))[:8]]
    assert list(volume.by_program_hour) == top
    for program in top:
        assert volume.by_program_hour[program] == {
            h: n for (p, h), n in program_hour.items() if p == program
        }
    other = Counter[str]()
    for (program, hour), n in program_hour.items():
        if program not in top:
            other[hour] += n
    assert dict(volume.other_programs_by_hour) == other
    assert len(by_program) > 8 and sum(other.values()) > 0  # the cut is exercised
    kernel = sum(1 for _ in tree.family("kern.log"))
    assert volume.by_program["kernel"] == 2 * kernel  # once in kern.log, once in syslog
    assert set(volume.by_host) == {"web01", "db02"}
    assert len(volume.by_hour) == 8 * 24


# --------------------------------------------------------------------------- API and CLI


def test_truth_to_json_is_plain_json(tree: Tree) -> None:
    data = tree.truth.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["timezone"] == "UTC"
    assert set(data) >= {"files", "skipped", "usb", "ssh", "robots", "volume"}
    assert data["ssh"]["accepted"][0].keys() == {"user", "ip", "method", "count"}


def test_other_window_in_another_zone(tmp_path: Path) -> None:
    end = datetime(2026, 3, 2, 13, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # 12:30 UTC
    truth = generate_sample_tree(tmp_path, end=end, days=3, lines_per_day=100, seed=1)
    assert truth.end == "2026-03-02T12:30:00+00:00"
    assert truth.start == "2026-02-28T00:00:00+00:00"
    assert "syslog.2.gz" in truth.files and "syslog.3.gz" not in truth.files
    assert [f for f in truth.files if f.startswith("messages")] == ["messages"]
    t = Tree(tmp_path, truth)
    last = max(t.stamp(rel, lines[-1]) for rel, lines in t.lines.items())
    assert last <= end
    assert sum(d.connections for d in truth.usb) == sum(
        "New USB device found" in line for line in t.family("kern.log")
    )


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_sample_tree(tmp_path, end=datetime(2026, 11, 24))
    with pytest.raises(ValueError, match="days"):
        generate_sample_tree(tmp_path, days=0)
    with pytest.raises(ValueError, match="lines_per_day"):
        generate_sample_tree(tmp_path, lines_per_day=1)


def test_main_writes_the_tree_and_prints_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "tree"
    assert main([str(dest), "--seed", "3", "--days", "2", "--lines-per-day", "100"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "UTC" in out
    assert {"syslog", "syslog.1", "auth.log.1", "wtmp"} <= {p.name for p in dest.iterdir()}
    assert not list(dest.rglob("*.json"))
    with pytest.raises(SystemExit):
        main([str(dest), "--days", "0"])
