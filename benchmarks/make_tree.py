"""Write a realistic rotated Debian log tree of about ``--mib`` MiB of decompressed text.

    .venv/bin/python benchmarks/make_tree.py DEST [--mib 1024] [--seed 2026] [--host web-1]
                                                  [--end 2026-11-25T06:25:00] [--jobs 1]

The input of ``benchmarks/run.py``: one host, eight days, four families rotated
daily the way logrotate leaves them with ``delaycompress`` (the live file, ``.1``
plain, ``.2.gz`` ... ``.7.gz``, oldest last)::

    syslog*            60 %   every facility but auth, the kernel's lines too (Debian's routing)
    kern.log*          10 %   the kernel's lines: UFW blocks, AppArmor audits, veth churn, USB
    auth.log*          10 %   sshd brute force (invalid users, failed passwords, "message
                              repeated N times", pam_unix rhost=), logins, sudo, CRON sessions
    nginx/access.log*  20 %   combined format: visitors, scanners, crawlers fetching /robots.txt

Lines are RFC 3164 (``Nov 24 14:46:01 web-1 sshd[1234]: ...``) in UTC (scan with
``--timezone UTC``); access lines carry ``+0000``.  Generation N holds the 24 hours
before the (N)th daily rotation at ``--end``'s time of day (06:25, Debian's
cron.daily), so ``syslog.7.gz`` is the oldest day.  Each file's mtime, and each
gzip header's MTIME, is the time of its last line, as logrotate leaves them
(rename keeps the mtime; gzip copies it).  Compression is Python's gzip at
level 6, logrotate's default.

Fast by construction: each line is a template filled with a few cheap random
numbers, one stamp string per second, written in 1 MiB blocks; the day's
number of events comes from a calibration of the mean event size, so sizes land
within a few percent of the target.  1 GiB takes about a minute per core
(``--jobs 2`` runs two (family, day) units at a time).  Deterministic: the same
arguments give byte-identical files.
"""

import argparse
import functools
import gzip
import io
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DAY = 86400
GENERATIONS = 8
DEFAULT_END = "2026-11-25T06:25:00"  # a rotation instant: cron.daily at 06:25 UTC
BOOT_BEFORE_END = 41 * DAY + 12345  # kernel uptime stamps count from here
FLUSH_BYTES = 1 << 20
CALIBRATION_EVENTS = 4000

# Shares of the decompressed bytes.  The kernel's share is written twice: once in
# kern.log and once inside syslog (counted in syslog's 60 %).
SHARES = {"syslog": 0.60, "kern.log": 0.10, "auth.log": 0.10, "nginx/access.log": 0.20}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LAN_IP = "10.0.2.15"
GATEWAY = "10.0.2.2"

# --------------------------------------------------------------------- shared pools

Maker = Callable[[random.Random, float], list[str]]


@dataclass(frozen=True)
class Pools:
    """What every (family, day) unit draws from; built from the seed alone."""

    attackers: tuple[str, ...]  # heavy hitters first (drawn with Zipf-like weights)
    attacker_cum: tuple[float, ...]
    visitors: tuple[str, ...]
    crawler_ips: tuple[tuple[str, str], ...]  # (ip, user agent)
    veths: tuple[str, ...]


