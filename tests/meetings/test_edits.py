"""Corrections as services: a contact point edited or retired with its test log kept, open items carried
through any number of splits, and a series not begun given a new clock or rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.meetings.conftest import outbox
from tests.meetings.parsers import EXPANDERS
from tests.meetings.test_parsers import _series_with_changes
from tests.symposia.test_calendar import libical_check
from training.audit.readable import readable
from training.audit.services import trail
from training.core.errors import Conflict, DomainError, Forbidden
from training.meetings import services
from training.meetings.models import ContactPoint, ContactTest, MeetingSeries
from training.meetings.services.contacts import TOPIC, overdue_points

BEFORE_ALL = datetime(2026, 12, 1, tzinfo=UTC)
CYWATCH = services.ContactSpec(
    side="US", name="FBI CyWatch", organisation="FBI", phone="+1 855 292 3937", languages="en"
)


@pytest.fixture
def cywatch(session, people):
    point = services.add_contact_point(session, CYWATCH, actor=people.coordinator)
    services.record_test(session, point, method="phone", result="reached", actor=people.us_focal)
    session.commit()
    return point


def _count(session, model):
    return session.scalar(sa.select(sa.func.count()).select_from(model))


# --- contact points -------------------------------------------------------------------------


def test_a_coordinator_corrects_a_contact_point_and_the_trail_says_what_changed(session, people, cywatch):
    changed = services.ContactSpec(**{**CYWATCH.__dict__, "phone": "+1 855 292 3938", "hours": "24/7/365"})
    services.update_contact_point(session, cywatch, changed, actor=people.coordinator)
    session.commit()
    assert (cywatch.phone, cywatch.hours) == ("+1 855 292 3938", "24/7/365")
    entry = next(e for e in trail(session, TOPIC) if e.action == "meetings.contact_updated")
    assert entry.before == {"phone": "+1 855 292 3937", "hours": "24/7"}
    assert readable(session, [entry])[0].sentence == (
        "Chen Coordinator changed the contact point FBI CyWatch (FBI)."
    )


def test_a_focal_point_edits_their_own_sides_contact_points_only(session, people, cywatch):
    renamed = services.ContactSpec(**{**CYWATCH.__dict__, "name": "FBI CyWatch duty desk"})
    services.update_contact_point(session, cywatch, renamed, actor=people.us_focal)
    assert cywatch.name == "FBI CyWatch duty desk"
    with pytest.raises(Forbidden):
        services.update_contact_point(session, cywatch, renamed, actor=people.cn_focal)
    with pytest.raises(Forbidden):
        services.update_contact_point(session, cywatch, renamed, actor=people.personnel)
    handed_over = services.ContactSpec(**{**CYWATCH.__dict__, "side": "CN"})
    with pytest.raises(DomainError) as refused:
        services.update_contact_point(session, cywatch, handed_over, actor=people.us_focal)
    assert refused.value.field == "side"
    services.update_contact_point(session, cywatch, handed_over, actor=people.coordinator)
    assert cywatch.side == "CN"


def test_a_bad_correction_names_each_field_and_changes_nothing(session, people, cywatch):
    bad = services.ContactSpec(side="XX", name="", phone="call me", email="not-an-address")
    with pytest.raises(DomainError) as refused:
        services.update_contact_point(session, cywatch, bad, actor=people.coordinator)
    session.rollback()
    assert {field for _message, field in refused.value.problems} == {"side", "name", "phone", "email"}
    assert session.get(ContactPoint, cywatch.id).phone == "+1 855 292 3937"


def test_retiring_keeps_the_test_log_and_takes_the_point_out_of_directory_and_reminders(
    session, people, cywatch
):
    now = datetime(2027, 6, 1, tzinfo=UTC)
    assert cywatch in overdue_points(session, now)
    with pytest.raises(Forbidden):
        services.retire_contact_point(session, cywatch, actor=people.us_focal)
    services.retire_contact_point(session, cywatch, actor=people.coordinator, now=now)
    session.commit()
    assert _count(session, ContactTest) == 1  # the evidence stays
    assert services.directory(session, viewer=people.cn_focal) == []
    assert services.directory(session, viewer=people.cn_focal, retired=True) == [cywatch]
    assert overdue_points(session, now) == []
    for act in (
        lambda: services.retire_contact_point(session, cywatch, actor=people.coordinator),
        lambda: services.update_contact_point(session, cywatch, CYWATCH, actor=people.coordinator),
        lambda: services.record_test(
            session, cywatch, method="phone", result="reached", actor=people.us_focal
        ),
    ):
        with pytest.raises(Conflict):
            act()
    entries = list(reversed(trail(session, TOPIC)))
    assert readable(session, entries)[-1].sentence == (
        "Chen Coordinator retired the contact point FBI CyWatch (FBI); its test log is kept."
    )


# --- open items through a chain of splits ----------------------------------------------------


def _split(session, people, series, key, hour, now):
    meeting = services.find_meeting(services.reload(session, series), key)
    successor = services.split_series(
        session,
        series,
        meeting,
        starts_at=meeting.recurrence_id.replace(hour=hour),
        duration_minutes=60,
        location="",
        actor=people.coordinator,
        now=now,
    )
    session.commit()
    return services.reload(session, successor)


def test_open_items_carry_through_a_series_split_twice(session, people, washington):
    january = services.add_action(
        session,
        washington,
        "2027-01-20T10:00:00",
        services.ActionSpec(what="Share the logs", side="CN", owner_name="Wang Jun", due_on=date(2027, 9, 1)),
        actor=people.coordinator,
    )
    done = services.add_action(
        session,
        washington,
        "2027-02-17T10:00:00",
        services.ActionSpec(what="Name a contact", side="US", owner_name="Agent Smith", due_on="2027-03-01"),
        actor=people.coordinator,
    )
    services.update_action(session, done, washington, status="done", actor=people.coordinator)
    session.commit()
    second = _split(session, people, washington, "2027-05-19T10:00:00", 9, datetime(2027, 4, 1, tzinfo=UTC))
    may = services.add_action(
        session,
        second,
        "2027-05-19T09:00:00",
        services.ActionSpec(
            what="Test the hotline", side="US", owner_name="Agent Smith", due_on="2027-08-31"
        ),
        actor=people.coordinator,
    )
    session.commit()
    third = _split(session, people, second, "2027-09-15T09:00:00", 8, datetime(2027, 7, 1, tzinfo=UTC))

    assert third.continues_id == second.id and second.continues_id == washington.id
    listed = services.open_actions(session, third, date(2027, 9, 2))
    assert [a.id for a in listed] == [may.id, january.id]  # overdue first, then by due date
    september = services.find_meeting(third, "2027-09-15T08:00:00")
    assert {a.id for a in services.carried_actions(session, third, september)} == {january.id, may.id}


# --- a series not begun: its clock and rule ------------------------------------------------


def test_a_series_not_begun_gets_a_new_clock_and_rule_and_everyone_an_update(session, people, washington):
    sent = len(outbox(session))
    services.reschedule_series(
        session,
        washington,
        starts_at=datetime(2027, 1, 13, 9, 30),
        duration_minutes=60,
        timezone="America/New_York",
        rrule="FREQ=MONTHLY;BYDAY=2WE;COUNT=6",
        actor=people.coordinator,
        now=BEFORE_ALL,
    )
    session.commit()
    series = services.reload(session, washington)
    assert [m.key for m in services.meetings_of(series)][:2] == ["2027-01-13T09:30:00", "2027-02-10T09:30:00"]
    assert series.sequence == 1 and series.duration_minutes == 60
    assert series.starts_at == datetime(2027, 1, 13, 14, 30, tzinfo=UTC)
    updates = outbox(session)[sent:]
    assert [m.calendar_method for m in updates] == ["REQUEST", "REQUEST"]
    assert all(
        "SEQUENCE:1" in m.calendar_body and "DTSTART;TZID=America/New_York:20270113T093000" in m.calendar_body
        for m in updates
    )
    assert libical_check([m.calendar_body for m in updates]) == [{"ok": True, "errors": []}] * 2
    entry = next(e for e in trail(session, services.topic(washington)) if e.action.endswith("rescheduled"))
    assert readable(session, [entry])[0].sentence == (
        "Chen Coordinator changed the clock or recurrence of “China–US working-level meeting on cybercrime "
        "cases” before its first meeting."
    )


def test_a_series_that_has_begun_changes_its_rule_only_by_a_split(session, people, washington):
    with pytest.raises(Conflict):
        services.reschedule_series(
            session,
            washington,
            starts_at=datetime(2027, 1, 20, 9),
            duration_minutes=60,
            timezone="America/New_York",
            rrule=washington.rrule,
            actor=people.coordinator,
            now=datetime(2027, 1, 20, 15, 1, tzinfo=UTC),
        )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rrule": "FREQ=SECONDLY;COUNT=3"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY"}, "rrule"),
        ({"starts_at": datetime(2027, 3, 14, 2, 30), "rrule": "FREQ=YEARLY;COUNT=2"}, "starts_at"),
        ({"starts_at": datetime(2026, 11, 18, 10)}, "starts_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"duration_minutes": 0}, "duration_minutes"),
        # The moved March meeting would fall on a Thursday, which the rule does not give.
        ({"starts_at": datetime(2027, 1, 21, 10)}, "rrule"),
    ],
)
def test_a_bad_new_schedule_names_its_field_and_changes_nothing(session, people, change, field):
    series = _series_with_changes(session, people, "Washington")
    values = dict(
        starts_at=series.first_start,
        duration_minutes=series.duration_minutes,
        timezone=series.timezone,
        rrule=series.rrule,
    )
    with pytest.raises(DomainError) as refused:
        services.reschedule_series(
            session, series, **{**values, **change}, actor=people.coordinator, now=BEFORE_ALL
        )
    session.rollback()
    assert field in {f for _m, f in refused.value.problems}, refused.value.problems
    again = session.get(MeetingSeries, series.id)
    assert (again.first_start, again.rrule, again.sequence) == (datetime(2027, 1, 20, 10), series.rrule, 2)


def test_a_continuing_series_is_not_rescheduled_to_start_before_the_earlier_one_ends(
    session, people, washington
):
    later = _split(session, people, washington, "2027-05-19T10:00:00", 9, datetime(2027, 4, 1, tzinfo=UTC))
    with pytest.raises(DomainError) as refused:
        services.reschedule_series(
            session,
            later,
            starts_at=datetime(2027, 4, 14, 9),
            duration_minutes=60,
            timezone="America/New_York",
            rrule="FREQ=MONTHLY;BYDAY=2WE;COUNT=3",
            actor=people.coordinator,
            now=datetime(2027, 4, 1, tzinfo=UTC),
        )
    session.rollback()
    assert refused.value.problems == [(
        "This series continues “China–US working-level meeting on cybercrime cases”, whose last meeting "
        "ends Wed, Apr 21, 2027, 11:30\u202fAM Eastern Daylight Time: start after it.",
        "starts_at",
    )]
    assert session.get(MeetingSeries, later.id).first_start == datetime(2027, 5, 19, 9)


def test_a_reschedule_that_would_leave_an_open_action_due_before_its_meeting_is_refused(
    session, people, washington
):
    logs = services.add_action(
        session, washington, "2027-01-20T10:00:00",
        services.ActionSpec(what="Share the logs", side="CN", owner_name="Wang Jun", due_on="2027-01-25"),
        actor=people.coordinator,
    )
    session.commit()
    two_weeks_later = dict(
        starts_at=datetime(2027, 2, 3, 10), duration_minutes=60, timezone="America/New_York",
        rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=6", actor=people.coordinator, now=BEFORE_ALL,
    )
    with pytest.raises(DomainError) as refused:
        services.reschedule_series(session, services.reload(session, washington), **two_weeks_later)
    session.rollback()
    assert refused.value.problems == [(
        "The action “Share the logs” is due 2027-01-25, before its meeting's new day (2027-02-03): "
        "change its due date first.",
        "starts_at",
    )]
    # Once done, the item no longer stands in the way.
    series = services.reload(session, washington)
    services.update_action(session, session.merge(logs), series, status="done", actor=people.coordinator)
    services.reschedule_series(session, series, **two_weeks_later)
    session.commit()
    assert services.reload(session, washington).first_start == datetime(2027, 2, 3, 10)


def test_every_reader_agrees_on_a_rescheduled_series_with_its_moved_and_cancelled_meetings(
    session, client, people
):
    series = _series_with_changes(session, people, "Washington")
    services.reschedule_series(
        session,
        series,
        starts_at=datetime(2027, 1, 20, 9),
        duration_minutes=60,
        timezone="America/New_York",
        rrule=series.rrule,
        actor=people.coordinator,
        now=BEFORE_ALL,
    )
    session.commit()
    series = services.reload(session, series)
    meetings = services.meetings_of(series)
    assert {m.key: m.status.value for m in meetings if m.row is not None} == {
        "2027-03-17T09:00:00": "moved",
        "2027-11-17T09:00:00": "cancelled",
    }
    expected = sorted(
        m.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z") for m in meetings if not m.cancelled
    )
    assert "2027-04-21T13:00:00.000Z" in expected and "2027-12-15T14:00:00.000Z" in expected
    text = client.get(f"/calendar/meetings/{series.slug}.ics").get_data(as_text=True)
    for name, expand in EXPANDERS.items():
        assert expand(text) == expected, name
