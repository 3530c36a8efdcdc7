"""Prefect flows and the ``logsweep`` command line."""
