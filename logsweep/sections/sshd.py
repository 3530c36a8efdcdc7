"""The sshd section: failed authentications, invalid users, accepted logins."""

from pydantic import BaseModel, Field

from logsweep.analyzers.base import by_hour_key, ranked
from logsweep.analyzers.sshd import SshdPartial


class AcceptedLogin(BaseModel):
    user: str
    ip: str
    method: str
    count: int


class SshdSection(BaseModel):
    failures: int = Field(description="Failed authentications from remote hosts")
    failed_by_ip: dict[str, int]
    failed_by_user: dict[str, int]
    invalid_users: dict[str, int]
    pam_failures_by_rhost: dict[str, int] = Field(
        description="pam_unix failures; they usually shadow the same attempts, so kept apart"
    )
    accepted: list[AcceptedLogin]
    failures_by_hour: dict[str, int] = Field(
        default_factory=dict,
        description="Failed authentications per UTC hour, in time order (lines without a "
        "time count in failures only)",
    )


def summarize(p: SshdPartial) -> SshdSection:
    return SshdSection(
        failures=p.failures,
        failed_by_ip=ranked(p.failed_by_ip),
        failed_by_user=ranked(p.failed_by_user),
        invalid_users=ranked(p.invalid_users),
        pam_failures_by_rhost=ranked(p.pam_failures_by_rhost),
        accepted=[
            AcceptedLogin(user=u, ip=i, method=m, count=c)
            for (u, i, m), c in sorted(p.accepted.items())
        ],
        failures_by_hour=by_hour_key(p.failures_by_hour),
    )
