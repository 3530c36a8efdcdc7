from pathlib import Path

import pytest

from logsweep.discovery import discover
from logsweep.roots import PathRefused, check_paths, configured_roots


def test_paths_outside_the_roots_are_refused_with_the_reason(tmp_path: Path) -> None:
    logs = tmp_path / "log"
    logs.mkdir()
    (tmp_path / "secret").mkdir()
    (logs / "escape").symlink_to(tmp_path / "secret")
    check_paths([str(logs), str(logs / "sub")], [str(logs)])  # inside: fine
    with pytest.raises(PathRefused, match=r"refused '.*/log/\.\./secret'.*outside the allowed"):
        check_paths([str(logs / ".." / "secret")], [str(logs)])
    with pytest.raises(PathRefused, match="it resolves"):
        check_paths([str(logs / "escape")], [str(logs)])
    with pytest.raises(PathRefused, match="/etc/shadow"):
        check_paths(["/etc/shadow"], [str(logs)])


def test_symlinks_leading_out_are_skipped_while_walking(tmp_path: Path) -> None:
    logs, secret = tmp_path / "log", tmp_path / "secret"
    logs.mkdir()
    secret.mkdir()
    (secret / "shadow").write_text("root:x:0:0\n")
    (logs / "syslog").write_text("Nov 24 10:00:00 h cron[1]: x\n")
    (logs / "out-dir").symlink_to(secret)
    (logs / "out-file.log").symlink_to(secret / "shadow")
    found = discover([logs], roots=[str(logs)])
    assert [Path(f.path).name for f in found.files] == ["syslog"]
    reasons = {Path(s.path).name: s.reason for s in found.skipped}
    assert reasons == {
        "out-dir": "symlink to outside the allowed roots",
        "out-file.log": "symlink to outside the allowed roots",
    }
    # without roots (the CLI, run by the files' owner) links are followed
    assert len(discover([logs]).files) == 2


def test_configured_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOGSWEEP_ALLOWED_ROOTS", raising=False)
    assert configured_roots(in_deployment=True) == ("/var/log",)
    assert configured_roots(in_deployment=False) is None
    monkeypatch.setenv("LOGSWEEP_ALLOWED_ROOTS", "/srv/logs:/var/log/nginx")
    assert configured_roots(in_deployment=False) == ("/srv/logs", "/var/log/nginx")