def _doc_ipv4(rng: random.Random) -> str:
    """Addresses nobody owns: documentation nets and the CGNAT shared space."""
    kind = rng.random()
    if kind < 0.15:
        return f"198.51.100.{rng.randint(1, 254)}"
    if kind < 0.3:
        return f"203.0.113.{rng.randint(1, 254)}"
    return f"100.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _doc_ip(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return f"2001:db8:{rng.randint(0, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
    return _doc_ipv4(rng)


CRAWLERS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
    "+http://www.google.com/bot.html) Chrome/119.0.6045.199 Safari/537.36",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot)",
    "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)",
    "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)",
    "Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
)
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "curl/7.88.1",
    "Go-http-client/1.1",
)
PAGES = (
    "/",
    "/blog/",
    "/blog/2026/11/rotating-logs-with-logrotate/",
    "/blog/2026/10/prefect-on-two-cores/",
    "/about/",
    "/contact/",
    "/static/css/site.css",
    "/static/js/app.js",
    "/static/img/logo.svg",
    "/favicon.ico",
    "/feed.xml",
    "/sitemap.xml",
    "/api/v1/items",
    "/search",
)
PROBES = (
    "/wp-login.php",
    "/.env",
    "/.git/config",
    "/phpmyadmin/index.php",
    "/xmlrpc.php",
    "/cgi-bin/luci/;stok=/locale",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/boaform/admin/formLogin",
)
INVALID_USERS = (
    "admin",
    "test",
    "user",
    "oracle",
    "postgres",
    "ubuntu",
    "ftpuser",
    "git",
    "pi",
    "guest",
    "deploy",
    "support",
    "minecraft",
    "hadoop",
    "steam",
    "ansible",
    "jenkins",
    "dev",
    "www",
    "usuario",
    "nagios",
    "es",
    "debian",
    "sysadmin",
)
STAFF = (("alice", 1000, "192.0.2.10"), ("bob", 1001, "192.0.2.11"), ("deploy", 1002, "192.0.2.20"))
USB_DEVICES = (
    # vendor, product, bcd, manufacturer, product name, serial, driver line
    ("0781", "5581", " 1.00", "SanDisk", "Ultra", "4C530001230512345678", "usb-storage"),
    ("1050", "0407", " 5.43", "Yubico", "YubiKey OTP+FIDO+CCID", None, "usbhid"),
    ("046d", "c52b", "12.11", "Logitech", "USB Receiver", None, "usbhid"),
    (
        "0951",
        "1666",
        " 1.10",
        "Kingston",
        "DataTraveler 3.0",
        "E0D55EA574B8F3C0B9A8",
        "usb-storage",
    ),
    ("0403", "6001", " 6.00", "FTDI", "FT232R USB UART", "A50285BI", "ftdi_sio"),
    ("0bda", "8153", "30.00", "Realtek", "USB 10/100/1000 LAN", "000001", "r8152"),
)


@functools.lru_cache(maxsize=4)
def make_pools(seed: int) -> Pools:
    rng = random.Random(f"{seed}:pools")
    attackers = tuple(dict.fromkeys(_doc_ip(rng) for _ in range(3000)))
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(attackers))]
    total, acc, cum = sum(weights), 0.0, []
    for w in weights:
        acc += w / total
        cum.append(acc)
    visitors = tuple(dict.fromkeys(_doc_ip(rng) for _ in range(20000)))
    crawler_ips = tuple((_doc_ipv4(rng), CRAWLERS[i % len(CRAWLERS)]) for i in range(60))
    veths = tuple(f"veth{rng.getrandbits(28):07x}" for _ in range(40))
    return Pools(attackers, tuple(cum), visitors, crawler_ips, veths)


# --------------------------------------------------------------------- event makers
# Each maker returns the lines of one event after "STAMP HOST ": "tag[pid]: message".
# Kernel makers return messages after "kernel: [uptime] " (the stamp needs the time).


