"""API fixtures: bearer tokens, one person per role, and a client that calls the API as them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from training.accounts.models import Role, User
from training.api.services import issue_token
from training.courses import services as courses
from training.courses.models import Course, Instructor
from training.database import utcnow
from training.enrolment import services as enrolment

# Who the permission tests call as: "right" and "wrong" are relative to the course's seats (US).
ROLES = ("anonymous", "personnel-us", "personnel-cn", "focal-us", "focal-cn", "instructor",
         "coordinator", "admin")


@pytest.fixture
def bearer(session) -> Callable[[User], dict[str, str]]:
    """Authorization headers with a fresh token for user."""

    def headers_for(user: User) -> dict[str, str]:
        token, _row = issue_token(session, user)
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers_for


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    """One account per role the permission rules tell apart."""
    return {
        "personnel-us": make_user(Role.PERSONNEL, "US", name="Alice Walker", email="alice@us.example"),
        "personnel-cn": make_user(Role.PERSONNEL, "CN", name="Li Na", email="li.na@cn.example"),
        "focal-us": make_user(Role.FOCAL_POINT, "US", name="Frank Miller", email="focal@us.example"),
        "focal-cn": make_user(Role.FOCAL_POINT, "CN", name="Wang Fang", email="focal@cn.example"),
        "instructor": make_user(Role.INSTRUCTOR, "CN", name="Zhou Instructor", email="teacher@cn.example"),
        "coordinator": make_user(Role.COORDINATOR, "CN", name="Chen Jing", email="chen@mps.example",
                                 timezone="Asia/Shanghai"),
        "admin": make_user(Role.ADMIN, None, name="Ada Admin", email="admin@example.org"),
    }


class ApiCaller:
    """Calls the API as a named person (or anonymously), one token per person."""

    def __init__(self, client: FlaskClient, people: dict[str, User], bearer: Callable[[User], dict[str, str]]):
        self.client, self.people, self.bearer = client, people, bearer
        self._headers: dict[str, dict[str, str]] = {}

    def headers(self, who: str | None) -> dict[str, str]:
        if who in (None, "anonymous"):
            return {}
        if who not in self._headers:
            self._headers[who] = self.bearer(self.people[who])
        return self._headers[who]

    def __call__(self, method: str, path: str, who: str | None = None, json: Any = None,
                 **kwargs: Any) -> Any:
        headers = {**self.headers(who), **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)


@pytest.fixture
def call(client: FlaskClient, people: dict[str, User], bearer) -> ApiCaller:
    return ApiCaller(client, people, bearer)


@pytest.fixture
def make_course(session: Session, people: dict[str, User]) -> Callable[..., Course]:
    """A course in Beijing (published, window open, 15 US seats by default); committed."""
    counter = iter(range(1, 100_000))

    def make(publish: bool = True, quotas: dict[str, int] | None = None, **fields: Any) -> Course:
        start = date.today() + timedelta(days=60)
        details = {
            "title": f"Cybercrime investigation {next(counter)}", "host_country": "CN", "city": "Beijing",
            "venue": "People's Public Security University", "timezone": "Asia/Shanghai",
            "starts_on": start, "ends_on": start + timedelta(days=9), "capacity": 20,
            "enrolment_opens_at": utcnow() - timedelta(days=1),
            "enrolment_closes_at": utcnow() + timedelta(days=30),
        } | fields
        coordinator = people["coordinator"]
        course = courses.create_course(session, courses.CourseDetails(**details), actor=coordinator)
        if publish:
            courses.publish_course(session, course, actor=coordinator)
        enrolment.set_quotas(session, course, {"US": 15} if quotas is None else quotas, actor=coordinator)
        session.commit()
        return course

    return make


@pytest.fixture
def teacher(session: Session, people: dict[str, User]) -> Instructor:
    """The instructor's directory entry, linked to their account."""
    person = courses.create_instructor(
        session, courses.InstructorDetails(name="Zhou Instructor", account_email="teacher@cn.example"),
        actor=people["coordinator"])
    session.commit()
    return person
