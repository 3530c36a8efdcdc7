"""How much each host and program logged, and when (hourly, UTC).

Every timestamped line counts in ``by_hour``; syslog-family lines also count
by host and by program, and timestamped ones by program and hour (the report
keeps the busiest ``TOP_PROGRAMS`` apart and adds up the rest).  Lines
duplicated across syslog and kern.log count in each file: volume measures
what was written, not distinct events.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Self

from logsweep.analyzers.base import (
    HOUR,
    Analyzer,
    Event,
    counter_data,
    merge_counters,
)
from logsweep.records import AccessRecord, SyslogRecord

# Programs shown apart in the per-hour breakdown; more would not fit a chart legend.
TOP_PROGRAMS = 8


def extract(record: SyslogRecord | AccessRecord) -> Event | None:
    hour = None if record.ts is None else int(record.ts // HOUR) * HOUR
    if isinstance(record, SyslogRecord):
        return {"host": record.host, "program": record.program, "hour": hour}
    return {"host": None, "program": None, "hour": hour}


@dataclass
class VolumePartial:
    by_host: Counter[str] = field(default_factory=Counter)
    by_program: Counter[str] = field(default_factory=Counter)
    by_hour: Counter[int] = field(default_factory=Counter)  # hour start, epoch seconds
    # Every program is kept here so that merging stays exact whatever the split of
    # the work; only summarize cuts to the busiest programs.
    by_program_hour: Counter[tuple[str, int]] = field(default_factory=Counter)

    def merge(self, other: Self) -> Self:
        return type(self)(
            merge_counters(self.by_host, other.by_host),
            merge_counters(self.by_program, other.by_program),
            merge_counters(self.by_hour, other.by_hour),
            merge_counters(self.by_program_hour, other.by_program_hour),
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "by_host": counter_data(self.by_host),
            "by_program": counter_data(self.by_program),
            "by_hour": {str(h): n for h, n in sorted(self.by_hour.items())},
            "by_program_hour": [[p, h, n] for (p, h), n in sorted(self.by_program_hour.items())],
        }

    def add_lines(self, hour: int, host: str | None, program: str | None, lines: int) -> None:
        """``lines`` lines of one hour, host and program: the block-at-a-time path."""
        if host is not None and program is not None:
            self.by_host[host] += lines
            self.by_program[program] += lines
            self.by_program_hour[(program, hour)] += lines
        self.by_hour[hour] += lines

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "VolumePartial":
        return cls(
            Counter(data["by_host"]),
            Counter(data["by_program"]),
            Counter({int(h): n for h, n in data["by_hour"].items()}),
            Counter({(p, int(h)): n for p, h, n in data["by_program_hour"]}),
        )


class VolumeCollector:
    """Counts per line; the hot path, so it skips building event dicts."""

    def __init__(self) -> None:
        self.partial = VolumePartial()

    def feed(self, record: SyslogRecord | AccessRecord) -> None:
        p = self.partial
        hour = None if record.ts is None else int(record.ts // HOUR) * HOUR
        if isinstance(record, SyslogRecord):
            p.by_host[record.host] += 1
            p.by_program[record.program] += 1
            if hour is not None:
                p.by_program_hour[(record.program, hour)] += 1
        if hour is not None:
            p.by_hour[hour] += 1

    def finish(self) -> VolumePartial:
        return self.partial


ANALYZER = Analyzer(
    name="volume",
    description="Lines by host, by program and by hour (UTC)",
    programs=None,
    syslog_collector=VolumeCollector,
    access_collector=VolumeCollector,
    empty=VolumePartial,
    load=VolumePartial.from_data,
    count=VolumePartial.add_lines,
)