class Generators:
    def __init__(self, pools: Pools, host: str, boot: float) -> None:
        self.p = pools
        self.host = host
        self.boot = boot
        self._queue_id = 0

    def attacker(self, rng: random.Random) -> str:
        cum = self.p.attacker_cum
        x = rng.random()
        lo, hi = 0, len(cum) - 1
        while lo < hi:  # bisect by hand: no key function, no import in the hot loop
            mid = (lo + hi) // 2
            if cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.p.attackers[lo]

    # ---- syslog (not kernel, not auth)

    def cron(self, rng: random.Random, t: float) -> list[str]:
        pid = rng.randint(1000, 4_000_000)
        job = rng.random()
        if job < 0.5:
            cmd = "command -v debian-sa1 > /dev/null && debian-sa1 1 1"
        elif job < 0.8:
            cmd = "   cd / && run-parts --report /etc/cron.hourly"
        else:
            cmd = "/usr/local/bin/backup-db --incremental >/dev/null 2>&1"
        return [f"CRON[{pid}]: (root) CMD ({cmd})"]

    def systemd(self, rng: random.Random, t: float) -> list[str]:
        x = rng.random()
        if x < 0.35:
            n = rng.randint(1000, 99999)
            user = STAFF[n % 3][0]
            return [
                f"systemd[1]: Started session-{n}.scope - Session {n} of User {user}.",
            ]
        if x < 0.6:
            unit = ("phpsessionclean", "sysstat-collect", "logrotate", "man-db", "apt-daily")[
                rng.randint(0, 4)
            ]
            return [
                f"systemd[1]: Starting {unit}.service - {unit} job...",
                f"systemd[1]: {unit}.service: Deactivated successfully.",
                f"systemd[1]: Finished {unit}.service - {unit} job.",
            ]
        if x < 0.8:
            uid = STAFF[rng.randint(0, 2)][1]
            return [
                f"systemd[{rng.randint(1000, 4_000_000)}]: Queued start job for default "
                "target default.target.",
                f"systemd[1]: user@{uid}.service: Deactivated successfully.",
            ]
        cpu = rng.randint(100, 99999) / 1000
        return [
            f"systemd[1]: docker-{rng.getrandbits(64):016x}.scope: Consumed {cpu:.3f}s CPU time."
        ]

    def containerd(self, rng: random.Random, t: float) -> list[str]:
        iso = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        ns = rng.randint(0, 999_999_999)
        cid = f"{rng.getrandbits(64):016x}{rng.getrandbits(64):016x}"
        x = rng.random()
        if x < 0.5:
            msg = (
                f'level=info msg="loading plugin \\"io.containerd.event.v1.publisher\\"..." '
                f"runtime=io.containerd.runc.v2 type=io.containerd.event.v1 id={cid}"
            )
        elif x < 0.8:
            msg = f'level=info msg="shim disconnected" id={cid} namespace=moby'
        else:
            msg = f'level=warning msg="cleaning up after shim disconnected" id={cid} namespace=moby'
        return [f'containerd[812]: time="{iso}.{ns:09d}Z" {msg}']

    def postfix(self, rng: random.Random, t: float) -> list[str]:
        self._queue_id += rng.randint(1, 50)
        qid = f"{(self._queue_id * 2654435761) & 0xFFFFFFFFFF:010X}"
        client = _doc_ipv4(rng)
        pid = rng.randint(1000, 4_000_000)
        size = rng.randint(600, 90000)
        return [
            f"postfix/smtpd[{pid}]: connect from unknown[{client}]",
            f"postfix/smtpd[{pid}]: {qid}: client=unknown[{client}]",
            f"postfix/cleanup[{pid + 2}]: {qid}: message-id=<{rng.getrandbits(48):x}@{self.host}>",
            f"postfix/qmgr[1187]: {qid}: from=<root@{self.host}>, size={size}, nrcpt=1 "
            "(queue active)",
            f"postfix/smtp[{pid + 3}]: {qid}: to=<ops@example.org>, relay=mx.example.org"
            f"[192.0.2.25]:25, delay=0.{rng.randint(10, 99)}, delays=0.01/0/0.1/0.2, dsn=2.0.0,"
            f" status=sent (250 2.0.0 OK {rng.randint(10**9, 10**10 - 1)} - gsmtp)",
            f"postfix/qmgr[1187]: {qid}: removed",
            f"postfix/smtpd[{pid}]: disconnect from unknown[{client}] ehlo=1 mail=1 rcpt=1 "
            "data=1 quit=1 commands=5",
        ]

    def network(self, rng: random.Random, t: float) -> list[str]:
        if rng.random() < 0.5:
            pid = rng.randint(400, 2000)
            return [
                f"dhclient[{pid}]: DHCPREQUEST for {LAN_IP} on eth0 to {GATEWAY} port 67",
                f"dhclient[{pid}]: DHCPACK of {LAN_IP} from {GATEWAY}",
                f"dhclient[{pid}]: bound to {LAN_IP} -- renewal in {rng.randint(600, 3600)} "
                "seconds.",
            ]
        return [
            f"NetworkManager[601]: <info>  [{t:.4f}] dhcp4 (eth0): state changed new lease, "
            f"address={LAN_IP}",
            f"NetworkManager[601]: <info>  [{t:.4f}] device (eth0): state change: activated -> "
            "activated (reason 'none', sys-iface-state: 'managed')",
        ]

    def misc(self, rng: random.Random, t: float) -> list[str]:
        x = rng.random()
        if x < 0.35:
            return [
                f"php-fpm8.2[{rng.randint(500, 900)}]: [WARNING] [pool www] server reached "
                "pm.max_children setting (5), consider raising it"
            ]
        if x < 0.7:
            return [
                f"snmpd[733]: Connection from UDP: [{_doc_ipv4(rng)}]:{rng.randint(1024, 65535)}"
                f"->[{LAN_IP}]:161"
            ]
        if x < 0.9:
            return [
                f"prometheus-node-exporter[702]: "
                f"ts={datetime.fromtimestamp(t, UTC):%Y-%m-%dT%H:%M:%S}"
                f".{rng.randint(0, 999):03d}Z caller=collector.go:169 level=error "
                'collector=hwmon msg="collector failed" err="open /sys/class/hwmon: no such file"'
            ]
        return [
            f"systemd-timesyncd[515]: Initial synchronization to time server "
            f"192.0.2.{rng.randint(1, 254)}:123 (0.debian.pool.ntp.org)."
        ]

    # ---- kernel (syslog and kern.log)

    def ufw(self, rng: random.Random, t: float) -> list[str]:
        dpt = (23, 22, 445, 3389, 5900, 8080, 6379, 1433, 2323, 81)[rng.randint(0, 9)]
        return [
            f"[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:55:0a:00:02:02:08:00 "
            f"SRC={self.attacker(rng) if rng.random() < 0.3 else _doc_ipv4(rng)} DST={LAN_IP} "
            f"LEN={rng.randint(40, 60)} TOS=0x00 PREC=0x00 TTL={rng.randint(30, 250)} "
            f"ID={rng.randint(0, 65535)} PROTO=TCP SPT={rng.randint(1024, 65535)} DPT={dpt} "
            f"WINDOW={rng.randint(1024, 65535)} RES=0x00 SYN URGP=0"
        ]

    def audit(self, rng: random.Random, t: float) -> list[str]:
        return [
            f'audit: type=1400 audit({t:.3f}:{rng.randint(100, 99999)}): apparmor="DENIED" '
            'operation="open" class="file" profile="/usr/sbin/cupsd" '
            f'name="/etc/ssl/openssl.cnf" pid={rng.randint(1000, 99999)} comm="cupsd" '
            'requested_mask="r" denied_mask="r" fsuid=0 ouid=0'
        ]

    def veth(self, rng: random.Random, t: float) -> list[str]:
        veth = self.p.veths[rng.randint(0, len(self.p.veths) - 1)]
        port = rng.randint(1, 9)
        return [
            f"docker0: port {port}({veth}) entered blocking state",
            f"docker0: port {port}({veth}) entered disabled state",
            f"device {veth} entered promiscuous mode",
            f"eth0: renamed from {veth[:-1]}f",
            f"docker0: port {port}({veth}) entered forwarding state",
        ]

    def usb(self, rng: random.Random, t: float) -> list[str]:
        vendor, product, bcd, mfr, name, serial, driver = USB_DEVICES[
            rng.randint(0, len(USB_DEVICES) - 1)
        ]
        bus = f"1-{rng.randint(1, 4)}" + (f".{rng.randint(1, 4)}" if rng.random() < 0.4 else "")
        number = rng.randint(2, 30)
        lines = [
            f"usb {bus}: new high-speed USB device number {number} using xhci_hcd",
            f"usb {bus}: New USB device found, idVendor={vendor}, idProduct={product}, "
            f"bcdDevice={bcd}",
            f"usb {bus}: New USB device strings: Mfr=1, Product=2, "
            f"SerialNumber={3 if serial else 0}",
            f"usb {bus}: Product: {name}",
            f"usb {bus}: Manufacturer: {mfr}",
        ]
        if serial:
            lines.append(f"usb {bus}: SerialNumber: {serial}")
        if driver == "usb-storage":
            lines += [
                f"usb-storage {bus}:1.0: USB Mass Storage device detected",
                f"scsi host{rng.randint(2, 9)}: usb-storage {bus}:1.0",
            ]
        else:
            lines.append(f"usbcore: registered new interface driver {driver}")
        lines.append(f"usb {bus}: USB disconnect, device number {number}")
        return lines

    # ---- auth.log

    def ssh_invalid(self, rng: random.Random, t: float) -> list[str]:
        ip, user = self.attacker(rng), INVALID_USERS[rng.randint(0, len(INVALID_USERS) - 1)]
        pid, port = rng.randint(1000, 4_000_000), rng.randint(1024, 65535)
        lines = [
            f"sshd[{pid}]: Invalid user {user} from {ip} port {port}",
            f"sshd[{pid}]: pam_unix(sshd:auth): check pass; user unknown",
            f"sshd[{pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
            f"tty=ssh ruser= rhost={ip}",
            f"sshd[{pid}]: Failed password for invalid user {user} from {ip} port {port} ssh2",
        ]
        if rng.random() < 0.3:
            lines.append(
                f"sshd[{pid}]: message repeated {rng.randint(2, 5)} times: [ Failed password for "
                f"invalid user {user} from {ip} port {port} ssh2]"
            )
        lines.append(
            f"sshd[{pid}]: Connection closed by invalid user {user} {ip} port {port} [preauth]"
        )
        return lines

    def ssh_root(self, rng: random.Random, t: float) -> list[str]:
        ip, pid, port = self.attacker(rng), rng.randint(1000, 4_000_000), rng.randint(1024, 65535)
        repeats = rng.randint(2, 5)
        return [
            f"sshd[{pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
            f"tty=ssh ruser= rhost={ip}  user=root",
            f"sshd[{pid}]: Failed password for root from {ip} port {port} ssh2",
            f"sshd[{pid}]: message repeated {repeats} times: [ Failed password for root from {ip} "
            f"port {port} ssh2]",
            f"sshd[{pid}]: error: maximum authentication attempts exceeded for root from {ip} "
            f"port {port} ssh2 [preauth]",
            f"sshd[{pid}]: Disconnecting authenticating user root {ip} port {port}: Too many "
            "authentication failures [preauth]",
            f"sshd[{pid}]: PAM {repeats} more authentication failures; logname= uid=0 euid=0 "
            f"tty=ssh ruser= rhost={ip}  user=root",
        ]

    def ssh_probe(self, rng: random.Random, t: float) -> list[str]:
        ip, pid, port = self.attacker(rng), rng.randint(1000, 4_000_000), rng.randint(1024, 65535)
        x = rng.random()
        if x < 0.4:
            return [f"sshd[{pid}]: Connection closed by {ip} port {port} [preauth]"]
        if x < 0.7:
            return [
                f"sshd[{pid}]: Received disconnect from {ip} port {port}:11: Bye Bye [preauth]",
                f"sshd[{pid}]: Disconnected from authenticating user root {ip} port {port} "
                "[preauth]",
            ]
        if x < 0.85:
            return [
                f"sshd[{pid}]: error: kex_exchange_identification: Connection closed by remote "
                "host",
                f"sshd[{pid}]: Connection closed by {ip} port {port}",
            ]
        return [
            f"sshd[{pid}]: banner exchange: Connection from {ip} port {port}: invalid format",
        ]

    def ssh_login(self, rng: random.Random, t: float) -> list[str]:
        user, uid, ip = STAFF[rng.randint(0, len(STAFF) - 1)]
        pid, port, session = (
            rng.randint(1000, 4_000_000),
            rng.randint(1024, 65535),
            rng.randint(1, 9999),
        )
        return [
            f"sshd[{pid}]: Accepted publickey for {user} from {ip} port {port} ssh2: ED25519 "
            f"SHA256:{rng.getrandbits(128):032x}",
            f"sshd[{pid}]: pam_unix(sshd:session): session opened for user {user}(uid={uid}) by "
            "(uid=0)",
            f"systemd-logind[577]: New session {session} of user {user}.",
            f"sudo:    {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/apt "
            "update",
            f"sudo: pam_unix(sudo:session): session opened for user root(uid=0) by {user}"
            f"(uid={uid})",
            "sudo: pam_unix(sudo:session): session closed for user root",
        ]

    def cron_session(self, rng: random.Random, t: float) -> list[str]:
        pid = rng.randint(1000, 4_000_000)
        return [
            f"CRON[{pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
            f"CRON[{pid}]: pam_unix(cron:session): session closed for user root",
        ]

    # ---- nginx access (whole lines after the client: they carry their own stamp)

    def access(self, rng: random.Random, t: float) -> list[str]:
        x = rng.random()
        if x < 0.07:  # crawlers; some ask for robots.txt first
            ip, agent = self.p.crawler_ips[rng.randint(0, len(self.p.crawler_ips) - 1)]
            if rng.random() < 0.12:
                path = "/robots.txt" if rng.random() < 0.95 else "/robots.txt?v=2"
                return [f'{ip} - - [{{}}] "GET {path} HTTP/1.1" 200 67 "-" "{agent}"']
            page = PAGES[rng.randint(0, len(PAGES) - 1)]
            return [
                f'{ip} - - [{{}}] "GET {page} HTTP/1.1" 200 {rng.randint(500, 90000)} "-" "{agent}"'
            ]
        if x < 0.1:  # scanners
            ip, probe = self.attacker(rng), PROBES[rng.randint(0, len(PROBES) - 1)]
            return [
                f'{ip} - - [{{}}] "GET {probe} HTTP/1.1" 404 153 "-" "{BROWSERS[5 + (x < 0.085)]}"'
            ]
        ip = self.p.visitors[rng.randint(0, len(self.p.visitors) - 1)]
        agent = BROWSERS[rng.randint(0, 4)]
        page = PAGES[rng.randint(0, len(PAGES) - 1)]
        if page == "/api/v1/items" or page == "/search":
            page += (
                f"?page={rng.randint(1, 40)}" if page[1] == "a" else f"?q=log+{rng.randint(1, 999)}"
            )
        status, size = (200, rng.randint(300, 120000)) if rng.random() < 0.85 else (304, 0)
        referer = "-" if rng.random() < 0.5 else "https://www.example.org/blog/"
        return [f'{ip} - - [{{}}] "GET {page} HTTP/2.0" {status} {size} "{referer}" "{agent}"']


