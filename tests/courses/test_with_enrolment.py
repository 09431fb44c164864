"""Courses and enrolment together: seats in the catalogue, capacity against quotas, who hears of a change."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from training.accounts.models import Role
from training.core.errors import DomainError
from training.courses import services
from training.enrolment import services as enrolment
from training.outbox.models import OutboxMessage


def test_capacity_cannot_drop_below_the_seats_given_out_in_quotas(session, make_course, coordinator):
    course = make_course(capacity=20)
    enrolment.set_quotas(session, course, {"US": 15, "CN": 5}, actor=coordinator)
    session.commit()
    details = services.CourseDetails(
        title=course.title, host_country="CN", city="Beijing", timezone="Asia/Shanghai",
        starts_on=course.starts_on, ends_on=course.ends_on, capacity=18,
    )
    with pytest.raises(DomainError) as refused:
        services.update_course(session, course, details, actor=coordinator)
    assert refused.value.field == "capacity" and "20 seats" in refused.value.message
    session.rollback()
    assert session.get(type(course), course.id).capacity == 20


def test_rescheduling_a_course_tells_the_people_enrolled(session, make_course, coordinator, make_user):
    course = make_course(capacity=15)
    enrolment.set_quotas(session, course, {"US": 15}, actor=coordinator)
    trainee = make_user(email="trainee@example.org", country="US")
    enrolment.enrol(session, course, trainee, actor=coordinator, override_window=True)
    session.commit()
    details = services.CourseDetails(
        title=course.title, host_country="CN", city="Beijing", timezone="Asia/Shanghai",
        starts_on=date(2031, 3, 4), ends_on=date(2031, 3, 13), capacity=15,
    )
    services.update_course(session, course, details, actor=coordinator)
    session.commit()
    subjects = session.scalars(
        sa.select(OutboxMessage.subject).where(OutboxMessage.recipient == "trainee@example.org")).all()
    assert len(subjects) == 2  # confirmed, then the change
    assert course.title in subjects[-1]


def test_catalogue_shows_free_seats_per_country(client, session, make_course, coordinator, make_user):
    course = make_course(capacity=15, title="Cyber course")
    enrolment.set_quotas(session, course, {"US": 2, "CN": 3}, actor=coordinator)
    for n in range(3):
        enrolment.enrol(session, course, make_user(country="US", email=f"us{n}@example.org"),
                        actor=coordinator, override_window=True)
    session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "3 of 3 free" in html  # China
    assert "full" in html and "1 waiting" in html  # United States


def test_catalogue_follows_every_seat_and_course_change(client, session, make_course, coordinator, make_user):
    course = make_course(capacity=15, title="Cyber course")
    enrolment.set_quotas(session, course, {"US": 1, "CN": 3}, actor=coordinator)
    session.commit()
    first = client.get("/").get_data(as_text=True)  # drawn, and kept
    person = make_user(country="US", email="first@example.org")
    enrolment.enrol(session, course, person, actor=coordinator, override_window=True)
    session.commit()
    after_enrolment = client.get("/").get_data(as_text=True)
    enrolment.enrol(session, course, make_user(country="US", email="second@example.org"),
                    actor=coordinator, override_window=True)
    session.commit()
    after_waitlist = client.get("/").get_data(as_text=True)
    details = services.CourseDetails(
        title="Cyber course, second edition", host_country="CN", city="Beijing", timezone="Asia/Shanghai",
        starts_on=course.starts_on, ends_on=course.ends_on, capacity=15,
    )
    services.update_course(session, course, details, actor=coordinator)
    session.commit()
    after_edit = client.get("/").get_data(as_text=True)

    assert "1 of 1 free" in first
    assert "1 of 1 free" not in after_enrolment and "full" in after_enrolment
    assert "1 waiting" in after_waitlist
    assert "Cyber course, second edition" in after_edit


def test_coordinator_sees_the_capacity_refusal_beside_the_field(login, make_user, session, make_course):
    coordinator = make_user(role=Role.COORDINATOR, country="CN")
    course = make_course(capacity=20)
    enrolment.set_quotas(session, course, {"US": 20}, actor=coordinator)
    session.commit()
    client = login(coordinator)
    edit = f"/courses/{course.slug}/edit"
    form = {"csrf_token": csrf_token(client, edit), "title": course.title, "host_country": "CN",
            "city": "Beijing", "venue": "", "timezone": "Asia/Shanghai", "starts_on": "2031-03-03",
            "ends_on": "2031-03-12", "capacity": "10", "language": "en", "description": ""}
    response = client.post(edit, data=form)
    assert response.status_code == 400
    assert "lower the quotas first" in response.get_data(as_text=True)
