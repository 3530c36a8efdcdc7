"""The contract every analyzer follows.

An analyzer is a module-level ``Analyzer`` value: its rules are data in its
module, ``extract`` turns one record into an event (or None) for the sample
tests, a ``Collector`` gathers one file's events into a ``Partial``, partials
merge (associatively and commutatively, so any split of the work and any
order of results give the same report), and ``summarize`` turns the merged
partial into the report section, a pydantic model of ``logsweep.sections``.
This half never imports pydantic: it is what pool workers run.
"""

import importlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar, cast

if TYPE_CHECKING:
    from pydantic import BaseModel

Event = dict[str, Any]
# See Analyzer.read_lines.
ReadLines = Callable[[Sequence[bytes], bool], tuple[list[tuple[bytes, Any]], list[int]]]


class Partial(Protocol):
    def merge(self, other: Self) -> Self: ...

    def to_data(self) -> Any:
        """Plain JSON-able data, for the state ledger; ``load`` reads it back."""
        ...


P = TypeVar("P", bound=Partial)


class Collector(Protocol):
    """Gathers one file's records into a partial; ``feed`` is the per-line hot path."""

    def feed(self, record: Any) -> None: ...
    def finish(self) -> Any: ...


@dataclass(frozen=True)
class Analyzer(Generic[P]):
    name: str
    description: str
    # Programs whose syslog lines this analyzer reads; None = every line.
    programs: frozenset[str] | None
    syslog_collector: Callable[[], Collector] | None  # fed SyslogRecord
    access_collector: Callable[[], Collector] | None  # fed AccessRecord
    empty: Callable[[], P]
    load: Callable[[Any], P]  # inverse of Partial.to_data
    # None: the analyzer reads line by line and is fed per hour.  Otherwise it
    # correlates lines across the file and splits its partial by event hour.
    split_by_hour: Callable[[P], dict[int, P]] | None = None
    # Literal bytes, one of which is in every line this analyzer can use (a program
    # name, a path): the scan's fast path parses only such lines for it.  None: it
    # needs every line, and ``count`` adds lines a block at a time instead.
    needles: tuple[bytes, ...] | None = None
    # (partial, hour start, host, program, lines): ``lines`` lines of that hour, host
    # and program (host and program None for access-log lines).
    count: Callable[[P, int, str | None, str | None, int], None] | None = None
    # The block path's shortcut for an analyzer that needs a needle line's hour, not its
    # second: (a block's needle lines, by the minute?) -> ([(time stamp, read)], indices
    # of the lines it leaves to the parser), a read counting all its lines; the stamp is
    # the line's to the hour (b"Nov 24 10") or, by the minute, b"Nov 24 10:07".
    # ``add_read`` counts a read in the partial of its hour (None: no time).
    read_lines: "ReadLines | None" = None
    add_read: Callable[[P, Any, int | None], None] | None = None

    def summarize(self, partial: P) -> "BaseModel":
        """The merged ``partial`` as the report's section: ``summarize`` of
        ``logsweep.sections.<name>``, imported only here, by the reduce."""
        section = importlib.import_module(f"logsweep.sections.{self.name}")
        return cast("BaseModel", section.summarize(partial))


def merge_counters(a: Mapping[Any, int], b: Mapping[Any, int]) -> Counter[Any]:
    merged: Counter[Any] = Counter(a)
    merged.update(b)
    return merged


def counter_data(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def ranked(counts: Mapping[str, int]) -> dict[str, int]:
    """Most frequent first, then by key, so reports are stable and readable."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


HOUR = 3600


def hour_start(ts: float) -> int:
    """The start (epoch seconds) of the UTC hour ``ts`` falls in: the key of hourly counts."""
    return int(ts // HOUR) * HOUR


def hour_key(epoch: int) -> str:
    """An hour start as the report writes it: ISO 8601 with ``+00:00``."""
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def by_hour_key(counts: Mapping[int, int]) -> dict[str, int]:
    """Hourly counts keyed by ISO hour, in time order."""
    return {hour_key(h): n for h, n in sorted(counts.items())}