# --------------------------------------------------------------------- writing

# (maker name, weight) per stream, by events.
SYSLOG_MIX = (
    ("cron", 20),
    ("systemd", 24),
    ("containerd", 22),
    ("postfix", 6),
    ("network", 6),
    ("misc", 22),
)
KERNEL_MIX = (("ufw", 86), ("audit", 9), ("veth", 5))
AUTH_MIX = (
    ("ssh_invalid", 38),
    ("ssh_root", 22),
    ("ssh_probe", 30),
    ("ssh_login", 2),
    ("cron_session", 8),
)
ACCESS_MIX = (("access", 1),)
USB_PER_DAY = (2, 6)


def _weighted(mix: Sequence[tuple[str, int]], gens: Generators) -> tuple[list[Maker], list[int]]:
    makers: list[Maker] = [getattr(gens, name) for name, _ in mix]
    return makers, [w for _, w in mix]


class Stamps:
    """RFC 3164 and CLF stamps, one strftime per distinct second."""

    def __init__(self) -> None:
        self._second = -1
        self.syslog = ""
        self.clf = ""

    def at(self, second: int) -> None:
        if second != self._second:
            self._second = second
            tm = time.gmtime(second)
            clock = f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
            month = MONTHS[tm.tm_mon - 1]
            self.syslog = f"{month} {tm.tm_mday:2d} {clock}"
            self.clf = f"{tm.tm_mday:02d}/{month}/{tm.tm_year}:{clock} +0000"


