"""Prefect tasks: each a few lines over logsweep's core.

Every task has ``cache_policy=NO_CACHE``: a log under the same path holds new
lines tomorrow, so no result may be reused, and Prefect's default policy would
hash every input of every call (every file's counters, for the reduce).
"""

from tasks.discover import list_logs
from tasks.ledger import load_known, record_results, report_from_ledger
from tasks.parse import parse_logs
from tasks.publish import publish_report
from tasks.reduce import reduce_results

__all__ = [
    "list_logs",
    "load_known",
    "parse_logs",
    "publish_report",
    "record_results",
    "reduce_results",
    "report_from_ledger",
]
