"""The robots section: who fetched robots.txt."""

from pydantic import BaseModel

from logsweep.analyzers.base import ranked
from logsweep.analyzers.robots import RobotsPartial


class RobotsSection(BaseModel):
    requests: int
    by_ip: dict[str, int]
    user_agents: dict[str, int]


def summarize(p: RobotsPartial) -> RobotsSection:
    return RobotsSection(
        requests=p.requests, by_ip=ranked(p.by_ip), user_agents=ranked(p.user_agents)
    )