class Sink:
    """One output file (plain or gzip, level 6, header MTIME set), written in 1 MiB blocks."""

    def __init__(self, path: Path, compress: bool, mtime: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.mtime = path, mtime
        self._raw = path.open("wb")
        self._out: io.BufferedIOBase = (
            gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=self._raw, mtime=mtime)
            if compress
            else self._raw
        )
        self._buf: list[str] = []
        self._size = 0
        self.bytes = 0
        self.lines = 0

    def add(self, line: str) -> None:
        self._buf.append(line)
        self._size += len(line)
        if self._size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        data = "".join(self._buf).encode()
        self._out.write(data)
        self.bytes += len(data)
        self.lines += len(self._buf)
        self._buf, self._size = [], 0

    def close(self) -> None:
        self.flush()
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()
        os.utime(self.path, (self.mtime, self.mtime))


@dataclass(frozen=True)
class Unit:
    """One family's one day (syslog and kern.log are written together)."""

    dest: str
    family: str  # "syslog" (+ kern.log), "auth.log" or "nginx/access.log"
    generation: int
    start: int  # epoch seconds; the day is [start, start + DAY)
    events: int
    kernel_every: float  # syslog only: share of events that are kernel events
    host: str
    seed: int


@dataclass(frozen=True)
class Written:
    path: str
    lines: int
    bytes: int
    disk: int


