"""API fixtures: bearer tokens, one person per role, and a client that calls the API as them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from tests import factories
from tests.conftest import PASSWORD
from training.accounts.models import Role, User
from training.accounts.tokens import issue_token
from training.core.database import utcnow
from training.courses.models import Course, Instructor

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


@cache
def _password_hash() -> str:
    # scrypt is slow on purpose; seven accounts per test need not pay for it seven times.
    return generate_password_hash(PASSWORD)


@pytest.fixture
def people(make_user: Callable[..., User], session: Session) -> dict[str, User]:
    """One account per role the permission rules tell apart (password: tests.conftest.PASSWORD)."""
    accounts = {
        "personnel-us": (Role.PERSONNEL, "US", "Alice Walker", "alice@us.example"),
        "personnel-cn": (Role.PERSONNEL, "CN", "Li Na", "li.na@cn.example"),
        "focal-us": (Role.FOCAL_POINT, "US", "Frank Miller", "focal@us.example"),
        "focal-cn": (Role.FOCAL_POINT, "CN", "Wang Fang", "focal@cn.example"),
        "instructor": (Role.INSTRUCTOR, "CN", "Zhou Instructor", "teacher@cn.example"),
        "coordinator": (Role.COORDINATOR, "CN", "Chen Jing", "chen@mps.example"),
        "admin": (Role.ADMIN, None, "Ada Admin", "admin@example.org"),
    }
    made = {key: make_user(role, country, password=None, name=name, email=email,
                           timezone="Asia/Shanghai" if country == "CN" else "UTC")
            for key, (role, country, name, email) in accounts.items()}
    for user in made.values():
        user.password_hash = _password_hash()
    session.commit()
    return made


class ApiCaller:
    """Calls the API as a named person (or anonymously), one token per person."""

    def __init__(self, client: FlaskClient, people: dict[str, User],
                 bearer: Callable[[User], dict[str, str]]) -> None:
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
    start = date.today() + timedelta(days=60)
    return factories.course_maker(
        session, people["coordinator"], title="Cybercrime investigation {n}", **factories.BEIJING_COURSE,
        starts_on=start, ends_on=start + timedelta(days=9), capacity=20, quotas={"US": 15},
        enrolment_opens_at=utcnow() - timedelta(days=1), enrolment_closes_at=utcnow() + timedelta(days=30),
    )


@pytest.fixture
def teacher(session: Session, people: dict[str, User]) -> Instructor:
    """The instructor's directory entry, linked to their account."""
    return factories.instructor(session, people["coordinator"], "Zhou Instructor",
                                account_email="teacher@cn.example")
