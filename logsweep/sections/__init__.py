"""The report's sections: one module per analyzer, each the pydantic model of what
that analyzer reports and ``summarize``, which fills it from the merged partial.

Only the reduce imports these, through ``Analyzer.summarize``.  Pool workers only
count (``logsweep.analyzers``, ``logsweep.scan``) and never import pydantic: it is
~0.15 s of every spawned worker's start, on the critical path of every scan.
"""

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer

# The contract wants "+00:00", not pydantic's "Z", so times read the same everywhere.
IsoTime = Annotated[datetime, PlainSerializer(lambda d: d.isoformat(), return_type=str)]
