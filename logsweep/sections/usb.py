"""The usb section: devices, their connections, hosts and first and last times."""

from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel

from logsweep.analyzers.usb import Descriptors, EventKey, UsbPartial, chronological, placed
from logsweep.sections import IsoTime


class UsbDevice(BaseModel):
    vendor_id: str
    product_id: str
    manufacturer: str | None
    product: str | None
    serial: str | None
    connections: int
    first_seen: IsoTime
    last_seen: IsoTime
    hosts: list[str]
    root_hub: bool


class UsbSection(BaseModel):
    devices: list[UsbDevice]


def summarize(p: UsbPartial) -> UsbSection:
    grouped: dict[tuple[str, str, str | None], list[tuple[EventKey, Descriptors]]] = {}
    for key, descriptors in placed(p).items():
        device = (key.vendor_id, key.product_id, descriptors.serial)
        grouped.setdefault(device, []).append((key, descriptors))
    devices = []
    for (vendor_id, product_id, serial), events in grouped.items():
        events.sort(key=lambda e: chronological(e[0]))
        known = [d for _, d in events]
        devices.append(
            UsbDevice(
                vendor_id=vendor_id,
                product_id=product_id,
                manufacturer=_latest(d.manufacturer for d in known),
                product=_latest(d.product for d in known),
                serial=serial,
                connections=len(events),
                first_seen=datetime.fromtimestamp(events[0][0].ts, UTC),
                last_seen=datetime.fromtimestamp(events[-1][0].ts, UTC),
                hosts=sorted({k.host for k, _ in events}),
                # Root hubs are the host controller itself, listed so nothing is hidden.
                root_hub=events[0][0].bus.startswith("usb"),
            )
        )
    devices.sort(key=lambda d: (d.vendor_id, d.product_id, d.serial or ""))
    return UsbSection(devices=devices)


def _latest(values: Iterable[str | None]) -> str | None:
    """The most recent known value: a device renamed by firmware shows its current name."""
    known = [v for v in values if v is not None]
    return known[-1] if known else None
