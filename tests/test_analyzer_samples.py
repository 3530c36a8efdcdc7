"""fail2ban-style sample logs: every sample line carries the event it must yield.

Each analyzer must have a sample file with positive and negative lines and a
whole-file summary; a new analyzer without samples fails here.
"""

import importlib
import json
from collections import Counter
from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES
from helpers import REFERENCE, UTC_OPTIONS, as_log_file, is_subset, write_log

from logsweep.analyzers import ANALYZER_NAMES, ANALYZERS
from logsweep.analyzers.usb import Descriptors, EventKey, OrphanKey, UsbPartial, placed
from logsweep.analyzers.volume import TOP_PROGRAMS, VolumePartial
from logsweep.discovery import discover
from logsweep.formats import AccessParser, Rfc3164Parser
from logsweep.records import AccessRecord, SyslogRecord
from logsweep.scan import FileResult, build_report, merge_parts, scan_file, scan_files
from logsweep.sections.volume import summarize
from logsweep.timeinfer import YearWalker


def load_sample(name: str) -> tuple[list[tuple[int, Any, str]], dict[str, Any], list[str]]:
    """(cases as (line number, expected event, line), summary, plain log lines)."""
    cases: list[tuple[int, Any, str]] = []
    summary: dict[str, Any] = {}
    lines: list[str] = []
    pending: tuple[bool, Any] = (False, None)
    text = (SAMPLES / f"{name}.log").read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("# expect:"):
            pending = (True, json.loads(line.removeprefix("# expect:")))
        elif line.startswith("# summary:"):
            summary = json.loads(line.removeprefix("# summary:"))
        elif line.startswith("#"):
            continue
        else:
            lines.append(line)
            if pending[0]:
                cases.append((number, pending[1], line))
            pending = (False, None)
    return cases, summary, lines


def parse(line: str) -> SyslogRecord | AccessRecord | None:
    walker = YearWalker(REFERENCE.timestamp(), UTC)
    return Rfc3164Parser(walker).parse(line) or AccessParser().parse(line)


ALL_CASES = [
    pytest.param(name, expected, line, id=f"{name}.log:{number}")
    for name in ANALYZER_NAMES
    for number, expected, line in load_sample(name)[0]
]


@pytest.mark.parametrize("name", ANALYZER_NAMES)
def test_every_analyzer_has_positive_and_negative_samples_and_a_summary(name: str) -> None:
    cases, summary, _ = load_sample(name)
    assert any(expected is not None for _, expected, _ in cases), f"{name}: no positive sample"
    if name != "volume":  # volume counts every line: it has no negative
        assert any(expected is None for _, expected, _ in cases), f"{name}: no negative sample"
    assert summary, f"{name}: no summary line"


@pytest.mark.parametrize(("name", "expected", "line"), ALL_CASES)
def test_a_line_with_an_event_holds_one_of_its_analyzers_needles(
    name: str, expected: Any, line: str
) -> None:
    """The fast path parses only lines holding a needle: a needle missing from a line
    that yields an event would lose that event."""
    needles = ANALYZERS[name].needles
    if expected is not None and needles is not None:
        assert any(n in line.encode() for n in needles), needles


@pytest.mark.parametrize(("name", "expected", "line"), ALL_CASES)
def test_sample_line_yields_its_expected_event(name: str, expected: Any, line: str) -> None:
    record = parse(line)
    assert record is not None, "sample line does not parse"
    module = importlib.import_module(f"logsweep.analyzers.{name}")
    event = module.extract(record)
    if expected is None:
        assert event is None
    else:
        assert event is not None and is_subset(expected, event), event


@pytest.mark.parametrize("name", ANALYZER_NAMES)
def test_sample_file_summary(name: str, tmp_path: Path) -> None:
    _, summary, lines = load_sample(name)
    log = write_log(tmp_path / f"{name}.log", lines, mtime=REFERENCE)
    found = discover([log])
    report = build_report([scan_file(f, UTC_OPTIONS) for f in found.files], (), UTC_OPTIONS)
    section = getattr(report, name).model_dump(mode="json")
    assert is_subset(summary, section), json.dumps(section, indent=1)


