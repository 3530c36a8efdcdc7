"""A deterministic, realistic tree of rotated Linux logs, and the figures a scan must report.

``make run`` scans the tree this module writes, and tests compare logsweep's report with
the :class:`SampleTruth` that :func:`generate_sample_tree` returns.  Everything comes from a
seeded :class:`random.Random` and fixed dates: the same arguments give byte-identical files
(gzip headers included) on any machine, whatever its clock or time zone.

Time zone
    Every timestamp is UTC.  Year-less RFC 3164 lines (``Nov 24 14:46:01``) carry no zone,
    so a scan of this tree must be told ``--timezone UTC``; rotation happens at midnight UTC.
    The window never spans Dec -> Jan with the default ``end``.

Layout (one generation per day, the newest day is the live file)::

    syslog  syslog.1  syslog.2.gz ... syslog.7.gz        web01, RFC 3164, all but auth
    kern.log  kern.log.1  kern.log.2.gz ...              web01, kernel lines (also in syslog)
    auth.log  auth.log.1  auth.log.{2,3}.gz  .4.bz2      web01, sshd/CRON/sudo/logind only
              .5.xz  .6.zst  .7.gz (two gzip members)
    nginx/access.log  nginx/access.log.1  .2.gz ...      combined log format
    messages-20261118.gz  messages-20261121.gz  messages db02, ISO 8601 (RHEL, dateext)
    daemon.log                                           web01, RFC 5424, last three days
    wtmp  journal/system.journal                         binary: a scanner must skip them

Each file's mtime, and each gzip member's MTIME, is the time of the file's last line, as
logrotate leaves it.  Nothing else goes into the tree: writing the truth there would get it
scanned, so ``python -m logsweep.samples DEST`` prints a one-line summary instead.
"""

from __future__ import annotations

import argparse
import bisect
import bz2
import functools
import gzip
import io
import ipaddress
import itertools
import lzma
import os
import random
import struct
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Final

import zstandard

__all__ = [
    "AcceptedLogin",
    "RobotsTruth",
    "SampleTruth",
    "SshTruth",
    "UsbDeviceTruth",
    "VolumeTruth",
    "generate_sample_tree",
    "main",
]

TIMEZONE: Final = "UTC"
DEFAULT_END: Final = datetime(2026, 11, 24, 23, 59, 59, tzinfo=UTC)
WEB: Final = "web01"
DB: Final = "db02"
MIN_LINES_PER_DAY: Final = 50
MAX_DAYS: Final = 366

_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_DAY: Final = timedelta(days=1)
_BASE_LINES: Final = 1500  # the volume every per-day rate below is tuned for

# Which files a syslog-family line lands in, the way Debian's rsyslog.conf routes it.
_SYSLOG: Final = ("syslog",)
_KERNEL: Final = ("syslog", "kern.log")
_AUTH: Final = ("auth.log",)
_MESSAGES: Final = ("messages",)
_DAEMON: Final = ("daemon.log",)

_WEB_IP: Final = "10.0.2.15"
_GATEWAY: Final = "10.0.2.2"
_SITE: Final = "https://www.example.org"
_RSYSLOG_ORIGIN: Final = (
    '[origin software="rsyslogd" swVersion="8.2302.0" x-pid="{pid}" '
    'x-info="https://www.rsyslog.com"]'
)
_NEW_KERNEL: Final = "6.1.0-13-amd64"

# An ordinary web site's traffic by UTC hour; crawlers ignore it.
_DIURNAL: Final = (2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 8, 9, 9, 8, 8, 7, 7, 6, 5, 4, 3, 2)
_DIURNAL_CUM: Final = tuple(itertools.accumulate(_DIURNAL))


# --------------------------------------------------------------------------- truth


@dataclass(frozen=True)
class UsbDeviceTruth:
    """One USB device, keyed by (vendor_id, product_id, serial); serial None when absent."""

    vendor_id: str
    product_id: str
    serial: str | None
    manufacturer: str
    product: str
    connections: int
    first_seen: str
    last_seen: str
    hosts: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor_id": self.vendor_id,
            "product_id": self.product_id,
            "serial": self.serial,
            "manufacturer": self.manufacturer,
            "product": self.product,
            "connections": self.connections,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "hosts": list(self.hosts),
        }


@dataclass(frozen=True)
class AcceptedLogin:
    user: str
    ip: str
    method: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"user": self.user, "ip": self.ip, "method": self.method, "count": self.count}


@dataclass(frozen=True)
class SshTruth:
    """sshd figures from auth.log*.

    ``failures`` counts ``Failed <method> for ...`` lines, ``error: PAM: Authentication
    failure for ...`` lines, and N for each ``message repeated N times: [ Failed ...]``;
    ``failures_by_hour`` spreads the same count over the UTC hours of those lines.
    """

    failures: int
    failed_by_ip: Mapping[str, int]
    failed_by_user: Mapping[str, int]
    invalid_users: Mapping[str, int]
    pam_failures_by_rhost: Mapping[str, int]
    accepted: tuple[AcceptedLogin, ...]
    failures_by_hour: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "failures": self.failures,
            "failed_by_ip": dict(self.failed_by_ip),
            "failed_by_user": dict(self.failed_by_user),
            "invalid_users": dict(self.invalid_users),
            "pam_failures_by_rhost": dict(self.pam_failures_by_rhost),
            "accepted": [a.to_json() for a in self.accepted],
            "failures_by_hour": dict(self.failures_by_hour),
        }


@dataclass(frozen=True)
class RobotsTruth:
    """GET requests whose path is exactly /robots.txt, query string allowed."""

    requests: int
    by_ip: Mapping[str, int]
    user_agents: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_ip": dict(self.by_ip),
            "user_agents": dict(self.user_agents),
        }


@dataclass(frozen=True)
class VolumeTruth:
    """Lines per host/program/UTC hour.

    Every syslog-family line counts once per file it is in (a kernel line is in syslog and
    kern.log: two lines logged).  Access-log lines count in ``by_hour`` only.
    ``by_program_hour`` holds the hourly lines of the ``TOP_PROGRAMS`` programs with the
    most lines (ties: by name), ``other_programs_by_hour`` those of all the others.
    """

    TOP_PROGRAMS: ClassVar[int] = 8

    by_host: Mapping[str, int]
    by_program: Mapping[str, int]
    by_hour: Mapping[str, int]
    by_program_hour: Mapping[str, Mapping[str, int]]
    other_programs_by_hour: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "by_host": dict(self.by_host),
            "by_program": dict(self.by_program),
            "by_hour": dict(self.by_hour),
            "by_program_hour": {p: dict(hours) for p, hours in self.by_program_hour.items()},
            "other_programs_by_hour": dict(self.other_programs_by_hour),
        }

    @classmethod
    def from_counts(
        cls,
        by_host: Counter[str],
        by_hour: Counter[str],
        program_hours: Mapping[str, Counter[str]],
    ) -> VolumeTruth:
        totals = Counter({p: sum(hours.values()) for p, hours in program_hours.items()})
        ranking = sorted(totals, key=lambda p: (-totals[p], p))
        other = Counter[str]()
        for program in ranking[cls.TOP_PROGRAMS :]:
            other += program_hours[program]
        return cls(
            by_host=_frozen(by_host),
            by_program=_frozen(totals),
            by_hour=_frozen(by_hour),
            by_program_hour=MappingProxyType(
                {p: _frozen(program_hours[p]) for p in ranking[: cls.TOP_PROGRAMS]}
            ),
            other_programs_by_hour=_frozen(other),
        )


@dataclass(frozen=True)
class SampleTruth:
    """What a correct scan of the generated tree reports (with ``--timezone UTC``)."""

    timezone: str
    start: str
    end: str
    files: tuple[str, ...]
    skipped: tuple[str, ...]
    usb: tuple[UsbDeviceTruth, ...]
    ssh: SshTruth
    robots: RobotsTruth
    volume: VolumeTruth

    def to_json(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "start": self.start,
            "end": self.end,
            "files": list(self.files),
            "skipped": list(self.skipped),
            "usb": [d.to_json() for d in self.usb],
            "ssh": self.ssh.to_json(),
            "robots": self.robots.to_json(),
            "volume": self.volume.to_json(),
        }


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class _Device:
    vendor_id: str
    product_id: str
    bcd: str | None  # None: announced by a kernel older than the bcdDevice field (4.18)
    speed: str
    strings: tuple[int, int, int]
    manufacturer: str
    product: str
    serial: str | None
    kind: str  # "storage", "hid", "hid2" (two HID interfaces) or "hub"


_SANDISK: Final = _Device(
    "0781",
    "5581",
    " 1.00",
    "high-speed",
    (1, 2, 3),
    "SanDisk",
    "Ultra",
    "4C530001230512345678",
    "storage",
)
_LOGITECH: Final = _Device(
    "046d", "c52b", "12.11", "full-speed", (1, 2, 0), "Logitech", "USB Receiver", None, "hid"
)
_YUBIKEY: Final = _Device(
    "1050",
    "0407",
    " 5.43",
    "full-speed",
    (1, 2, 0),
    "Yubico",
    "YubiKey OTP+FIDO+CCID",
    None,
    "hid2",
)
_KINGSTON: Final = _Device(
    "0951",
    "1666",
    None,
    "high-speed",
    (1, 2, 3),
    "Kingston",
    "DataTraveler 3.0",
    "60A44C413A8CF1A0B9A30F6E",
    "storage",
)
_ROOT_HUBS: Final = tuple(
    _Device(
        "1d6b",
        pid,
        " 6.01",
        "",
        (3, 2, 1),
        f"Linux {_NEW_KERNEL} xhci-hcd",
        "xHCI Host Controller",
        "0000:00:14.0",
        "hub",
    )
    for pid in ("0002", "0003")
)
# Disk geometry for the storage kind: (logical blocks, human size, SCSI vendor/model/rev).
_DISKS: Final = {
    _SANDISK: (60063744, "(30.8 GB/28.6 GiB)", "SanDisk  Ultra            1.00"),
    _KINGSTON: (30218842, "(15.5 GB/14.4 GiB)", "Kingston DataTraveler 3.0 PMAP"),
}


