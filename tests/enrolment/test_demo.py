"""The enrolment demo data: seats on the Beijing and US courses and a mixed course, loaded twice."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.enrolment.conftest import build_course, statuses
from training.courses.models import Course
from training.demo import accounts, enrolment
from training.enrolment import services


def test_demo_seats_waitlists_and_mixed_course_load_once(session):
    today = date.today()
    accounts.load(session, today)
    beijing = build_course(session, slug="beijing-cybercrime", city="Beijing", capacity=15)
    us_course = build_course(session, slug="quantico-course", host_country="US", city="Quantico",
                             timezone="America/New_York", capacity=15)
    for _ in range(2):
        enrolment.load(session, today)
        session.commit()
    assert {q.country: q.seats for q in services.quotas_of(session, beijing)} == {"US": 15}
    assert statuses(session, beijing) == {"confirmed": 15, "waitlisted": 3}
    assert {q.country: q.seats for q in services.quotas_of(session, us_course)} == {"CN": 15}
    mixed = session.scalar(sa.select(Course).where(Course.slug == enrolment.MIXED_SLUG))
    assert {q.country for q in services.quotas_of(session, mixed)} == {"US", "CN"}
    assert mixed.seat_release_at is not None
    assert statuses(session, mixed) == {"confirmed": 11, "waitlisted": 2, "pending": 2}


def test_demo_skips_courses_that_do_not_exist(session):
    accounts.load(session, date.today())
    enrolment.load(session, date.today())
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(Course)) == 1
