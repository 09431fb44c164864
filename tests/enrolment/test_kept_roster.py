"""A course's roster is drawn once per scope, language and version and reused: it follows every
change to what it shows at once, and a viewer only ever sees a table drawn for their own scope."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import sign_in
from training.accounts import personal_data
from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.clearance.services import RequirementSpec, set_requirements
from training.enrolment import services
from training.enrolment.models import Enrolment


@pytest.fixture
def reader(app: Flask) -> object:
    """A signed-in client of its own for a person; read(path) answers the page's text."""

    class Reader:
        def __init__(self, user: User) -> None:
            self.client: FlaskClient = app.test_client()
            with app.app_context():
                sign_in(self.client, user)

        def read(self, path: str) -> str:
            response = self.client.get(path)
            assert response.status_code == 200, path
            return response.get_data(as_text=True)

    return Reader


def test_the_roster_follows_every_change_to_its_people_in_each_language(
        session, make_course, make_user, reader):
    course = make_course(quotas={"US": 1, "CN": 2}, capacity=10)
    coordinator = make_user(Role.COORDINATOR, "CN", name="Chen Coordinator")
    focal = make_user(Role.FOCAL_POINT, "US", name="Una Focal")
    english = reader(coordinator)
    chinese = reader(make_user(Role.COORDINATOR, "CN", locale="zh_Hans"))
    page = f"/courses/{course.slug}/roster"

    def both() -> tuple[str, str]:
        return english.read(page), chinese.read(page)

    assert all("Alice Archer" not in html for html in both())  # drawn and kept, empty
    alice = make_user(Role.PERSONNEL, "US", name="Alice Archer", organisation="Cyber Division")
    services.enrol(session, course, alice, actor=alice)
    session.commit()
    for html in both():
        assert "Alice Archer" in html and "Cyber Division" in html
    assert "美国" in both()[1]  # the country in the reader's language

    accounts.update_profile(session, alice, name="Alice Baker", organisation="Field Office", country="US",
                            timezone="Asia/Shanghai", locale=None)
    session.commit()
    for html in both():
        assert "Alice Baker" in html and "Alice Archer" not in html
        assert "Field Office" in html and "Cyber Division" not in html

    bob = make_user(Role.PERSONNEL, "US", name="Bob Brown")
    services.nominate_person(session, course, bob, actor=focal)
    session.commit()
    for html in both():
        assert "Bob Brown" in html and "Una Focal" in html
    assert "status-waitlisted" in both()[0]  # the US seat is Alice's
    accounts.update_profile(session, focal, name="Una Renamed", organisation="", country="US",
                            timezone="Asia/Shanghai", locale=None)
    session.commit()
    for html in both():
        assert "Una Renamed" in html and "Una Focal" not in html

    services.set_quotas(session, course, {"US": 2, "CN": 2}, actor=coordinator)  # Bob promoted
    session.commit()
    for html in both():
        assert "status-waitlisted" not in html and "Bob Brown" in html

    enrolment = session.query(Enrolment).filter_by(user_id=bob.id).one()
    services.reject(session, enrolment, actor=coordinator, reason="Not cleared by the agency")
    session.commit()
    for html in both():
        assert "Not cleared by the agency" in html and "status-rejected" in html

    enrolment = session.query(Enrolment).filter_by(user_id=alice.id).one()
    services.withdraw(session, enrolment, actor=alice)
    session.commit()
    for html in both():
        assert "status-withdrawn" in html and "status-confirmed" not in html

    personal_data.erase_person(session, alice, actor=make_user(Role.ADMIN, None))
    session.commit()
    for html in both():
        assert "Alice Baker" not in html and personal_data.erased_name(alice.id) in html


def test_a_requirement_gives_the_kept_roster_its_clearance_column(session, make_course, make_user, reader):
    course = make_course(quotas={"US": 2}, capacity=10)
    coordinator = make_user(Role.COORDINATOR, "CN")
    person = make_user(Role.PERSONNEL, "US", name="Carol Clear")
    services.enrol(session, course, person, actor=person)
    session.commit()
    english = reader(coordinator)
    page = f"/courses/{course.slug}/roster"
    assert "clearance-progress" not in english.read(page)
    set_requirements(session, course, [RequirementSpec(key="passport", kind="document", title="Passport copy",
                                                       due_days_before_start=10)], actor=coordinator)
    session.commit()
    html = english.read(page)
    assert "clearance-progress" in html and "0 of 1" in html


def test_a_focal_point_or_instructor_never_gets_the_table_drawn_for_a_coordinator(
        session, make_course, make_user, reader, client):
    instructor = make_user(Role.INSTRUCTOR, "CN", name="Ian Instructor")
    course = make_course(quotas={"US": 1, "CN": 1}, capacity=10, sessions=1, instructor=instructor)
    coordinator = make_user(Role.COORDINATOR, "CN")
    us_people = [make_user(Role.PERSONNEL, "US", name=f"Usha US{n}") for n in range(2)]
    cn_person = make_user(Role.PERSONNEL, "CN", name="Chang Mainland", email="chang@example.cn")
    for person in (*us_people, cn_person):
        services.enrol(session, course, person, actor=person)
    session.commit()
    page = f"/courses/{course.slug}/roster"

    as_coordinator = reader(coordinator).read(page)  # the full table, kept first
    assert "Chang Mainland" in as_coordinator and "Usha US1" in as_coordinator
    assert "/reject?" in as_coordinator

    as_focal = reader(make_user(Role.FOCAL_POINT, "US")).read(page)
    assert "Chang Mainland" not in as_focal and "chang@example.cn" not in as_focal
    assert "Usha US0" in as_focal and "Usha US1" in as_focal
    assert "/reject?" not in as_focal and "/approve" not in as_focal and "/withdraw?" in as_focal

    as_instructor = reader(instructor).read(page)
    assert "Usha US1" not in as_instructor  # waitlisted: holds no seat
    assert "Usha US0" in as_instructor and "Chang Mainland" in as_instructor
    assert "/withdraw?" not in as_instructor and "roster-actions" not in as_instructor

    outsider = reader(make_user(Role.PERSONNEL, "US")).client
    refused = outsider.get(page)
    assert refused.status_code == 403 and "Usha US0" not in refused.get_data(as_text=True)
    anonymous = client.get(page)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    again = reader(coordinator).read(page)
    assert "Chang Mainland" in again and "/reject?" in again
