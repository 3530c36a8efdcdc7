"""Where a logsweep scan's time goes, side by side, in one run: ``side_by_side.py``.

    .venv/bin/python benchmarks/run.py /tmp/tree [--rounds 3] [--configs ...]

A few lines on purpose: a ``spawn`` pool's every worker runs the main script
again (compiled from source, as ``__mp_main__``) before its first task, so
whatever this file imported would be part of (a), (b) and (c)'s times.
"""

import sys

if __name__ == "__main__":
    from side_by_side import main

    sys.exit(main())