def test_usb_event_logged_in_syslog_and_kern_log_counts_once(tmp_path: Path) -> None:
    _, summary, lines = load_sample("usb")
    write_log(tmp_path / "syslog", lines, mtime=REFERENCE)
    write_log(tmp_path / "kern.log.2.gz", lines, mtime=REFERENCE, gz=True)
    found = discover([tmp_path])
    report = build_report([scan_file(f, UTC_OPTIONS) for f in found.files], (), UTC_OPTIONS)
    assert report.usb is not None
    assert is_subset(summary, report.usb.model_dump(mode="json"))


def usb_section(results: list[FileResult]) -> Any:
    report = build_report(results, (), UTC_OPTIONS)
    assert report.usb is not None
    return report.usb.model_dump(mode="json")


@pytest.mark.parametrize("where", ["a part boundary", "a rotation"])
def test_a_read_starting_between_an_enumerations_lines_loses_nothing(
    tmp_path: Path, where: str
) -> None:
    """A big file read in parts, a nightly read resumed mid-way or a file rotated between
    an enumeration and its descriptor lines: the device keeps its serial and name, and is
    one device, at every cut."""
    _, _, lines = load_sample("usb")
    whole = write_log(tmp_path / "whole" / "syslog", lines, mtime=REFERENCE)
    expected = usb_section([scan_file(as_log_file(whole), UTC_OPTIONS)])
    assert any(d["serial"] for d in expected["devices"] if not d["root_hub"])
    for cut in range(1, len(lines)):
        if where == "a part boundary":
            log = as_log_file(whole)
            offset = len("".join(f"{line}\n" for line in lines[:cut]).encode())
            parts = [replace(log, part=(0, offset)), replace(log, part=(offset, log.size))]
            results = merge_parts(scan_files(parts, UTC_OPTIONS))
        else:
            older = write_log(tmp_path / f"{cut}" / "syslog.1", lines[:cut], mtime=REFERENCE)
            newer = write_log(tmp_path / f"{cut}" / "syslog", lines[cut:], mtime=REFERENCE)
            results = [scan_file(as_log_file(p), UTC_OPTIONS) for p in (older, newer)]
        assert usb_section(results) == expected, f"cut before line {cut + 1}: {lines[cut]}"


def test_a_descriptor_line_goes_to_its_own_enumeration_not_an_older_one() -> None:
    """Orphan descriptor lines are placed by time: the latest enumeration on their bus
    at most a few seconds before them, never an earlier connection or a later one."""
    early = EventKey("h", 100.0, "100.0", "1-1", "0781", "5581")
    late = EventKey("h", 200.0, "200.0", "1-1", "0781", "5581")
    other_bus = EventKey("h", 200.0, "200.0", "1-2", "0781", "5581")
    partial = UsbPartial({k: Descriptors() for k in (early, late, other_bus)})
    partial = partial.merge(
        UsbPartial(orphans={OrphanKey("h", 200.0, "200.1", "1-1", "serial"): "S-late"})
    )
    partial = partial.merge(  # 50 s after the early one: too late to be its line
        UsbPartial(orphans={OrphanKey("h", 150.0, "150.0", "1-1", "serial"): "S-lost"})
    )
    events = placed(partial)
    assert (events[early].serial, events[late].serial, events[other_bus].serial) == (
        None,
        "S-late",
        None,
    )
    # The ledger keeps orphans, and still reads what it wrote before they were kept.
    assert UsbPartial.from_data(partial.to_data()) == partial
    old = UsbPartial.from_data([[*early, "M", None, None]])
    assert old == UsbPartial({early: Descriptors("M")})


def test_volume_keeps_the_busiest_programs_apart_and_adds_up_the_rest() -> None:
    hour = 1795528800  # 2026-11-24T14:00Z
    # p00 has 100 lines, p01 99, ...: the last two programs fall out of the top.
    counts = Counter({(f"p{i:02}", hour + 3600 * (i % 2)): 100 - i for i in range(10)})
    section = summarize(VolumePartial(by_program_hour=counts))
    assert list(section.by_program_hour) == [f"p{i:02}" for i in range(TOP_PROGRAMS)]
    assert section.by_program_hour["p01"] == {"2026-11-24T15:00:00+00:00": 99}
    assert section.other_programs_by_hour == {
        "2026-11-24T14:00:00+00:00": 92,  # p08
        "2026-11-24T15:00:00+00:00": 91,  # p09
    }
