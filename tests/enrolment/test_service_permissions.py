"""Every enrolment service refuses, without HTTP, an actor who may not make its change, and
leaves everything as it was: the page decorators are only the first line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.enrolment.conftest import enrolment_of, quota, statuses
from training.accounts.models import Role
from training.core.errors import Forbidden, NotFound
from training.courses import services as courses
from training.courses.models import CourseSession, CourseStatus
from training.enrolment import services
from training.enrolment.models import Attendance, EnrolmentStatus


def only_session(session, course):
    return session.scalars(sa.select(CourseSession).where(CourseSession.course_id == course.id)).one()


@pytest.mark.parametrize("role", [Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR])
def test_only_coordinators_set_quotas(session, make_course, make_user, role):
    course = make_course(quotas={"US": 2})
    actor = make_user(role, "US")
    with pytest.raises(Forbidden, match="Only coordinators set quotas"):
        services.set_quotas(session, course, {"US": 5}, actor=actor)
    with pytest.raises(Forbidden, match="Only coordinators set quotas"):
        services.set_quota(session, course, "CN", 3, actor=actor)
    session.rollback()
    assert {q.country: q.seats for q in services.quotas_of(session, course)} == {"US": 2}


def test_a_focal_point_does_not_approve_or_reject(session, make_course, make_user):
    course = make_course(quotas={"US": 2}, requires_approval=True)
    person = make_user(Role.PERSONNEL, "US")
    enrolment = services.enrol(session, course, person, actor=person)
    session.commit()
    focal = make_user(Role.FOCAL_POINT, "US")
    with pytest.raises(Forbidden, match="Only coordinators approve"):
        services.approve(session, enrolment, actor=focal)
    session.rollback()
    with pytest.raises(Forbidden, match="Only coordinators reject"):
        services.reject(session, enrolment, actor=focal, reason="Not eligible.")
    session.rollback()
    assert enrolment_of(session, course, person).status is EnrolmentStatus.PENDING


def test_personnel_and_instructors_do_not_nominate(session, make_course, make_user):
    course = make_course(quotas={"US": 2})
    person = make_user(Role.PERSONNEL, "US")
    for role in (Role.PERSONNEL, Role.INSTRUCTOR):
        actor = make_user(role, "US")
        with pytest.raises(Forbidden, match="Only focal points and coordinators nominate"):
            services.nominate(session, course, actor=actor, email=person.email)
        with pytest.raises(Forbidden, match="Only focal points and coordinators nominate"):
            services.nominate_person(session, course, person, actor=actor)
        session.rollback()
    assert statuses(session, course) == {}


def test_a_focal_point_does_not_nominate_another_countrys_personnel(session, make_course, make_user):
    course = make_course(quotas={"US": 2, "CN": 2})
    american = make_user(Role.PERSONNEL, "US")
    chinese_focal = make_user(Role.FOCAL_POINT, "CN")
    with pytest.raises(Forbidden) as by_email:
        services.nominate(session, course, actor=chinese_focal, email=american.email)
    assert by_email.value.field == "email"
    with pytest.raises(Forbidden, match="You may act only for personnel of China"):
        services.nominate_person(session, course, american, actor=chinese_focal)
    session.rollback()
    assert statuses(session, course) == {}


def test_personnel_enrol_only_themselves(session, make_course, make_user):
    course = make_course(quotas={"US": 2})
    person, colleague = make_user(Role.PERSONNEL, "US"), make_user(Role.PERSONNEL, "US")
    with pytest.raises(Forbidden, match="You may only enrol yourself"):
        services.enrol(session, course, colleague, actor=person)
    session.rollback()
    assert statuses(session, course) == {}


@pytest.mark.parametrize("who", ["colleague", "other-country-focal", "instructor"])
def test_only_the_person_their_focal_point_or_a_coordinator_withdraws(session, make_course, make_user, who):
    course = make_course(quotas={"US": 2})
    person = make_user(Role.PERSONNEL, "US")
    enrolment = services.enrol(session, course, person, actor=person)
    session.commit()
    actor = {
        "colleague": lambda: make_user(Role.PERSONNEL, "US"),
        "other-country-focal": lambda: make_user(Role.FOCAL_POINT, "CN"),
        "instructor": lambda: make_user(Role.INSTRUCTOR, "US"),
    }[who]()
    with pytest.raises(Forbidden):
        services.withdraw(session, enrolment, actor=actor)
    session.rollback()
    assert enrolment_of(session, course, person).status is EnrolmentStatus.CONFIRMED
    assert quota(session, course, "US").confirmed == 1


def test_the_persons_own_focal_point_and_a_coordinator_may_withdraw(
    session, make_course, make_user, coordinator
):
    course = make_course(quotas={"US": 2})
    first, second = make_user(Role.PERSONNEL, "US"), make_user(Role.PERSONNEL, "US")
    for person in (first, second):
        services.enrol(session, course, person, actor=person)
    session.commit()
    services.withdraw(session, enrolment_of(session, course, first), actor=make_user(Role.FOCAL_POINT, "US"))
    services.withdraw(session, enrolment_of(session, course, second), actor=coordinator)
    session.commit()
    assert statuses(session, course) == {"withdrawn": 2}


def test_only_the_courses_instructors_and_coordinators_take_attendance(session, make_course, make_user):
    teacher, other_teacher = make_user(Role.INSTRUCTOR, "CN"), make_user(Role.INSTRUCTOR, "CN")
    course = make_course(quotas={"US": 2}, sessions=1, instructor=teacher)
    person = make_user(Role.PERSONNEL, "US")
    enrolment = services.enrol(session, course, person, actor=person)
    session.commit()
    for actor in (other_teacher, make_user(Role.FOCAL_POINT, "US"), person):
        with pytest.raises(Forbidden, match="Only the course's instructors and coordinators"):
            services.mark_attendance(session, only_session(session, course), [enrolment.id], actor=actor)
        with pytest.raises(Forbidden):
            services.check_takes_attendance(session, course, actor)
        session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    services.check_takes_attendance(session, course, teacher)


@pytest.mark.parametrize("role", [Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR])
def test_only_coordinators_hand_out_free_seats(session, make_course, make_user, role):
    course = make_course(quotas={"US": 1})
    actor = make_user(role, "US")
    with pytest.raises(Forbidden, match="Only coordinators hand out free seats"):
        services.promote_from_waitlist(session, course, actor=actor)
    with pytest.raises(Forbidden, match="Only coordinators hand out free seats"):
        services.release_seats(session, course, actor=actor)
    session.rollback()


def test_a_certificate_is_for_its_person_and_coordinators(session, make_course, make_user, coordinator):
    course = make_course(quotas={"US": 2})
    person, colleague = make_user(Role.PERSONNEL, "US"), make_user(Role.PERSONNEL, "US")
    enrolment = services.enrol(session, course, person, actor=person)
    enrolment.status, enrolment.certificate_code = EnrolmentStatus.COMPLETED, "ABCD-EFGH-IJKL-MNOP"
    session.commit()
    with pytest.raises(Forbidden):
        services.certificate_for(session, enrolment.id, viewer=colleague)
    assert services.certificate_for(session, enrolment.id, viewer=person).id == enrolment.id
    assert services.certificate_for(session, enrolment.id, viewer=coordinator).id == enrolment.id


def test_a_draft_course_is_not_found_by_enrolment_as_by_the_course_lookup(session, make_course, make_user):
    draft = make_course(quotas={"US": 2}, status=CourseStatus.DRAFT)
    person = make_user(Role.PERSONNEL, "US")
    focal = make_user(Role.FOCAL_POINT, "US")
    with pytest.raises(NotFound) as lookup:
        courses.get_course(session, draft.id, viewer=person)
    with pytest.raises(NotFound) as enrolling:
        services.enrol(session, draft, person, actor=person)
    with pytest.raises(NotFound) as roster:
        services.roster_scope(session, draft, focal)
    assert enrolling.value.message == roster.value.message == lookup.value.message
    session.rollback()
    assert statuses(session, draft) == {}