def generation_name(family: str, generation: int) -> tuple[str, bool]:
    if generation == 0:
        return family, False
    if generation == 1:
        return f"{family}.1", False
    return f"{family}.{generation}.gz", True


def write_unit(unit: Unit, pools: Pools | None = None) -> list[Written]:
    """Write one (family, day): the events spread evenly over the day, in time order."""
    pools = pools or make_pools(unit.seed)
    end_of_tree = unit.start + (unit.generation + 1) * DAY  # the --end instant
    gens = Generators(pools, unit.host, end_of_tree - BOOT_BEFORE_END)
    rng = random.Random(f"{unit.seed}:{unit.family}:{unit.generation}")
    step = DAY / unit.events
    last = int(unit.start + (unit.events - 0.5) * step)
    dest = Path(unit.dest)
    name, compress = generation_name(unit.family, unit.generation)
    main = Sink(dest / name, compress, last)
    sinks = [main]
    stamps = Stamps()
    host = unit.host
    if unit.family == "nginx/access.log":
        makers, weights = _weighted(ACCESS_MIX, gens)
        choices = rng.choices(range(len(makers)), weights, k=unit.events)
        for i, which in enumerate(choices):
            t = unit.start + (i + 0.5) * step
            stamps.at(int(t))
            for line in makers[which](rng, t):
                main.add(line.replace("{}", stamps.clf, 1) + "\n")
    elif unit.family == "auth.log":
        makers, weights = _weighted(AUTH_MIX, gens)
        choices = rng.choices(range(len(makers)), weights, k=unit.events)
        for i, which in enumerate(choices):
            t = unit.start + (i + 0.5) * step
            stamps.at(int(t))
            prefix = f"{stamps.syslog} {host} "
            for line in makers[which](rng, t):
                main.add(prefix + line + "\n")
    else:
        kname, kcompress = generation_name("kern.log", unit.generation)
        kern = Sink(dest / kname, kcompress, last)
        sinks.append(kern)
        makers, weights = _weighted(SYSLOG_MIX, gens)
        kmakers, kweights = _weighted(KERNEL_MIX, gens)
        choices = rng.choices(range(len(makers)), weights, k=unit.events)
        kchoices = rng.choices(range(len(kmakers)), kweights, k=unit.events)
        usb_at = set(rng.sample(range(unit.events), min(unit.events, rng.randint(*USB_PER_DAY))))
        rsyslog = (
            'rsyslogd: [origin software="rsyslogd" swVersion="8.2302.0" '
            f'x-pid="{rng.randint(500, 900)}" x-info="https://www.rsyslog.com"] rsyslogd was HUPed'
        )
        main.add(f"{time.strftime('%b %e %H:%M:%S', time.gmtime(unit.start))} {host} {rsyslog}\n")
        kernel_every, owed = unit.kernel_every, 0.0
        for i, which in enumerate(choices):
            t = unit.start + (i + 0.5) * step
            stamps.at(int(t))
            prefix = f"{stamps.syslog} {host} "
            owed += kernel_every
            if i in usb_at or owed >= 1.0:
                if owed >= 1.0:
                    owed -= 1.0
                uptime = t - gens.boot
                messages = gens.usb(rng, t) if i in usb_at else kmakers[kchoices[i]](rng, t)
                for k, message in enumerate(messages):
                    up = uptime + k * 0.000137
                    line = f"{prefix}kernel: [{int(up):5d}.{int(up % 1 * 1e6):06d}] {message}\n"
                    main.add(line)
                    kern.add(line)
            else:
                for line in makers[which](rng, t):
                    main.add(prefix + line + "\n")
    for sink in sinks:
        sink.close()
    return [
        Written(str(s.path.relative_to(dest)), s.lines, s.bytes, s.path.stat().st_size)
        for s in sinks
    ]