@dataclass(frozen=True, slots=True)
class _Ssh:
    kind: str  # "fail", "invalid", "pam" or "accept"
    ip: str
    user: str = ""
    count: int = 1
    method: str = ""


@dataclass(slots=True)
class _Line:
    ts: datetime
    seq: int
    host: str
    program: str
    pid: int | None
    msg: str
    sinks: tuple[str, ...]
    uptime_us: int | None = None
    pri: int = 30
    usb: _Device | None = None
    ssh: _Ssh | None = None
    boot: bool = False  # part of the reboot itself, so it survives the downtime cut


@dataclass(slots=True)
class _Hit:
    ts: datetime
    seq: int
    ip: str
    request: str
    status: int
    size: int
    referer: str
    agent: str
    robots: bool = False


@dataclass(slots=True)
class _Session:
    start: datetime
    end: datetime
    user: str
    uid: int
    ip: str
    method: str
    key: str = ""
    typo: bool = False  # a mistyped password first: one real failure from a legitimate user
    reboot: bool = False  # the session that reboots the host; the shutdown closes it
    sudo: list[tuple[int, str]] = field(default_factory=list)
    pid: int = 0  # sshd's placeholder PID once emitted


@dataclass(slots=True)
class _KernelState:
    """Per-boot counters the kernel hands out in order (SCSI hosts, HID and input numbers)."""

    scsi_host: int
    hid: int = 1
    input: int = 7
    hidraw_held: int = 0  # hidraw nodes of devices that stay plugged in
    storage_loaded: bool = False


# --------------------------------------------------------------------------- generator


def _iso(ts: datetime) -> str:
    return ts.isoformat()


def _ns(ts: datetime) -> int:
    delta = ts - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def _closest(target_minutes: float, choices: Sequence[int]) -> int:
    return min(choices, key=lambda c: abs(c - target_minutes))


