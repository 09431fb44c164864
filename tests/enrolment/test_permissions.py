"""Every enrolment route walked as every role: nobody reads or changes another country's people
except coordinators and admins. Run with `pytest -s` to see the matrix."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, sign_in
from training.accounts.models import Role, User
from training.courses.models import CourseSession
from training.enrolment import services
from training.enrolment.models import Attendance, Enrolment, EnrolmentStatus, SeatQuota

ROLES = ("anonymous", "personnel-US", "personnel-CN", "focal-US", "focal-CN", "instructor", "coordinator")


@dataclass
class Route:
    name: str
    method: str
    # Builds (path, form data, effect) afresh for each role, so that one role's change never
    # decides another's outcome; effect() says whether the change happened.
    prepare: Callable[[], tuple[str, dict[str, Any], Callable[[], bool] | None]]
    expected: dict[str, str]


def fresh(session):
    """The test's session with a new transaction, so that it sees what requests committed."""
    session.rollback()
    return session


def _outcome(response, effect: Callable[[], bool] | None) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/login" in location:
        return "login"
    if response.status_code in (403, 404, 405):
        return str(response.status_code)
    assert response.status_code < 500, response.get_data(as_text=True)[:1000]
    if effect is None:
        return "ok" if response.status_code == 200 else str(response.status_code)
    return "ok" if effect() else "refused"


