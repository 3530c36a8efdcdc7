"""The logsweep command: argument errors (fast, no Prefect) and real scans in a subprocess."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows.cli import main
from logsweep.samples import generate_sample_tree

ROOT = Path(__file__).resolve().parents[1]


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "/no/such/dir"], "no such file or directory: /no/such/dir"),
        (["scan", "{tmp}", "--analyzers", "usb,bogus"], "unknown analyzer(s) bogus"),
        (["scan", "{tmp}", "--timezone", "Mars/Olympus"], "unknown timezone 'Mars/Olympus'"),
        (["scan", "{tmp}", "--workers", "0"], "--workers must be at least 1"),
        (["scan", "{empty}"], "nothing log-like found under"),
    ],
)
def test_unusable_arguments_give_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "syslog").write_text("Nov 24 10:00:00 h cron[1]: x\n")
    (tmp_path / "empty").mkdir()
    args = [a.format(tmp=tmp_path / "logs", empty=tmp_path / "empty") for a in args]
    code, out, err = run_main(args, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("logsweep: error: ") and message in err


def test_usage_errors_do_not_import_prefect(tmp_path: Path) -> None:
    code = (
        "import sys; from flows.cli import main; rc = main(['scan', '/no/such']);"
        "print(rc, any(m.split('.')[0] == 'prefect' for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.split() == ["2", "False"]


def test_help_lists_every_documented_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    help_text = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text()
    for option in ["--format", "--output", "--analyzers", "--workers", "--timezone", "--runner"]:
        assert option in help_text
        assert option in readme, f"README does not document {option}"


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below pid, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found: list[tuple[int, str]] = []
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        try:
            cmd = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        found.append((child, cmd.decode(errors="replace")))
        stack.extend(children.get(child, []))
    return found


def test_cli_scan_uses_one_api_server_and_writes_the_report(tmp_path: Path) -> None:
    """The embedded default (no PREFECT_API_URL): two pool workers, one API server."""
    tree = tmp_path / "tree"
    truth = generate_sample_tree(tree).to_json()
    (tree / "broken.log.1.gz").write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    output = tmp_path / "report.json"
    cmd = [
        sys.executable,
        "-m",
        "flows.cli",
        "scan",
        str(tree),
        "--format",
        "json",
        "--output",
        str(output),
        "--timezone",
        "UTC",
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    servers: set[int] = set()
    workers: set[int] = set()

    def watch() -> None:
        while proc.poll() is None:
            for pid, cmdline in descendants(proc.pid):
                if "uvicorn" in cmdline:
                    servers.add(pid)
                elif "multiprocessing" in cmdline and "resource_tracker" not in cmdline:
                    workers.add(pid)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    out, err = proc.communicate(timeout=300)
    watcher.join()
    assert proc.returncode == 0, err
    assert out == ""  # the report went to --output
    assert len(workers) == 2, workers  # the pool really ran
    assert len(servers) == 1, f"expected one API server, saw {len(servers)}"
    report = json.loads(output.read_text())
    assert report["sshd"] == truth["ssh"]
    assert report["robots"] == truth["robots"]
    broken = [f for f in report["files"] if f["path"].endswith("broken.log.1.gz")]
    assert broken[0]["status"] == "error" and broken[0]["error"]
    assert "1 file(s) could not be read completely" in err
