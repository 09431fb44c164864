"""Fixtures for the Chinese-language tests: a coordinator, a Beijing course, a Beijing symposium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories
from training.accounts.models import Role, User
from training.courses.models import Course
from training.symposia.models import Symposium


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.COORDINATOR, country="CN", name="Chen Jing", timezone="Asia/Shanghai")


@pytest.fixture
def make_course(session: Session, coordinator: User) -> Callable[..., Course]:
    """A published course in Beijing in March 2031 with seats for US personnel; committed."""
    return factories.course_maker(session, coordinator, title="Countering online fraud",
                                  **factories.BEIJING_COURSE, starts_on=date(2031, 3, 10),
                                  ends_on=date(2031, 3, 12), capacity=15, quotas={"US": 10})


@pytest.fixture
def make_symposium(session: Session, coordinator: User) -> Callable[..., Symposium]:
    """A published symposium in Beijing; committed."""

    def make(**overrides: Any) -> Symposium:
        return factories.symposium(session, coordinator, opening=False, **overrides)

    return make
