"""The course, schedule and instructor rules, called directly without HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from tests.courses.conftest import BEIJING_START
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.core.errors import Conflict, DomainError, NotFound
from training.courses import services
from training.courses.models import CourseSession, CourseStatus, SessionKind
from training.outbox.models import OutboxMessage


def _mail(session):
    return session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


# --- courses ---------------------------------------------------------------------------


def test_new_course_is_a_draft_with_a_readable_unique_slug(make_course):
    first = make_course(publish=False, title="Cybercrime: Investigation in Beijing!")
    second = make_course(publish=False, title="Cybercrime: investigation in Beijing")
    assert first.status is CourseStatus.DRAFT
    assert first.slug == "cybercrime-investigation-in-beijing-2031"
    assert second.slug == "cybercrime-investigation-in-beijing-2031-2"


def test_a_chinese_title_still_gets_an_address(make_course):
    assert make_course(title="网络犯罪调查培训").slug == "course-2031"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "  ", "A title is required."),
        ("host_country", "XX", "Choose the host country."),
        ("city", "", "A city is required."),
        ("timezone", "Mars/Olympus", "Unknown timezone Mars/Olympus."),
        ("ends_on", date(2031, 3, 1), "The course cannot end before it starts."),
        ("ends_on", date(2031, 9, 1), "A course lasts at most 92 days."),
        ("capacity", 0, "Capacity must be at least 1."),
        ("language", "fr", "Unsupported language fr."),
    ],
)
def test_course_details_are_checked_field_by_field(session, coordinator, field, value, message):
    details = services.CourseDetails(
        title="T",
        host_country="CN",
        city="Beijing",
        timezone="Asia/Shanghai",
        starts_on=BEIJING_START,
        ends_on=date(2031, 3, 12),
        capacity=15,
    )
    setattr(details, field, value)
    with pytest.raises(DomainError) as refused:
        services.create_course(session, details, actor=coordinator)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_enrolment_window_is_read_on_the_venue_clock_and_must_make_sense(session, coordinator):
    details = services.CourseDetails(
        title="T",
        host_country="CN",
        city="Beijing",
        timezone="Asia/Shanghai",
        starts_on=BEIJING_START,
        ends_on=date(2031, 3, 12),
        capacity=15,
        enrolment_opens_at=datetime(2031, 1, 5, 9, 0),
        enrolment_closes_at=datetime(2031, 2, 1, 17, 0),
    )
    course = services.create_course(session, details, actor=coordinator)
    assert course.enrolment_opens_at == datetime(2031, 1, 5, 1, 0, tzinfo=UTC)
    details.enrolment_closes_at = datetime(2031, 1, 1, 0, 0)
    with pytest.raises(DomainError, match="Enrolment must close after it opens.") as refused:
        services.update_course(session, course, details, actor=coordinator)
    assert refused.value.field == "enrolment_closes_at"


def test_lifecycle_draft_published_then_cancelled_raises_the_sequence_and_is_audited(
    session, make_course, coordinator
):
    course = make_course(publish=False)
    services.publish_course(session, course, actor=coordinator)
    assert (course.status, course.sequence) == (CourseStatus.PUBLISHED, 1)
    services.cancel_course(session, course, actor=coordinator, reason="Venue unavailable")
    assert (course.status, course.sequence) == (CourseStatus.CANCELLED, 2)
    with pytest.raises(DomainError, match="A cancelled course cannot become published."):
        services.publish_course(session, course, actor=coordinator)
    actions = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.topic == f"course:{course.id}").order_by(AuditEntry.id)
    ).all()
    assert actions == ["course.created", "course.published", "course.cancelled"]


def test_a_course_completes_only_from_its_last_day(session, make_course, coordinator):
    course = make_course()
    with pytest.raises(DomainError, match="only from its last day"):
        services.complete_course(session, course, actor=coordinator, today=date(2031, 3, 11))
    services.complete_course(session, course, actor=coordinator, today=date(2031, 3, 12))
    assert course.status is CourseStatus.COMPLETED


def test_drafts_are_found_only_by_managers(session, make_course, make_user):
    draft = make_course(publish=False)
    with pytest.raises(NotFound):
        services.find_course(session, draft.slug, viewer=make_user(role=Role.PERSONNEL))
    assert services.find_course(session, draft.slug, viewer=make_user(role=Role.COORDINATOR)) is draft


def test_catalogue_lists_upcoming_published_and_cancelled_courses_with_filters(
    session, make_course, coordinator
):
    beijing = make_course(title="Cybercrime investigation")
    washington = make_course(
        title="Online fraud",
        host_country="US",
        city="Washington",
        timezone="America/New_York",
        starts_on=date(2031, 5, 5),
        ends_on=date(2031, 5, 9),
    )
    make_course(publish=False, title="Draft course")
    past = make_course(title="Past course", starts_on=date(2020, 1, 6), ends_on=date(2020, 1, 10))
    cancelled = make_course(title="Called off")
    services.cancel_course(session, cancelled, actor=coordinator)
    today = date(2030, 1, 1)
    listed = services.catalogue(session, today=today)
    assert past not in listed and [c.title for c in listed] == [
        "Called off",
        "Cybercrime investigation",
        "Online fraud",
    ]
    assert services.catalogue(session, today=today, country="US") == [washington]
    assert services.catalogue(session, today=today, month=date(2031, 3, 1)) == [cancelled, beijing]
    assert services.catalogue(session, today=today, text="FRAUD") == [washington]
    assert services.catalogue(session, today=today, text="washington") == [washington]


def test_changing_dates_raises_the_sequence_and_tells_the_instructors(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course()
    li = make_instructor("Li Na", email="li.na@example.cn")
    add_session(course, date(2031, 3, 4), "09:00", "10:00", instructors=[li])
    details = services.CourseDetails(
        title=course.title,
        host_country="CN",
        city="Beijing",
        venue=course.venue,
        timezone="Asia/Shanghai",
        starts_on=date(2031, 3, 2),
        ends_on=course.ends_on,
        capacity=15,
    )
    services.update_course(session, course, details, actor=coordinator)
    assert course.sequence == 2  # published, then moved
    [mail] = _mail(session)
    assert mail.recipient == "li.na@example.cn" and mail.subject.startswith("Course changed")


def test_dates_cannot_shrink_past_a_scheduled_session(session, make_course, add_session, coordinator):
    course = make_course()
    add_session(course, date(2031, 3, 12), "09:00", "10:00", title="Closing")
    details = services.CourseDetails(
        title=course.title,
        host_country="CN",
        city="Beijing",
        timezone="Asia/Shanghai",
        starts_on=course.starts_on,
        ends_on=date(2031, 3, 11),
        capacity=15,
    )
    with pytest.raises(DomainError, match="“Closing” on .* would fall outside the course") as refused:
        services.update_course(session, course, details, actor=coordinator)
    assert refused.value.field == "ends_on"


def test_the_timezone_cannot_change_under_scheduled_sessions(session, make_course, add_session, coordinator):
    course = make_course()
    add_session(course, date(2031, 3, 4), "09:00", "10:00")
    details = services.CourseDetails(
        title=course.title,
        host_country="CN",
        city="Beijing",
        timezone="Asia/Tokyo",
        starts_on=course.starts_on,
        ends_on=course.ends_on,
        capacity=15,
    )
    with pytest.raises(DomainError, match="timezone cannot change") as refused:
        services.update_course(session, course, details, actor=coordinator)
    assert refused.value.field == "timezone"


# --- sessions --------------------------------------------------------------------------


def test_a_session_is_entered_in_local_time_and_stored_in_utc(make_course, add_session):
    course = make_course()
    added = add_session(course, date(2031, 3, 4), "09:00", "12:00", kind=SessionKind.PRACTICAL)
    assert (added.starts_at, added.ends_at) == (
        datetime(2031, 3, 4, 1, 0, tzinfo=UTC),
        datetime(2031, 3, 4, 4, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("day", "start", "end", "field", "message"),
    [
        (date(2031, 3, 2), "09:00", "10:00", "day", "outside the course"),
        (date(2031, 3, 13), "09:00", "10:00", "day", "outside the course"),
        (date(2031, 3, 4), "10:00", "10:00", "ends", "must end after it starts"),
        (date(2031, 3, 4), "11:00", "09:00", "ends", "must end after it starts"),
    ],
)
def test_a_session_lies_within_its_course_and_ends_after_it_starts(
    session, make_course, coordinator, day, start, end, field, message
):
    course = make_course()
    with pytest.raises(DomainError, match=message) as refused:
        services.add_session(
            session,
            course,
            actor=coordinator,
            day=day,
            starts=time.fromisoformat(start),
            ends=time.fromisoformat(end),
            title="Lecture",
        )
    assert refused.value.field == field
    assert session.scalar(sa.select(sa.func.count()).select_from(CourseSession)) == 0


def test_a_session_in_the_spring_forward_gap_is_refused_naming_the_time(
    session, washington_course, coordinator
):
    with pytest.raises(DomainError) as refused:
        services.add_session(
            session,
            washington_course,
            actor=coordinator,
            day=date(2031, 3, 9),
            starts=time(2, 15),
            ends=time(4, 0),
            title="Night exercise",
        )
    assert refused.value.field == "starts"
    assert "02:15" in refused.value.message and "does not exist" in refused.value.message


def test_an_instructor_in_beijing_and_washington_at_the_same_instant_is_refused(
    session, make_course, washington_course, make_instructor, add_session, coordinator
):
    beijing = make_course(title="Cybercrime investigation")
    sarah = make_instructor("Sarah Mitchell")
    # 21:00 in Beijing on 4 March is 08:00 in Washington (UTC-5).
    add_session(beijing, date(2031, 3, 4), "21:00", "22:00", title="Evening seminar", instructors=[sarah])
    with pytest.raises(Conflict) as refused:
        services.add_session(
            session,
            washington_course,
            actor=coordinator,
            day=date(2031, 3, 4),
            starts=time(8, 30),
            ends=time(9, 30),
            title="Fraud lecture",
            instructor_ids=[sarah.id],
        )
    message = refused.value.message
    assert refused.value.field == "instructors"
    assert "Sarah Mitchell already teaches “Evening seminar” in Cybercrime investigation" in message
    assert "Tue, Mar 4, 2031" in message and "9:00" in message and "10:00" in message
    assert "(Asia/Shanghai)" in message


def test_the_clash_check_follows_new_york_across_its_dst_switch(
    make_course, washington_course, make_instructor, add_session
):
    beijing = make_course()
    sarah = make_instructor("Sarah Mitchell")
    add_session(beijing, date(2031, 3, 4), "21:00", "22:00", instructors=[sarah])
    add_session(beijing, date(2031, 3, 11), "21:00", "22:00", instructors=[sarah])
    # 09:00 EST on 4 March starts when the Beijing session ends: touching is not overlapping.
    add_session(washington_course, date(2031, 3, 4), "09:00", "10:00", instructors=[sarah])
    # After 9 March New York is UTC-4, so 09:00 there is 21:00 in Beijing.
    with pytest.raises(Conflict, match="Sarah Mitchell already teaches"):
        add_session(washington_course, date(2031, 3, 11), "09:00", "10:00", instructors=[sarah])


def test_a_room_of_a_venue_never_holds_two_sessions(session, make_course, add_session, coordinator):
    first = make_course(title="Forensics course")
    second = make_course(title="Fraud course")  # same venue and city
    add_session(first, date(2031, 3, 4), "09:00", "12:00", title="Lab work", room="Lab 2")
    with pytest.raises(Conflict) as refused:
        services.add_session(
            session,
            second,
            actor=coordinator,
            day=date(2031, 3, 4),
            starts=time(11, 0),
            ends=time(13, 0),
            title="Other",
            room="lab 2",
        )
    assert refused.value.field == "room"
    assert "Lab 2 is already taken by “Lab work” in Forensics course" in refused.value.message
    # Another room of the same venue, or the same room name at another venue, is fine.
    add_session(second, date(2031, 3, 4), "11:00", "13:00", room="Lab 3")
    elsewhere = make_course(title="Elsewhere", venue="Another campus")
    add_session(elsewhere, date(2031, 3, 4), "11:00", "13:00", room="Lab 2")


def test_cancelled_sessions_and_courses_hold_nobody(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course()
    other = make_course()
    li = make_instructor("Li Na")
    cancelled = add_session(course, date(2031, 3, 4), "09:00", "10:00", instructors=[li], room="A")
    services.cancel_session(session, cancelled, course, actor=coordinator)
    add_session(other, date(2031, 3, 4), "09:00", "10:00", instructors=[li], room="A")
    services.cancel_course(session, other, actor=coordinator)
    add_session(course, date(2031, 3, 4), "09:30", "10:30", instructors=[li], room="A")


def test_rescheduling_raises_the_sequence_and_mails_old_and_new_instructors(
    session, make_course, make_instructor, make_user, add_session, coordinator
):
    course = make_course()
    account = make_user(role=Role.INSTRUCTOR, email="li.na@example.cn", locale="zh_Hans")
    li = make_instructor("Li Na", account_email=account.email)
    zhang = make_instructor("Zhang Wei", email="zhang@example.cn")
    nobody = make_instructor("No Address")
    lecture = add_session(
        course, date(2031, 3, 4), "09:00", "10:00", title="Forensics", instructors=[li, nobody]
    )
    services.update_session(
        session,
        lecture,
        course,
        actor=coordinator,
        day=date(2031, 3, 5),
        starts=time(14),
        ends=time(15),
        title="Forensics",
        room="Lab 2",
        instructor_ids=[zhang.id],
    )
    session.commit()
    assert lecture.sequence == 1
    mails = {m.recipient: m for m in _mail(session)}
    assert set(mails) == {"li.na@example.cn", "zhang@example.cn"}
    body = mails["zhang@example.cn"].body
    assert "Tue, Mar 4, 2031, 9:00" in body and "Wed, Mar 5, 2031, 2:00" in body and "Lab 2" in body
    # Li Na reads Chinese: her mail is in Chinese, the English-only titles as the coordinator wrote them.
    assert mails["li.na@example.cn"].subject == f"时间变更：Forensics（{course.title}）"
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "session.rescheduled"))
    assert entry.before["room"] == "" and entry.after["room"] == "Lab 2"


def test_a_title_change_alone_raises_the_sequence_but_tells_nobody(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course()
    li = make_instructor("Li Na", email="li@example.cn")
    lecture = add_session(course, date(2031, 3, 4), "09:00", "10:00", instructors=[li])
    services.update_session(
        session,
        lecture,
        course,
        actor=coordinator,
        day=date(2031, 3, 4),
        starts=time(9),
        ends=time(10),
        title="Renamed",
        instructor_ids=[li.id],
    )
    assert lecture.sequence == 1 and _mail(session) == []


def test_a_cancelled_session_is_kept_struck_and_its_instructors_told(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course()
    li = make_instructor("Li Na", email="li@example.cn")
    lecture = add_session(course, date(2031, 3, 4), "09:00", "10:00", title="Forensics", instructors=[li])
    services.cancel_session(session, lecture, course, actor=coordinator)
    session.commit()
    assert session.get(CourseSession, lecture.id).cancelled and lecture.sequence == 1
    [mail] = _mail(session)
    assert mail.recipient == "li@example.cn" and mail.subject == f"Cancelled: Forensics ({course.title})"
    with pytest.raises(DomainError, match="already cancelled"):
        services.cancel_session(session, lecture, course, actor=coordinator)


def test_changes_to_a_draft_tell_nobody(session, make_course, make_instructor, add_session, coordinator):
    course = make_course(publish=False)
    li = make_instructor("Li Na", email="li@example.cn")
    lecture = add_session(course, date(2031, 3, 4), "09:00", "10:00", instructors=[li])
    services.cancel_session(session, lecture, course, actor=coordinator)
    assert _mail(session) == []


def test_cancelling_a_course_cancels_its_sessions_and_tells_each_instructor_once(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course()
    li = make_instructor("Li Na", email="li@example.cn")
    first = add_session(course, date(2031, 3, 4), "09:00", "10:00", instructors=[li])
    second = add_session(course, date(2031, 3, 5), "09:00", "10:00", instructors=[li])
    services.cancel_course(session, course, actor=coordinator, reason="Venue closed")
    session.commit()
    assert first.cancelled and second.cancelled and (first.sequence, second.sequence) == (1, 1)
    [mail] = _mail(session)
    assert mail.recipient == "li@example.cn" and "Venue closed" in mail.body
    with pytest.raises(DomainError, match="This course is cancelled; it can no longer change."):
        services.add_session(
            session,
            course,
            actor=coordinator,
            day=date(2031, 3, 6),
            starts=time(9),
            ends=time(10),
            title="Late addition",
        )


def test_people_to_notify_are_the_instructors_with_an_address(
    session, make_course, make_instructor, make_user, add_session
):
    course = make_course()
    account = make_user(role=Role.INSTRUCTOR, email="li.na@example.cn")
    li = make_instructor("Li Na", account_email=account.email, email="private@example.cn")
    zhang = make_instructor("Zhang Wei", email="zhang@example.cn")
    silent = make_instructor("No Address")
    lecture = add_session(course, date(2031, 3, 4), "09:00", "10:00", instructors=[li, silent])
    add_session(course, date(2031, 3, 5), "09:00", "10:00", instructors=[zhang, li])
    assert [p.email for p in services.people_to_notify(session, course, lecture)] == ["li.na@example.cn"]
    assert [p.email for p in services.people_to_notify(session, course)] == [
        "li.na@example.cn",
        "zhang@example.cn",
    ]


def test_copying_a_day_repeats_its_shape_on_the_chosen_days(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course()
    li, zhang = make_instructor("Li Na"), make_instructor("Zhang Wei")
    add_session(course, BEIJING_START, "09:00", "10:30", title="Lecture", instructors=[zhang], room="Hall A")
    add_session(
        course,
        BEIJING_START,
        "14:00",
        "16:30",
        title="Lab",
        instructors=[li],
        room="Lab 2",
        kind=SessionKind.PRACTICAL,
    )
    targets = [date(2031, 3, d) for d in (4, 5, 6, 7, 10, 11, 12)]
    created = services.copy_day(session, course, actor=coordinator, from_day=BEIJING_START, to_days=targets)
    session.commit()
    assert len(created) == 14
    course = services.find_course(session, course.slug, viewer=coordinator)
    by_day = dict(services.schedule_by_day(course))
    assert [(s.title, s.room, [i.name for i in s.instructors]) for s in by_day[date(2031, 3, 12)]] == [
        ("Lecture", "Hall A", ["Zhang Wei"]),
        ("Lab", "Lab 2", ["Li Na"]),
    ]
    assert by_day[date(2031, 3, 8)] == []
    assert by_day[date(2031, 3, 12)][1].kind is SessionKind.PRACTICAL


def test_copying_a_day_across_new_yorks_switch_keeps_the_wall_clock(
    session, washington_course, add_session, coordinator
):
    add_session(washington_course, date(2031, 3, 7), "09:00", "12:00")
    [copy] = services.copy_day(
        session, washington_course, actor=coordinator, from_day=date(2031, 3, 7), to_days=[date(2031, 3, 10)]
    )
    assert copy.starts_at == datetime(2031, 3, 10, 13, 0, tzinfo=UTC)  # 09:00 EDT


def test_copying_is_all_or_nothing_and_names_the_clash(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course(title="Main course")
    other = make_course(title="Other course", venue="Elsewhere")
    li = make_instructor("Li Na")
    add_session(course, BEIJING_START, "09:00", "10:00", title="Lecture", instructors=[li])
    add_session(other, date(2031, 3, 6), "09:30", "10:30", title="Guest talk", instructors=[li])
    with pytest.raises(Conflict, match="Li Na already teaches “Guest talk” in Other course") as refused:
        services.copy_day(
            session,
            course,
            actor=coordinator,
            from_day=BEIJING_START,
            to_days=[date(2031, 3, 4), date(2031, 3, 5), date(2031, 3, 6)],
        )
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(CourseSession)) == 2
    assert refused.value.field == "instructors"


@pytest.mark.parametrize(
    ("from_day", "to_days", "field"),
    [
        (date(2031, 3, 4), [date(2031, 3, 5)], "from_day"),  # nothing on that day
        (BEIJING_START, [], "to_days"),
        (BEIJING_START, [BEIJING_START], "to_days"),
        (BEIJING_START, [date(2031, 4, 1)], "to_days"),
        (date(2030, 1, 1), [date(2031, 3, 5)], "from_day"),
    ],
)
def test_copying_refuses_days_that_make_no_sense(
    session, make_course, add_session, coordinator, from_day, to_days, field
):
    course = make_course()
    add_session(course, BEIJING_START, "09:00", "10:00")
    with pytest.raises(DomainError) as refused:
        services.copy_day(session, course, actor=coordinator, from_day=from_day, to_days=to_days)
    assert refused.value.field == field


def test_week_grid_places_sessions_by_day_and_quarter_hour_with_parallel_lanes(
    make_course, add_session, session, coordinator
):
    course = make_course()
    add_session(course, BEIJING_START, "09:00", "10:30", title="A", room="1")
    add_session(course, BEIJING_START, "09:30", "11:00", title="B", room="2")
    add_session(course, date(2031, 3, 11), "19:15", "20:00", title="Evening", room="1")
    course = services.find_course(session, course.slug, viewer=coordinator)
    first = services.week_grid(course, 1)
    assert (first.weeks, first.first_hour, first.last_hour) == (2, 8, 18)
    a, b = sorted(first.blocks, key=lambda blk: blk.session.title)
    assert (a.column, a.row_start, a.row_end, a.lane, a.lanes) == (0, 5, 11, 0, 2)
    assert (b.row_start, b.row_end, b.lane, b.lanes) == (7, 13, 1, 2)
    second = services.week_grid(course, 2)
    [evening] = second.blocks
    assert second.days[0] == date(2031, 3, 10) and evening.column == 1 and second.last_hour == 20
    assert services.week_grid(course, 99).week == 2


# --- instructors -----------------------------------------------------------------------


def test_instructor_directory_entries_link_accounts_once(session, make_instructor, make_user, coordinator):
    account = make_user(role=Role.INSTRUCTOR, email="li.na@example.cn")
    li = make_instructor("Li Na", account_email="Li.Na@example.cn")
    assert li.user_id == account.id
    assert services.instructor_for_user(session, account) is li
    with pytest.raises(Conflict, match="already linked to Li Na") as refused:
        services.create_instructor(
            session, services.InstructorDetails(name="Copy", account_email=account.email), actor=coordinator
        )
    assert refused.value.field == "account_email"
    with pytest.raises(DomainError, match="No account uses nobody@example.org"):
        services.create_instructor(
            session,
            services.InstructorDetails(name="X", account_email="nobody@example.org"),
            actor=coordinator,
        )
    with pytest.raises(DomainError, match="A name is required.") as refused:
        services.create_instructor(session, services.InstructorDetails(name=" "), actor=coordinator)


def test_an_instructor_who_teaches_stays_in_the_directory(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course()
    li, spare = make_instructor("Li Na"), make_instructor("Spare")
    add_session(course, BEIJING_START, "09:00", "10:00", instructors=[li])
    with pytest.raises(DomainError, match="Li Na is on 1 session and stays in the directory."):
        services.delete_instructor(session, li, actor=coordinator)
    services.delete_instructor(session, spare, actor=coordinator)
    services.update_instructor(
        session, li, services.InstructorDetails(name="Li Na", expertise="Forensics"), actor=coordinator
    )
    assert [(i.name, n) for i, n in services.instructor_directory(session)] == [("Li Na", 1)]


def test_teaching_lists_visible_sessions_and_drafts_only_to_the_instructor(
    session, make_course, make_instructor, make_user, add_session
):
    account = make_user(role=Role.INSTRUCTOR, email="li.na@example.cn")
    li = make_instructor("Li Na", account_email=account.email)
    published, draft = make_course(title="Published"), make_course(publish=False, title="Draft")
    add_session(published, BEIJING_START, "09:00", "10:00", instructors=[li])
    add_session(draft, date(2031, 3, 5), "09:00", "10:00", instructors=[li])
    stranger = make_user(role=Role.PERSONNEL)
    assert [s.course.title for s in services.teaching(session, li, viewer=stranger)] == ["Published"]
    assert [s.course.title for s in services.teaching(session, li, viewer=account)] == ["Published", "Draft"]