def mean_event_bytes(family: str, host: str, seed: int) -> tuple[float, float]:
    """Mean bytes per event (and, for syslog, per kernel event) from a throwaway sample."""
    gens = Generators(make_pools(seed), host, 0.0)
    rng = random.Random(f"{seed}:calibration:{family}")
    prefix = len(f"Nov 24 14:46:01 {host} ") + 1
    t = 1_795_000_000.0

    def mean(mix: Sequence[tuple[str, int]], extra: int) -> float:
        makers, weights = _weighted(mix, gens)
        total = 0
        for which in rng.choices(range(len(makers)), weights, k=CALIBRATION_EVENTS):
            total += sum(len(line) + extra for line in makers[which](rng, t))
        return total / CALIBRATION_EVENTS

    if family == "nginx/access.log":
        return mean(ACCESS_MIX, len("24/Nov/2026:14:46:01 +0000") - 1), 0.0
    if family == "auth.log":
        return mean(AUTH_MIX, prefix), 0.0
    return mean(SYSLOG_MIX, prefix), mean(KERNEL_MIX, prefix + len("kernel: [1234567.123456] "))


def plan(dest: Path, mib: float, end: int, host: str, seed: int) -> list[Unit]:
    total = mib * (1 << 20)
    units: list[Unit] = []
    for family in ("syslog", "auth.log", "nginx/access.log"):
        per_event, per_kernel = mean_event_bytes(family, host, seed)
        if family == "syslog":
            other = (SHARES["syslog"] - SHARES["kern.log"]) * total / GENERATIONS
            kernel = SHARES["kern.log"] * total / GENERATIONS
            n_other, n_kernel = other / per_event, kernel / per_kernel
            events = max(10, round(n_other + n_kernel))
            kernel_every = n_kernel / (n_other + n_kernel)
        else:
            events = max(10, round(SHARES[family] * total / GENERATIONS / per_event))
            kernel_every = 0.0
        for generation in range(GENERATIONS):
            start = end - (generation + 1) * DAY
            units.append(
                Unit(str(dest), family, generation, start, events, kernel_every, host, seed)
            )
    return units


