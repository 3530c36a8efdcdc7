import os
from pathlib import Path

# No network here, and tests must not phone home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

SAMPLES = Path(__file__).parent / "samples"