class _Builder:
    def __init__(self, seed: int, end: datetime, days: int, lines_per_day: int) -> None:
        # Not for security: a seeded PRNG is the whole point (reproducible samples).
        self.rng = random.Random(seed)  # noqa: S311
        self.end = end
        self.days = days
        self.scale = lines_per_day / _BASE_LINES
        self.lines_per_day = lines_per_day
        self.start = datetime.combine(end.date() - (days - 1) * _DAY, time(0), tzinfo=UTC)
        self._seq = itertools.count()
        self._procs = 0
        self.pid_of: dict[int, int] = {}
        # Rare ingredients still show up at least once, on a day of their own.
        self.showcase = {
            name: self.rng.randrange(days)
            for name in (
                "198.51.100.7",
                "2001:db8::66",
                "203.0.113.45",
                "198.51.100.8",
                "198.51.100.77",
                "203.0.113.37",
                "203.0.113.54",
                "git",
                "curl",
                "decoys",
                "static",
                "tls",
            )
        }
        self.web: list[_Line] = []
        self.db: list[_Line] = []
        self.daemon: list[_Line] = []
        self.hits: list[_Hit] = []
        self.sessions: list[_Session] = []
        rng = self.rng
        # The host reboots into a new kernel on the first morning: that boot announces the
        # root hubs, and the one USB event before it comes from the old kernel.
        self.boot = self.start + timedelta(
            hours=7, minutes=rng.randint(30, 44), microseconds=rng.randint(0, 999_999)
        )
        self.prev_boot = self.start - timedelta(days=37, seconds=rng.randint(0, 86_399))
        self.shutdown = (self.boot - timedelta(seconds=rng.randint(50, 70))).replace(microsecond=0)
        self.syslog_up = (self.boot + timedelta(seconds=rng.randint(6, 9))).replace(microsecond=0)
        self._pids = {
            0: {
                "systemd-logind": 598,
                "dhclient": 812,
                "webapp": 1311,
                "postfix/qmgr": 1702,
                "sshd": 733,
                "rsyslogd": 604,
            },
            1: {
                "systemd-logind": 587,
                "dhclient": 790,
                "webapp": 1288,
                "postfix/qmgr": 1650,
                "sshd": 719,
                "rsyslogd": 592,
            },
        }

    # ---- small helpers

    def day(self, i: int) -> datetime:
        return self.start + i * _DAY

    def at(self, i: int, seconds: float) -> datetime:
        return self.day(i) + timedelta(seconds=seconds)

    def rand_ts(self, i: int, lo_h: float = 0, hi_h: float = 24) -> datetime:
        return self.at(i, self.rng.randrange(int(lo_h * 3600), int(hi_h * 3600)))

    def diurnal_ts(self, i: int) -> datetime:
        rnd = self.rng.random
        hour = bisect.bisect(_DIURNAL_CUM, rnd() * _DIURNAL_CUM[-1])
        return self.day(i) + timedelta(seconds=hour * 3600 + int(rnd() * 3600))

    def booted(self, ts: datetime) -> int:
        return 1 if ts >= self.syslog_up else 0

    def daemon_pid(self, name: str, ts: datetime) -> int:
        return self._pids[self.booted(ts)][name]

    def proc(self) -> int:
        # A placeholder for a short-lived process; finish() turns placeholders into PIDs in
        # order of first appearance, since Linux hands PIDs out increasingly.
        self._procs -= 1
        return self._procs

    def add(
        self,
        ts: datetime,
        program: str,
        pid: int | None,
        msg: str,
        sinks: tuple[str, ...] = _SYSLOG,
        **extra: Any,
    ) -> _Line:
        line = _Line(ts, next(self._seq), WEB, program, pid, msg, sinks, **extra)
        self.web.append(line)
        return line

    def kern(self, ts: datetime, msg: str, **extra: Any) -> _Line:
        return self.add(ts, "kernel", None, msg, _KERNEL, **extra)

    def auth(self, ts: datetime, program: str, pid: int | None, msg: str, **extra: Any) -> None:
        self.add(ts, program, pid, msg, _AUTH, **extra)

    def systemd_unit(self, ts: datetime, unit: str, desc: str, took: int = 1) -> None:
        self.add(ts, "systemd", 1, f"Starting {unit} - {desc}...")
        done = ts + timedelta(seconds=took)
        self.add(done, "systemd", 1, f"{unit}: Deactivated successfully.")
        self.add(done, "systemd", 1, f"Finished {unit} - {desc}.")

    def hit(
        self,
        ts: datetime,
        ip: str,
        request: str,
        status: int,
        size: int,
        referer: str,
        agent: str,
        *,
        robots: bool = False,
    ) -> None:
        self.hits.append(
            _Hit(ts, next(self._seq), ip, request, status, size, referer, agent, robots)
        )

    # ---- web01: syslog

    def build(self) -> None:
        for i in range(self.days):
            self.syslog_day(i)
            self.cron_day(i)
            self.ufw_day(i)
            self.attacks_day(i)
            self.crawlers_day(i)
        self.dhclient()
        self.plan_sessions()
        self.emit_sessions()
        self.usb()
        for i in range(self.days):
            self.webapp_fill(i)
            self.browsing_fill(i)
        self.cut_downtime()
        self.reboot()
        self.messages()
        self.daemon_log()

    def syslog_day(self, i: int) -> None:
        rng = self.rng
        day = self.day(i)
        # logrotate.timer fires at midnight and HUPs rsyslog into the new files.
        self.add(day, "systemd", 1, "Starting logrotate.service - Rotate log files...")
        pid = self.daemon_pid("rsyslogd", day)
        hup = day + timedelta(seconds=rng.randint(0, 1))
        self.add(hup, "rsyslogd", None, _RSYSLOG_ORIGIN.format(pid=pid) + " rsyslogd was HUPed")
        self.add(hup, "systemd", 1, "logrotate.service: Deactivated successfully.")
        self.add(hup, "systemd", 1, "Finished logrotate.service - Rotate log files.")
        runs = max(4.0, self.lines_per_day * 0.29 / 3)
        every = _closest(1440 / runs, (5, 10, 15, 20, 30, 60, 120, 240))
        for minute in range(0, 1440, every):
            ts = self.at(i, minute * 60 + rng.randint(0, 3))
            self.systemd_unit(ts, "sysstat-collect.service", "system activity accounting tool")
        self.systemd_unit(
            self.rand_ts(i, 0, 0.5),
            "man-db.service",
            "Daily man-db regeneration",
            took=rng.randint(1, 4),
        )
        for lo, hi in ((6, 7), (14, 20)):
            self.systemd_unit(
                self.rand_ts(i, lo, hi),
                "apt-daily.service",
                "Daily apt download activities",
                took=rng.randint(2, 9),
            )
        self.systemd_unit(
            self.rand_ts(i, 6, 6.9),
            "apt-daily-upgrade.service",
            "Daily apt upgrade and clean activities",
            took=rng.randint(2, 20),
        )
        if day.weekday() == 0:
            ts = self.rand_ts(i, 0, 1)
            self.add(
                ts,
                "systemd",
                1,
                "Starting fstrim.service - Discard unused blocks on filesystems from /etc/fstab...",
            )
            gib = rng.uniform(1, 9)
            self.add(
                ts + timedelta(seconds=2),
                "fstrim",
                self.proc(),
                f"/: {gib:.1f} GiB ({int(gib * 2**30)} bytes) trimmed on /dev/sda1",
            )
            self.add(
                ts + timedelta(seconds=2), "systemd", 1, "fstrim.service: Deactivated successfully."
            )
        if rng.random() < 0.5:
            ts = self.rand_ts(i)
            self.add(
                ts,
                "systemd-timesyncd",
                402 if self.booted(ts) else 410,
                "Initial synchronization to time server 192.0.2.123:123 (2.debian.pool.ntp.org).",
            )

    def cron_day(self, i: int) -> None:
        jobs = [
            (h * 3600 + 17 * 60, "root", 0, "cd / && run-parts --report /etc/cron.hourly")
            for h in range(24)
        ]
        jobs.append(
            (
                6 * 3600 + 25 * 60,
                "root",
                0,
                "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }",
            )
        )
        every = 30 if self.lines_per_day >= 1000 else 120
        jobs += [
            (m * 60 + 7 * 60, "www-data", 33, "/srv/app/bin/purge-sessions >/dev/null 2>&1")
            for m in range(0, 1440, every)
        ]
        jobs.sort()
        for secs, user, uid, cmd in jobs:
            ts = self.at(i, secs + 1)
            pid = self.proc()
            self.auth(
                ts,
                "CRON",
                pid,
                f"pam_unix(cron:session): session opened for user {user}(uid={uid}) by (uid=0)",
            )
            self.add(ts, "CRON", pid, f"({user}) CMD ({cmd})")
            done = ts + timedelta(seconds=self.rng.choice((0, 0, 1, 3)))
            self.auth(done, "CRON", pid, f"pam_unix(cron:session): session closed for user {user}")
            if "cron.daily" in cmd:
                self.mail_from_cron(done + timedelta(seconds=2))

    def mail_from_cron(self, ts: datetime) -> None:
        # cron.daily's output is mailed to root; mail.* also goes to syslog on Debian.
        rng = self.rng
        qid = f"{rng.getrandbits(40):010X}"
        self.add(ts, "postfix/pickup", self.proc(), f"{qid}: uid=0 from=<root>")
        self.add(
            ts,
            "postfix/cleanup",
            self.proc(),
            f"{qid}: message-id=<{ts:%Y%m%d%H%M%S}.{qid}@web01.example.org>",
        )
        qmgr = self.daemon_pid("postfix/qmgr", ts)
        self.add(
            ts,
            "postfix/qmgr",
            qmgr,
            f"{qid}: from=<root@web01.example.org>, size={rng.randint(700, 2400)}, "
            "nrcpt=1 (queue active)",
        )
        self.add(
            ts,
            "postfix/local",
            self.proc(),
            f"{qid}: to=<root@web01.example.org>, orig_to=<root>, relay=local, "
            "delay=0.02, delays=0.01/0.01/0/0, dsn=2.0.0, status=sent "
            "(delivered to mailbox)",
        )
        self.add(ts, "postfix/qmgr", qmgr, f"{qid}: removed")

    def ufw_day(self, i: int) -> None:
        rng = self.rng
        for _ in range(max(3, round(90 * self.scale))):
            ts = self.rand_ts(i)
            src = rng.choice(
                (
                    "198.51.100.9",
                    "198.51.100.9",
                    f"203.0.113.{rng.randint(60, 250)}",
                    f"198.51.100.{rng.randint(120, 250)}",
                )
            )
            dpt = rng.choice((23, 23, 445, 3389, 5900, 6379, 8080, 2375, 1433))
            self.kern(
                ts,
                "[UFW BLOCK] IN=eno1 OUT= MAC=d0:94:66:1a:2b:3c:00:1b:21:8a:7e:52:08:00 "
                f"SRC={src} DST={_WEB_IP} LEN=44 TOS=0x00 PREC=0x00 "
                f"TTL={rng.randint(40, 250)} ID={rng.randint(1, 65535)} PROTO=TCP "
                f"SPT={rng.randint(1024, 65535)} DPT={dpt} WINDOW=1024 RES=0x00 SYN URGP=0",
            )

    def dhclient(self) -> None:
        rng = self.rng
        ts = self.start + timedelta(seconds=rng.randint(600, 9000))
        limit = self.day(self.days)
        while ts < limit:
            pid = self.daemon_pid("dhclient", ts)
            renew = rng.randint(18_000, 43_000)
            self.add(
                ts, "dhclient", pid, f"DHCPREQUEST for {_WEB_IP} on eno1 to {_GATEWAY} port 67"
            )
            self.add(ts, "dhclient", pid, f"DHCPACK of {_WEB_IP} from {_GATEWAY}")
            self.add(ts, "dhclient", pid, f"bound to {_WEB_IP} -- renewal in {renew} seconds.")
            ts += timedelta(seconds=renew)

    def webapp_fill(self, i: int) -> None:
        # The application's own request log fills the day up to its share of lines_per_day.
        rng = self.rng
        lo, hi = self.day(i), self.day(i + 1)
        have = sum(1 for ln in self.web if "syslog" in ln.sinks and lo <= ln.ts < hi)
        paths = (
            "/api/v1/items",
            "/api/v1/items/{}",
            "/api/v1/search",
            "/api/v1/session",
            "/api/v1/cart/{}",
            "/healthz",
        )
        target = round(self.lines_per_day * rng.uniform(0.94, 1.06))
        for _ in range(max(self.lines_per_day // 10, target - have)):
            ts = self.diurnal_ts(i)
            pid = self.daemon_pid("webapp", ts)
            roll = rng.random()
            if roll < 0.015:
                msg = (
                    'level=error msg="database query failed" err="dial tcp 10.0.3.21:5432: '
                    'i/o timeout" upstream=db02'
                )
            elif roll < 0.05:
                msg = (
                    f'level=warn msg="slow request" path=/api/v1/search '
                    f"duration_ms={rng.randint(800, 4000)}"
                )
            else:
                method = "POST" if rng.random() < 0.15 else "GET"
                path = rng.choice(paths).format(rng.randint(1, 9999))
                status = rng.choice((200, 200, 200, 200, 200, 201, 204, 304, 404))
                msg = (
                    f'level=info msg="request completed" method={method} path={path} '
                    f"status={status} duration_ms={rng.randint(1, 180)} "
                    f"request_id={rng.getrandbits(32):08x}"
                )
            self.add(ts, "webapp", pid, msg)

    # ---- web01: auth

    def plan_sessions(self) -> None:
        rng = self.rng
        keys = {
            "deploy": "ED25519 SHA256:3pN0u0bB5Sg1JkqzY6r7bXr3mYtDzw8kqfZ5D8XlQ2c",
            "alice": "ED25519 SHA256:Qm9Jx2eV1mS0w3oT8yR4cN6hK5dL7pZaUbWiEvFgHjs",
        }
        for i in range(self.days):
            for _ in range(max(1, round(rng.randint(3, 6) * min(1.0, self.scale * 2)))):
                ts = self.rand_ts(i, 8, 19)
                self.sessions.append(
                    _Session(
                        ts,
                        ts + timedelta(seconds=rng.randint(4, 90)),
                        "deploy",
                        1001,
                        "192.0.2.10",
                        "publickey",
                        keys["deploy"],
                    )
                )
            if self.day(i).weekday() < 5:
                ts = self.rand_ts(i, 8.5, 10)
                s = _Session(
                    ts,
                    ts + timedelta(seconds=rng.randint(600, 5400)),
                    "alice",
                    1000,
                    "192.0.2.11",
                    "password",
                    typo=rng.random() < 0.35,
                )
                s.sudo = [(rng.randint(30, 500), "/usr/bin/journalctl -u nginx --since today")]
                if rng.random() < 0.5:
                    s.sudo.append((rng.randint(501, 590), "/usr/bin/systemctl reload nginx"))
                self.sessions.append(s)
            else:
                ts = self.rand_ts(i, 20, 22)
                self.sessions.append(
                    _Session(
                        ts,
                        ts + timedelta(seconds=rng.randint(60, 900)),
                        "alice",
                        1000,
                        "2001:db8:1::11",
                        "publickey",
                        keys["alice"],
                    )
                )
        # alice reboots the box into the new kernel on the first morning.
        ts = self.shutdown - timedelta(seconds=rng.randint(400, 900))
        self.sessions.append(
            _Session(
                ts,
                self.shutdown + timedelta(seconds=1),
                "alice",
                1000,
                "192.0.2.11",
                "password",
                reboot=True,
                sudo=[(int((self.shutdown - ts).total_seconds()) - 2, "/usr/sbin/reboot")],
            )
        )
        self.sessions.sort(key=lambda s: s.start)

    def emit_sessions(self) -> None:
        rng = self.rng
        number = {0: rng.randint(200, 900), 1: 0}
        for s in self.sessions:
            if s.start < self.syslog_up <= s.end and not s.reboot:
                continue  # a session cannot live through the reboot
            boot = self.booted(s.start)
            number[boot] += 1
            n = number[boot]
            pid = s.pid = self.proc()
            port = rng.randint(32768, 60999)
            ts = s.start
            if s.typo:
                self.auth(
                    ts,
                    "sshd",
                    pid,
                    "pam_unix(sshd:auth): authentication failure; "
                    f"logname= uid=0 euid=0 tty=ssh ruser= rhost={s.ip}  user={s.user}",
                    ssh=_Ssh("pam", s.ip),
                )
                ts += timedelta(seconds=2)
                self.auth(
                    ts,
                    "sshd",
                    pid,
                    f"Failed password for {s.user} from {s.ip} port {port} ssh2",
                    ssh=_Ssh("fail", s.ip, s.user),
                )
                ts += timedelta(seconds=rng.randint(3, 8))
            suffix = f": {s.key}" if s.key else ""
            self.auth(
                ts,
                "sshd",
                pid,
                f"Accepted {s.method} for {s.user} from {s.ip} port {port} ssh2{suffix}",
                ssh=_Ssh("accept", s.ip, s.user, method=s.method),
            )
            self.auth(
                ts,
                "sshd",
                pid,
                f"pam_unix(sshd:session): session opened for user {s.user}(uid={s.uid}) by (uid=0)",
            )
            logind = self.daemon_pid("systemd-logind", ts)
            self.auth(ts, "systemd-logind", logind, f"New session {n} of user {s.user}.")
            self.add(ts, "systemd", 1, f"Started session-{n}.scope - Session {n} of User {s.user}.")
            for offset, cmd in s.sudo:
                st = ts + timedelta(seconds=offset)
                self.auth(
                    st,
                    "sudo",
                    None,
                    f"   {s.user} : TTY=pts/0 ; PWD=/home/{s.user} ; USER=root ; COMMAND={cmd}",
                )
                sp = self.proc()
                self.auth(
                    st,
                    "sudo",
                    sp,
                    "pam_unix(sudo:session): session opened for user "
                    f"root(uid=0) by {s.user}(uid={s.uid})",
                )
                if cmd != "/usr/sbin/reboot":
                    self.auth(
                        st + timedelta(seconds=rng.randint(0, 3)),
                        "sudo",
                        sp,
                        "pam_unix(sudo:session): session closed for user root",
                    )
            end = s.end
            if s.reboot:
                continue
            self.auth(
                end,
                "sshd",
                pid,
                f"Received disconnect from {s.ip} port {port}:11: disconnected by user",
            )
            self.auth(end, "sshd", pid, f"Disconnected from user {s.user} {s.ip} port {port}")
            self.auth(end, "sshd", pid, f"pam_unix(sshd:session): session closed for user {s.user}")
            self.auth(
                end,
                "systemd-logind",
                logind,
                f"Session {n} logged out. Waiting for processes to exit.",
            )
            self.add(end, "systemd", 1, f"session-{n}.scope: Deactivated successfully.")
            self.auth(end, "systemd-logind", logind, f"Removed session {n}.")

    def attacks_day(self, i: int) -> None:
        rng = self.rng
        # (ip, style, attempts per active day at the base volume, share of active days)
        attackers = (
            ("198.51.100.7", "password", 40, 0.75),
            ("2001:db8::66", "password", 25, 0.5),
            ("203.0.113.45", "invalid", 20, 0.4),
            ("198.51.100.8", "kbdint", 12, 0.4),
            ("198.51.100.77", "password", 10, 0.3),
        )
        for ip, style, per_day, share in attackers:
            # The busiest attacker is at it in the live file too.
            busiest = ip == "198.51.100.7" and i == self.days - 1
            if rng.random() >= share and i != self.showcase[ip] and not busiest:
                continue
            attempts = max(1, round(per_day * self.scale * rng.uniform(0.6, 1.4)))
            bursts = rng.randint(1, 3)
            for b in range(bursts):
                ts = self.rand_ts(i, 0, 23.5)
                port = rng.randint(30000, 60000)
                for _ in range(attempts // bursts + (1 if b < attempts % bursts else 0)):
                    ts = self.attempt(ts, ip, style, port)
                    ts += timedelta(seconds=rng.randint(1, 9))
                    port += rng.randint(1, 7)
        for _ in range(rng.randint(1, 4)):
            # A port scanner that never gets as far as a user name.
            ts = self.rand_ts(i)
            pid = self.proc()
            port = rng.randint(1024, 65535)
            if rng.random() < 0.5:
                self.auth(
                    ts,
                    "sshd",
                    pid,
                    "error: kex_exchange_identification: Connection closed by remote host",
                )
                self.auth(ts, "sshd", pid, f"Connection closed by 198.51.100.9 port {port}")
            else:
                self.auth(
                    ts, "sshd", pid, f"Connection closed by 198.51.100.9 port {port} [preauth]"
                )
        if rng.random() < 0.4 or i == self.showcase["git"]:
            # A CI runner offering a stale key before the right one.
            ts = self.rand_ts(i, 8, 18)
            pid = self.proc()
            port = rng.randint(32768, 60999)
            self.auth(
                ts,
                "sshd",
                pid,
                f"Failed publickey for git from 192.0.2.44 port {port} "
                "ssh2: RSA SHA256:abcY2l0aHViLWNpLW9sZC1rZXktMjAyMg",
                ssh=_Ssh("fail", "192.0.2.44", "git"),
            )
            self.auth(
                ts + timedelta(seconds=1),
                "sshd",
                pid,
                f"Connection closed by authenticating user git 192.0.2.44 port {port} [preauth]",
            )

    def attempt(self, ts: datetime, ip: str, style: str, port: int) -> datetime:
        rng = self.rng
        pid = self.proc()
        invalid_names = (
            "admin",
            "test",
            "oracle",
            "ubuntu",
            "user",
            "pi",
            "ftpuser",
            "postgres",
            "guest",
            "support",
        )
        root_share = {"password": 0.55, "invalid": 0.1, "kbdint": 0.4}[style]
        root = rng.random() < root_share
        user = "root" if root else rng.choice(invalid_names)
        a = _AuthWriter(self, pid)
        pam = "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        if not root:
            a(ts, f"Invalid user {user} from {ip} port {port}", _Ssh("invalid", ip, user))
            a(ts, "pam_unix(sshd:auth): check pass; user unknown")
            ts += timedelta(seconds=rng.randint(0, 1))
            a(ts, f"{pam}rhost={ip}", _Ssh("pam", ip))
        else:
            a(ts, f"{pam}rhost={ip}  user=root", _Ssh("pam", ip))
        ts += timedelta(seconds=rng.randint(1, 3))
        who = "root" if root else f"invalid user {user}"
        if style == "kbdint":
            illegal = "root" if root else f"illegal user {user}"
            a(
                ts,
                f"error: PAM: Authentication failure for {illegal} from {ip}",
                _Ssh("fail", ip, user),
            )
            a(
                ts,
                f"Failed keyboard-interactive/pam for {who} from {ip} port {port} ssh2",
                _Ssh("fail", ip, user),
            )
            ts += timedelta(seconds=1)
            state = "authenticating user root" if root else f"invalid user {user}"
            a(ts, f"Connection closed by {state} {ip} port {port} [preauth]")
            return ts
        failed = f"Failed password for {who} from {ip} port {port} ssh2"
        a(ts, failed, _Ssh("fail", ip, user))
        repeats = rng.choice((0, 0, 0, 1, 2, 3, 5)) if root else 0
        if repeats:
            # rsyslog folds identical consecutive messages into one "message repeated" line.
            ts += timedelta(seconds=repeats * 2)
            a(ts, f"message repeated {repeats} times: [ {failed}]", _Ssh("fail", ip, user, repeats))
        ts += timedelta(seconds=1)
        if repeats == 5:  # MaxAuthTries 6 reached
            a(
                ts,
                f"error: maximum authentication attempts exceeded for root from {ip} port "
                f"{port} ssh2 [preauth]",
            )
            a(
                ts,
                f"Disconnecting authenticating user root {ip} port {port}: Too many "
                "authentication failures [preauth]",
            )
        elif root:
            a(ts, f"Connection closed by authenticating user root {ip} port {port} [preauth]")
        else:
            a(ts, f"Received disconnect from {ip} port {port}:11: Bye Bye [preauth]")
            a(ts, f"Disconnected from invalid user {user} {ip} port {port} [preauth]")
        if root and repeats:
            a(
                ts,
                f"PAM {repeats} more authentication failures; logname= uid=0 euid=0 tty=ssh "
                f"ruser= rhost={ip}  user=root",
            )
            if repeats == 5:
                a(ts, "PAM service(sshd) ignoring max retries; 6 > 3")
        return ts

    # ---- web01: kernel and USB

    def usb(self) -> None:
        rng = self.rng
        old = _KernelState(scsi_host=4)
        new = _KernelState(scsi_host=6)
        ts = self.at(0, rng.randint(3 * 3600, 6 * 3600))
        if ts < self.shutdown:
            devnum = rng.randint(5, 12)
            unplug = self.plug(ts, _KINGSTON, "1-2", devnum, old)
            if unplug < self.shutdown:
                self.kern(unplug, f"usb 1-2: USB disconnect, device number {devnum}")
        plan = (
            (0.1, _SANDISK, "1-2"),
            (0.3, _LOGITECH, "1-3"),
            (0.5, _YUBIKEY, "1-4"),
            (0.75, _SANDISK, "1-2"),
            (1.0, _YUBIKEY, "1-4"),
        )
        ready = self.syslog_up + timedelta(minutes=10)
        wanted: list[tuple[datetime, _Device, str]] = []
        for frac, dev, port in plan:
            ts = self.rand_ts(round(frac * (self.days - 1)), 9, 17)
            if ts < ready:
                ts = ready + timedelta(seconds=rng.randint(0, 7200))
            wanted.append((ts, dev, port))
        wanted.sort(key=lambda w: w[0])
        devnum = 1
        free_at: dict[str, datetime] = {}
        for ts, dev, port in wanted:
            ts = max(ts, free_at.get(port, ts) + timedelta(seconds=rng.randint(120, 900)))
            devnum += 1
            unplug = self.plug(ts, dev, port, devnum, new)
            if dev is _LOGITECH:
                free_at[port] = self.day(self.days + 1)  # the receiver stays in
            else:
                self.kern(unplug, f"usb {port}: USB disconnect, device number {devnum}")
                free_at[port] = unplug

    def plug(self, ts: datetime, dev: _Device, port: str, devnum: int, k: _KernelState) -> datetime:
        rng = self.rng
        self.kern(ts, f"usb {port}: new {dev.speed} USB device number {devnum} using xhci_hcd")
        self.announce(ts, f"usb {port}", dev)
        bus, _, path = port.partition("-")
        mtp = self.proc()
        self.add(
            ts,
            "mtp-probe",
            mtp,
            f"checking bus {bus}, device {devnum}: "
            f'"/sys/devices/pci0000:00/0000:00:14.0/usb{bus}/{port}"',
        )
        self.add(ts, "mtp-probe", mtp, f"bus: {bus}, device: {devnum} was not an MTP device")
        if dev.kind == "storage":
            blocks, size, model = _DISKS[dev]
            host = k.scsi_host
            k.scsi_host += 1
            self.kern(ts, f"usb-storage {port}:1.0: USB Mass Storage device detected")
            self.kern(ts, f"scsi host{host}: usb-storage {port}:1.0")
            if not k.storage_loaded:
                k.storage_loaded = True
                self.kern(ts, "usbcore: registered new interface driver usb-storage")
                self.kern(ts, "usbcore: registered new interface driver uas")
            t1 = ts + timedelta(seconds=1)
            sd = f"sd {host}:0:0:0"
            self.kern(t1, f"scsi {host}:0:0:0: Direct-Access     {model} PQ: 0 ANSI: 6")
            self.kern(t1, f"{sd}: Attached scsi generic sg1 type 0")
            self.kern(t1, f"{sd}: [sdb] {blocks} 512-byte logical blocks: {size}")
            self.kern(t1, f"{sd}: [sdb] Write Protect is off")
            self.kern(t1, f"{sd}: [sdb] Mode Sense: 43 00 00 00")
            self.kern(
                t1,
                f"{sd}: [sdb] Write cache: disabled, read cache: enabled, doesn't "
                "support DPO or FUA",
            )
            self.kern(t1, " sdb: sdb1")
            self.kern(t1, f"{sd}: [sdb] Attached SCSI removable disk")
            return ts + timedelta(seconds=rng.randint(900, 5400))
        sysfs = f"/devices/pci0000:00/0000:00:14.0/usb{bus}/{port}/{port}:1.0"
        ids = f"{dev.vendor_id.upper()}:{dev.product_id.upper()}"
        name = f"{dev.manufacturer} {dev.product}"
        interfaces = 2 if dev.kind == "hid2" else 1
        for iface in range(interfaces):
            hid = f"0003:{ids}.{k.hid:04X}"
            raw = k.hidraw_held + iface
            usbpath = f"usb-0000:00:14.0-{path}/input{iface}"
            if iface == 0:
                self.kern(ts, f"input: {name} as {sysfs}/{hid}/input/input{k.input}")
                self.kern(
                    ts,
                    f"hid-generic {hid}: input,hidraw{raw}: USB HID v1.11 Keyboard "
                    f"[{name}] on {usbpath}",
                )
                k.input += 1
            else:
                self.kern(
                    ts,
                    f"hid-generic {hid}: hiddev0,hidraw{raw}: USB HID v1.10 Device "
                    f"[{name}] on {usbpath}",
                )
            k.hid += 1
        if dev is _LOGITECH:
            k.hidraw_held += interfaces
        return ts + timedelta(seconds=rng.randint(60, 1500))

    def announce(self, ts: datetime, name: str, dev: _Device, uptime: int | None = None) -> None:
        # An uptime is given for root hubs: rsyslog replays them from the ring buffer at boot.
        at_boot = uptime is not None

        def k(msg: str, usb: _Device | None = None) -> None:
            nonlocal uptime
            self.kern(ts, f"{name}: {msg}", uptime_us=uptime, usb=usb, boot=at_boot)
            if uptime is not None:
                uptime += self.rng.randint(3, 40)

        bcd = "" if dev.bcd is None else f", bcdDevice={dev.bcd}"
        k(f"New USB device found, idVendor={dev.vendor_id}, idProduct={dev.product_id}{bcd}", dev)
        mfr, prod, ser = dev.strings
        k(f"New USB device strings: Mfr={mfr}, Product={prod}, SerialNumber={ser}")
        k(f"Product: {dev.product}")
        k(f"Manufacturer: {dev.manufacturer}")
        if dev.serial is not None:
            k(f"SerialNumber: {dev.serial}")

    def cut_downtime(self) -> None:
        # Nothing is logged while the machine is down, nor in rsyslog's first second, which
        # belongs to the kernel ring buffer replay (uptimes from zero).
        lo, hi = self.shutdown, self.syslog_up
        self.web = [ln for ln in self.web if ln.boot or not lo <= ln.ts <= hi]
        self.hits = [h for h in self.hits if not lo <= h.ts < hi + timedelta(seconds=3)]

    def reboot(self) -> None:
        rng = self.rng
        sd = self.shutdown
        logind = self._pids[0]["systemd-logind"]
        self.auth(sd, "systemd-logind", logind, "The system will reboot now!", boot=True)
        self.auth(sd, "systemd-logind", logind, "System is rebooting.", boot=True)
        units = (
            ("nginx.service", "A high performance web server and a reverse proxy server"),
            ("ssh.service", "OpenBSD Secure Shell server"),
            ("webapp.service", "Example web application"),
            ("cron.service", "Regular background program processing daemon"),
        )
        t = sd
        for unit, desc in units:
            self.add(t, "systemd", 1, f"Stopping {unit} - {desc}...", boot=True)
            if unit == "ssh.service":
                self.auth(
                    t, "sshd", self._pids[0]["sshd"], "Received signal 15; terminating.", boot=True
                )
            t += timedelta(seconds=rng.randint(0, 1))
            self.add(t, "systemd", 1, f"{unit}: Deactivated successfully.", boot=True)
            self.add(t, "systemd", 1, f"Stopped {unit} - {desc}.", boot=True)
        self.add(t, "systemd", 1, "Stopping rsyslog.service - System Logging Service...", boot=True)
        self.add(
            t,
            "rsyslogd",
            None,
            _RSYSLOG_ORIGIN.format(pid=self._pids[0]["rsyslogd"]) + " exiting on signal 15.",
            boot=True,
        )

        up = self.syslog_up
        self.add(
            up,
            "rsyslogd",
            None,
            _RSYSLOG_ORIGIN.format(pid=self._pids[1]["rsyslogd"]) + " start",
            boot=True,
        )
        us = 0

        def ring(msg: str, step: tuple[int, int] = (0, 0)) -> None:
            nonlocal us
            us += rng.randint(*step)
            self.kern(up, msg, uptime_us=us, boot=True)

        ring(
            f"Linux version {_NEW_KERNEL} (debian-kernel@lists.debian.org) (gcc-12 (Debian "
            "12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC "
            "Debian 6.1.55-1 (2023-09-29)"
        )
        ring(
            f"Command line: BOOT_IMAGE=/boot/vmlinuz-{_NEW_KERNEL} "
            "root=UUID=5f2c8e4a-9b1d-4c3e-8f7a-2d6b0e9c1a34 ro quiet"
        )
        ring("BIOS-provided physical RAM map:")
        ring(
            "DMI: Dell Inc. PowerEdge R250/0J1CNF, BIOS 1.5.2 05/16/2023",
            (1_000, 4_000),
        )
        ring(
            "Memory: 16165040K/16645432K available (14343K kernel code, 2339K rwdata, "
            "9064K rodata, 2796K init, 17400K bss, 480132K reserved, 0K cma-reserved)",
            (40_000, 90_000),
        )
        ring("xhci_hcd 0000:00:14.0: xHCI Host Controller", (900_000, 1_200_000))
        ring("xhci_hcd 0000:00:14.0: new USB bus registered, assigned bus number 1", (40, 300))
        ring(
            "xhci_hcd 0000:00:14.0: hcc params 0x00087001 hci version 0x100 quirks "
            "0x0000000000000010",
            (300, 900),
        )
        for n, hub in enumerate(_ROOT_HUBS, start=1):
            us += rng.randint(200, 900)
            if n == 2:
                ring("xhci_hcd 0000:00:14.0: xHCI Host Controller")
                ring(
                    "xhci_hcd 0000:00:14.0: new USB bus registered, assigned bus number 2", (20, 90)
                )
                ring("xhci_hcd 0000:00:14.0: Host supports USB 3.0 SuperSpeed", (5, 30))
                us += rng.randint(20, 90)
            self.announce(up, f"usb usb{n}", hub, uptime=us)
            us += 500
            ring(f"hub {n}-0:1.0: USB hub found", (10, 60))
            ring(f"hub {n}-0:1.0: {15 if n == 1 else 4} ports detected", (100, 400))
        ring(
            "EXT4-fs (sda1): mounted filesystem 5f2c8e4a-9b1d-4c3e-8f7a-2d6b0e9c1a34 with "
            "ordered data mode. Quota mode: none.",
            (600_000, 900_000),
        )
        ring(
            "EXT4-fs (sda1): re-mounted 5f2c8e4a-9b1d-4c3e-8f7a-2d6b0e9c1a34. Quota mode: none.",
            (900_000, 1_500_000),
        )
        ring("e1000e 0000:00:1f.6 eno1: renamed from eth0", (100_000, 400_000))
        self.add(
            up,
            "systemd",
            1,
            "systemd 252.17-1~deb12u1 running in system mode (+PAM +AUDIT "
            "+SELINUX +APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS +OPENSSL +ACL +BLKID "
            "+CURL +ELFUTILS +FIDO2 +IDN2 -IDN +IPTC +KMOD +LIBCRYPTSETUP +LIBFDISK +PCRE2 "
            "-PWQUALITY +P11KIT +QRENCODE +TPM2 +BZIP2 +LZ4 +XZ +ZLIB +ZSTD -BPF_FRAMEWORK "
            "-XKBCOMMON +UTMP +SYSVINIT default-hierarchy=unified)",
            boot=True,
        )
        self.add(up, "systemd", 1, "Hostname set to <web01>.", boot=True)
        logind = self._pids[1]["systemd-logind"]
        self.auth(up, "systemd-logind", logind, "New seat seat0.", boot=True)
        self.auth(
            up,
            "systemd-logind",
            logind,
            "Watching system buttons on /dev/input/event0 (Power Button)",
            boot=True,
        )
        t = up + timedelta(seconds=1)
        sshd = self._pids[1]["sshd"]
        self.auth(t, "sshd", sshd, "Server listening on 0.0.0.0 port 22.", boot=True)
        self.auth(t, "sshd", sshd, "Server listening on :: port 22.", boot=True)
        dh = self._pids[1]["dhclient"]
        for msg in (
            "DHCPDISCOVER on eno1 to 255.255.255.255 port 67 interval 3",
            f"DHCPOFFER of {_WEB_IP} from {_GATEWAY}",
            f"DHCPREQUEST for {_WEB_IP} on eno1 to 255.255.255.255 port 67",
            f"DHCPACK of {_WEB_IP} from {_GATEWAY}",
            f"bound to {_WEB_IP} -- renewal in {rng.randint(18_000, 43_000)} seconds.",
        ):
            self.add(t, "dhclient", dh, msg, boot=True)
        for unit, desc in units[::-1]:
            self.add(t, "systemd", 1, f"Started {unit} - {desc}.", boot=True)
        self.add(
            t,
            "systemd",
            1,
            "Startup finished in 1.912s (kernel) + 6.204s (userspace) = 8.117s.",
            boot=True,
        )

    # ---- web01: nginx

    def crawlers_day(self, i: int) -> None:
        rng = self.rng
        crawlers = (
            (
                "203.0.113.9",
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                (2, 4),
            ),
            (
                "203.0.113.21",
                "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                (1, 2),
            ),
            (
                "203.0.113.37",
                "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
                (0, 1),
            ),
            (
                "203.0.113.54",
                "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
                (0, 2),
            ),
        )
        for ip, agent, (lo, hi) in crawlers:
            if i == self.showcase.get(ip):
                lo = max(lo, 1)
            for _ in range(rng.randint(lo, hi)):
                ts = self.rand_ts(i)
                query = "?v=2" if "Ahrefs" in agent and rng.random() < 0.3 else ""
                self.hit(
                    ts, ip, f"GET /robots.txt{query} HTTP/1.1", 200, 68, "-", agent, robots=True
                )
                for _ in range(rng.randint(2, 10)):
                    ts += timedelta(seconds=rng.randint(1, 40))
                    path = rng.choice((*_PAGES, "/sitemap.xml"))
                    self.hit(
                        ts, ip, f"GET {path} HTTP/1.1", 200, rng.randint(3000, 26000), "-", agent
                    )
        if rng.random() < 0.5 or i == self.showcase["curl"]:
            ts = self.rand_ts(i, 7, 19)
            self.hit(
                ts,
                "198.51.100.23",
                "GET /robots.txt HTTP/1.1",
                200,
                68,
                "-",
                "curl/7.88.1",
                robots=True,
            )
            self.hit(
                ts + timedelta(seconds=rng.randint(5, 60)),
                "198.51.100.23",
                "GET /robots.txt?x=1 HTTP/1.1",
                200,
                68,
                "-",
                "curl/7.88.1",
                robots=True,
            )
        # Decoys: the name appears, but not as the /robots.txt path.
        zgrab = "Mozilla/5.0 zgrab/0.x"
        ts = self.rand_ts(i)
        probes = ("/robots.txt.bak", "/robots.txtx", "/.env", "/wp-login.php", "/.git/config")
        for path in probes if i == self.showcase["decoys"] else rng.sample(probes, 2):
            self.hit(ts, "198.51.100.9", f"GET {path} HTTP/1.1", 404, 153, "-", zgrab)
            ts += timedelta(seconds=rng.randint(0, 2))
        if rng.random() < 0.4 or i == self.showcase["static"]:
            self.hit(
                self.rand_ts(i),
                "203.0.113.77",
                "GET /static/robots.txt HTTP/1.1",
                404,
                153,
                "-",
                "Mozilla/5.0 (compatible; SeznamBot/4.0; +https://o-seznam.cz/)",
            )
        if rng.random() < 0.5 or i == self.showcase["tls"]:
            self.hit(
                self.rand_ts(i),
                "198.51.100.9",
                r"\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03\x8A\x1F",
                400,
                157,
                "-",
                "-",
            )

    def browsing_fill(self, i: int) -> None:
        rng = self.rng
        lo, hi = self.day(i), self.day(i + 1)
        have = sum(1 for h in self.hits if lo <= h.ts < hi)
        target = round(self.lines_per_day * rng.uniform(0.55, 0.65))
        while have < target:
            ts = self.diurnal_ts(i)
            n = rng.randrange(len(_CLIENTS))
            ip, agent = _CLIENTS[n], _BROWSERS[n % len(_BROWSERS)]
            referer = rng.choice(
                (
                    "-",
                    "-",
                    "https://www.google.com/",
                    "https://duckduckgo.com/",
                    "https://news.ycombinator.com/",
                )
            )
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                page = rng.choice(_PAGES)
                if rng.random() < 0.01:
                    page = "/search?q=robots.txt"
                self.hit(
                    ts, ip, f"GET {page} HTTP/2.0", 200, rng.randint(4000, 26000), referer, agent
                )
                have += 1
                referer = f"{_SITE}{page}"
                if rng.random() < 0.005:
                    referer = f"{_SITE}/robots.txt"  # a referer is not a request
                for asset in _ASSETS:
                    if rng.random() < 0.6:
                        cached = rng.random() < 0.4
                        self.hit(
                            ts,
                            ip,
                            f"GET {asset} HTTP/2.0",
                            304 if cached else 200,
                            0 if cached else rng.randint(900, 48000),
                            referer,
                            agent,
                        )
                        have += 1
                ts += timedelta(seconds=rng.randint(5, 180))

    # ---- db02 and daemon.log

    def messages(self) -> None:
        rng = self.rng
        budget = max(10, round(self.lines_per_day * 0.2))
        pg_seq = Counter[int]()

        def db(ts: datetime, program: str, pid: int | None, msg: str) -> None:
            self.db.append(_Line(ts, next(self._seq), DB, program, pid, msg, _MESSAGES))

        def pg(ts: datetime, pid: int, msg: str) -> None:
            pg_seq[pid] += 1
            db(ts, "postgres", pid, f"[{pg_seq[pid]}-1] {msg}")

        def us() -> timedelta:
            return timedelta(microseconds=rng.randint(0, 999_999))

        for i in range(self.days):
            day_lines = 0
            db(
                self.at(i, 0) + us(),
                "rsyslogd",
                None,
                _RSYSLOG_ORIGIN.format(pid=1021) + " rsyslogd was HUPed",
            )
            every = _closest(1440 / max(1.0, budget * 0.35 / 2), (5, 10, 15, 20, 30, 60, 120))
            for minute in range(0, 1440, every):
                ts = self.at(i, minute * 60 + 30) + us()
                pg(ts, 1043, "LOG:  checkpoint starting: time")
                buffers = rng.randint(4, 4000)
                took = rng.uniform(0.4, 27.0)
                pg(
                    ts + timedelta(seconds=took),
                    1043,
                    f"LOG:  checkpoint complete: wrote {buffers} buffers "
                    f"({buffers / 16384 * 100:.1f}%); 0 WAL file(s) added, 0 removed, "
                    f"{rng.randint(0, 3)} recycled; write={took - 0.01:.3f} s, sync=0.004 s, "
                    f"total={took:.3f} s; sync files={rng.randint(2, 60)}, longest=0.002 s, "
                    f"average=0.001 s; distance={buffers * 8} kB, "
                    f"estimate={buffers * 9} kB",
                )
                day_lines += 2
            for hour in range(0, 24, 2):
                ts = self.at(i, hour * 3600 + rng.randint(600, 3000)) + us()
                db(ts, "systemd", 1, "Starting dnf-makecache.service - dnf makecache...")
                db(
                    ts + timedelta(seconds=2),
                    "dnf",
                    self.proc(),
                    "Metadata cache refreshed recently.",
                )
                db(
                    ts + timedelta(seconds=2.1),
                    "systemd",
                    1,
                    "dnf-makecache.service: Deactivated successfully.",
                )
                db(
                    ts + timedelta(seconds=2.1),
                    "systemd",
                    1,
                    "Finished dnf-makecache.service - dnf makecache.",
                )
                day_lines += 4
            ts = self.at(i, 2 * 3600 + rng.randint(0, 600)) + us()
            n = 300 + i
            db(ts, "systemd-logind", 811, f"New session {n} of user backup.")
            db(ts, "systemd", 1, f"Started session-{n}.scope - Session {n} of User backup.")
            end = ts + timedelta(seconds=rng.randint(60, 400))
            db(end, "systemd", 1, f"session-{n}.scope: Deactivated successfully.")
            db(end, "systemd-logind", 811, f"Removed session {n}.")
            if rng.random() < 0.4:
                db(
                    self.rand_ts(i) + us(),
                    "chronyd",
                    702,
                    "Selected source 192.0.2.123 (2.rhel.pool.ntp.org)",
                )
            while day_lines < budget:
                ts = self.diurnal_ts(i) + us()
                pid = self.proc()
                if rng.random() < 0.1:
                    table = rng.choice(("sessions", "items", "orders"))
                    pg(
                        ts,
                        pid,
                        f'LOG:  automatic vacuum of table "app.public.{table}": '
                        f"index scans: {rng.randint(0, 1)}",
                    )
                    day_lines += 1
                    continue
                pg(
                    ts,
                    pid,
                    f"LOG:  connection received: host={_WEB_IP} port={rng.randint(32768, 60999)}",
                )
                pg(
                    ts + timedelta(milliseconds=3),
                    pid,
                    "LOG:  connection authorized: user=app database=app application_name=webapp",
                )
                day_lines += 2

    def daemon_log(self) -> None:
        rng = self.rng
        first = self.days - min(self.days, 3)
        for i in range(first, self.days):
            ts = self.at(i, 2 * 3600 + rng.randint(0, 300)) + timedelta(
                milliseconds=rng.randint(0, 999)
            )
            files = rng.randint(15_000, 21_000)
            self.daemon.append(
                _Line(
                    ts,
                    next(self._seq),
                    WEB,
                    "backupd",
                    2211,
                    f'BACKUP [meta@32473 job="nightly" files="{files}"] backup started',
                    _DAEMON,
                    pri=29,
                )
            )
            took = rng.randint(120, 900)
            self.daemon.append(
                _Line(
                    ts + timedelta(seconds=took),
                    next(self._seq),
                    WEB,
                    "backupd",
                    2211,
                    f'BACKUP [meta@32473 job="nightly" files="{files}"] backup finished in {took}s',
                    _DAEMON,
                    pri=29,
                )
            )
            for _ in range(max(4, round(30 * self.scale))):
                ts = self.diurnal_ts(i) + timedelta(milliseconds=rng.randint(0, 999))
                roll = rng.random()
                if roll < 0.05:
                    pri, msg = 27, "- - connection to db02:5432 refused, retrying in 5s"
                elif roll < 0.5:
                    pri, msg = 30, f"- - queue depth {rng.randint(0, 40)}"
                else:
                    pri, msg = (
                        30,
                        (f"- - job {rng.randint(1000, 99999)} done in {rng.uniform(0.05, 9):.2f}s"),
                    )
                self.daemon.append(
                    _Line(ts, next(self._seq), WEB, "app", 1234, msg, _DAEMON, pri=pri)
                )

    # ---- finishing: order, uptimes, files, truth

    def finish(self) -> None:
        def inside(ts: datetime) -> bool:
            return self.start <= ts <= self.end

        key = _order
        self.web = sorted((ln for ln in self.web if inside(ln.ts)), key=key)
        self.db = sorted((ln for ln in self.db if inside(ln.ts)), key=key)
        self.daemon = sorted((ln for ln in self.daemon if inside(ln.ts)), key=key)
        self.hits = sorted((h for h in self.hits if inside(h.ts)), key=lambda h: (h.ts, h.seq))
        last = {0: -1, 1: -1}
        for ln in self.web:
            if ln.program != "kernel":
                continue
            boot = self.booted(ln.ts)
            if ln.uptime_us is None:
                since = (ln.ts - (self.boot if boot else self.prev_boot)) // timedelta(
                    microseconds=1
                )
                if last[boot] >= since:
                    ln.uptime_us = last[boot] + self.rng.randint(8, 900)
                else:
                    ln.uptime_us = since + self.rng.randint(0, 600_000)
            last[boot] = max(last[boot], ln.uptime_us)
        self.assign_pids(self.web, 280_000 + self.rng.randrange(20_000), self.syslog_up, 900)
        self.assign_pids(self.db, 41_000 + self.rng.randrange(9_000), None, 0)

    def assign_pids(
        self, lines: list[_Line], first: int, reboot: datetime | None, after_reboot: int
    ) -> None:
        pid = first
        for ln in lines:
            if reboot is not None and ln.ts >= reboot:
                pid, reboot = after_reboot, None
            if ln.pid is None or ln.pid >= 0:
                continue
            if ln.pid not in self.pid_of:
                # Other processes (cron's children, workers) take the PIDs in between.
                pid += self.rng.randint(1, 25)
                self.pid_of[ln.pid] = pid
            ln.pid = self.pid_of[ln.pid]


class _AuthWriter:
    """sshd lines of one connection: same PID, auth.log only."""

    __slots__ = ("b", "pid")

    def __init__(self, b: _Builder, pid: int) -> None:
        self.b = b
        self.pid = pid

    def __call__(self, ts: datetime, msg: str, ssh: _Ssh | None = None) -> None:
        self.b.auth(ts, "sshd", self.pid, msg, ssh=ssh)


def _order(ln: _Line) -> tuple[datetime, int]:
    return ln.ts, ln.seq


_PAGES: Final = (
    "/",
    "/",
    "/about/",
    "/blog/",
    "/blog/2026/11/rotating-logs-with-logrotate/",
    "/blog/2026/10/ssh-hardening-checklist/",
    "/blog/2026/09/auditing-usb-devices/",
    "/contact/",
    "/projects/logsweep/",
    "/tags/linux/",
    "/feed.xml",
)
_ASSETS: Final = (
    "/static/css/site.4c1e2a.css",
    "/static/js/app.9b7d31.js",
    "/static/img/logo.svg",
    "/favicon.ico",
)
_BROWSERS: Final = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
)
# Documentation address ranges only (RFC 5737, RFC 3849): no real visitor appears here.
_CLIENTS: Final = tuple(
    [f"203.0.113.{n}" for n in range(100, 160)]
    + [f"198.51.100.{n}" for n in range(130, 170)]
    + [f"2001:db8:5::{n:x}" for n in range(16, 36)]
)


# --------------------------------------------------------------------------- rendering


def _clock(ts: datetime) -> str:
    # Not strftime: it is slow, and %b would follow the process locale.
    return f"{ts.hour:02d}:{ts.minute:02d}:{ts.second:02d}"


def _rfc3164(ln: _Line) -> str:
    ts = ln.ts
    tag = ln.program if ln.pid is None else f"{ln.program}[{ln.pid}]"
    msg = ln.msg
    if ln.uptime_us is not None:
        secs, micros = divmod(ln.uptime_us, 1_000_000)
        msg = f"[{secs:5d}.{micros:06d}] {msg}"
    return f"{_MONTHS[ts.month - 1]} {ts.day:2d} {_clock(ts)} {ln.host} {tag}: {msg}"


def _iso_line(ln: _Line) -> str:
    tag = ln.program if ln.pid is None else f"{ln.program}[{ln.pid}]"
    return f"{ln.ts.isoformat(timespec='microseconds')} {ln.host} {tag}: {ln.msg}"


def _rfc5424(ln: _Line) -> str:
    ts = ln.ts
    stamp = f"{ts:%Y-%m-%dT%H:%M:%S}.{ts.microsecond // 1000:03d}Z"
    return f"<{ln.pri}>1 {stamp} {ln.host} {ln.program} {ln.pid} {ln.msg}"


def _combined(h: _Hit) -> str:
    ts = h.ts
    stamp = f"{ts.day:02d}/{_MONTHS[ts.month - 1]}/{ts.year}:{_clock(ts)} +0000"
    return f'{h.ip} - - [{stamp}] "{h.request}" {h.status} {h.size} "{h.referer}" "{h.agent}"'


def _gzip(data: bytes, name: str, mtime: datetime) -> bytes:
    buf = io.BytesIO()
    # filename= puts the rotated file's name in the header, as gzip(1) run by logrotate does.
    with gzip.GzipFile(
        filename=name, mode="wb", fileobj=buf, compresslevel=6, mtime=int(mtime.timestamp())
    ) as gz:
        gz.write(data)
    return buf.getvalue()


def _compress(kind: str, data: bytes, name: str, mtime: datetime) -> bytes:
    if kind == "gz":
        return _gzip(data, name, mtime)
    if kind == "gz2":
        # Two concatenated members, like `gzip -c part >> file.gz`: readers must not stop at
        # the first one.
        cut = data.rfind(b"\n", 0, len(data) // 2) + 1
        return _gzip(data[:cut], name, mtime) + _gzip(data[cut:], name, mtime)
    if kind == "bz2":
        return bz2.compress(data, 9)
    if kind == "xz":
        return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)
    if kind == "zst":
        out: bytes = zstandard.ZstdCompressor(level=3, write_checksum=True).compress(data)
        return out
    return data


def _suffix(kind: str) -> str:
    return {"gz": ".gz", "gz2": ".gz", "bz2": ".bz2", "xz": ".xz", "zst": ".zst"}.get(kind, "")


def _generation_kind(family: str, gen: int) -> str:
    if gen < 2:
        return "plain"
    if family != "auth.log":
        return "gz"
    # auth.log gets every compression a logrotate setup might leave behind.
    return {4: "bz2", 5: "xz", 6: "zst", 7: "gz2"}.get(gen, "gz")


class _Writer:
    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.files: list[str] = []
        self.by_host = Counter[str]()
        self.by_hour = Counter[str]()
        self.program_hours: dict[str, Counter[str]] = {}

    def write(
        self, rel: str, kind: str, text: list[str], stamps: list[datetime], fallback: datetime
    ) -> None:
        path = self.dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        mtime = stamps[-1] if stamps else fallback
        data = "".join(f"{t}\n" for t in text).encode()
        path.write_bytes(_compress(kind, data, path.name, mtime))
        os.utime(path, ns=(_ns(mtime), _ns(mtime)))
        self.files.append(rel)

    def count(self, lines: Iterable[_Line]) -> None:
        for ln in lines:
            hour = _hour(ln.ts)
            self.by_host[ln.host] += 1
            self.by_hour[hour] += 1
            self.program_hours.setdefault(ln.program, Counter())[hour] += 1


def _hour(ts: datetime) -> str:
    return _hour_key(ts.year, ts.month, ts.day, ts.hour)


@functools.cache
def _hour_key(year: int, month: int, day: int, hour: int) -> str:
    return datetime(year, month, day, hour, tzinfo=UTC).isoformat()


def _day_index(b: _Builder, ts: datetime) -> int:
    return (ts - b.start).days


def _write_tree(b: _Builder, dest: Path) -> _Writer:
    w = _Writer(dest)
    per_day: dict[str, list[list[_Line]]] = {
        sink: [[] for _ in range(b.days)] for sink in ("syslog", "kern.log", "auth.log")
    }
    for ln in b.web:
        for sink in ln.sinks:
            per_day[sink][_day_index(b, ln.ts)].append(ln)
    hits: list[list[_Hit]] = [[] for _ in range(b.days)]
    for h in b.hits:
        hits[_day_index(b, h.ts)].append(h)
    for i in range(b.days):
        gen = b.days - 1 - i
        # An empty file keeps the time logrotate created it: the start of its day.
        created = b.day(i)
        for family in ("syslog", "kern.log", "auth.log"):
            kind = _generation_kind(family, gen)
            rel = family if gen == 0 else f"{family}.{gen}{_suffix(kind)}"
            day = per_day[family][i]
            w.write(rel, kind, [_rfc3164(ln) for ln in day], [ln.ts for ln in day], created)
            w.count(day)
        kind = _generation_kind("access.log", gen)
        rel = "nginx/access.log" if gen == 0 else f"nginx/access.log.{gen}{_suffix(kind)}"
        w.write(rel, kind, [_combined(h) for h in hits[i]], [h.ts for h in hits[i]], created)
        for h in hits[i]:
            w.by_hour[_hour(h.ts)] += 1

    # db02 rotates by size (maxsize) with dateext, so its files span several days each.
    last_day = b.day(b.days - 1)
    cuts: list[datetime] = []
    cut = last_day - 3 * _DAY
    while cut > b.start:
        cuts.append(cut)
        cut -= 3 * _DAY
    bounds = [b.start, *cuts[::-1], b.end + timedelta(seconds=1)]
    for lo, hi in itertools.pairwise(bounds):
        chunk = [ln for ln in b.db if lo <= ln.ts < hi]
        live = hi > b.end
        rel = "messages" if live else f"messages-{hi:%Y%m%d}.gz"
        w.write(
            rel,
            "plain" if live else "gz",
            [_iso_line(ln) for ln in chunk],
            [ln.ts for ln in chunk],
            lo,
        )
        w.count(chunk)

    w.write(
        "daemon.log",
        "plain",
        [_rfc5424(ln) for ln in b.daemon],
        [ln.ts for ln in b.daemon],
        b.day(b.days - min(b.days, 3)),
    )
    w.count(b.daemon)
    return w


def _write_binaries(b: _Builder, dest: Path) -> list[str]:
    # utmp(5) records as glibc lays them out on x86-64: 384 bytes each.
    record = struct.Struct("<h2xi32s4s32s256shhiii16s20s")

    def utmp(
        kind: int,
        pid: int,
        line: str,
        ident: str,
        user: str,
        host: str,
        ts: datetime,
        ip: str | None = None,
    ) -> bytes:
        addr = ipaddress.ip_address(ip).packed.ljust(16, b"\0") if ip else b""
        return record.pack(
            kind,
            pid,
            line.encode(),
            ident.encode(),
            user.encode(),
            host.encode(),
            0,
            0,
            0,
            int(ts.timestamp()),
            ts.microsecond,
            addr,
            b"",
        )

    records = [
        (b.boot, utmp(2, 0, "~", "~~", "reboot", _NEW_KERNEL, b.boot)),
        (b.syslog_up, utmp(1, 51, "~", "~~", "runlevel", _NEW_KERNEL, b.syslog_up)),
    ]
    for s in b.sessions:
        # Only interactive logins get a utmp entry; deploy's runs commands without a tty.
        if s.user != "alice" or s.pid not in b.pid_of or s.end > b.end:
            continue
        pid = b.pid_of[s.pid]
        records.append((s.start, utmp(7, pid, "pts/0", "ts/0", "alice", s.ip, s.start, s.ip)))
        records.append((s.end, utmp(8, pid, "pts/0", "ts/0", "", "", s.end)))
    records.sort(key=lambda r: r[0])
    last = records[-1][0]
    wtmp = dest / "wtmp"
    wtmp.write_bytes(b"".join(r for _, r in records))
    os.utime(wtmp, ns=(_ns(last), _ns(last)))

    journal = dest / "journal" / "system.journal"
    journal.parent.mkdir(parents=True, exist_ok=True)
    rng = b.rng
    header = b"LPKSHHRH" + struct.pack("<IIB7x", 0, 0x1C, 1)
    header += rng.randbytes(64)  # file, machine, boot and seqnum ids
    header += struct.pack("<QQ", 272, 8 * 1024 * 1024)
    journal.write_bytes(header.ljust(4096, b"\0") + rng.randbytes(512).ljust(8192, b"\0"))
    os.utime(journal, ns=(_ns(b.end), _ns(b.end)))
    return ["journal/system.journal", "wtmp"]


def _usb_truth(lines: Iterable[_Line]) -> tuple[UsbDeviceTruth, ...]:
    seen: dict[_Device, list[datetime]] = {}
    for ln in lines:
        if ln.usb is not None:
            seen.setdefault(ln.usb, []).append(ln.ts)
    out = [
        UsbDeviceTruth(
            d.vendor_id,
            d.product_id,
            d.serial,
            d.manufacturer,
            d.product,
            len(ts),
            _iso(min(ts)),
            _iso(max(ts)),
            (WEB,),
        )
        for d, ts in seen.items()
    ]
    return tuple(sorted(out, key=lambda u: (u.vendor_id, u.product_id, u.serial or "")))


def _frozen(counter: Counter[str]) -> Mapping[str, int]:
    return MappingProxyType(dict(sorted(counter.items())))


def _ssh_truth(lines: Iterable[_Line]) -> SshTruth:
    by_ip, by_user, invalid, pam = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    accepted = Counter[tuple[str, str, str]]()
    by_hour = Counter[str]()
    for ln in lines:
        tag = ln.ssh
        if tag is None or "auth.log" not in ln.sinks:
            continue
        if tag.kind == "fail":
            by_ip[tag.ip] += tag.count
            by_user[tag.user] += tag.count
            by_hour[_hour(ln.ts)] += tag.count
        elif tag.kind == "invalid":
            invalid[tag.user] += 1
        elif tag.kind == "pam":
            pam[tag.ip] += 1
        else:
            accepted[(tag.user, tag.ip, tag.method)] += 1
    return SshTruth(
        failures=sum(by_ip.values()),
        failed_by_ip=_frozen(by_ip),
        failed_by_user=_frozen(by_user),
        invalid_users=_frozen(invalid),
        pam_failures_by_rhost=_frozen(pam),
        accepted=tuple(AcceptedLogin(u, ip, m, n) for (u, ip, m), n in sorted(accepted.items())),
        failures_by_hour=_frozen(by_hour),
    )


def _robots_truth(hits: Iterable[_Hit]) -> RobotsTruth:
    by_ip, agents = Counter[str](), Counter[str]()
    for h in hits:
        if h.robots:
            by_ip[h.ip] += 1
            agents[h.agent] += 1
    return RobotsTruth(sum(by_ip.values()), _frozen(by_ip), _frozen(agents))


# --------------------------------------------------------------------------- public API


def generate_sample_tree(
    dest: Path,
    *,
    seed: int = 2026,
    end: datetime = DEFAULT_END,
    days: int = 8,
    lines_per_day: int = 1500,
) -> SampleTruth:
    """Write the sample tree under ``dest`` (created if missing) and return its ground truth.

    The window is the ``days`` UTC calendar days ending with ``end``'s day; no line is
    later than ``end``.  Timestamps in year-less files are UTC (scan with ``--timezone
    UTC``).  Files this call writes are overwritten; other files under ``dest`` are left
    alone, so write into an empty directory to scan exactly this tree.
    """
    if end.tzinfo is None or end.utcoffset() is None:
        raise ValueError("end must be timezone-aware")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}, not {days}")
    if lines_per_day < MIN_LINES_PER_DAY:
        raise ValueError(f"lines_per_day must be at least {MIN_LINES_PER_DAY}")
    end = end.astimezone(UTC)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    b = _Builder(seed, end, days, lines_per_day)
    b.build()
    b.finish()
    writer = _write_tree(b, dest)
    skipped = _write_binaries(b, dest)
    return SampleTruth(
        timezone=TIMEZONE,
        start=_iso(b.start),
        end=_iso(b.end),
        files=tuple(sorted(writer.files)),
        skipped=tuple(skipped),
        usb=_usb_truth(b.web),
        ssh=_ssh_truth(b.web),
        robots=_robots_truth(b.hits),
        volume=VolumeTruth.from_counts(writer.by_host, writer.by_hour, writer.program_hours),
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m logsweep.samples DEST [--seed N] [--days N] [--lines-per-day N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m logsweep.samples",
        description="Write logsweep's deterministic sample log tree (times in UTC).",
    )
    parser.add_argument("dest", type=Path, help="directory to write the tree into")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--days", type=int, default=8)
    parser.add_argument("--lines-per-day", type=int, default=1500)
    args = parser.parse_args(argv)
    try:
        truth = generate_sample_tree(
            args.dest, seed=args.seed, days=args.days, lines_per_day=args.lines_per_day
        )
    except ValueError as exc:
        parser.error(str(exc))
    lines = sum(truth.volume.by_host.values())
    print(
        f"{args.dest}: {len(truth.files)} log files + {len(truth.skipped)} binary, "
        f"{lines} syslog-family lines, {len(truth.usb)} USB devices, "
        f"{truth.ssh.failures} SSH failures, {truth.robots.requests} robots.txt requests "
        f"(times in {TIMEZONE}: scan with --timezone {TIMEZONE})",
        file=sys.stdout,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
