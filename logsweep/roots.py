"""Allowed roots: a deployment reads logs only under the folders it is configured for.

Anyone who can press Run in the Prefect UI can type any path into the form;
the worker must not become a way to read /etc/shadow.  Paths are compared
after resolving ``..`` and symlinks, so neither can step outside.
"""

import os
from collections.abc import Sequence
from pathlib import Path

ENV_VAR = "LOGSWEEP_ALLOWED_ROOTS"
DEPLOYMENT_DEFAULT = ("/var/log",)


class PathRefused(ValueError):
    """A path outside the allowed roots; the message names the path and the roots."""


def configured_roots(*, in_deployment: bool) -> tuple[str, ...] | None:
    """Roots from ``LOGSWEEP_ALLOWED_ROOTS`` (``:``-separated); a deployment defaults to
    /var/log; a direct call or the CLI, run by whoever owns the files, to no limit (None)."""
    raw = os.environ.get(ENV_VAR, "")
    roots = tuple(r for r in raw.split(":") if r.strip())
    if roots:
        return roots
    return DEPLOYMENT_DEFAULT if in_deployment else None


def is_under(path: str | Path, roots: Sequence[str]) -> bool:
    real = os.path.realpath(path)
    for root in roots:
        base = os.path.realpath(root)
        if real == base or real.startswith(base.rstrip("/") + "/"):
            return True
    return False


def check_paths(paths: Sequence[str], roots: Sequence[str]) -> None:
    """Raise PathRefused for the first path that resolves outside every root."""
    for path in paths:
        if not is_under(path, roots):
            real = os.path.realpath(path)
            why = "resolves" if real != os.path.abspath(path) else "is"
            raise PathRefused(
                f"refused {path!r}: it {why} {real!r}, outside the allowed roots "
                f"{':'.join(roots)} (set {ENV_VAR} where the deployment runs to change them)"
            )
