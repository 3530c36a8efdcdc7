"""The baseline: Python Cookbook recipe 12.8, grown to logsweep's four analyses.

    .venv/bin/python benchmarks/cookbook.py TREE [--workers 2]

Recipe 12.8 ("Implementing a Simple Parallel Program") maps ``find_robots``
over gzipped logs with ``concurrent.futures.ProcessPoolExecutor``: open each
file in text mode, ``for line in f``, ``line.split()``, keep what matters,
merge the per-file results in the parent.  This module does exactly that for
the four questions logsweep answers, the way one would write it by hand:

- robots: access-log lines whose path (``fields[6]``, query aside) is
  ``/robots.txt``, by client IP and user agent;
- sshd: ``Failed <method> for [invalid user ]U from H`` (``message repeated
  N times: [ ... ]`` counts N), ``Invalid user``, pam_unix ``rhost=`` and
  ``Accepted`` lines, one regex each, tried on sshd lines only;
- usb: kernel ``New USB device found`` lines with the ``Product:``,
  ``Manufacturer:``, ``SerialNumber:`` lines of the same bus path; an event
  seen in both syslog and kern.log counts once (keyed by host, time, uptime
  stamp, bus path and ids, as logsweep does);
- volume: lines by host, by program (the tag without ``[pid]``) and by hour
  (``"Nov 24 14"`` / ``"24/Nov/2026:14"`` as written: no year inference).

Not deliberately slowed: one file per task, largest (estimated) first so no
core idles at the end, results merged with ``Counter.update``.  Not hardened
either: the file format comes from the name (``access`` in it: nginx), the
compression from the ``.gz`` suffix, and user names are ``\\S+``.  Top-level
functions only, so it works with the ``spawn`` start method.
"""

import argparse
import gzip
import os
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import TextIO

ROBOTS = "/robots.txt"
SSHD = frozenset({"sshd", "sshd-session", "sshd-auth"})

FAILED = re.compile(r"Failed (\S+) for (?:invalid user )?(\S+) from (\S+)")
REPEATED = re.compile(r"message repeated (\d+) times: \[ ?(.*)\]$")
INVALID = re.compile(r"[Ii]nvalid user (\S*) from (\S+)")
PAM_FAILURE = re.compile(r"(?:pam_unix\(sshd:auth\): )?authentication failure;.*\brhost=(\S+)")
ACCEPTED = re.compile(r"Accepted (\S+) for (\S+) from (\S+)")
NEW_USB = re.compile(
    r"\[\s*(\d+\.\d+)\] usb (\S+): New USB device found, "
    r"idVendor=([0-9a-fA-F]{4}), idProduct=([0-9a-fA-F]{4})"
)
USB_STRING = re.compile(r"\[\s*\d+\.\d+\] usb (\S+): (Product|Manufacturer|SerialNumber): (.*)")

UsbKey = tuple[str, str, str, str, str, str]  # host, "Nov 24 14:08:46", uptime, bus, vid, pid


@dataclass
class Summary:
    """One file's (or, merged, the tree's) answers."""

    files: int = 0
    lines: int = 0
    unparsed: int = 0
    robots: Counter[str] = field(default_factory=Counter)  # by client IP
    robots_agents: Counter[str] = field(default_factory=Counter)
    failures: int = 0
    failed_by_ip: Counter[str] = field(default_factory=Counter)
    failed_by_user: Counter[str] = field(default_factory=Counter)
    invalid_users: Counter[str] = field(default_factory=Counter)
    pam_by_rhost: Counter[str] = field(default_factory=Counter)
    accepted: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    usb: dict[UsbKey, dict[str, str]] = field(default_factory=dict)
    by_host: Counter[str] = field(default_factory=Counter)
    by_program: Counter[str] = field(default_factory=Counter)
    by_hour: Counter[str] = field(default_factory=Counter)

    def merge(self, other: "Summary") -> None:
        self.files += other.files
        self.lines += other.lines
        self.unparsed += other.unparsed
        self.robots.update(other.robots)
        self.robots_agents.update(other.robots_agents)
        self.failures += other.failures
        self.failed_by_ip.update(other.failed_by_ip)
        self.failed_by_user.update(other.failed_by_user)
        self.invalid_users.update(other.invalid_users)
        self.pam_by_rhost.update(other.pam_by_rhost)
        self.accepted.update(other.accepted)
        for key, strings in other.usb.items():
            self.usb.setdefault(key, {}).update(strings)
        self.by_host.update(other.by_host)
        self.by_program.update(other.by_program)
        self.by_hour.update(other.by_hour)

    @property
    def robots_requests(self) -> int:
        return sum(self.robots.values())

    def usb_devices(self) -> Counter[tuple[str, str, str]]:
        """Connections per (vendor, product, serial)."""
        return Counter(
            (key[4], key[5], strings.get("SerialNumber", "")) for key, strings in self.usb.items()
        )


