"""Local times in a course's timezone: gaps and overlaps of daylight-saving changes are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from training.core.errors import DomainError
from training.core.localtime import next_transition, to_instant, zone_abbreviation


def test_beijing_morning_is_stored_as_utc():
    assert to_instant(date(2031, 3, 4), time(9, 0), "Asia/Shanghai") == datetime(2031, 3, 4, 1, 0, tzinfo=UTC)


def test_new_york_offsets_change_across_the_spring_switch():
    before = to_instant(date(2031, 3, 7), time(9, 0), "America/New_York")
    after = to_instant(date(2031, 3, 10), time(9, 0), "America/New_York")
    assert (before.hour, after.hour) == (14, 13)
    assert (zone_abbreviation(before, "America/New_York"), zone_abbreviation(after, "America/New_York")) == (
        "UTC\u22125",
        "UTC\u22124",
    )


def test_a_time_skipped_by_spring_forward_is_refused_by_name(app):
    with pytest.raises(DomainError) as refused:
        to_instant(date(2031, 3, 9), time(2, 30), "America/New_York", field="starts")
    assert refused.value.field == "starts"
    assert "02:30" in refused.value.message and "does not exist in America/New_York" in refused.value.message
    assert "Mar 9, 2031" in refused.value.message


def test_a_time_repeated_by_fall_back_is_refused_as_ambiguous(app):
    with pytest.raises(DomainError) as refused:
        to_instant(date(2031, 11, 2), time(1, 30), "America/New_York", field="ends")
    assert "01:30" in refused.value.message and "happens twice in America/New_York" in refused.value.message


def test_the_hour_after_the_gap_is_fine():
    assert to_instant(date(2031, 3, 9), time(3, 0), "America/New_York") == datetime(
        2031, 3, 9, 7, 0, tzinfo=UTC
    )


def test_next_switch_in_new_york_after_late_november_2026_is_in_march_2027():
    assert next_transition("America/New_York", date(2026, 11, 25)) == date(2027, 3, 14)
    assert next_transition("Asia/Shanghai", date(2026, 11, 25)) is None
