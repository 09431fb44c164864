"""Only coordinators change courses, schedules and instructors: the services refuse everyone else.

Called directly, without HTTP: the views' decorators are a first line, the services the rule.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from tests.courses.conftest import BEIJING_START
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.core.errors import Forbidden
from training.courses import services
from training.courses.models import Course, CourseSession, CourseStatus, Instructor

COURSE_REFUSAL = "Only coordinators change courses and their schedules."
DIRECTORY_REFUSAL = "Only coordinators change the instructor directory."


@pytest.fixture(params=[Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR, "anonymous", None])
def outsider(request, make_user):
    """Someone who is not a coordinator: a signed-in account of another role, a visitor, or nobody."""
    if request.param == "anonymous":
        return AnonymousUserMixin()
    if request.param is None:
        return None
    return make_user(role=request.param, country="US")


@pytest.fixture
def scheduled(make_course, make_instructor, add_session):
    """A published course with one session taught by one instructor."""
    course = make_course()
    instructor = make_instructor("Li Na")
    lecture = add_session(course, BEIJING_START, "09:00", "10:00", instructors=[instructor])
    return course, lecture, instructor


def _state(session):
    session.expire_all()
    return (
        session.scalars(sa.select(Course.status).order_by(Course.id)).all(),
        session.scalars(sa.select(Course.title).order_by(Course.id)).all(),
        session.scalars(sa.select(CourseSession.title).order_by(CourseSession.id)).all(),
        session.scalars(sa.select(CourseSession.cancelled).order_by(CourseSession.id)).all(),
        session.scalars(sa.select(Instructor.name).order_by(Instructor.id)).all(),
        session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
    )


def _refused(session, change, message):
    before = _state(session)
    with pytest.raises(Forbidden) as refusal:
        change()
    session.rollback()
    assert refusal.value.message == message and refusal.value.status == 403
    assert _state(session) == before


def _details(**fields):
    values = {"title": "Hijacked course", "host_country": "CN", "city": "Beijing",
              "timezone": "Asia/Shanghai", "starts_on": BEIJING_START,
              "ends_on": BEIJING_START + timedelta(days=4), "capacity": 15}
    return services.CourseDetails(**(values | fields))


def test_only_coordinators_create_a_course(session, outsider):
    _refused(session, lambda: services.create_course(session, _details(), actor=outsider), COURSE_REFUSAL)


def test_only_coordinators_update_a_course(session, scheduled, outsider):
    course, _lecture, _instructor = scheduled
    _refused(session, lambda: services.update_course(session, course, _details(), actor=outsider),
             COURSE_REFUSAL)


def test_only_coordinators_publish_a_course(session, make_course, outsider):
    draft = make_course(publish=False)
    _refused(session, lambda: services.publish_course(session, draft, actor=outsider), COURSE_REFUSAL)


def test_only_coordinators_cancel_a_course(session, scheduled, outsider):
    course, _lecture, _instructor = scheduled
    _refused(session, lambda: services.cancel_course(session, course, actor=outsider, reason="No"),
             COURSE_REFUSAL)
    assert session.get(Course, course.id).status is CourseStatus.PUBLISHED


def test_only_coordinators_complete_a_course(session, scheduled, outsider):
    course, _lecture, _instructor = scheduled
    last_day = date(2031, 3, 12)
    _refused(session, lambda: services.complete_course(session, course, actor=outsider, today=last_day),
             COURSE_REFUSAL)


def test_only_coordinators_add_a_session(session, scheduled, outsider):
    course, _lecture, _instructor = scheduled
    _refused(session, lambda: services.add_session(
        session, course, actor=outsider, day=BEIJING_START, starts=time(14), ends=time(15), title="Hijacked",
    ), COURSE_REFUSAL)


def test_only_coordinators_edit_a_session(session, scheduled, outsider):
    course, lecture, _instructor = scheduled
    _refused(session, lambda: services.update_session(
        session, lecture, course, actor=outsider, day=BEIJING_START, starts=time(9), ends=time(10),
        title="Hijacked",
    ), COURSE_REFUSAL)


def test_only_coordinators_cancel_a_session(session, scheduled, outsider):
    course, lecture, _instructor = scheduled
    _refused(session, lambda: services.cancel_session(session, lecture, course, actor=outsider),
             COURSE_REFUSAL)


def test_only_coordinators_copy_a_day(session, scheduled, outsider):
    course, _lecture, _instructor = scheduled
    _refused(session, lambda: services.copy_day(
        session, course, actor=outsider, from_day=BEIJING_START, to_days=[BEIJING_START + timedelta(days=1)],
    ), COURSE_REFUSAL)


def test_only_coordinators_add_an_instructor(session, outsider):
    _refused(session, lambda: services.create_instructor(
        session, services.InstructorDetails(name="Hijacked"), actor=outsider), DIRECTORY_REFUSAL)


def test_only_coordinators_edit_an_instructor(session, scheduled, outsider):
    _course, _lecture, instructor = scheduled
    _refused(session, lambda: services.update_instructor(
        session, instructor, services.InstructorDetails(name="Hijacked"), actor=outsider), DIRECTORY_REFUSAL)


def test_only_coordinators_remove_an_instructor(session, make_instructor, outsider):
    unscheduled = make_instructor("Zhang Wei")
    _refused(session, lambda: services.delete_instructor(session, unscheduled, actor=outsider),
             DIRECTORY_REFUSAL)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_coordinators_and_admins_may_change_courses_and_the_directory(session, make_user, role):
    actor = make_user(role=role, country=None if role is Role.ADMIN else "CN")
    course = services.create_course(session, _details(), actor=actor)
    services.add_session(session, course, actor=actor, day=BEIJING_START, starts=time(9), ends=time(10),
                         title="Opening")
    services.publish_course(session, course, actor=actor)
    person = services.create_instructor(session, services.InstructorDetails(name="Wang Fang"), actor=actor)
    services.delete_instructor(session, person, actor=actor)
    session.commit()
    assert course.status is CourseStatus.PUBLISHED
