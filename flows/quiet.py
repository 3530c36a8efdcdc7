"""Quiet Prefect and Dask on the console for cron and pipes, where the report is
the output.  Only the console: the run's INFO lines still reach the Prefect API,
so the UI shows a cron run's logs like any other.

No Prefect import here, on purpose: call it before Prefect is imported.  Prefect
configures its logging from its settings and the environment the first time a
flow is loaded (a nightly job imports Prefect in the CLI, then the flow); a
console level set by hand before that is overwritten, and the run's INFO lines
return.  The environment is also what pool and Dask workers inherit.
"""

import logging
import os

CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"


def quiet_prefect_logs() -> None:
    """Keep only warnings from Prefect and Dask on stderr."""
    os.environ.setdefault(CONSOLE_LEVEL, "WARNING")
    # Dask's own chatter too (a local cluster logs every worker start and stop);
    # through its config, so it holds when distributed is imported later.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    logging.getLogger("distributed").setLevel(logging.WARNING)
    # Logging configured already (Prefect imported first): quiet its console handler.
    for handler in logging.getLogger().handlers:
        if type(handler).__name__ == "PrefectConsoleHandler":
            handler.setLevel(logging.WARNING)
