"""The C kernels under AddressSanitizer and UBSan: hostile blocks, no bad read or write.

Log lines are attacker-controlled and ``_keyscan.c`` and ``_sshdscan.c`` walk them
with pointers.  This builds them again with ``-fsanitize=address,undefined``, loads them in
a fresh interpreter whose objects come from malloc (``PYTHONMALLOC=malloc``, so
a read past a bytes object is a read past an allocation ASan guards), and feeds
it thousands of blocks: lines built from right and wrong pieces, cut at every
length, and random bytes.  Every block must also count as the regex counts it,
and sshd's events must be those of the kernel built at install.
"""

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child: the sanitized kernel takes the place of the built one.
CHILD = r"""
import ctypes, importlib.util, random, sys
def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
kernel = load("logsweep._keyscan", sys.argv[1])
sshd_kernel = load("logsweep._sshdscan", sys.argv[2])
ctypes.CDLL(None)["__asan_init"]  # KeyError unless ASan is really loaded
from logsweep import _sshdscan as built_sshd_kernel
from logsweep import blockcount
from logsweep.blockcount import KEY_PATTERNS, Wanted, count_block
from logsweep.formats import LogFormat
blockcount._keyscan = kernel

SYSLOG = [
    ["", "<13>", "<1913>", "<", "\x00"],
    ["Nov", "nov", "No", "Feb"],
    [" 24", "  4", " 4", " 244", ""],
    [" 06:25:00", " 06:60:00", " 06:25", " 6:25:00", " 06:25:00.123", " 06:25:00."],
    [" web-1", " host:", " h[1]", " h\r", " ", ""],
    [" sshd[1]:", " sshd:", " kernel:", " prog[1]", " prog[:", " [1]:", " :", ""],
    [" Failed password for root", " usb 1-1: Product: X", " Invalid user x", "\r", ""],
]
# sshd's lines: mostly good heads, so the messages are read (and cut, and padded).
SSHD = [
    ["Nov 24 10:07:01 web01 sshd[12]: ", "Nov 24 10:07:01 web01 sshd(pam_unix)[4]:",
     "<38>Nov  4 10:07:01.5 h sshd: ", "Nov 24 10:07:01 web01 sshd[12"],
    ["", "message repeated 3 times: [ ", "message repeated 1234567890 times: [ ",
     "message repeated 3 times: ["],
    ["Failed password for ", "Failed a/ for ", "Accepted publickey for ", "Invalid user ",
     "pam_unix(sshd:auth): authentication failure; logname= rhost=",
     "pam_unix(sshd:auth): authentication failure; xrhost=", "[ID 1 a.b] "],
    ["root from 192.0.2.1", "invalid user x from 1.2.3.4", "", "a b from c"],
    [" port 22 ssh2", " [preauth]", ": x", " port ", " ssh", ""],
    ["", "]", " "],
]  # fmt: skip
ACCESS = [
    ["198.51.100.7", "", '"x'],
    [" -", " ", " -\t"],
    [" -", ' "a user"', ' "a', ' "a"b'],
    [" [24/Nov/2026:10:00:01", " [24/Nov/2026:10:60:01", "_[24/Nov/2026:10:00:01", " ["],
    [" +0100]", " +010]", " +0100"],
    [' "GET /robots.txt HTTP/1.1"', ' "a\\"b"', ' "a\\', ' "open', ""],
    [" 200", " -", " 2000", ""],
    [" 5", " ", ""],
]
WANTED = {
    LogFormat.RFC3164: Wanted(((frozenset({b"kernel"}), (b"usb ",)),
                               (frozenset({b"sshd"}), (b"Failed ", b"nvalid user ")))),
    LogFormat.ACCESS: Wanted(((frozenset(), (b"/robots.txt",)),)),
}
rng = random.Random(20261202)

def line(pieces):
    text = "".join(rng.choice(choices) for choices in pieces).encode("utf-8")
    if rng.random() < 0.3:
        text = text[: rng.randrange(len(text) + 1)]  # cut anywhere: every end check
    if rng.random() < 0.1:
        text += bytes(rng.randrange(256) for _ in range(rng.randrange(8)))
    return text.replace(b"\n", b"")

blocks = 0
BUILT = ((LogFormat.RFC3164, SYSLOG), (LogFormat.RFC3164, SSHD), (LogFormat.ACCESS, ACCESS))
for fmt, pieces in BUILT:
    for _ in range(3000):
        block = b"".join(line(pieces) + b"\n" for _ in range(rng.randrange(1, 30)))
        if fmt is LogFormat.RFC3164:
            for minute in (False, True):
                got = sshd_kernel.sshd_events(block, minute)
                assert got == built_sshd_kernel.sshd_events(block, minute), block
                got = sshd_kernel.sshd_counts(block, minute)
                assert got == built_sshd_kernel.sshd_counts(block, minute), block
        for pattern in KEY_PATTERNS[fmt]:
            native = count_block(block, pattern, WANTED[fmt])
            reference = count_block(block, pattern, WANTED[fmt], native=False)
            assert (native.lines, list(native.keys.items()), native.odd, native.wanted) == (
                reference.lines, list(reference.keys.items()), reference.odd, reference.wanted
            ), block
        blocks += 1
    for size in range(0, 300):  # random bytes, every size: the ends of every buffer
        block = bytes(rng.randrange(256) for _ in range(size)).replace(b"\n", b" ") + b"\n"
        count_block(block, KEY_PATTERNS[fmt][0], WANTED[fmt])
        sshd_kernel.sshd_events(block, True)
        sshd_kernel.sshd_counts(block, False)
        blocks += 1
print("blocks", blocks)
"""


def runtime_library(name: str) -> str:
    found = subprocess.run(
        ["gcc", f"-print-file-name={name}"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(found).is_file(), f"gcc has no {name} (Debian: libasan8, libubsan1)"
    return found


def sanitized_build(source: str, target: Path) -> Path:
    subprocess.run(
        [
            "gcc",
            "-O1",
            "-g",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=undefined",
            "-fno-omit-frame-pointer",
            "-shared",
            "-fPIC",
            f"-I{sysconfig.get_paths()['include']}",
            str(ROOT / "logsweep" / source),
            "-o",
            str(target),
        ],
        check=True,
    )
    return target


def test_the_kernels_read_only_their_lines_under_asan(tmp_path: Path) -> None:
    keyscan = sanitized_build("_keyscan.c", tmp_path / "_keyscan_asan.so")
    sshdscan = sanitized_build("_sshdscan.c", tmp_path / "_sshdscan_asan.so")
    preload = f"{runtime_library('libasan.so')}:{runtime_library('libubsan.so')}"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "PYTHONMALLOC": "malloc",
        "LD_PRELOAD": preload,
        "ASAN_OPTIONS": "detect_leaks=0:exitcode=99",
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(keyscan), str(sshdscan)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert "Sanitizer" not in child.stderr, child.stderr[-4000:]
    assert child.returncode == 0, child.stderr[-4000:]
    assert child.stdout.split() == ["blocks", "9900"]
