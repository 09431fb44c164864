"""Data versions: every kind of change raises the versions of what it changes, and only those."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from training.accounts.models import Role
from training.calendar import services as calendar
from training.core import versions
from training.core.database import utcnow
from training.core.versions import CATALOGUE, COURSE, OWNER, ROSTER, SEATS, SYMPOSIUM, Unsettled
from training.courses import services as courses
from training.courses.models import CourseSession
from training.enrolment import services as enrolment
from training.symposia import services as symposia


def read(session, *scopes):
    """The committed versions of scopes, as a page about to reuse what it drew would read them."""
    return versions.versions(session, scopes)


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR, "CN", name="Chen Coordinator")


@pytest.fixture
def course(session, coordinator):
    made = factories.course(session, coordinator, title="Cybercrime investigation", quotas={"US": 2},
                            **factories.BEIJING_COURSE, starts_on=utcnow().date() + timedelta(days=30),
                            ends_on=utcnow().date() + timedelta(days=39), capacity=15,
                            enrolment_opens_at=utcnow() - timedelta(days=1))
    return made


@pytest.fixture
def lecture(session, coordinator, course):
    return factories.scheduled_session(session, coordinator, course, course.starts_on, "09:00", "12:00",
                                       title="Digital evidence")


def test_a_session_edit_raises_its_course_and_nothing_else(session, coordinator, course, lecture):
    before = read(session, (COURSE, course.id), (CATALOGUE, 0), (SEATS, course.id))

    courses.update_session(session, lecture, course, actor=coordinator, day=course.starts_on,
                           starts=time(10), ends=time(12), title="Digital evidence")
    session.commit()

    after = read(session, (COURSE, course.id), (CATALOGUE, 0), (SEATS, course.id))
    assert after[0] == before[0] + 1
    assert after[1:] == before[1:]


def test_renaming_an_instructor_raises_every_course_they_teach(session, coordinator, course, make_user):
    other = factories.course(session, coordinator, title="Financial crime", **factories.BEIJING_COURSE,
                             starts_on=course.starts_on, ends_on=course.ends_on, capacity=10)
    li = factories.instructor(session, coordinator, "Li Na")
    for days, taught in enumerate((course, other)):
        factories.scheduled_session(session, coordinator, taught, taught.starts_on + timedelta(days=days),
                                    "14:00", "16:00", instructors=[li])
    before = read(session, (COURSE, course.id), (COURSE, other.id))

    courses.update_instructor(session, li, courses.InstructorDetails(name="Li Na (MPS)"), actor=coordinator)
    session.commit()

    assert read(session, (COURSE, course.id), (COURSE, other.id)) == (before[0] + 1, before[1] + 1)


def test_an_enrolment_raises_the_seats_and_the_person_never_the_catalogue_or_schedule(
    session, course, make_user
):
    person = make_user(Role.PERSONNEL, "US")
    scopes = [(SEATS, course.id), (OWNER, person.id), (CATALOGUE, 0), (COURSE, course.id)]
    before = read(session, *scopes)

    enrolment.enrol(session, course, person, actor=person)
    session.commit()

    seats, owner, catalogue, schedule = read(session, *scopes)
    assert (seats, owner) == (before[0] + 1, before[1] + 1)
    # Enrolments would otherwise queue on one catalogue row, and redraw every schedule.
    assert (catalogue, schedule) == before[2:]


def test_an_enrolment_raises_its_scopes_with_one_statement_in_sorted_order(
    session, course, make_user, count_queries
):
    person = make_user(Role.PERSONNEL, "US")
    scopes = [(OWNER, person.id), (SEATS, course.id)]  # sorted: "owner" < "seats"
    before = read(session, *scopes)
    enrolment.enrol(session, course, person, actor=person)
    with count_queries() as counter:
        session.commit()

    raising = [s for s in counter.statements if "data_versions" in s]
    assert len(raising) == 1 and raising[0].lstrip().upper().startswith("INSERT")
    assert read(session, *scopes) == (before[0] + 1, before[1] + 1)
    # A second commit raises both again from the rows the first one created.
    enrolment.withdraw(session, enrolment.active_enrolment(session, course, person), actor=person)
    session.commit()
    assert read(session, *scopes) == (before[0] + 2, before[1] + 2)


def test_a_roster_follows_its_peoples_names_but_not_their_sign_ins(session, coordinator, course, make_user):
    person = make_user(Role.PERSONNEL, "US")
    nominator = make_user(Role.FOCAL_POINT, "US")
    other = make_user(Role.PERSONNEL, "US")
    enrolment.nominate_person(session, course, person, actor=nominator)
    session.commit()
    before = read(session, (ROSTER, course.id))[0]

    person.last_login_at = utcnow()
    other.name = "Not On This Course"
    session.commit()
    assert read(session, (ROSTER, course.id))[0] == before

    person.organisation = "New Agency"
    session.commit()
    nominator.name = "Renamed Focal Point"
    session.commit()
    assert read(session, (ROSTER, course.id))[0] == before + 2


def test_a_withdrawal_that_promotes_the_waitlist_raises_both_people(session, course, make_user):
    first, second, waiting = (make_user(Role.PERSONNEL, "US") for _ in range(3))
    held = enrolment.enrol(session, course, first, actor=first)
    enrolment.enrol(session, course, second, actor=second)
    enrolment.enrol(session, course, waiting, actor=waiting)
    session.commit()
    scopes = [(SEATS, course.id), (OWNER, first.id), (OWNER, waiting.id), (OWNER, second.id)]
    before = read(session, *scopes)

    enrolment.withdraw(session, held, actor=first)
    session.commit()

    after = read(session, *scopes)
    assert after[:3] == tuple(v + 1 for v in before[:3])
    assert after[3] == before[3]


def test_a_quota_change_raises_the_seats_and_the_catalogue(session, coordinator, course):
    before = read(session, (SEATS, course.id), (CATALOGUE, 0), (COURSE, course.id))

    enrolment.set_quota(session, course, "CN", 5, actor=coordinator)
    session.commit()

    after = read(session, (SEATS, course.id), (CATALOGUE, 0), (COURSE, course.id))
    assert after == (before[0] + 1, before[1] + 1, before[2])


def test_cancelling_a_course_raises_the_course_and_the_catalogue(session, coordinator, course, lecture):
    before = read(session, (COURSE, course.id), (CATALOGUE, 0))

    courses.cancel_course(session, course, actor=coordinator, reason="Venue unavailable")
    session.commit()

    assert read(session, (COURSE, course.id), (CATALOGUE, 0)) == (before[0] + 1, before[1] + 1)


def test_cancelling_a_session_raises_its_course(session, coordinator, course, lecture):
    before = read(session, (COURSE, course.id))[0]

    courses.cancel_session(session, lecture, course, actor=coordinator)
    session.commit()

    assert read(session, (COURSE, course.id))[0] == before + 1


def test_an_rsvp_raises_the_symposium_and_the_invitees_own_feed(session, coordinator, make_user):
    invitee = make_user(Role.PERSONNEL, "US", email="policy@google.example")
    forum = factories.symposium(session, coordinator)
    invitation, _ = factories.invitation(session, coordinator, forum, email="Policy@Google.example")
    before = read(session, (SYMPOSIUM, forum.id), (OWNER, invitee.id))

    symposia.answer_invitation(session, invitation, answer="accepted", delegates=["David Chen"])
    session.commit()

    assert read(session, (SYMPOSIUM, forum.id), (OWNER, invitee.id)) == (before[0] + 1, before[1] + 1)


def test_new_teaching_raises_the_instructors_own_feed(session, coordinator, course, lecture, make_user):
    teacher = make_user(Role.INSTRUCTOR, "CN", email="li.na@mps.example")
    li = factories.instructor(session, coordinator, "Li Na", account_email=teacher.email)
    before = read(session, (OWNER, teacher.id))[0]

    courses.update_session(session, lecture, course, actor=coordinator, day=course.starts_on,
                           starts=time(9), ends=time(12), title=lecture.title, instructor_ids=[li.id])
    session.commit()

    assert read(session, (OWNER, teacher.id))[0] == before + 1


def test_signing_in_does_not_raise_the_persons_feed_but_a_new_name_does(session, make_user):
    person = make_user(Role.PERSONNEL, "US")
    before = read(session, (OWNER, person.id))[0]

    person.last_login_at = utcnow()
    session.commit()
    assert read(session, (OWNER, person.id))[0] == before

    person.name = "Pat Renamed"
    session.commit()
    assert read(session, (OWNER, person.id))[0] == before + 1


def test_a_refused_change_raises_nothing(session, coordinator, course):
    before = read(session, (SEATS, course.id), (CATALOGUE, 0))

    with pytest.raises(Exception, match="capacity|quotas"):
        enrolment.set_quota(session, course, "CN", 1000, actor=coordinator)
    session.rollback()

    assert read(session, (SEATS, course.id), (CATALOGUE, 0)) == before


def test_the_changing_transaction_never_reuses_what_was_drawn_before(session, coordinator, course, lecture):
    lecture.room = "Room 301"
    session.flush()

    (seen,) = read(session, (COURSE, course.id))

    assert isinstance(seen, Unsettled)
    assert seen != seen.__class__() and seen != 0


def test_a_direct_update_is_seen_once_its_scope_is_touched(session, client, coordinator, course, lecture):
    path = f"/calendar/courses/{course.slug}.ics"
    assert b"Digital evidence" in client.get(path).data

    # Round the services, as an operator's SQL would be: nothing tells the kept feed.
    session.execute(sa.update(CourseSession).where(CourseSession.id == lecture.id).values(title="Forensics"))
    session.commit()
    assert b"Digital evidence" in client.get(path).data

    versions.touch(session, (COURSE, course.id))
    session.commit()
    assert b"Forensics" in client.get(path).data


def test_the_bump_command_raises_a_scope(app, session, course):
    before = read(session, (COURSE, course.id))[0]

    result = app.test_cli_runner().invoke(args=["data", "bump", "course", str(course.id)])

    assert result.exit_code == 0, result.output
    assert f"course {course.id}: version {before + 1}" in result.output
    assert read(session, (COURSE, course.id))[0] == before + 1


def test_the_bump_command_refuses_an_unknown_scope(app):
    result = app.test_cli_runner().invoke(args=["data", "bump", "courses", "1"])

    assert result.exit_code != 0
    assert "courses" in result.output


def test_a_personal_feed_follows_a_new_enrolment(session, client, course, lecture, make_user, app):
    person = make_user(Role.PERSONNEL, "US")
    path = calendar.personal_feed_url(session, person, create=True)
    session.commit()
    path = path.replace(app.config["BASE_URL"], "")
    assert b"Digital evidence" not in client.get(path).data

    enrolment.enrol(session, course, person, actor=person)
    session.commit()

    assert b"Digital evidence" in client.get(path).data


def test_a_savepoint_leaves_the_raise_to_the_outermost_commit(session, course, make_user):
    person = make_user(Role.PERSONNEL, "US")
    before = read(session, (SEATS, course.id))[0]

    enrolment.enrol(session, course, person, actor=person)  # releases a SAVEPOINT inside
    assert versions.pending(session) >= {(SEATS, course.id), (OWNER, person.id)}
    session.rollback()

    assert read(session, (SEATS, course.id))[0] == before
    assert versions.pending(session) == frozenset()