def open_log(path: str) -> TextIO:
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def scan_access(lines: Iterable[str], s: Summary) -> None:
    for line in lines:
        s.lines += 1
        fields = line.split()
        if len(fields) < 9:
            s.unparsed += 1
            continue
        s.by_hour[fields[3][1:15]] += 1  # [24/Nov/2026:14:46:01 -> 24/Nov/2026:14
        if fields[6].partition("?")[0] == ROBOTS:
            s.robots[fields[0]] += 1
            s.robots_agents[line.rsplit('"', 2)[-2] if line.count('"') >= 6 else "-"] += 1


def scan_syslog(lines: Iterable[str], s: Summary) -> None:
    open_usb: dict[str, UsbKey] = {}  # bus path -> its latest enumeration
    for line in lines:
        s.lines += 1
        fields = line.split(None, 5)
        if len(fields) < 5:
            s.unparsed += 1
            continue
        month, day, clock, host, tag = fields[:5]
        message = fields[5].rstrip("\n") if len(fields) > 5 else ""
        program = tag.partition("[")[0].rstrip(":")
        s.by_host[host] += 1
        s.by_program[program] += 1
        s.by_hour[f"{month} {day} {clock[:2]}"] += 1
        if program in SSHD:
            scan_sshd(message, s)
        elif program == "kernel" and "usb " in message:
            new = NEW_USB.match(message)
            if new:
                uptime, bus, vendor, product = new.groups()
                key = (host, f"{month} {day} {clock}", uptime, bus, vendor.lower(), product.lower())
                open_usb[bus] = key
                s.usb.setdefault(key, {})
                continue
            string = USB_STRING.match(message)
            if string and string[1] in open_usb:
                s.usb[open_usb[string[1]]].setdefault(string[2], string[3].strip())


def scan_sshd(message: str, s: Summary) -> None:
    count = 1
    repeated = REPEATED.match(message)
    if repeated:
        count, message = int(repeated[1]), repeated[2]
    failed = FAILED.match(message)
    if failed:
        s.failures += count
        s.failed_by_user[failed[2]] += count
        s.failed_by_ip[failed[3]] += count
        return
    invalid = INVALID.match(message)
    if invalid:
        s.invalid_users[invalid[1]] += count
        return
    pam = PAM_FAILURE.match(message)
    if pam:
        s.pam_by_rhost[pam[1]] += count
        return
    accepted = ACCEPTED.match(message)
    if accepted:
        s.accepted[(accepted[2], accepted[3], accepted[1])] += count


def scan_log(path: str) -> Summary:
    """The mapped function: one file -> its Summary."""
    s = Summary(files=1)
    with open_log(path) as f:
        if "access" in os.path.basename(path):
            scan_access(f, s)
        else:
            scan_syslog(f, s)
    return s


def scan_log_measured(path: str) -> tuple[Summary, int, int, float]:
    """scan_log plus this worker's pid, peak RSS (KiB) and CPU seconds so far, for benchmarks."""
    summary = scan_log(path)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return summary, os.getpid(), usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def estimated_cost(path: str) -> int:
    size = os.path.getsize(path)
    return size * 8 if path.endswith(".gz") else size


def find_logs(root: str) -> list[str]:
    """Every file under root, the costliest first."""
    paths = [os.path.join(d, name) for d, _, names in os.walk(root) for name in names]
    return sorted(paths, key=estimated_cost, reverse=True)


def run(
    root: str, workers: int, start_method: str = "spawn"
) -> tuple[Summary, dict[int, tuple[int, float]]]:
    """Map scan_log over the tree on a fresh pool: the merged Summary, and per worker pid
    its peak RSS (KiB) and CPU seconds."""
    total = Summary()
    usage: dict[int, tuple[int, float]] = {}
    with ProcessPoolExecutor(workers, mp_context=get_context(start_method)) as pool:
        for summary, pid, rss, cpu in pool.map(scan_log_measured, find_logs(root)):
            total.merge(summary)
            old_rss, old_cpu = usage.get(pid, (0, 0.0))
            usage[pid] = (max(old_rss, rss), max(old_cpu, cpu))
    return total, usage


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    s, _ = run(args.tree, args.workers)
    seconds = time.perf_counter() - start
    print(f"{s.files} files, {s.lines:,} lines in {seconds:.2f} s")
    print(f"robots.txt: {s.robots_requests} requests from {len(s.robots)} clients")
    print(f"sshd: {s.failures} failures from {len(s.failed_by_ip)} sources")
    print(f"usb: {len(s.usb_devices())} devices, {len(s.usb)} connections")
    print(f"volume: {dict(s.by_host)}, {len(s.by_program)} programs, {len(s.by_hour)} hours")
    return 0


if __name__ == "__main__":
    sys.exit(main())
