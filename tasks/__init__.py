"""Prefect tasks: each a few lines over logsweep's core."""

from tasks.discover import list_logs
from tasks.parse import parse_logs
from tasks.reduce import reduce_results

__all__ = ["list_logs", "parse_logs", "reduce_results"]
