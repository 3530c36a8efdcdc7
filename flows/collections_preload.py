"""Prefect's installed collections, loaded once, in the pool's fork server.

Only the fork server imports this module (``worker_start.PRELOAD``).  Prefect
loads the installed collections (the ``prefect.collections`` entry points:
prefect-dask with the dask extra, which imports dask.distributed) the first
time a block is validated, and in a pool worker that is its first task run's
context, which holds the result storage.  That took 0.18-0.24 s of CPU in
each worker, before its first batch could start.  Loaded here, the forked
workers inherit the loaded collections.  The CLI's own process never loads
them, so nothing else imports this.
"""

from prefect.plugins import load_prefect_collections

load_prefect_collections()
