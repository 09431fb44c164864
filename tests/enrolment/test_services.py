"""The enrolment rules called without HTTP: quotas, enrol, nominate, approve, reject, withdraw,
promote, release, attendance and certificates, each with its mail and audit rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.enrolment.conftest import enrolment_of, mails_to, quota, statuses
from training.accounts.models import Role, User
from training.audit.models import AuditEntry
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Forbidden
from training.courses.models import CourseSession
from training.enrolment import services
from training.enrolment.models import Attendance, Enrolment, EnrolmentStatus, SeatQuota
from training.outbox.models import OutboxMessage


def audit_actions(session, course):
    return [e.action for e in session.scalars(
        sa.select(AuditEntry).where(AuditEntry.topic == f"course:{course.id}").order_by(AuditEntry.id))]


def only_session(session, course):
    return session.scalars(sa.select(CourseSession).where(CourseSession.course_id == course.id)).one()


def subjects(session, user):
    return [m.subject for m in mails_to(session, user)]


# --- quotas ---------------------------------------------------------------------------


def test_quotas_never_add_up_to_more_than_capacity(session, make_course, coordinator):
    course = make_course(capacity=20)
    services.set_quotas(session, course, {"US": 15, "CN": 5}, actor=coordinator)
    session.commit()
    with pytest.raises(DomainError) as refused:
        services.set_quota(session, course, "GB", 1, actor=coordinator)
    assert "21 seats" in refused.value.message and "20" in refused.value.message
    assert refused.value.field == "seats"
    session.rollback()
    assert {q.country: q.seats for q in services.quotas_of(session, course)} == {"CN": 5, "US": 15}


def test_quota_below_confirmed_seats_is_refused_with_the_numbers(session, make_course, coordinator, people):
    course = make_course(quotas={"US": 5})
    for person in people(3, "US"):
        services.enrol(session, course, person, actor=person)
    session.commit()
    with pytest.raises(DomainError) as refused:
        services.set_quota(session, course, "US", 2, actor=coordinator)
    assert "3 confirmed" in refused.value.message and "2" in refused.value.message
    session.rollback()
    assert quota(session, course, "US").seats == 5


def test_raising_a_quota_promotes_from_that_countrys_waitlist_at_once(session, make_course, coordinator,
                                                                       people):
    course = make_course(quotas={"US": 1, "CN": 1})
    us = people(3, "US")
    for person in us:
        services.enrol(session, course, person, actor=person)
    session.commit()
    services.set_quota(session, course, "US", 2, actor=coordinator)
    session.commit()
    assert enrolment_of(session, course, us[1]).status is EnrolmentStatus.CONFIRMED
    assert enrolment_of(session, course, us[2]).status is EnrolmentStatus.WAITLISTED
    assert services.waitlist_position(session, enrolment_of(session, course, us[2])) == 1
    assert quota(session, course, "US").confirmed == 2
    assert any("now yours" in s for s in subjects(session, us[1]))
    assert "quota.set" in audit_actions(session, course)
    assert "enrolment.promoted" in audit_actions(session, course)


def test_quota_refuses_unknown_country_and_non_numeric_seats(session, make_course, coordinator):
    course = make_course()
    with pytest.raises(DomainError, match="Unknown country"):
        services.set_quota(session, course, "XX", 3, actor=coordinator)
    session.rollback()
    with pytest.raises(DomainError, match="whole number"):
        services.set_quota(session, course, "US", "fifteen", actor=coordinator)
    session.rollback()
    with pytest.raises(DomainError, match="negative"):
        services.set_quota(session, course, "US", -1, actor=coordinator)
    session.rollback()
    assert services.quotas_of(session, course) == []


def test_only_coordinators_set_quotas(session, make_course, make_user):
    course = make_course()
    focal = make_user(Role.FOCAL_POINT, "US")
    with pytest.raises(Forbidden):
        services.set_quota(session, course, "US", 3, actor=focal)


def test_quota_change_is_audited_with_before_and_after(session, make_course, coordinator):
    course = make_course(quotas={"US": 5})
    services.set_quota(session, course, "US", 8, actor=coordinator)
    session.commit()
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "quota.set")).one()
    assert entry.before == {"country": "US", "seats": 5}
    assert entry.after == {"country": "US", "seats": 8}
    assert entry.actor_id == coordinator.id and entry.topic == f"course:{course.id}"


# --- enrolling ------------------------------------------------------------------------


def test_fifteen_us_enrolments_are_confirmed_and_the_sixteenth_is_waitlisted(session, make_course, people):
    course = make_course(quotas={"US": 15, "CN": 5}, capacity=20)
    us = people(16, "US")
    results = []
    for person in us:
        results.append(services.enrol(session, course, person, actor=person).status)
        session.commit()
    assert results[:15] == [EnrolmentStatus.CONFIRMED] * 15
    assert results[15] is EnrolmentStatus.WAITLISTED
    sixteenth = enrolment_of(session, course, us[15])
    assert services.waitlist_position(session, sixteenth) == 1
    assert quota(session, course, "US").confirmed == 15
    waitlist_mail = mails_to(session, us[15])[-1]
    assert "waitlist" in waitlist_mail.subject and "number 1" in waitlist_mail.body
    assert "confirmed" in mails_to(session, us[0])[-1].subject


def test_self_enrolment_without_a_quota_for_ones_country_is_refused(session, make_course, people):
    course = make_course(quotas={"US": 5})
    chinese = people(1, "CN")[0]
    with pytest.raises(DomainError, match="no seats for personnel of China"):
        services.enrol(session, course, chinese, actor=chinese)


def test_a_second_enrolment_of_one_person_is_refused(session, make_course, people):
    course = make_course(quotas={"US": 5})
    person = people(1)[0]
    services.enrol(session, course, person, actor=person)
    session.commit()
    with pytest.raises(Conflict, match="already on this course"):
        services.enrol(session, course, person, actor=person)
    session.rollback()
    assert statuses(session, course) == {"confirmed": 1}


def test_the_database_refuses_two_active_enrolments_of_one_person(session, make_course, people):
    course = make_course(quotas={"US": 5})
    person = people(1)[0]
    for _ in range(2):
        session.add(Enrolment(course_id=course.id, user_id=person.id, country="US",
                              status=EnrolmentStatus.WAITLISTED))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


def test_the_database_refuses_more_confirmed_than_seats(session, make_course):
    course = make_course(quotas={"US": 1})
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.update(SeatQuota).where(SeatQuota.course_id == course.id).values(confirmed=2))
    session.rollback()


def test_closed_window_refuses_self_enrolment_and_a_coordinator_override_is_audited(
    session, make_course, people, coordinator
):
    course = make_course(quotas={"US": 5}, enrolment_closes_at=utcnow() - timedelta(hours=1))
    person, other = people(2)
    with pytest.raises(DomainError, match="Enrolment closed"):
        services.enrol(session, course, person, actor=person)
    session.rollback()
    with pytest.raises(DomainError, match="override"):
        services.enrol(session, course, person, actor=coordinator)
    session.rollback()
    enrolment = services.enrol(session, course, other, actor=coordinator, override_window=True)
    session.commit()
    assert enrolment.status is EnrolmentStatus.CONFIRMED
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.subject_id == enrolment.id,
                                                        AuditEntry.subject_type == "Enrolment")).one()
    assert entry.after["window_overridden"] is True and entry.actor_id == coordinator.id
    assert statuses(session, course) == {"confirmed": 1}


def test_window_not_yet_open_is_refused(session, make_course, people):
    course = make_course(quotas={"US": 5}, enrolment_opens_at=utcnow() + timedelta(days=2))
    person = people(1)[0]
    with pytest.raises(DomainError, match="Enrolment opens"):
        services.enrol(session, course, person, actor=person)


def test_personnel_cannot_enrol_someone_else(session, make_course, people):
    course = make_course(quotas={"US": 5})
    a, b = people(2)
    with pytest.raises(Forbidden):
        services.enrol(session, course, b, actor=a)


def test_coordinator_enrols_anyone_into_their_own_countrys_seats(session, make_course, people, coordinator):
    course = make_course(quotas={"US": 5, "CN": 5}, requires_approval=True)
    chinese = people(1, "CN")[0]
    enrolment = services.enrol(session, course, chinese, actor=coordinator)
    assert enrolment.status is EnrolmentStatus.CONFIRMED and enrolment.quota.country == "CN"
    assert enrolment.nominated_by_id == coordinator.id


# --- approval -------------------------------------------------------------------------


def test_request_on_an_approval_course_is_pending_holds_no_seat_and_tells_the_coordinator(
    session, make_course, people, coordinator
):
    course = make_course(quotas={"US": 1}, requires_approval=True)
    person = people(1)[0]
    enrolment = services.enrol(session, course, person, actor=person)
    session.commit()
    assert enrolment.status is EnrolmentStatus.PENDING
    assert quota(session, course, "US").confirmed == 0
    assert "awaits approval" in subjects(session, person)[-1]
    assert any("New request to approve" in s for s in subjects(session, coordinator))
    assert audit_actions(session, course) == ["enrolment.pending"]


def test_approving_confirms_while_a_seat_is_free_else_waitlists(session, make_course, people, coordinator):
    course = make_course(quotas={"US": 1}, requires_approval=True)
    first, second = people(2)
    a = services.enrol(session, course, first, actor=first)
    b = services.enrol(session, course, second, actor=second)
    session.commit()
    assert services.approve(session, a, actor=coordinator).status is EnrolmentStatus.CONFIRMED
    assert services.approve(session, b, actor=coordinator).status is EnrolmentStatus.WAITLISTED
    session.commit()
    assert "approved" in subjects(session, first)[-1]
    approved_waitlisted = mails_to(session, second)[-1]
    assert "number 1 on the waitlist" in approved_waitlisted.body
    assert audit_actions(session, course).count("enrolment.approved") == 2
    with pytest.raises(Conflict, match="Only a pending request"):
        services.approve(session, a, actor=coordinator)


def test_rejecting_takes_a_reason_that_the_person_sees_and_frees_the_seat(session, make_course, people,
                                                                            coordinator):
    course = make_course(quotas={"US": 1})
    holder, waiting = people(2)
    held = services.enrol(session, course, holder, actor=holder)
    services.enrol(session, course, waiting, actor=waiting)
    session.commit()
    with pytest.raises(DomainError, match="Give a reason"):
        services.reject(session, held, actor=coordinator, reason="  ")
    session.rollback()
    promoted = services.reject(session, held, actor=coordinator, reason="Not a sworn officer.")
    session.commit()
    assert [p.user_id for p in promoted] == [waiting.id]
    held = enrolment_of(session, course, holder)
    assert held.status is EnrolmentStatus.REJECTED and held.rejection_reason == "Not a sworn officer."
    rejection = mails_to(session, holder)[-1]
    assert "not accepted" in rejection.subject and "Not a sworn officer." in rejection.body
    assert enrolment_of(session, course, waiting).status is EnrolmentStatus.CONFIRMED
    assert quota(session, course, "US").confirmed == 1
    assert "enrolment.rejected" in audit_actions(session, course)


def test_only_coordinators_approve_and_reject(session, make_course, people, make_user):
    course = make_course(quotas={"US": 1}, requires_approval=True)
    person = people(1)[0]
    enrolment = services.enrol(session, course, person, actor=person)
    focal = make_user(Role.FOCAL_POINT, "US")
    with pytest.raises(Forbidden):
        services.approve(session, enrolment, actor=focal)
    with pytest.raises(Forbidden):
        services.reject(session, enrolment, actor=person, reason="no")


# --- withdrawal and promotion ---------------------------------------------------------


def test_withdrawal_frees_the_seat_and_promotes_the_head_of_that_countrys_waitlist(
    session, make_course, people
):
    course = make_course(quotas={"US": 1, "CN": 1})
    holder, first, second = people(3, "US")
    chinese_waiting = people(2, "CN")
    for person in [holder, first, second, *chinese_waiting]:
        services.enrol(session, course, person, actor=person)
        session.commit()
    promoted = services.withdraw(session, enrolment_of(session, course, holder), actor=holder)
    session.commit()
    assert [p.user_id for p in promoted] == [first.id]
    assert enrolment_of(session, course, holder).status is EnrolmentStatus.WITHDRAWN
    assert enrolment_of(session, course, first).status is EnrolmentStatus.CONFIRMED
    assert services.waitlist_position(session, enrolment_of(session, course, second)) == 1
    assert enrolment_of(session, course, chinese_waiting[1]).status is EnrolmentStatus.WAITLISTED
    assert "withdrawn" in subjects(session, holder)[-1]
    assert "now yours" in subjects(session, first)[-1]
    actions = audit_actions(session, course)
    assert actions[-2:] == ["enrolment.withdrawn", "enrolment.promoted"]
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "enrolment.withdrawn")).one()
    assert entry.before["status"] == "confirmed" and entry.after["status"] == "withdrawn"


def test_a_withdrawn_person_may_enrol_again_at_the_back_of_the_queue(session, make_course, people):
    course = make_course(quotas={"US": 1})
    a, b = people(2)
    services.enrol(session, course, a, actor=a)
    services.enrol(session, course, b, actor=b)
    session.commit()
    services.withdraw(session, enrolment_of(session, course, a), actor=a)
    session.commit()
    again = services.enrol(session, course, a, actor=a)
    assert again.status is EnrolmentStatus.WAITLISTED
    assert services.waitlist_position(session, again) == 1


def test_waitlist_positions_stay_contiguous_when_someone_in_the_middle_leaves(session, make_course, people):
    course = make_course(quotas={"US": 1})
    crowd = people(5)
    for person in crowd:
        services.enrol(session, course, person, actor=person)
        session.commit()
    services.withdraw(session, enrolment_of(session, course, crowd[2]), actor=crowd[2])
    session.commit()
    positions = [services.waitlist_position(session, enrolment_of(session, course, p)) for p in crowd]
    assert positions == [None, 1, None, 2, 3]


def test_a_focal_point_withdraws_their_own_countrys_people_only(session, make_course, people, make_user):
    course = make_course(quotas={"US": 2, "CN": 2})
    american, chinese = people(1, "US")[0], people(1, "CN")[0]
    services.enrol(session, course, american, actor=american)
    services.enrol(session, course, chinese, actor=chinese)
    session.commit()
    us_focal = make_user(Role.FOCAL_POINT, "US")
    with pytest.raises(Forbidden):
        services.withdraw(session, enrolment_of(session, course, chinese), actor=us_focal)
    session.rollback()
    services.withdraw(session, enrolment_of(session, course, american), actor=us_focal)
    session.commit()
    assert "by your focal point" in mails_to(session, american)[-1].body


def test_promote_from_waitlist_fills_free_seats_in_order(session, make_course, people, coordinator):
    course = make_course(quotas={"US": 1})
    a, b, c = people(3)
    for person in (a, b, c):
        services.enrol(session, course, person, actor=person)
    session.commit()
    # A seat appears without any service (an operator's repair): promotion takes the head.
    session.execute(sa.update(SeatQuota).where(SeatQuota.course_id == course.id).values(seats=2))
    promoted = services.promote_from_waitlist(session, course, actor=coordinator)
    session.commit()
    assert [p.user_id for p in promoted] == [b.id]


# --- nomination -----------------------------------------------------------------------


def test_focal_point_nominates_an_existing_person_of_their_country(session, make_course, people, make_user):
    course = make_course(quotas={"US": 2})
    focal = make_user(Role.FOCAL_POINT, "US")
    person = people(1)[0]
    enrolment = services.nominate(session, course, actor=focal, email=person.email.upper())
    session.commit()
    assert enrolment.status is EnrolmentStatus.CONFIRMED and enrolment.nominated_by_id == focal.id
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "enrolment.confirmed")).one()
    assert entry.actor_id == focal.id


def test_focal_point_cannot_nominate_a_foreign_person(session, make_course, people, make_user):
    course = make_course(quotas={"US": 2, "CN": 2})
    focal = make_user(Role.FOCAL_POINT, "US")
    chinese = people(1, "CN")[0]
    with pytest.raises(Forbidden, match="not among the personnel of United States"):
        services.nominate(session, course, actor=focal, email=chinese.email)
    session.rollback()
    assert statuses(session, course) == {}


def test_nominating_a_new_person_creates_an_account_without_password_and_invites_them(
    session, make_course, make_user
):
    course = make_course(quotas={"US": 2})
    focal = make_user(Role.FOCAL_POINT, "US")
    enrolment = services.nominate(session, course, actor=focal, email="New.Agent@Example.gov",
                                  name="New Agent")
    session.commit()
    person = session.get(User, enrolment.user_id)
    assert person.email == "new.agent@example.gov" and person.country == "US"
    assert person.password_hash is None and person.role is Role.PERSONNEL
    invitation = next(m for m in mails_to(session, person) if "nominated" in m.subject)
    assert "http://training.test/reset/" in invitation.body and focal.name in invitation.body
    assert "confirmed" in mails_to(session, person)[-1].subject


def test_nominating_a_new_person_without_a_name_or_in_a_closed_window_creates_nothing(
    session, make_course, make_user
):
    course = make_course(quotas={"US": 2}, enrolment_closes_at=utcnow() - timedelta(days=1))
    focal = make_user(Role.FOCAL_POINT, "US")
    with pytest.raises(DomainError) as refused:
        services.nominate(session, course, actor=focal, email="someone@example.gov")
    assert refused.value.field == "name"
    session.rollback()
    with pytest.raises(DomainError, match="Enrolment closed"):
        services.nominate(session, course, actor=focal, email="someone@example.gov", name="Some One")
    session.rollback()
    assert session.scalar(sa.select(User).where(User.email == "someone@example.gov")) is None


def test_personnel_cannot_nominate(session, make_course, people):
    course = make_course(quotas={"US": 2})
    a, b = people(2)
    with pytest.raises(Forbidden):
        services.nominate(session, course, actor=a, email=b.email)


# --- seat release ---------------------------------------------------------------------


def test_before_the_release_date_a_countrys_free_seats_are_its_own(session, make_course, people):
    course = make_course(quotas={"US": 2, "CN": 1}, seat_release_at=utcnow() + timedelta(days=3))
    chinese = people(2, "CN")
    for person in chinese:
        services.enrol(session, course, person, actor=person)
    session.commit()
    assert enrolment_of(session, course, chinese[1]).status is EnrolmentStatus.WAITLISTED
    assert services.release_seats(session, course) == []
    assert quota(session, course, "US").confirmed == 0


def test_after_the_release_date_free_seats_go_to_other_waitlists_oldest_request_first(
    session, make_course, people
):
    course = make_course(quotas={"US": 2, "CN": 1, "GB": 1}, seat_release_at=utcnow() + timedelta(days=3))
    chinese = people(2, "CN")
    british = people(2, "GB")
    order = [chinese[0], british[0], british[1], chinese[1]]  # CN then GB queue, oldest first
    for person in order:
        services.enrol(session, course, person, actor=person)
        session.commit()
    course.seat_release_at = utcnow() - timedelta(minutes=1)
    session.commit()
    promoted = services.release_seats(session, course)
    session.commit()
    assert [p.user_id for p in promoted] == [british[1].id, chinese[1].id]
    moved = enrolment_of(session, course, british[1])
    assert moved.status is EnrolmentStatus.CONFIRMED and moved.quota.country == "US"
    assert quota(session, course, "US").confirmed == 2
    assert "released" in mails_to(session, british[1])[-1].body
    released = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "enrolment.promoted")).all()
    assert {e.after["released_from"] for e in released} == {"US"}


def test_after_release_a_new_request_takes_a_free_seat_of_another_country(session, make_course, people):
    course = make_course(quotas={"US": 1, "CN": 1}, seat_release_at=utcnow() - timedelta(days=1))
    chinese = people(2, "CN")
    first = services.enrol(session, course, chinese[0], actor=chinese[0])
    second = services.enrol(session, course, chinese[1], actor=chinese[1])
    assert first.quota.country == "CN"
    assert second.status is EnrolmentStatus.CONFIRMED and second.quota.country == "US"
    american = people(1, "US")[0]
    assert services.enrol(session, course, american, actor=american).status is EnrolmentStatus.WAITLISTED


def test_release_cli_promotes_on_courses_past_their_date(app, session, make_course, people):
    course = make_course(quotas={"US": 1, "CN": 1}, seat_release_at=utcnow() + timedelta(days=1))
    chinese = people(2, "CN")
    for person in chinese:
        services.enrol(session, course, person, actor=person)
    session.commit()
    course.seat_release_at = utcnow() - timedelta(seconds=1)
    session.commit()
    result = app.test_cli_runner().invoke(args=["enrolment", "release-seats"])
    assert result.exit_code == 0, result.output
    assert "1 seats released" in result.output
    assert enrolment_of(session, course, chinese[1]).status is EnrolmentStatus.CONFIRMED


# --- attendance, completion, certificates ---------------------------------------------


def test_attending_the_required_share_completes_and_issues_a_verifiable_certificate(
    session, make_course, people, make_user, coordinator
):
    teacher = make_user(Role.INSTRUCTOR, "CN")
    course = make_course(quotas={"US": 3}, sessions=5, instructor=teacher, completion_percent=80)
    keen, absent = people(2)
    for person in (keen, absent):
        services.enrol(session, course, person, actor=person)
    session.commit()
    course_sessions = session.scalars(sa.select(CourseSession).where(CourseSession.course_id == course.id)
                                      .order_by(CourseSession.starts_at)).all()
    keen_id = enrolment_of(session, course, keen).id
    for course_session in course_sessions[:3]:
        assert services.mark_attendance(session, course_session, {keen_id}, actor=teacher) == []
    completed = services.mark_attendance(session, course_sessions[3], {keen_id}, actor=teacher)
    session.commit()
    assert [e.user_id for e in completed] == [keen.id]
    done = enrolment_of(session, course, keen)
    assert done.status is EnrolmentStatus.COMPLETED and done.certificate_code
    assert services.certificate_by_code(session, done.certificate_code.lower()).id == done.id
    assert "completed" in mails_to(session, keen)[-1].subject
    assert enrolment_of(session, course, absent).status is EnrolmentStatus.CONFIRMED
    assert session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 8
    assert "enrolment.completed" in audit_actions(session, course)
    assert "attendance.marked" in audit_actions(session, course)
    # A correction below the share takes the completion (and the certificate) back.
    services.mark_attendance(session, course_sessions[3], set(), actor=coordinator)
    session.commit()
    assert enrolment_of(session, course, keen).status is EnrolmentStatus.CONFIRMED
    with pytest.raises(DomainError):
        services.certificate_by_code(session, done.certificate_code or "")


def test_only_the_courses_instructors_and_coordinators_take_attendance(session, make_course, make_user,
                                                                       people):
    teacher, stranger = make_user(Role.INSTRUCTOR, "CN"), make_user(Role.INSTRUCTOR, "CN")
    course = make_course(quotas={"US": 3}, sessions=1, instructor=teacher)
    course_session = only_session(session, course)
    with pytest.raises(Forbidden):
        services.mark_attendance(session, course_session, set(), actor=stranger)
    person = people(1)[0]
    with pytest.raises(Forbidden):
        services.mark_attendance(session, course_session, set(), actor=person)


def test_only_seat_holders_can_be_marked_present(session, make_course, people, coordinator):
    course = make_course(quotas={"US": 1}, sessions=1)
    a, b = people(2)
    services.enrol(session, course, a, actor=a)
    waiting = services.enrol(session, course, b, actor=b)
    session.commit()
    course_session = only_session(session, course)
    with pytest.raises(DomainError, match="holding a seat"):
        services.mark_attendance(session, course_session, {waiting.id}, actor=coordinator)


# --- reading --------------------------------------------------------------------------


def test_seat_summaries_give_seats_confirmed_waitlisted_and_available_per_country(
    session, make_course, people
):
    course = make_course(quotas={"US": 2, "CN": 3})
    empty = make_course()
    for person in people(3, "US"):
        services.enrol(session, course, person, actor=person)
    session.commit()
    summaries = services.seat_summaries(session, [course.id, empty.id])
    us = summaries[course.id].for_country("US")
    assert (us.seats, us.confirmed, us.waitlisted, us.available) == (2, 2, 1, 0)
    assert summaries[course.id].available == 3 and summaries[empty.id].quotas == []


def test_participants_to_notify_are_the_active_people_only(session, make_course, people, coordinator):
    course = make_course(quotas={"US": 1}, requires_approval=True)
    confirmed, waiting, pending, rejected, withdrawn = people(5)
    for person in (confirmed, waiting, pending, rejected, withdrawn):
        services.enrol(session, course, person, actor=person)
    session.commit()
    services.approve(session, enrolment_of(session, course, confirmed), actor=coordinator)
    services.approve(session, enrolment_of(session, course, waiting), actor=coordinator)
    services.reject(session, enrolment_of(session, course, rejected), actor=coordinator, reason="x")
    services.withdraw(session, enrolment_of(session, course, withdrawn), actor=withdrawn)
    session.commit()
    notified = {u.id for u in services.participants_to_notify(session, course)}
    assert notified == {confirmed.id, waiting.id, pending.id}


def test_reciprocity_counts_seats_confirmed_and_completed_per_host_and_guest(session, make_course, people):
    beijing = make_course(host_country="CN", quotas={"US": 2})
    washington = make_course(host_country="US", city="Washington", timezone="America/New_York",
                             quotas={"CN": 3})
    for person in people(2, "US"):
        services.enrol(session, beijing, person, actor=person)
    chinese = people(1, "CN")[0]
    enrolment = services.enrol(session, washington, chinese, actor=chinese)
    enrolment.status = EnrolmentStatus.COMPLETED
    session.commit()
    report = services.reciprocity(session)
    lines = {(line.host, line.guest): (line.seats, line.confirmed, line.completed) for line in report.lines}
    assert lines == {("CN", "US"): (2, 2, 0), ("US", "CN"): (3, 1, 1)}
    [(a, b)] = report.pairs()
    assert {a.host, b.host} == {"CN", "US"}


def test_every_enrolment_change_leaves_mail_in_the_same_transaction(session, make_course, people):
    course = make_course(quotas={"US": 1})
    person = people(1)[0]
    services.enrol(session, course, person, actor=person)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert statuses(session, course) == {}
