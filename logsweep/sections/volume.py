"""The volume section: lines by host, program and hour, the busiest programs apart."""

from collections import Counter

from pydantic import BaseModel, Field

from logsweep.analyzers.base import by_hour_key, ranked
from logsweep.analyzers.volume import TOP_PROGRAMS, VolumePartial


class VolumeSection(BaseModel):
    by_host: dict[str, int]
    by_program: dict[str, int]
    by_hour: dict[str, int]
    by_program_hour: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description=f"Timestamped syslog-family lines per UTC hour of the {TOP_PROGRAMS} "
        "programs with the most of them, busiest program first",
    )
    other_programs_by_hour: dict[str, int] = Field(
        default_factory=dict,
        description="The same for every other program together (a key of its own, so no "
        "program name can collide with it)",
    )


def summarize(p: VolumePartial) -> VolumeSection:
    hourly: dict[str, Counter[int]] = {}
    for (program, hour), n in p.by_program_hour.items():
        hourly.setdefault(program, Counter())[hour] += n
    totals = {program: sum(counts.values()) for program, counts in hourly.items()}
    top = list(ranked(totals))[:TOP_PROGRAMS]
    other: Counter[int] = Counter()
    for program in totals.keys() - set(top):
        other.update(hourly[program])
    return VolumeSection(
        by_host=ranked(p.by_host),
        by_program=ranked(p.by_program),
        by_hour=by_hour_key(p.by_hour),
        by_program_hour={program: by_hour_key(hourly[program]) for program in top},
        other_programs_by_hour=by_hour_key(other),
    )
