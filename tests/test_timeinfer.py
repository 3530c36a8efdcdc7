from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from helpers import UTC_OPTIONS, scan_paths, write_log

from logsweep.timeinfer import YearWalker


def iso(epoch: float, tz: ZoneInfo | None = None) -> str:
    return datetime.fromtimestamp(epoch, tz or UTC).isoformat()


def walk(
    reference: datetime, stamps: list[tuple[int, int, int]], tz: ZoneInfo | None = None
) -> list[str]:
    walker = YearWalker(reference.timestamp(), tz or UTC)
    return [iso(walker.epoch(m, d, h, 0, 0), tz) for m, d, h in stamps]


def test_year_comes_from_the_reference() -> None:
    ref = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    assert walk(ref, [(11, 24, 10)]) == ["2026-11-24T10:00:00+00:00"]


def test_december_to_january_rollover() -> None:
    ref = datetime(2026, 1, 2, 6, 0, tzinfo=UTC)
    assert walk(ref, [(12, 30, 10), (12, 31, 23), (1, 1, 0), (1, 2, 5)]) == [
        "2025-12-30T10:00:00+00:00",
        "2025-12-31T23:00:00+00:00",
        "2026-01-01T00:00:00+00:00",
        "2026-01-02T05:00:00+00:00",
    ]


def test_no_line_is_dated_after_the_reference() -> None:
    # The file was last written on Nov 24; a "Nov 25" line must be last year's.
    ref = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert walk(ref, [(11, 25, 1)]) == ["2025-11-25T01:00:00+00:00"]


def test_feb_29_lands_in_a_leap_year() -> None:
    ref = datetime(2026, 3, 1, tzinfo=UTC)
    assert walk(ref, [(2, 28, 10), (2, 29, 10)])[1] == "2024-02-29T10:00:00+00:00"
    leap_ref = datetime(2028, 3, 1, tzinfo=UTC)
    assert walk(leap_ref, [(2, 29, 10)]) == ["2028-02-29T10:00:00+00:00"]


def test_clock_set_back_after_reboot_keeps_the_year() -> None:
    # fake-hwclock: Sep 22 then Sep 21 after a reboot, same year.
    ref = datetime(2022, 11, 23, tzinfo=UTC)
    assert [s[:10] for s in walk(ref, [(9, 22, 1), (9, 21, 20), (11, 23, 0)])] == [
        "2022-09-22",
        "2022-09-21",
        "2022-11-23",
    ]


def test_timezone_applies_to_year_less_times() -> None:
    paris = ZoneInfo("Europe/Paris")
    ref = datetime(2026, 7, 1, tzinfo=UTC)
    # 14:00 in Paris in June is 12:00 UTC (CEST, +2)
    walker = YearWalker(ref.timestamp(), paris)
    assert iso(walker.epoch(6, 15, 14, 0, 0)) == "2026-06-15T12:00:00+00:00"


def test_gzip_mtime_beats_the_file_mtime(tmp_path: Path) -> None:
    """A copied .gz loses its mtime; the gzip header still knows the year."""
    header_time = datetime(2024, 1, 3, tzinfo=UTC)
    path = write_log(
        tmp_path / "syslog.2.gz",
        ["Dec 31 23:00:00 h cron[1]: x", "Jan  2 10:00:00 h cron[1]: y"],
        mtime=header_time,
        gz=True,
    )
    copied_later = datetime(2026, 6, 1, tzinfo=UTC).timestamp()
    import os

    os.utime(path, (copied_later, copied_later))
    report = scan_paths([path], UTC_OPTIONS)
    assert report.volume is not None
    assert list(report.volume.by_hour) == ["2023-12-31T23:00:00+00:00", "2024-01-02T10:00:00+00:00"]


def test_file_mtime_is_used_without_gzip_header(tmp_path: Path) -> None:
    path = write_log(
        tmp_path / "syslog",
        ["Dec 31 23:00:00 h cron[1]: x", "Jan  1 00:30:00 h cron[1]: y"],
        mtime=datetime(2025, 1, 1, 1, tzinfo=UTC),
    )
    report = scan_paths([path], UTC_OPTIONS)
    assert report.volume is not None
    assert list(report.volume.by_hour) == ["2024-12-31T23:00:00+00:00", "2025-01-01T00:00:00+00:00"]
