"""Times come out at the same UTC instants in parsers written by others: ical.js, vobject and libical."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.calendar.conftest import local
from tests.calendar.parsers import PARSERS
from training.core.ical import vtimezone

# 8 March 2026 02:00 is when New York moves from EST (-05:00) to EDT (-04:00).
NEW_YORK_SESSIONS = {
    "before the change": ((2026, 3, 6, 9), "2026-03-06T14:00:00.000Z", "2026-03-06T17:00:00.000Z"),
    "after the change": ((2026, 3, 10, 9), "2026-03-10T13:00:00.000Z", "2026-03-10T16:00:00.000Z"),
}


@pytest.fixture
def new_york_course(make_course, make_session):
    course = make_course(slug="quantico-forensics", title="Digital forensics", host_country="US",
                         city="Quantico", timezone="America/New_York", venue="FBI Academy")
    for wall_clock, _start, _end in NEW_YORK_SESSIONS.values():
        make_session(course, start=local("America/New_York", *wall_clock))
    return course


@pytest.mark.parametrize("parser", PARSERS)
def test_new_york_sessions_either_side_of_march_change_are_at_the_same_instants(
    parser, client, new_york_course
):
    text = client.get("/calendar/courses/quantico-forensics.ics").get_data(as_text=True)
    assert "DTSTART;TZID=America/New_York:20260306T090000" in text
    assert "DTSTART;TZID=America/New_York:20260310T090000" in text

    events = PARSERS[parser](text)

    assert [(e["start"], e["end"]) for e in events] == [
        (start, end) for _wall, start, end in NEW_YORK_SESSIONS.values()
    ]


@pytest.mark.parametrize("parser", PARSERS)
def test_beijing_session_is_at_the_same_instant(parser, client, make_course, make_session):
    course = make_course(slug="beijing-cyber")
    make_session(course, start=local("Asia/Shanghai", 2026, 3, 10, 9))
    text = client.get("/calendar/courses/beijing-cyber.ics").get_data(as_text=True)
    assert "DTSTART;TZID=Asia/Shanghai:20260310T090000" in text

    events = PARSERS[parser](text)

    assert [(e["start"], e["end"]) for e in events] == [
        ("2026-03-10T01:00:00.000Z", "2026-03-10T04:00:00.000Z")
    ]


@pytest.mark.parametrize("parser", PARSERS)
def test_parsers_read_the_feeds_own_vtimezone(parser, client, new_york_course):
    """A wrong VTIMEZONE gives wrong instants: the agreement above comes from our data."""
    text = client.get("/calendar/courses/quantico-forensics.ics").get_data(as_text=True)
    tampered = text.replace("TZOFFSETTO:-0400", "TZOFFSETTO:-0300")

    events = PARSERS[parser](tampered)

    assert events[1]["start"] == "2026-03-10T12:00:00.000Z"


@pytest.mark.parametrize("parser", PARSERS)
def test_second_half_hour_of_the_november_change_is_written_in_utc(
    parser, client, new_york_course, make_session
):
    # 01:30 happens twice on 1 November 2026 in New York; this is the second (EST) one.
    make_session(new_york_course, start=datetime(2026, 11, 1, 6, 30, tzinfo=UTC), title="Night exercise")
    text = client.get("/calendar/courses/quantico-forensics.ics").get_data(as_text=True)
    assert "DTSTART:20261101T063000Z" in text

    events = PARSERS[parser](text)

    assert events[-1]["start"] == "2026-11-01T06:30:00.000Z"


@pytest.mark.parametrize("tzid", ["America/New_York", "Asia/Shanghai", "Europe/London", "Australia/Sydney"])
def test_vtimezone_transitions_match_zoneinfo(tzid):
    """Every onset is written in the wall-clock time before it, as RFC 5545 reads DTSTART."""
    zone = ZoneInfo(tzid)
    component = vtimezone(tzid, 2026, 2027)
    observances = component.walk("STANDARD") + component.walk("DAYLIGHT")
    for observance in observances:
        onset = observance.decoded("DTSTART")
        offset_from = observance.decoded("TZOFFSETFROM")
        offset_to = observance.decoded("TZOFFSETTO")
        if onset.year == 1970:
            assert offset_from == offset_to == datetime(2026, 1, 1, tzinfo=UTC).astimezone(zone).utcoffset()
            continue
        instant = (onset - offset_from).replace(tzinfo=UTC)
        assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == offset_from
        assert instant.astimezone(zone).utcoffset() == offset_to
    transitions = sum(1 for o in observances if o.decoded("DTSTART").year != 1970)
    assert transitions == (0 if tzid == "Asia/Shanghai" else 6)  # 2026, 2027 and 2028