# Each request runs in an application context of its own, as in a server, and the test's
# session starts new transactions to see what they committed.
@pytest.mark.commits
def test_every_enrolment_route_as_every_role(app, session, make_user, make_course, capsys):
    users = {
        "personnel-US": make_user(Role.PERSONNEL, "US"),
        "personnel-CN": make_user(Role.PERSONNEL, "CN"),
        "focal-US": make_user(Role.FOCAL_POINT, "US"),
        "focal-CN": make_user(Role.FOCAL_POINT, "CN"),
        "instructor": make_user(Role.INSTRUCTOR, "CN"),
        "coordinator": make_user(Role.COORDINATOR, "CN"),
    }
    course = make_course(slug="open", quotas={"US": 40}, capacity=50, sessions=1,
                         instructor=users["instructor"])
    approval = make_course(slug="approval", quotas={"US": 40}, capacity=40, requires_approval=True)
    course_session = session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == course.id)).one()
    counter = itertools.count()

    def us_person(enrol_on=None, status=None) -> tuple[User, Enrolment | None]:
        person = make_user(Role.PERSONNEL, "US", name=f"Subject {next(counter)}")
        enrolment = None
        if enrol_on is not None:
            enrolment = services.enrol(session, enrol_on, person, actor=person)
            if status is EnrolmentStatus.COMPLETED:
                enrolment.status, enrolment.certificate_code = status, f"CODE-{enrolment.id}"
            session.commit()
        return person, enrolment

    def status_of(enrolment_id: int) -> EnrolmentStatus:
        return fresh(session).get(Enrolment, enrolment_id).status

    def has_enrolment(course_id: int, user_id: int) -> bool:
        return fresh(session).scalar(sa.select(Enrolment.id).where(Enrolment.course_id == course_id,
                                                            Enrolment.user_id == user_id)) is not None

    countries = iter(["GB", "FR", "DE", "IT", "ES", "NL", "BE", "AT", "CH", "SE"])

    def quota_post():
        country = next(countries)
        return (f"/courses/{course.slug}/seats", {"country": country, "seats": "1"},
                lambda: fresh(session).scalar(sa.select(SeatQuota.id).where(SeatQuota.country == country))
                is not None)

    def roster_get(suffix):
        def prepare():
            person, _enrolment = us_person(enrol_on=course)
            return f"/courses/{course.slug}/{suffix}", {}, None
        return prepare

    def nominate_post():
        person, _ = us_person()
        return (f"/courses/{course.slug}/nominate", {"email": person.email},
                lambda: has_enrolment(course.id, person.id))

    def withdraw_post():
        _, enrolment = us_person(enrol_on=course)
        return (f"/enrolments/{enrolment.id}/withdraw", {"confirm": "yes"},
                lambda: status_of(enrolment.id) is EnrolmentStatus.WITHDRAWN)

    def approve_post():
        _, enrolment = us_person(enrol_on=approval)
        return (f"/enrolments/{enrolment.id}/approve", {},
                lambda: status_of(enrolment.id) is EnrolmentStatus.CONFIRMED)

    def reject_post():
        _, enrolment = us_person(enrol_on=approval)
        return (f"/enrolments/{enrolment.id}/reject", {"reason": "Not eligible.", "confirm": "yes"},
                lambda: status_of(enrolment.id) is EnrolmentStatus.REJECTED)

    def attendance_post():
        _, enrolment = us_person(enrol_on=course)
        session.execute(sa.delete(Attendance))
        session.commit()
        return (f"/courses/{course.slug}/sessions/{course_session.id}/attendance",
                {"present": str(enrolment.id)},
                lambda: fresh(session).scalar(sa.select(sa.func.count()).select_from(Attendance)) > 0)

    def certificate_get():
        _, enrolment = us_person(enrol_on=course, status=EnrolmentStatus.COMPLETED)
        return f"/enrolments/{enrolment.id}/certificate", {}, None

    def verify_get():
        _, enrolment = us_person(enrol_on=course, status=EnrolmentStatus.COMPLETED)
        return f"/certificates/{enrolment.certificate_code}", {}, None

    current_role: list[str] = []

    def enrol_post():
        role = current_role[0]
        user = users.get(role)
        return (f"/courses/{course.slug}/enrol", {},
                (lambda: has_enrolment(course.id, user.id)) if user else (lambda: False))

    def static(path):
        return lambda: (path, {}, None)

    everyone_signed_in = {r: "ok" for r in ROLES[1:]}
    only_coordinator = {r: "403" for r in ROLES[1:]} | {"coordinator": "ok"}
    focal_and_coordinator_read = {
        "personnel-US": "403", "personnel-CN": "403", "focal-US": "ok", "focal-CN": "ok",
        "instructor": "403", "coordinator": "ok",
    }
    routes = [
        Route("GET /seats", "GET", static("/seats"), only_coordinator),
        Route("GET /courses/<slug>/seats", "GET", static(f"/courses/{course.slug}/seats"), only_coordinator),
        Route("POST /courses/<slug>/seats (quota)", "POST", quota_post, only_coordinator),
        Route("GET /courses/<slug>/roster", "GET", roster_get("roster"),
              focal_and_coordinator_read | {"instructor": "ok"}),
        Route("GET /courses/<slug>/roster.csv", "GET", roster_get("roster.csv"),
              focal_and_coordinator_read | {"instructor": "ok"}),
        Route("GET /country/rosters", "GET", static("/country/rosters"), focal_and_coordinator_read),
        Route("POST /courses/<slug>/enrol (self)", "POST", enrol_post, {
            "personnel-US": "ok", "personnel-CN": "refused", "focal-US": "ok", "focal-CN": "refused",
            "instructor": "refused", "coordinator": "refused"}),
        Route("GET /courses/<slug>/nominate", "GET", static(f"/courses/{course.slug}/nominate"),
              focal_and_coordinator_read),
        Route("POST /courses/<slug>/nominate (a US person)", "POST", nominate_post, {
            "personnel-US": "403", "personnel-CN": "403", "focal-US": "ok", "focal-CN": "refused",
            "instructor": "403", "coordinator": "ok"}),
        Route("GET /enrolments/<id>/withdraw (a US person)", "GET", lambda: (withdraw_post()[0], {}, None), {
            "personnel-US": "403", "personnel-CN": "403", "focal-US": "ok", "focal-CN": "403",
            "instructor": "403", "coordinator": "ok"}),
        Route("POST /enrolments/<id>/withdraw (a US person)", "POST", withdraw_post, {
            "personnel-US": "403", "personnel-CN": "403", "focal-US": "ok", "focal-CN": "403",
            "instructor": "403", "coordinator": "ok"}),
        Route("POST /enrolments/<id>/approve", "POST", approve_post, only_coordinator),
        Route("GET /enrolments/<id>/reject", "GET", lambda: (reject_post()[0], {}, None), only_coordinator),
        Route("POST /enrolments/<id>/reject", "POST", reject_post, only_coordinator),
        Route("GET /my/courses", "GET", static("/my/courses"), everyone_signed_in),
        Route("GET /reciprocity", "GET", static("/reciprocity"), everyone_signed_in),
        Route("GET /courses/<slug>/attendance", "GET", static(f"/courses/{course.slug}/attendance"),
              only_coordinator | {"instructor": "ok"}),
        Route("POST /courses/<slug>/sessions/<id>/attendance", "POST", attendance_post,
              only_coordinator | {"instructor": "ok"}),
        Route("GET /enrolments/<id>/certificate (someone else's)", "GET", certificate_get, only_coordinator),
    ]
    for route in routes:
        route.expected = {"anonymous": "login"} | route.expected
    routes.append(Route("GET /certificates/<code> (public)", "GET", verify_get, {r: "ok" for r in ROLES}))

    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            with app.app_context():  # each request in its own context, as in a server
                sign_in(client, users[role])
        clients[role] = client

    matrix: dict[str, dict[str, str]] = {}
    for route in routes:
        row = matrix[route.name] = {}
        for role in ROLES:
            current_role[:] = [role]
            client = clients[role]
            path, data, effect = route.prepare()
            with app.app_context():
                if route.method == "GET":
                    response = client.get(path)
                else:
                    token = csrf_token(client, "/login" if role == "anonymous" else "/my/courses")
                    response = client.post(path, data={**data, "csrf_token": token})
            row[role] = _outcome(response, effect)
            if route.method == "GET" and row[role] == "ok" and "roster" in path and role.startswith("focal"):
                # A focal point's roster shows their own country's people only.
                html = response.get_data(as_text=True)
                shows_us_people = "Subject" in html
                assert shows_us_people is (role == "focal-US"), (route.name, role)
    width = max(len(name) for name in matrix)
    lines = ["".ljust(width) + " | " + " | ".join(ROLES)]
    for name, row in matrix.items():
        lines.append(name.ljust(width) + " | " + " | ".join(row[r].ljust(len(r)) for r in ROLES))
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    mismatches = {
        (route.name, role): (matrix[route.name][role], route.expected[role])
        for route in routes for role in ROLES if matrix[route.name][role] != route.expected[role]
    }
    assert mismatches == {}


