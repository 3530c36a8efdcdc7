"""The logsweep command: argument errors (fast, no Prefect) and real scans in a subprocess."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import descendants, pool_workers
from prefect_server import Server, api, clean_env

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
        (["scan", "{tmp}", "--dask-address", "tcp://127.0.0.1:8786"], "needs --runner dask"),
        (
            ["scan", "{tmp}", "--runner", "dask", "--dask-address", "h:8786", "--workers", "2"],
            "--workers does not apply to an existing Dask cluster",
        ),
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


@pytest.mark.parametrize("command", ["scan", "report", "sample"])
def test_readme_documents_every_option_of_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's synopsis drifts from --help: this fails when an option is missing."""
    import re

    with pytest.raises(SystemExit):
        main([command, "--help"])
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", capsys.readouterr().out)) - {"--help"}
    readme = (ROOT / "README.md").read_text()
    assert options, "no options parsed from --help"
    missing = sorted(o for o in options if o not in readme)
    assert missing == [], f"README does not document {missing}"


def test_scan_help_gives_every_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    """Cron users read the codes in --help: this fails when a new one is not there."""
    import re

    import flows.cli

    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    epilog = " ".join(capsys.readouterr().out.split("exit status:")[1].split())
    codes = {v for k, v in vars(flows.cli).items() if k.startswith("EXIT_")}
    assert codes == {int(c) for c in re.findall(r"(?:^|, )(\d+) ", epilog)}


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
            below = descendants(proc.pid)
            servers.update(pid for pid, cmdline in below if "uvicorn" in cmdline)
            workers.update(pid for pid, _ in pool_workers(below))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    out, err = proc.communicate(timeout=300)
    watcher.join()
    assert proc.returncode == 0, err
    assert out == ""  # the report went to --output
    assert len(workers) == 2, workers  # the pool really ran
    assert len(servers) == 1, f"expected one API server, saw {len(servers)}"
    # Prefect's log and event senders drained before the server stopped: otherwise
    # they retry against it for over a minute and print this.
    assert "Error logging to API" not in err
    assert " | INFO " not in err, err  # under a pipe: no Prefect chatter for cron to mail
    assert not [pid for pid in servers if Path(f"/proc/{pid}").exists()], "server left running"
    report = json.loads(output.read_text())
    assert report["sshd"] == truth["ssh"]
    assert report["robots"] == truth["robots"]
    broken = [f for f in report["files"] if f["path"].endswith("broken.log.1.gz")]
    assert broken[0]["status"] == "error" and broken[0]["error"]
    assert "1 file(s) could not be read completely" in err


def test_a_piped_run_prints_no_chatter_and_keeps_its_logs_in_the_api(
    tmp_path: Path, live_server: Server
) -> None:
    """Cron's view: stderr only for what needs a human; the UI's view: the run's INFO lines."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    tree = tmp_path / "tree"
    generate_sample_tree(tree)
    env = clean_env(PREFECT_API_URL=live_server.api_url, PREFECT_HOME=str(tmp_path / "home"))
    cmd = [sys.executable, "-m", "flows.cli", "scan", str(tree), "--workers", "2"]
    cmd += ["--format", "json", "--output", str(tmp_path / "report.json")]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")
    with api(live_server) as client:
        runs = [r for r in client.read_flow_runs() if r.parameters.get("paths") == [str(tree)]]
        assert len(runs) == 1, runs
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[runs[0].id]))
        )
    messages = [log.message for log in logs]
    assert "scanned 36/36 files" in messages, messages
    assert any(m.startswith("Finished in state Completed") for m in messages), messages


def test_report_renders_a_ledger_without_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpers import UTC_OPTIONS

    from logsweep.stateful import scan_with_ledger

    tree = tmp_path / "tree"
    truth = generate_sample_tree(tree, days=3).to_json()
    state = tmp_path / "state.db"
    scan_with_ledger([tree], state, UTC_OPTIONS)
    code, out, err = run_main(
        ["report", "--state", str(state), "--format", "json", "--timezone", "UTC"], capsys
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["sshd"] == truth["ssh"]
    assert {f["status"] for f in report["files"]} == {"unchanged"}
    code, out, _ = run_main(
        ["report", "--state", str(state), "--format", "json", "--since", "2026-11-24T00:00:00Z"],
        capsys,
    )
    hours = json.loads(out)["volume"]["by_hour"]
    assert hours and min(hours) >= "2026-11-24T00"
    code, _, err = run_main(["report", "--state", str(tmp_path / "nope.db")], capsys)
    assert code == 2 and "no ledger at" in err


def test_scan_stops_with_a_clear_message_while_another_run_holds_the_ledger(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    prefect_api: None,
) -> None:
    from logsweep.ledger import ledger_lock

    (tmp_path / "syslog").write_text("Nov 24 10:00:00 h cron[1]: x\n")
    state = tmp_path / "state.db"
    monkeypatch.setenv("LOGSWEEP_LOCK_WAIT", "1")
    with ledger_lock(state):
        code, _, err = run_main(
            ["scan", str(tmp_path / "syslog"), "--state", str(state), "--runner", "thread"], capsys
        )
    assert code == 3
    assert "another logsweep run" in err and str(state) in err


def test_output_to_a_fifo_or_device_is_written_not_replaced(tmp_path: Path) -> None:
    """``--output /dev/null`` must not rename a regular file over the device node."""
    import stat

    from flows.cli import write_atomically

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    write_atomically(fifo, "report\n")
    reader.join(10)
    assert received == ["report\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    regular = tmp_path / "report.json"
    write_atomically(regular, "{}")
    write_atomically(regular, '{"a": 1}')
    assert regular.read_text() == '{"a": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "report.json"]  # no temp left
