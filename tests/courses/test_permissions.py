"""Only coordinators and admins change courses, schedules and instructors: everyone else gets 403."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.courses.conftest import BEIJING_START
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.courses.models import Course, CourseSession, Instructor


@pytest.fixture
def routes(make_course, make_instructor, add_session):
    course = make_course()
    instructor = make_instructor("Li Na")
    lecture = add_session(course, BEIJING_START, "09:00", "10:00", instructors=[instructor])
    slug, sid, iid = course.slug, lecture.id, instructor.id
    return [
        ("get", "/courses/manage"),
        ("get", "/courses/new"),
        ("post", "/courses/new"),
        ("get", f"/courses/{slug}/edit"),
        ("post", f"/courses/{slug}/edit"),
        ("post", f"/courses/{slug}/publish"),
        ("get", f"/courses/{slug}/cancel"),
        ("post", f"/courses/{slug}/cancel"),
        ("post", f"/courses/{slug}/complete"),
        ("get", f"/courses/{slug}/schedule"),
        ("post", f"/courses/{slug}/sessions"),
        ("get", f"/courses/{slug}/sessions/{sid}/edit"),
        ("post", f"/courses/{slug}/sessions/{sid}/edit"),
        ("get", f"/courses/{slug}/sessions/{sid}/cancel"),
        ("post", f"/courses/{slug}/sessions/{sid}/cancel"),
        ("post", f"/courses/{slug}/sessions/{sid}/restore"),
        ("post", f"/courses/{slug}/copy-day"),
        ("get", "/instructors/new"),
        ("post", "/instructors/new"),
        ("get", f"/instructors/{iid}/edit"),
        ("post", f"/instructors/{iid}/edit"),
        ("get", f"/instructors/{iid}/delete"),
        ("post", f"/instructors/{iid}/delete"),
    ]


def _state(session):
    session.expire_all()
    return (
        session.scalars(sa.select(Course.status)).all(),
        session.scalars(sa.select(CourseSession.cancelled)).all(),
        session.scalars(sa.select(Instructor.name)).all(),
        session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
    )


@pytest.mark.parametrize("role", [Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR])
def test_every_changing_route_refuses_other_roles_and_changes_nothing(
    role, routes, login, make_user, session
):
    client = login(make_user(role=role, country="US"))
    before = _state(session)
    token = csrf_token(client, "/")
    for method, path in routes:
        hijack = {"title": "Hijacked", "name": "Hijacked", "confirm": "yes", "reason": "x"}
        data = {"csrf_token": token, **hijack} if method == "post" else None
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 403, (role, method, path)
    assert _state(session) == before


def test_anonymous_visitors_are_sent_to_sign_in(routes, client, session):
    before = _state(session)
    for method, path in routes:
        response = getattr(client, method)(path)
        if method == "get":
            assert response.status_code == 302 and "/login" in response.headers["Location"], path
        else:
            assert response.status_code in (302, 400), path  # no CSRF token, or sent to sign in
    assert _state(session) == before


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_coordinators_and_admins_reach_every_editing_page(role, routes, login, make_user):
    client = login(make_user(role=role, country=None if role is Role.ADMIN else "CN"))
    for method, path in routes:
        if method == "get":
            assert client.get(path).status_code == 200, (role, path)