def _write_unit_job(unit: Unit) -> list[Written]:
    return write_unit(unit)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="directory to create (must be empty or absent)")
    parser.add_argument("--mib", type=float, default=1024.0, help="MiB of decompressed text")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--host", default="web-1")
    parser.add_argument(
        "--end", default=DEFAULT_END, help="the last rotation instant, ISO 8601, UTC"
    )
    parser.add_argument("--jobs", type=int, default=1, help="processes writing (family, day) units")
    args = parser.parse_args(argv)
    if args.dest.exists() and any(args.dest.iterdir()):
        parser.error(f"{args.dest} is not empty")
    end_dt = datetime.fromisoformat(args.end)
    end = int((end_dt if end_dt.tzinfo else end_dt.replace(tzinfo=UTC)).timestamp())
    started = time.perf_counter()
    units = plan(args.dest, args.mib, end, args.host, args.seed)
    units.sort(key=lambda u: (u.family != "syslog", u.generation))  # biggest first
    written: list[Written] = []
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            for files in pool.map(_write_unit_job, units):
                written += files
    else:
        pools = make_pools(args.seed)
        for unit in units:
            written += write_unit(unit, pools)
    seconds = time.perf_counter() - started
    size = sum(w.bytes for w in written)
    disk = sum(w.disk for w in written)
    lines = sum(w.lines for w in written)
    print(
        f"wrote {len(written)} files to {args.dest}: {size / (1 << 20):.1f} MiB decompressed "
        f"({size / 1e6:.1f} MB), {lines:,} lines, {disk / 1e6:.1f} MB on disk, in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