def test_instructor_sees_only_the_confirmed_roster_of_a_course_they_teach(
    session, make_user, make_course, login
):
    teacher = make_user(Role.INSTRUCTOR, "CN")
    course = make_course(quotas={"US": 1}, sessions=1, instructor=teacher)
    other = make_course(quotas={"US": 1})
    seated, waiting = make_user(name="Seated Person"), make_user(name="Waiting Person")
    for person in (seated, waiting):
        services.enrol(session, course, person, actor=person)
    session.commit()
    client = login(teacher)
    html = client.get(f"/courses/{course.slug}/roster").get_data(as_text=True)
    assert "Seated Person" in html and "Waiting Person" not in html
    assert client.get(f"/courses/{other.slug}/roster").status_code == 403


def test_focal_point_country_rosters_show_their_own_people_on_every_course(
    app, session, make_user, make_course
):
    course = make_course(quotas={"US": 2, "CN": 2})
    american, chinese = make_user(Role.PERSONNEL, "US", name="Amy American"), make_user(
        Role.PERSONNEL, "CN", name="Zhang Wei")
    for person in (american, chinese):
        services.enrol(session, course, person, actor=person)
    session.commit()
    us_focal, cn_focal = make_user(Role.FOCAL_POINT, "US"), make_user(Role.FOCAL_POINT, "CN")
    with app.app_context():
        client = app.test_client()
        sign_in(client, us_focal)
        html = client.get("/country/rosters").get_data(as_text=True)
    assert "Amy American" in html and "Zhang Wei" not in html
    with app.app_context():
        client = app.test_client()
        sign_in(client, cn_focal)
        csv = client.get(f"/courses/{course.slug}/roster.csv").get_data(as_text=True)
    assert "Zhang Wei" in csv and "Amy American" not in csv


def test_draft_courses_are_invisible_to_all_but_coordinators(session, make_user, make_course, login):
    from training.courses.models import CourseStatus

    draft = make_course(quotas={"US": 2}, status=CourseStatus.DRAFT)
    focal = make_user(Role.FOCAL_POINT, "US")
    client = login(focal)
    assert client.get(f"/courses/{draft.slug}/roster").status_code == 404
    assert client.get(f"/courses/{draft.slug}/nominate").status_code == 404
