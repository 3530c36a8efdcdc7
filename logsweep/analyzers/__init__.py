"""The analyzers, by name, in report order."""

from typing import Any

from logsweep.analyzers import robots, sshd, usb, volume
from logsweep.analyzers.base import Analyzer

ANALYZERS: dict[str, Analyzer[Any]] = {
    a.name: a for a in (usb.ANALYZER, sshd.ANALYZER, robots.ANALYZER, volume.ANALYZER)
}
ANALYZER_NAMES: tuple[str, ...] = tuple(ANALYZERS)


def parse_analyzer_names(names: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Validate a selection ("usb,sshd" or a list); None or empty means all, in report order."""
    if names is None:
        return ANALYZER_NAMES
    items = names.split(",") if isinstance(names, str) else list(names)
    chosen = {item.strip() for item in items if item.strip()}
    unknown = sorted(chosen - set(ANALYZERS))
    if unknown:
        raise ValueError(
            f"unknown analyzer(s) {', '.join(unknown)}; choose from {', '.join(ANALYZER_NAMES)}"
        )
    return tuple(n for n in ANALYZER_NAMES if n in chosen) or ANALYZER_NAMES
