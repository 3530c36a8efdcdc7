from prefect import task
from prefect.cache_policies import NO_CACHE

from logsweep.discovery import Discovery, discover


@task(name="list-logs", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def list_logs(paths: list[str], roots: tuple[str, ...] | None = None) -> Discovery:
    """Find log families under ``paths``, each ordered oldest -> newest.

    With ``roots``, symlinks leading outside them are skipped, not followed.
    """
    return discover(paths, roots)
