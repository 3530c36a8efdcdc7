"""Who fetched robots.txt (Python Cookbook recipe 12.8, grown up).

A request counts when its path, query string aside, is exactly ``/robots.txt``.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Self

from logsweep.analyzers.base import Analyzer, Event, counter_data, merge_counters
from logsweep.records import AccessRecord

ROBOTS_PATH = "/robots.txt"


def extract(record: AccessRecord) -> Event | None:
    path = record.target.partition("?")[0]
    if path != ROBOTS_PATH:
        return None
    return {"ip": record.client, "user_agent": record.user_agent or "-"}


@dataclass
class RobotsPartial:
    requests: int = 0
    by_ip: Counter[str] = field(default_factory=Counter)
    user_agents: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Self) -> Self:
        return type(self)(
            self.requests + other.requests,
            merge_counters(self.by_ip, other.by_ip),
            merge_counters(self.user_agents, other.user_agents),
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_ip": counter_data(self.by_ip),
            "user_agents": counter_data(self.user_agents),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "RobotsPartial":
        return cls(data["requests"], Counter(data["by_ip"]), Counter(data["user_agents"]))


class RobotsCollector:
    def __init__(self) -> None:
        self.partial = RobotsPartial()

    def feed(self, record: AccessRecord) -> None:
        event = extract(record)
        if event is None:
            return
        self.partial.requests += 1
        self.partial.by_ip[event["ip"]] += 1
        self.partial.user_agents[event["user_agent"]] += 1

    def finish(self) -> RobotsPartial:
        return self.partial


ANALYZER = Analyzer(
    name="robots",
    description="Requests for /robots.txt by client IP and user agent",
    programs=frozenset(),
    syslog_collector=None,
    access_collector=RobotsCollector,
    empty=RobotsPartial,
    load=RobotsPartial.from_data,
    needles=(ROBOTS_PATH.encode(),),
)
