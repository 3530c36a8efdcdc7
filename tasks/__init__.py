"""Prefect tasks: each a few lines over logsweep's core."""

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
