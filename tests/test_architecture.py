"""The core stays pure: nothing in logsweep/ imports Prefect (or Dask, the optional runner)."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "logsweep"
# The Dask packages come only with the logsweep[dask] extra; the core must work without them.
FORBIDDEN = ("prefect", "prefect_dask", "dask", "distributed")


def test_no_core_module_imports_prefect() -> None:
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(CORE.rglob("*.py"))) > 10  # the walk really saw the package


def test_importing_the_whole_core_loads_no_prefect() -> None:
    modules = sorted(
        ".".join(p.relative_to(CORE.parent).with_suffix("").parts) for p in CORE.rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=CORE.parent
    )
    assert out.stdout.strip() == "[]"


def test_no_shell_and_no_eval_anywhere_in_the_product() -> None:
    """Nothing derived from a parameter or a log line can reach a shell or an evaluator."""
    root = CORE.parent
    forbidden_calls = {"eval", "exec", "compile", "system", "popen", "getoutput", "getstatusoutput"}
    offenders = []
    for package in ("logsweep", "tasks", "flows", "deployments"):
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Call):
                    func = node.func
                    if isinstance(func, ast.Attribute):  # re.compile is fine, os.system is not
                        bad = func.attr in forbidden_calls - {"compile"}
                        name = func.attr
                    else:
                        name = getattr(func, "id", "")
                        bad = name in forbidden_calls | {"__import__"}
                    if bad:
                        offenders.append(f"{path.name}:{node.lineno} {name}()")
                    for kw in node.keywords:
                        if kw.arg == "shell":
                            offenders.append(f"{path.name}:{node.lineno} shell=")
                elif isinstance(node, ast.Import | ast.ImportFrom):
                    names = [a.name for a in node.names]
                    module = getattr(node, "module", None) or ""
                    spawns = "subprocess" in names or module == "subprocess"
                    if (spawns and path.name != SERVER_LAUNCHER.name) or "pickle" in names:
                        offenders.append(f"{path.name}:{node.lineno} imports {names or module}")
    assert offenders == []


# The one module that starts a process: the run's temporary Prefect API server.
SERVER_LAUNCHER = CORE.parent / "flows" / "api_server.py"


def test_the_server_launcher_runs_only_prefects_fixed_server_command() -> None:
    """Its argv comes from ``server_command(port)`` alone: nothing from a parameter or a
    log line, and no shell."""
    tree = ast.parse(SERVER_LAUNCHER.read_text())
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "subprocess"
    }
    assert used <= {"Popen", "TimeoutExpired"}, used
    spawns = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "Popen"
    ]
    assert spawns, "the launcher no longer spawns the server: drop this allowance"
    for call in spawns:
        argv = call.args[0]
        assert isinstance(argv, ast.Call) and getattr(argv.func, "id", "") == "server_command"
    command = next(
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "server_command"
    )
    assert ast.unparse(command.args) == "port: int"


def test_a_pool_worker_scans_without_importing_pydantic() -> None:
    """Pydantic is ~0.15 s of a spawned worker's start, paid by every scan before its first
    file: the workers' side (discovery, planning, scanning) must not import it; the
    report's side does, and the probe sees that, so it cannot pass by not looking."""
    samples = Path(__file__).resolve().parent / "samples"
    code = (
        "import sys\n"
        "from logsweep.discovery import discover\n"
        "from logsweep.planning import plan\n"
        "from logsweep.scan import ScanOptions, build_report, scan_files\n"
        f"found = discover([{str(samples)!r}])\n"
        "options = ScanOptions(timezone='UTC', hourly=False)\n"
        "batches = plan(found.files, 2, options.analyzers, split=True)\n"
        "results = [r for b in batches for r in scan_files(b.files, options)]\n"
        "print(len(results), sorted({r.entry.format for r in results}))\n"
        "print('pydantic' in sys.modules)\n"
        "build_report(results, found.skipped, options)\n"
        "print('pydantic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=CORE.parent
    )
    scanned, before, after = out.stdout.splitlines()
    assert int(scanned.split()[0]) >= 4 and "access" in scanned and "rfc3164" in scanned
    assert (before, after) == ("False", "True")
