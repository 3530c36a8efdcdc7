"""USB devices plugged in, from the kernel's enumeration messages.

``usb 1-1.2: New USB device found, idVendor=…, idProduct=…`` opens an event;
the ``Product:``, ``Manufacturer:`` and ``SerialNumber:`` lines of the same
bus path on the same host complete it.  Debian and Raspberry Pi OS write the
same kernel line to syslog, kern.log and messages, so an event is keyed by
its identity (host, time, kernel uptime stamp, bus path, ids) and merging
partials from several files keeps one copy.

A read can start between an enumeration's lines: a part of a big file, a
nightly read resumed where the last one stopped, a file rotated mid-way.
The descriptor lines it meets before any enumeration on their bus are kept
as orphans, and ``placed`` gives each to the latest enumeration on its host
and bus just before it, whichever partial that came in.
"""

import re
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Self

from logsweep.analyzers.base import Analyzer, Event, hour_start
from logsweep.records import SyslogRecord

PROGRAMS = frozenset({"kernel"})

UPTIME = re.compile(r"\[\s*(?P<uptime>\d+\.\d+)\]\s?")
NEW_DEVICE = re.compile(
    r"usb (?P<bus>\S+): New USB device found, idVendor=(?P<vendor_id>[0-9a-fA-F]{4}), "
    r"idProduct=(?P<product_id>[0-9a-fA-F]{4})"
)
DESCRIPTOR = re.compile(
    r"usb (?P<bus>\S+): (?P<field>Product|Manufacturer|SerialNumber): (?P<value>.*?)\s*$",
    re.DOTALL,
)
_FIELD_NAMES = {"Product": "product", "Manufacturer": "manufacturer", "SerialNumber": "serial"}


def extract(record: SyslogRecord) -> Event | None:
    """``{"kind": "new", bus, vendor_id, product_id, uptime}`` or
    ``{"kind": "descriptor", bus, field, value, uptime}`` or None."""
    if record.program not in PROGRAMS or "usb " not in record.message:
        return None
    message = record.message
    uptime = None
    stamp = UPTIME.match(message)
    if stamp:
        uptime, message = stamp["uptime"], message[stamp.end() :]
    new = NEW_DEVICE.match(message)
    if new:
        return {
            "kind": "new",
            "bus": new["bus"],
            "vendor_id": new["vendor_id"].lower(),
            "product_id": new["product_id"].lower(),
            "uptime": uptime,
        }
    descriptor = DESCRIPTOR.match(message)
    if descriptor:
        return {
            "kind": "descriptor",
            "bus": descriptor["bus"],
            "field": _FIELD_NAMES[descriptor["field"]],
            "value": descriptor["value"],
            "uptime": uptime,
        }
    return None


class EventKey(NamedTuple):
    host: str
    ts: float
    uptime: str | None
    bus: str
    vendor_id: str
    product_id: str


@dataclass(frozen=True)
class Descriptors:
    manufacturer: str | None = None
    product: str | None = None
    serial: str | None = None

    def combine(self, other: "Descriptors") -> "Descriptors":
        """Field by field, the smaller known value: order-free, so merges commute."""
        pairs = zip(self._values(), other._values(), strict=True)
        return Descriptors(*(_pick(a, b) for a, b in pairs))

    def _values(self) -> tuple[str | None, str | None, str | None]:
        return (self.manufacturer, self.product, self.serial)


