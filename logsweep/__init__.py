"""logsweep's pure core: discovery, readers, formats, analyzers, reports.

Nothing in this package imports Prefect; the orchestration lives in the
top-level ``tasks`` and ``flows`` packages.  A test enforces that.
"""

__version__ = "0.1.0"
