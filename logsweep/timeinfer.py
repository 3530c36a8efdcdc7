"""Dates for year-less syslog lines (RFC 3164: ``Nov 24 14:46:01``).

The year comes from a reference instant that the file cannot postdate: the
gzip header's MTIME when set, else the file's mtime (logrotate keeps it).
The file is walked forward; a month jump of more than half a year backwards
(Dec -> Jan) starts a new year, and no line is ever dated after the
reference: when the walk would do that, the line takes the latest year that
keeps it at or before the reference (which also sends Feb 29 to a leap year).
"""

import calendar
import contextlib
import os
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS: dict[str, int] = {name: number for number, name in enumerate(calendar.month_abbr) if name}
_MAX_YEARS_BACK = 8  # enough to reach a leap year from any year


def machine_timezone() -> tzinfo:
    """The machine's zone, DST rules included (a fixed offset would be wrong half the year)."""
    name = os.environ.get("TZ", "").lstrip(":")
    candidates = [name] if name else []
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for candidate in candidates:
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    try:
        with open("/etc/localtime", "rb") as fh:
            return ZoneInfo.from_file(fh)
    except (OSError, ValueError):
        return UTC


def resolve_timezone(name: str | None) -> tzinfo:
    """A zone from its IANA name; None means the machine's zone."""
    if not name:
        return machine_timezone()
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown timezone {name!r} (use an IANA name such as Europe/Paris)"
        ) from exc


class YearWalker:
    """Turns (month, day, h, m, s) of consecutive lines into UTC epoch seconds."""

    def __init__(self, reference_epoch: float, tz: tzinfo) -> None:
        self._reference = reference_epoch
        self._tz = tz
        self._year: int | None = None
        self._month = 0
        # How often the walk set its year or month: the block-at-a-time path checks a
        # block moved it at most once (into the block's month), so order did not matter.
        self.changes = 0
        # How often a time did not fit before the reference in the year it was tried in
        # first, and went a year back: that choice depends on which line came first, so
        # the block-at-a-time path leaves such blocks to the lines' own order.
        self.fallbacks = 0
        self._hour_starts: dict[tuple[int, int, int, int], float | None] = {}

    def _hour_start(self, year: int, month: int, day: int, hour: int) -> float | None:
        key = (year, month, day, hour)
        cached = self._hour_starts.get(key, -1.0)
        if cached != -1.0:
            return cached
        try:
            start: float | None = datetime(year, month, day, hour, tzinfo=self._tz).timestamp()
        except ValueError:  # Feb 29 in a common year, Apr 31 ...
            start = None
        if len(self._hour_starts) > 50_000:
            self._hour_starts.clear()
        self._hour_starts[key] = start
        return start

    def _latest_fitting(self, month: int, day: int, seconds: int, hour: int) -> tuple[int, float]:
        year = datetime.fromtimestamp(self._reference, self._tz).year
        for candidate in range(year, year - _MAX_YEARS_BACK, -1):
            start = self._hour_start(candidate, month, day, hour)
            if start is not None and start + seconds <= self._reference:
                self.fallbacks += candidate != year
                return candidate, start + seconds
        raise ValueError(f"no year fits month {month} day {day}")

    def state(self) -> tuple[int | None, int, int]:
        return self._year, self._month, self.changes

    def restore(self, state: tuple[int | None, int, int]) -> None:
        self._year, self._month, self.changes = state

    def epoch(self, month: int, day: int, hour: int, minute: int, second: int) -> float:
        seconds = minute * 60 + second
        if self._year is None:
            self._year, value = self._latest_fitting(month, day, seconds, hour)
            self._month = month
            self.changes += 1  # after the call: a date no year fits changes nothing
            return value
        if month != self._month:
            self.changes += 1
            if month < self._month - 6:
                self._year += 1
            elif month > self._month + 6:
                self._year -= 1  # a clock set back across New Year
            self._month = month
        start = self._hour_start(self._year, month, day, hour)
        if start is not None and start + seconds <= self._reference:
            return start + seconds
        self._year, value = self._latest_fitting(month, day, seconds, hour)
        self.changes += 1
        return value
