"""A cancelled run must stop, even when Prefect turns its signal into an ordinary error.

Cancelling a run makes the runner SIGTERM the flow-run process, and Prefect
raises ``TerminationSignal`` (a ``BaseException``) wherever the main thread
is.  If that is inside the creation of an in-process task run (``record-batch``
after each batch), Prefect 3.9's task engine fails while reporting the crash
and raises ``ValueError("Task run is not set")`` instead, with the signal only
as its ``__context__``.  The flow's ``except Exception`` around a batch would
then count one failed batch and scan on, and the run would outlive its
cancellation.  ``reraise_signal`` finds the signal behind such an error and
raises it again, so the flow leaves as Prefect expects of a cancelled run.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from prefect.exceptions import TerminationSignal

SIGNALS = (TerminationSignal, KeyboardInterrupt)


def signal_behind(exc: BaseException) -> BaseException | None:
    """The termination signal (or Ctrl-C) this error was raised while handling, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, SIGNALS):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def reraise_signal(exc: BaseException) -> None:
    """Raise the signal behind ``exc`` if there is one; return otherwise."""
    signal = signal_behind(exc)
    if signal is not None and signal is not exc:
        raise signal from exc


@contextmanager
def signals_win() -> Iterator[None]:
    """Around a flow's body: an error that hides a termination signal becomes that signal."""
    try:
        yield
    except Exception as exc:
        reraise_signal(exc)
        raise
