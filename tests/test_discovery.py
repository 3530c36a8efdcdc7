import os
import socket
from pathlib import Path

import pytest

from logsweep.discovery import discover, split_rotation


def touch(path: Path, content: bytes = b"Nov 24 10:00:00 h p: m\n", mtime: float = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if mtime:
        os.utime(path, (mtime, mtime))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("syslog", ("syslog", None, None)),
        ("syslog.1", ("syslog", 1, None)),
        ("syslog.2.gz", ("syslog", 2, None)),
        ("auth.log.4.bz2", ("auth.log", 4, None)),
        ("kern.log.5.xz", ("kern.log", 5, None)),
        ("access.log.6.zst", ("access.log", 6, None)),
        ("messages-20261124.gz", ("messages", None, "20261124")),
        ("messages-2026112403", ("messages", None, "2026112403")),
        ("dpkg.log", ("dpkg.log", None, None)),
    ],
)
def test_split_rotation(name: str, expected: tuple[str, int | None, str | None]) -> None:
    assert split_rotation(name) == expected


def test_families_are_ordered_oldest_to_newest(tmp_path: Path) -> None:
    for name in [
        "syslog",
        "syslog.1",
        "syslog.2.gz",
        "syslog.10.gz",
        "auth.log",
        "auth.log.1",
        "nginx/access.log",
        "nginx/access.log.1",
        "nginx/access.log.2.gz",
        "messages",
        "messages-20261118.gz",
        "messages-20261121",
    ]:
        touch(tmp_path / name)
    found = discover([tmp_path])
    by_family: dict[str, list[tuple[str, int]]] = {}
    for f in found.files:
        by_family.setdefault(f.family, []).append((Path(f.path).name, f.generation))
    assert by_family == {
        "auth.log": [("auth.log.1", 1), ("auth.log", 0)],
        "messages": [("messages-20261118.gz", 2), ("messages-20261121", 1), ("messages", 0)],
        "nginx/access.log": [("access.log.2.gz", 2), ("access.log.1", 1), ("access.log", 0)],
        "syslog": [("syslog.10.gz", 10), ("syslog.2.gz", 2), ("syslog.1", 1), ("syslog", 0)],
    }
    assert [f.family for f in found.files] == sorted(f.family for f in found.files)


def test_non_logs_are_skipped_by_what_they_are(tmp_path: Path) -> None:
    touch(tmp_path / "syslog")
    touch(tmp_path / "wtmp", b"\x00" * 384)
    touch(tmp_path / "btmp.1", b"\x00" * 384)
    touch(tmp_path / "lastlog", b"\x00" * 10)
    touch(tmp_path / "journal" / "abc" / "system.journal", b"LPKSHHRH")
    os.mkfifo(tmp_path / "fifo.log")  # reading it would block forever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "dev-log"))
    try:
        found = discover([tmp_path])
    finally:
        sock.close()
    assert [Path(f.path).name for f in found.files] == ["syslog"]
    reasons = {Path(s.path).name: s.reason for s in found.skipped}
    assert reasons == {
        "wtmp": "binary login accounting file",
        "btmp.1": "binary login accounting file",
        "lastlog": "binary login accounting file",
        "system.journal": "systemd journal file",
        "fifo.log": "FIFO",
        "dev-log": "socket",
    }


def test_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    touch(tmp_path / "logs" / "syslog")
    (tmp_path / "logs" / "loop").symlink_to(tmp_path / "logs")
    found = discover([tmp_path / "logs"])
    assert [Path(f.path).name for f in found.files] == ["syslog"]
    assert any("symlink loop" in s.reason for s in found.skipped)


def test_a_file_given_twice_is_scanned_once(tmp_path: Path) -> None:
    touch(tmp_path / "syslog")
    found = discover([tmp_path, tmp_path / "syslog"])
    assert len(found.files) == 1


def test_missing_path_is_reported_not_raised(tmp_path: Path) -> None:
    found = discover([tmp_path / "nope"])
    assert found.files == ()
    assert found.skipped[0].reason.startswith("cannot stat")
