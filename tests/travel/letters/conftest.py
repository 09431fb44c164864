"""Fixtures of the letter tests: a Beijing and a Washington course with letter settings, confirmed
people with complete travel forms, and the passport numbers that must never leak."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories
from training.accounts.models import Role, User
from training.courses import services as courses
from training.courses.models import Course
from training.enrolment import services as enrolment_services
from training.enrolment.models import Enrolment
from training.travel.models import TravelForm

START = date.today() + timedelta(days=60)
SETTINGS = courses.LetterSettings(
    issuer="Ministry of Public Security, International Cooperation Department", issuer_zh="公安部国际合作局",
    letterhead="14 Dongchang'an Street, Beijing 100741", signatory_name="Wang Hong",
    signatory_title="Deputy Director-General", signatory_title_zh="副局长",
    costs="The host covers accommodation, meals and local transport.",
    costs_zh="中方承担住宿、餐饮和市内交通费用。",
)


def passport_number(n: int) -> str:
    return f"X{n:02d}Q{7310 + n}Z"


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.COORDINATOR, "CN", name="Chen Jing")


@pytest.fixture
def beijing(session: Session, coordinator: User) -> Course:
    course = factories.course_rows(
        session, quotas={"US": 20, "CN": 5}, starts_on=START, ends_on=START + timedelta(days=9),
        title="Countering cyber-enabled terrorism", title_zh="打击网络恐怖主义培训班",
        venue="People's Public Security University")
    courses.update_letter_settings(session, course, SETTINGS, actor=coordinator)
    session.commit()
    return course


@pytest.fixture
def washington(session: Session, coordinator: User) -> Course:
    course = factories.course_rows(session, quotas={"CN": 20}, starts_on=START,
                                   ends_on=START + timedelta(days=4),
                                   host_country="US", city="Washington", timezone="America/New_York",
                                   title="Financial investigations")
    courses.update_letter_settings(session, course, SETTINGS, actor=coordinator)
    session.commit()
    return course


@pytest.fixture
def confirmed(session: Session, make_user: Callable[..., User]) -> Callable[..., Enrolment]:
    """confirmed(course, name=..., country=..., complete=True): a confirmed person, their form filled."""
    counter = factories.numbered()

    def make(course: Course, *, name: str | None = None, country: str = "US", complete: bool = True,
             **passport: Any) -> Enrolment:
        n = counter()
        person = make_user(Role.PERSONNEL, country, name=name or f"Officer {n}")
        enrolment = enrolment_services.enrol(session, course, person, actor=person)
        session.commit()
        fill_form(session, enrolment, n=n, complete=complete, **passport)
        session.commit()
        return enrolment

    return make


def fill_form(session: Session, enrolment: Enrolment, *, n: int, complete: bool = True,
              **passport: Any) -> TravelForm:
    """The person's travel form, as they would fill it in; without the passport number unless complete."""
    person = session.get(User, enrolment.user_id)
    assert person is not None
    values: dict[str, Any] = {
        "passport_name": person.name.upper(), "passport_number": passport_number(n) if complete else None,
        "nationality": person.country, "birth_date": date(1980, 1, 1) + timedelta(days=97 * n),
        "passport_issued_on": date(2020, 5, 1), "passport_expires_on": date(2032, 4, 30),
        "passport_issued_at": "Washington, DC", "arrival_on": START - timedelta(days=1),
        "departure_on": START + timedelta(days=10), "arrival_carrier": "UA 889", "arrival_place": "PEK",
        "arrival_time": time(15, 40), "departure_time": time(13, 5), "departure_carrier": "UA 888",
        "departure_place": "PEK", "emergency_name": "Pat Doe", "emergency_phone": "+1 202 555 0100",
    } | passport
    form = TravelForm(enrolment_id=enrolment.id, **values)
    session.add(form)
    session.flush()
    return form
