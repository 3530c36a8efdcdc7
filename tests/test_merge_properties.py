"""Partials merge associatively and commutatively: any split of the work, any order."""

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from logsweep.analyzers import ANALYZERS
from logsweep.analyzers.robots import RobotsPartial
from logsweep.analyzers.sshd import SshdPartial
from logsweep.analyzers.usb import Descriptors, EventKey, OrphanKey, UsbPartial
from logsweep.analyzers.volume import VolumePartial

small_text = st.sampled_from(["a", "b", "root", "<x>", ""])
counts = st.dictionaries(small_text, st.integers(0, 5), max_size=4).map(Counter)
hours = st.integers(0, 3).map(lambda h: h * 3600)
hourly = st.dictionaries(hours, st.integers(1, 5), max_size=3).map(Counter)
# More programs than the report keeps apart (TOP_PROGRAMS = 8), so merges move programs
# in and out of the top and into "other".
programs = st.sampled_from([f"p{i}" for i in range(12)])
program_hours = st.dictionaries(st.tuples(programs, hours), st.integers(1, 5), max_size=12)

sshd_partials = st.builds(
    SshdPartial,
    failures=st.integers(0, 50),
    failed_by_ip=counts,
    failed_by_user=counts,
    invalid_users=counts,
    pam_failures_by_rhost=counts,
    accepted=st.dictionaries(
        st.tuples(small_text, small_text, small_text), st.integers(1, 3), max_size=3
    ).map(Counter),
    failures_by_hour=hourly,
)
robots_partials = st.builds(
    RobotsPartial, requests=st.integers(0, 9), by_ip=counts, user_agents=counts
)
volume_partials = st.builds(
    VolumePartial,
    by_host=counts,
    by_program=counts,
    by_hour=hourly,
    by_program_hour=program_hours.map(Counter),
)
# Few distinct keys so that the same event often appears in several partials.
event_keys = st.builds(
    EventKey,
    host=st.sampled_from(["h1", "h2"]),
    ts=st.sampled_from([0.0, 60.0]),
    uptime=st.sampled_from([None, "1.5"]),
    bus=st.sampled_from(["1-1", "usb1"]),
    vendor_id=st.just("0781"),
    product_id=st.sampled_from(["5581", "5583"]),
)
descriptors = st.builds(
    Descriptors,
    manufacturer=st.sampled_from([None, "A", "B"]),
    product=st.sampled_from([None, "P", "Q"]),
    serial=st.sampled_from([None, "S1", "S2"]),
)
# Orphan descriptor lines on the same hosts, buses and times, so they find events to join.
orphan_keys = st.builds(
    OrphanKey,
    host=st.sampled_from(["h1", "h2"]),
    ts=st.sampled_from([0.0, 5.0, 60.0]),
    uptime=st.sampled_from([None, "1.5", "2.0"]),
    bus=st.sampled_from(["1-1", "usb1"]),
    field=st.sampled_from(["manufacturer", "product", "serial"]),
)
usb_partials = st.builds(
    UsbPartial,
    events=st.dictionaries(event_keys, descriptors, max_size=4),
    orphans=st.dictionaries(orphan_keys, st.sampled_from(["A", "B", "S1", "S3"]), max_size=4),
)

PARTIALS: dict[str, st.SearchStrategy[Any]] = {
    "sshd": sshd_partials,
    "robots": robots_partials,
    "volume": volume_partials,
    "usb": usb_partials,
}


def normal(name: str, p: Any) -> Any:
    """The summarized section, which is what users see: compare those."""
    return ANALYZERS[name].summarize(p).model_dump(mode="json")


def check(name: str, a: Any, b: Any, c: Any) -> None:
    assert normal(name, a.merge(b)) == normal(name, b.merge(a))
    assert normal(name, a.merge(b).merge(c)) == normal(name, a.merge(b.merge(c)))
    empty = ANALYZERS[name].empty()
    assert normal(name, a.merge(empty)) == normal(name, a)


@settings(max_examples=150, deadline=None)
@given(sshd_partials, sshd_partials, sshd_partials)
def test_sshd_merge(a: SshdPartial, b: SshdPartial, c: SshdPartial) -> None:
    check("sshd", a, b, c)


@settings(max_examples=150, deadline=None)
@given(robots_partials, robots_partials, robots_partials)
def test_robots_merge(a: RobotsPartial, b: RobotsPartial, c: RobotsPartial) -> None:
    check("robots", a, b, c)


@settings(max_examples=150, deadline=None)
@given(volume_partials, volume_partials, volume_partials)
def test_volume_merge(a: VolumePartial, b: VolumePartial, c: VolumePartial) -> None:
    check("volume", a, b, c)


@settings(max_examples=300, deadline=None)
@given(usb_partials, usb_partials, usb_partials)
def test_usb_merge(a: UsbPartial, b: UsbPartial, c: UsbPartial) -> None:
    check("usb", a, b, c)
    # the same file merged twice is the same file: duplicates across files count once
    assert normal("usb", a.merge(a)) == normal("usb", a)


@settings(max_examples=100, deadline=None)
@given(st.one_of(*(s.map(lambda p, n=n: (n, p)) for n, s in PARTIALS.items())))
def test_ledger_data_round_trips(named: tuple[str, Any]) -> None:
    import json

    name, partial = named
    data = json.loads(json.dumps(partial.to_data()))  # what SQLite stores
    assert normal(name, ANALYZERS[name].load(data)) == normal(name, partial)
