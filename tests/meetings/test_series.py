"""Series and one-off changes as services: created and invited, one meeting moved, cancelled or placed,
"this and following" splits, and the refusals that change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.meetings.conftest import outbox, spec
from training.audit.models import AuditEntry
from training.core.errors import Conflict, DomainError, Forbidden, NotFound
from training.meetings import services
from training.meetings.models import ActionItem, MeetingSeries, OccurrenceStatus

BEFORE_ALL = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_new_series_invites_every_participant_with_a_request_in_their_language(session, washington):
    mails = outbox(session)
    assert [(m.recipient, m.calendar_method) for m in mails] == [
        ("agent.smith@fbi.example", "REQUEST"),
        ("wang.jun@mps.example", "REQUEST"),
    ]
    assert "RRULE:FREQ=MONTHLY;COUNT=12;BYDAY=3WE" in mails[0].calendar_body.replace("\r\n ", "")
    assert mails[0].subject == "Invitation: China–US working-level meeting on cybercrime cases"
    assert "中美打击网络犯罪案件工作层会晤" in mails[1].subject
    assert "SUMMARY:中美打击网络犯罪案件工作层会晤" in mails[1].calendar_body
    assert (
        session.scalar(sa.select(AuditEntry.action).where(AuditEntry.subject_type == "MeetingSeries"))
        == "meetings.series_created"
    )


def test_only_coordinators_create_series(session, people):
    for someone in (people.us_focal, people.personnel):
        with pytest.raises(Forbidden):
            services.create_series(session, spec(), actor=someone)


def test_a_bad_series_names_every_problem_and_creates_nothing(session, people):
    with pytest.raises(DomainError) as refused:
        services.create_series(
            session,
            spec(title=" ", rrule="FREQ=SECONDLY;COUNT=3", side_b="CN", duration_minutes=0),
            actor=people.coordinator,
        )
    fields = {field for _message, field in refused.value.problems}
    assert fields == {"title", "rrule", "side_b", "duration_minutes"}
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(MeetingSeries)) == 0


def test_focal_points_see_only_series_of_their_side(session, people, washington):
    assert services.get_series(session, washington.id, viewer=people.us_focal).id == washington.id
    assert services.get_series(session, washington.id, viewer=people.cn_focal).id == washington.id
    for outsider in (people.fr_focal, people.personnel):
        with pytest.raises(NotFound):
            services.get_series(session, washington.id, viewer=outsider)
    assert services.visible_series(session, people.fr_focal) == []


def test_moving_one_meeting_keeps_the_others_and_raises_the_sequence(session, people, washington):
    before = washington.sequence
    moved = services.move_meeting(
        session,
        washington,
        "2027-03-17T10:00:00",
        starts_at=datetime(2027, 3, 18, 14),
        actor=people.coordinator,
        now=BEFORE_ALL,
    )
    session.commit()
    assert moved.status is OccurrenceStatus.MOVED
    assert moved.starts_at == datetime(2027, 3, 18, 18, tzinfo=UTC)  # 14:00 EDT
    assert washington.sequence == before + 1
    meetings = services.meetings_of(services.reload(session, washington))
    assert [m.status for m in meetings].count(OccurrenceStatus.MOVED) == 1
    assert meetings[3].starts_at == datetime(2027, 4, 21, 14, tzinfo=UTC)


def test_cancelling_one_meeting_mails_a_cancel_of_that_date_only(session, people, washington):
    first_mails = len(outbox(session))
    services.cancel_meeting(
        session, washington, "2027-04-21T10:00:00", actor=people.coordinator, now=BEFORE_ALL
    )
    session.commit()
    new = outbox(session)[first_mails:]
    assert [m.calendar_method for m in new] == ["CANCEL", "CANCEL"]
    body = new[0].calendar_body
    assert "RECURRENCE-ID;TZID=America/New_York:20270421T100000" in body
    assert "RRULE" not in body
    assert "Only this date is cancelled" in new[0].body
    assert new[0].subject.startswith("Cancelled: ") and "only" in new[0].subject
    assert sum(m.cancelled for m in services.meetings_of(services.reload(session, washington))) == 1


def test_an_occurrence_id_that_is_not_a_meeting_is_refused(session, people, washington):
    for key in ("2027-03-18T10:00:00", "2027-03-17T11:00:00", "yesterday", "2027-13-45T10:00:00"):
        with pytest.raises(NotFound) as refused:
            services.cancel_meeting(session, washington, key, actor=people.coordinator, now=BEFORE_ALL)
        assert refused.value.field == "recurrence_id"


def test_moving_to_a_time_that_does_not_exist_is_refused_by_name(session, people, washington):
    with pytest.raises(DomainError) as refused:
        services.move_meeting(
            session,
            washington,
            "2027-03-17T10:00:00",
            starts_at=datetime(2027, 3, 14, 2, 30),
            actor=people.coordinator,
            now=BEFORE_ALL,
        )
    assert "02:30" in refused.value.message and refused.value.field == "starts_at"


def test_past_meetings_cannot_be_moved_or_cancelled(session, people, washington):
    later = datetime(2027, 6, 1, tzinfo=UTC)
    with pytest.raises(DomainError):
        services.cancel_meeting(
            session, washington, "2027-02-17T10:00:00", actor=people.coordinator, now=later
        )


def test_an_action_item_due_before_its_meeting_is_refused(session, people, washington):
    with pytest.raises(DomainError) as refused:
        services.add_action(
            session,
            washington,
            "2027-02-17T10:00:00",
            services.ActionSpec(
                what="Exchange case files", side="US", owner_name="Agent Smith", due_on=date(2027, 2, 16)
            ),
            actor=people.coordinator,
        )
    assert refused.value.field == "due_on"
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 0


def test_open_items_carry_into_later_agendas_and_list_overdue_first(session, people, washington):
    def add(key, what, due):
        return services.add_action(
            session,
            washington,
            key,
            services.ActionSpec(
                what=what, side="CN", owner_name="Wang Jun", owner_email="wang.jun@mps.example", due_on=due
            ),
            actor=people.coordinator,
        )

    later = add("2027-01-20T10:00:00", "Share the server logs", date(2027, 6, 30))
    overdue = add("2027-01-20T10:00:00", "Test the hotline", date(2027, 2, 1))
    done = add("2027-02-17T10:00:00", "Name a contact point", date(2027, 3, 1))
    services.update_action(session, done, washington, status="done", actor=people.cn_focal)
    session.commit()
    washington = services.reload(session, washington)
    listed = services.open_actions(session, washington, date(2027, 3, 1))
    assert [a.what for a in listed] == [overdue.what, later.what]
    march = services.find_meeting(services.reload(session, washington), "2027-03-17T10:00:00")
    assert {a.what for a in services.carried_actions(session, washington, march)} == {
        later.what,
        overdue.what,
    }
    january = services.find_meeting(washington, "2027-01-20T10:00:00")
    assert services.carried_actions(session, washington, january) == []


def test_focal_points_of_the_other_side_cannot_update_an_item(session, people, washington):
    item = services.add_action(
        session,
        washington,
        "2027-01-20T10:00:00",
        services.ActionSpec(what="Share the logs", side="CN", owner_name="Wang Jun", due_on=date(2027, 3, 1)),
        actor=people.coordinator,
    )
    with pytest.raises(Forbidden):
        services.update_action(session, item, washington, status="done", actor=people.us_focal)


def test_splitting_leaves_past_meetings_minutes_and_items_untouched(session, people, washington):
    services.write_minutes(
        session,
        washington,
        "2027-01-20T10:00:00",
        agenda="1. Cases",
        minutes_en="Both sides reviewed three cases.",
        minutes_zh="双方审议了三个案件。",
        actor=people.coordinator,
    )
    item = services.add_action(
        session,
        washington,
        "2027-01-20T10:00:00",
        services.ActionSpec(what="Share the logs", side="CN", owner_name="Wang Jun", due_on=date(2027, 3, 1)),
        actor=people.coordinator,
    )
    services.write_minutes(
        session,
        washington,
        "2027-07-21T10:00:00",
        agenda="Hotline review",
        minutes_en="",
        minutes_zh="",
        actor=people.coordinator,
    )
    session.commit()
    july = services.find_meeting(services.reload(session, washington), "2027-07-21T10:00:00")
    successor = services.split_series(
        session,
        washington,
        july,
        starts_at=datetime(2027, 7, 21, 9),
        duration_minutes=60,
        location="Embassy, Beijing",
        actor=people.coordinator,
        now=datetime(2027, 5, 1, tzinfo=UTC),
    )
    session.commit()
    old = services.reload(session, washington)
    new = services.reload(session, successor)
    assert len(services.meetings_of(old)) == 6 and len(services.meetings_of(new)) == 6
    january = services.find_meeting(old, "2027-01-20T10:00:00")
    assert january.row.minutes_zh == "双方审议了三个案件。"
    assert session.get(ActionItem, item.id).series_id == old.id
    assert new.first_start == datetime(2027, 7, 21, 9) and new.continues_id == old.id
    assert services.find_meeting(new, "2027-07-21T09:00:00").row.agenda == "Hotline review"
    assert [p.email for p in new.participants] == [p.email for p in old.participants]


def test_cancelling_the_series_is_a_cancel_without_recurrence_id(session, people, washington):
    session.commit()
    count = len(outbox(session))
    washington = services.reload(session, washington)
    assert services.cancel_series(session, washington, actor=people.coordinator) == 2
    session.commit()
    new = outbox(session)[count:]
    assert {m.calendar_method for m in new} == {"CANCEL"}
    assert "RECURRENCE-ID" not in new[0].calendar_body and "STATUS:CANCELLED" in new[0].calendar_body
    with pytest.raises(Conflict):
        services.cancel_meeting(
            session,
            services.reload(session, washington),
            "2027-04-21T10:00:00",
            actor=people.coordinator,
            now=BEFORE_ALL,
        )


def test_a_feed_of_a_five_year_weekly_series_is_built_in_well_under_a_second(session, client, people):
    series = services.create_series(
        session,
        spec(rrule="FREQ=WEEKLY;COUNT=260", starts_at=datetime(2027, 1, 6, 9), participants=()),
        actor=people.coordinator,
    )
    session.commit()
    started = datetime.now(UTC)
    response = client.get(f"/calendar/meetings/{series.slug}.ics")
    assert response.status_code == 200
    assert datetime.now(UTC) - started < timedelta(seconds=0.5)
    assert response.get_data(as_text=True).count("BEGIN:VEVENT") == 1


def test_a_meeting_cancelled_by_mistake_is_held_after_all(session, people, washington):
    services.cancel_meeting(
        session, washington, "2027-04-21T10:00:00", actor=people.coordinator, now=BEFORE_ALL
    )
    before = len(outbox(session))
    restored = services.restore_meeting(
        session, washington, "2027-04-21T10:00:00", actor=people.coordinator, now=BEFORE_ALL
    )
    assert restored.status is OccurrenceStatus.SCHEDULED
    new = outbox(session)[before:]
    assert {m.calendar_method for m in new} == {"REQUEST"}
    assert "RECURRENCE-ID;TZID=America/New_York:20270421T100000" in new[0].calendar_body
    with pytest.raises(Conflict):
        services.restore_meeting(
            session, washington, "2027-05-19T10:00:00", actor=people.coordinator, now=BEFORE_ALL
        )