def _pick(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class OrphanKey(NamedTuple):
    """A descriptor line read before any enumeration on its host and bus."""

    host: str
    ts: float
    uptime: str | None
    bus: str
    field: str  # a Descriptors field


@dataclass
class UsbPartial:
    events: dict[EventKey, Descriptors] = field(default_factory=dict)
    orphans: dict[OrphanKey, str] = field(default_factory=dict)  # -> the descriptor's value

    def merge(self, other: Self) -> Self:
        events = dict(self.events)
        for key, descriptors in other.events.items():
            mine = events.get(key)
            events[key] = descriptors if mine is None else mine.combine(descriptors)
        orphans = dict(self.orphans)
        for orphan, value in other.orphans.items():
            orphans[orphan] = min(value, orphans.get(orphan, value))  # order-free
        return type(self)(events, orphans)

    def to_data(self) -> dict[str, list[list[Any]]]:
        return {
            "events": [
                [*key, d.manufacturer, d.product, d.serial]
                for key, d in sorted(self.events.items(), key=lambda kv: chronological(kv[0]))
            ],
            "orphans": [[*o, v] for o, v in sorted(self.orphans.items(), key=_orphan_order)],
        }

    @classmethod
    def from_data(cls, data: dict[str, list[list[Any]]] | list[list[Any]]) -> "UsbPartial":
        if isinstance(data, list):  # written before orphans were kept: events only
            data = {"events": data, "orphans": []}
        return cls(
            {EventKey(*row[:6]): Descriptors(*row[6:]) for row in data["events"]},
            {OrphanKey(*row[:5]): row[5] for row in data["orphans"]},
        )

    def by_hour(self) -> "dict[int, UsbPartial]":
        """The events split by the UTC hour of their enumeration line, orphans by theirs."""
        hours: dict[int, UsbPartial] = {}
        for key, descriptors in self.events.items():
            hours.setdefault(hour_start(key.ts), UsbPartial()).events[key] = descriptors
        for orphan, value in self.orphans.items():
            hours.setdefault(hour_start(orphan.ts), UsbPartial()).orphans[orphan] = value
        return hours


def _orphan_order(item: tuple[OrphanKey, str]) -> tuple[float, str, str, str, str, str]:
    orphan, value = item
    return (orphan.ts, orphan.uptime or "", orphan.host, orphan.bus, orphan.field, value)


class UsbCollector:
    def __init__(self) -> None:
        self.partial = UsbPartial()
        self._open: dict[tuple[str, str], EventKey] = {}  # (host, bus) -> its latest event

    def feed(self, record: SyslogRecord) -> None:
        event = extract(record)
        if event is None:
            return
        slot = (record.host, event["bus"])
        if event["kind"] == "new":
            key = EventKey(
                record.host,
                record.ts if record.ts is not None else 0.0,
                event["uptime"],
                event["bus"],
                event["vendor_id"],
                event["product_id"],
            )
            self._open[slot] = key
            self.partial.events.setdefault(key, Descriptors())
            return
        key_or_none = self._open.get(slot)
        if key_or_none is None:  # its enumeration came before this read: placed() finds it
            ts = record.ts if record.ts is not None else 0.0
            orphan = OrphanKey(record.host, ts, event["uptime"], event["bus"], event["field"])
            self.partial.orphans.setdefault(orphan, event["value"])
            return
        current = self.partial.events[key_or_none]
        if getattr(current, event["field"]) is None:
            self.partial.events[key_or_none] = replace(current, **{event["field"]: event["value"]})

    def finish(self) -> UsbPartial:
        return self.partial


def chronological(key: EventKey) -> tuple[float, str, str, str, str, str]:
    """A total order (None-free), so summaries never depend on merge order."""
    return (key.ts, key.uptime or "", key.host, key.bus, key.vendor_id, key.product_id)


# A device's descriptor lines follow its enumeration line within milliseconds; a few
# seconds leave room for a second-resolution time stamp and a slow kernel.
ORPHAN_WINDOW = 10.0


def placed(p: UsbPartial) -> dict[EventKey, Descriptors]:
    """The events with each orphan descriptor given to the latest enumeration on its host
    and bus at most ``ORPHAN_WINDOW`` s before it, where that field is still unknown.
    Orphans with no such enumeration (its file was not read) are left out."""
    events = dict(p.events)
    by_slot: dict[tuple[str, str], list[EventKey]] = {}
    for key in events:
        by_slot.setdefault((key.host, key.bus), []).append(key)
    for orphan, value in sorted(p.orphans.items(), key=_orphan_order):
        before = [k for k in by_slot.get((orphan.host, orphan.bus), []) if _precedes(k, orphan)]
        if not before:
            continue
        key = max(before, key=chronological)
        if getattr(events[key], orphan.field) is None:
            events[key] = replace(events[key], **{orphan.field: value})
    return events


def _precedes(key: EventKey, orphan: OrphanKey) -> bool:
    if not 0.0 <= orphan.ts - key.ts <= ORPHAN_WINDOW:
        return False
    if key.uptime is not None and orphan.uptime is not None:  # the kernel's own clock
        return float(key.uptime) <= float(orphan.uptime)
    return True


ANALYZER = Analyzer(
    name="usb",
    description="USB devices enumerated by the kernel, with connections and hosts",
    programs=PROGRAMS,
    syslog_collector=UsbCollector,
    access_collector=None,
    empty=UsbPartial,
    load=UsbPartial.from_data,
    split_by_hour=UsbPartial.by_hour,
    needles=(b"usb ",),
)
