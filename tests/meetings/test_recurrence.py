"""A series' meetings come from its rule on the venue's clock; rules that never end or repeat too often
are refused, and so is a local time that does not exist or happens twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.meetings.conftest import WASHINGTON_FIRST, WASHINGTON_RULE
from training.core.errors import DomainError
from training.meetings.services import local_starts, normalise_rule
from training.meetings.services.recurrence import instant_of, nth_weekday, rule_from_pattern


def test_monthly_third_wednesday_in_washington_stays_at_ten_across_both_changes(app):
    rule = normalise_rule(WASHINGTON_RULE, WASHINGTON_FIRST, "America/New_York")
    starts = local_starts(rule, WASHINGTON_FIRST, "America/New_York")
    assert [s.time().hour for s in starts] == [10] * 12
    assert [s.day for s in starts] == [20, 17, 17, 21, 19, 16, 21, 18, 15, 20, 17, 15]
    instants = [instant_of(s, "America/New_York") for s in starts]
    # Standard time (UTC−5) in January, February and December; daylight time (UTC−4) from March to October.
    assert [i.hour for i in instants] == [15, 15, 14, 14, 14, 14, 14, 14, 14, 14, 15, 15]


def test_beijing_series_is_at_two_in_the_morning_utc_all_year(app):
    rule = normalise_rule(WASHINGTON_RULE, WASHINGTON_FIRST, "Asia/Shanghai")
    instants = [instant_of(s, "Asia/Shanghai") for s in local_starts(rule, WASHINGTON_FIRST, "Asia/Shanghai")]
    assert {i.hour for i in instants} == {2}


@pytest.mark.parametrize(
    "rule, words",
    [
        ("FREQ=SECONDLY;COUNT=5", "FREQ=SECONDLY"),
        ("FREQ=MINUTELY;COUNT=5", "FREQ=MINUTELY"),
        ("FREQ=HOURLY;COUNT=5", "FREQ=HOURLY"),
        ("FREQ=WEEKLY", "must end"),
        ("FREQ=WEEKLY;UNTIL=20500101", "within 10 years"),
        ("FREQ=DAILY;COUNT=5000", "between 1 and 530"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20271231", "not both"),
        ("FREQ=MONTHLY;BYDAY=9XX;COUNT=3", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=3TH;COUNT=3", "first meeting must be one the rule gives"),
        ("nonsense", "NAME=VALUE"),
        ("FREQ=WEEKLY;COUNT=two", "whole numbers"),
        ("FREQ=WEEKLY;BYHOUR=3;COUNT=2", "not supported"),
        ("", "FREQ=WEEKLY"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(app, rule, words):
    with pytest.raises(DomainError) as refused:
        normalise_rule(rule, WASHINGTON_FIRST, "America/New_York")
    assert words in refused.value.message
    assert refused.value.field == "rrule"


def test_until_a_day_includes_that_days_meeting_and_is_written_in_utc(app):
    rule = normalise_rule("FREQ=MONTHLY;BYDAY=3WE;UNTIL=20270317", WASHINGTON_FIRST, "America/New_York")
    assert rule == "FREQ=MONTHLY;UNTIL=20270318T035959Z;BYDAY=3WE"
    assert len(local_starts(rule, WASHINGTON_FIRST, "America/New_York")) == 3


def test_a_weekly_series_meeting_in_the_hour_skipped_in_march_is_refused_by_name(app):
    first = datetime(2027, 2, 28, 2, 30)  # Sundays at 02:30; 14 March 2027 skips 02:00–03:00
    with pytest.raises(DomainError) as refused:
        normalise_rule("FREQ=WEEKLY;COUNT=4", first, "America/New_York")
    assert "02:30" in refused.value.message and "does not exist" in refused.value.message
    assert refused.value.field == "starts_at"


def test_a_meeting_in_the_hour_repeated_in_november_is_refused_by_name(app):
    first = datetime(2027, 10, 24, 1, 30)
    with pytest.raises(DomainError) as refused:
        normalise_rule("FREQ=WEEKLY;COUNT=3", first, "America/New_York")
    assert "happens twice" in refused.value.message


def test_the_form_patterns_write_the_rules_people_mean(app):
    first = datetime(2027, 1, 20, 10)  # the third Wednesday of January
    assert nth_weekday(first.date()) == "3WE"
    assert nth_weekday(datetime(2027, 3, 31).date()) == "-1WE"
    assert rule_from_pattern("monthly_weekday", first, count=12) == "FREQ=MONTHLY;BYDAY=3WE;COUNT=12"
    assert (
        rule_from_pattern("weekly", first, interval=2, count=6) == "FREQ=WEEKLY;BYDAY=WE;INTERVAL=2;COUNT=6"
    )
    assert (
        rule_from_pattern("monthly_date", first, until=datetime(2027, 6, 30).date())
        == "FREQ=MONTHLY;BYMONTHDAY=20;UNTIL=20270630"
    )


def test_a_five_year_weekly_series_expands_quickly(app):
    first = datetime(2027, 1, 6, 9)
    started = datetime.now(UTC)
    rule = normalise_rule("FREQ=WEEKLY;COUNT=260", first, "Europe/London")
    assert len(local_starts(rule, first, "Europe/London")) == 260
    assert (datetime.now(UTC) - started).total_seconds() < 0.5
