"""How much each host and program logged, and when (hourly, UTC).

Every timestamped line counts in ``by_hour``; syslog-family lines also count
by host and by program.  Lines duplicated across syslog and kern.log count in
each file: volume measures what was written, not distinct events.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Self

from pydantic import BaseModel

from logsweep.analyzers.base import Analyzer, Event, merge_counters, ranked
from logsweep.records import AccessRecord, SyslogRecord

HOUR = 3600


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

    def merge(self, other: Self) -> Self:
        return type(self)(
            merge_counters(self.by_host, other.by_host),
            merge_counters(self.by_program, other.by_program),
            merge_counters(self.by_hour, other.by_hour),
        )


class VolumeCollector:
    """Counts per line; the hot path, so it skips building event dicts."""

    def __init__(self) -> None:
        self.partial = VolumePartial()

    def feed(self, record: SyslogRecord | AccessRecord) -> None:
        p = self.partial
        if isinstance(record, SyslogRecord):
            p.by_host[record.host] += 1
            p.by_program[record.program] += 1
        if record.ts is not None:
            p.by_hour[int(record.ts // HOUR) * HOUR] += 1

    def finish(self) -> VolumePartial:
        return self.partial


class VolumeSection(BaseModel):
    by_host: dict[str, int]
    by_program: dict[str, int]
    by_hour: dict[str, int]


def hour_key(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def summarize(p: VolumePartial) -> VolumeSection:
    return VolumeSection(
        by_host=ranked(p.by_host),
        by_program=ranked(p.by_program),
        by_hour={hour_key(h): n for h, n in sorted(p.by_hour.items())},
    )


ANALYZER = Analyzer(
    name="volume",
    description="Lines by host, by program and by hour (UTC)",
    programs=None,
    syslog_collector=VolumeCollector,
    access_collector=VolumeCollector,
    empty=VolumePartial,
    summarize=summarize,
)
