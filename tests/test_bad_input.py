"""Bad input gets a clear answer at its field, changes nothing, and never answers 500."""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

import training
from tests.conftest import csrf_token
from training.accounts.models import ApiToken, Role, User
from training.accounts.tokens import issue_token
from training.core.forms import CONTROL_CHARACTERS_MESSAGE, Form
from training.core.schemas import MAX_INT
from training.courses import services as courses
from training.courses.models import Course, Instructor
from training.enrolment.models import Enrolment
from training.symposia import services as symposia
from training.symposia.models import Invitation, Symposium

NUL = "\x00"
TOO_BIG_IDS = (MAX_INT + 1, 2**63, 2**64)


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _error_at(html: str, field: str) -> str:
    block = re.search(rf'id="{field}-error">(.*?)</ul>', html, re.S)
    return block.group(1) if block else ""


def _every_form_class() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(training.__path__, "training."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith("training.") and subclass is not Form:
                found.append(subclass)
    return found


@pytest.fixture
def coordinator(make_user) -> User:
    return make_user(role=Role.COORDINATOR, country="CN", email="chen@mps.example")


def _symposium(session, coordinator, **fields) -> Symposium:
    moment = datetime.combine(date.today() + timedelta(days=40), datetime.min.time()).replace(hour=9)
    details = dict(title="Cyber Counter-Terrorism Symposium", city="Beijing", timezone="Asia/Shanghai",
                   starts_at=moment, ends_at=moment + timedelta(hours=8), capacity=20,
                   rsvp_deadline=moment - timedelta(days=5), organiser_name="Chen Jing",
                   organiser_email="organiser@mps.example")
    symposium = symposia.create_symposium(session, symposia.SymposiumFields(**(details | fields)),
                                          actor=coordinator)
    session.commit()
    return symposium


# --- control characters --------------------------------------------------------------


def test_a_nul_byte_in_any_form_is_refused_at_its_field(app):
    forms = _every_form_class()
    assert len(forms) >= 20
    for form_class in forms:
        assert issubclass(form_class, Form), f"{form_class.__qualname__} skips the shared checks"
        with app.test_request_context(method="POST", data={}):
            blank = form_class(meta={"csrf": False})
            data = {name: f"a{NUL}b" for name in blank._fields}
        if not data:  # a button: only the CSRF token, which Flask-WTF checks itself
            continue
        with app.test_request_context(method="POST", data=data):
            form = form_class(meta={"csrf": False})
            for field in form:
                if getattr(field, "choices", ()) is None:
                    field.choices = []
            assert not form.validate()
            # A file's contents are checked where they are read (the invitation import).
            for field in (f for f in form if not isinstance(f, FileField)):
                assert str(CONTROL_CHARACTERS_MESSAGE) in field.errors, (form_class.__qualname__, field.name)


@pytest.mark.parametrize("text", ["Cyber\x00crime", "Cyber\x1bcrime", "Cyber\tcrime", "\x7f"])
def test_control_characters_in_a_course_title_are_refused_and_nothing_is_saved(login, coordinator,
                                                                               session, text):
    client = login(coordinator)
    data = _course_form(client, title=text)
    response = client.post("/courses/new", data=data)
    assert response.status_code == 400
    assert str(CONTROL_CHARACTERS_MESSAGE) in _error_at(response.get_data(as_text=True), "title")
    assert _count(session, Course) == 0


def test_multi_line_text_keeps_tabs_and_line_breaks(login, coordinator, session):
    client = login(coordinator)
    response = client.post("/courses/new", data=_course_form(client, description="Day one:\r\n\tlectures"))
    assert response.status_code == 302
    assert session.scalar(sa.select(Course.description)) == "Day one:\r\n\tlectures"


def test_nul_bytes_in_sign_up_and_sign_in_are_refused(client, session):
    before = _count(session, User)
    data = {"csrf_token": csrf_token(client, "/signup"), "name": f"Li{NUL}Na", "email": "li@cn.example",
            "country": "CN", "timezone": "UTC", "password": "x" * 12 + NUL, "confirm": "x" * 12 + NUL}
    response = client.post("/signup", data=data)
    assert response.status_code in (200, 400)
    assert str(CONTROL_CHARACTERS_MESSAGE) in _error_at(response.get_data(as_text=True), "name")
    login = client.post("/login", data={"csrf_token": csrf_token(client, "/login"),
                                        "email": f"li{NUL}@cn.example", "password": NUL})
    assert login.status_code in (200, 400)
    assert str(CONTROL_CHARACTERS_MESSAGE) in login.get_data(as_text=True)
    assert _count(session, User) == before


@pytest.mark.parametrize("path", ["/?q=%00", "/?q=a%00b&country=%00&month=%00"])
def test_a_nul_byte_in_the_catalogue_search_is_refused_at_the_field(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert str(CONTROL_CHARACTERS_MESSAGE) in _error_at(response.get_data(as_text=True), "q")


@pytest.mark.parametrize("path", ["/courses/a%00b", "/courses/a%00b/week", "/rsvp/a%00b",
                                  "/certificates/a%00b", "/calendar/courses/a%00b.ics",
                                  "/calendar/feeds/a%00b.ics", "/reset/a%00b"])
def test_a_nul_byte_in_an_address_finds_nothing(client, path):
    assert client.get(path).status_code == 404


def test_an_uploaded_invitation_list_with_control_characters_is_refused(login, coordinator, session):
    symposium = _symposium(session, coordinator)
    client = login(coordinator)
    upload = (io.BytesIO(f"Sarah{NUL}Mitchell, sarah@google.example, Google, 2, en\n".encode()), "list.csv")
    token = csrf_token(client, f"/symposia/{symposium.id}")
    response = client.post(f"/symposia/{symposium.id}/invitations/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": upload})
    assert response.status_code == 400
    assert str(CONTROL_CHARACTERS_MESSAGE) in response.get_data(as_text=True)
    assert _count(session, Invitation) == 0


def test_control_characters_in_api_text_are_refused_by_field(app, client, coordinator, session):
    token, _row = issue_token(session, coordinator)
    session.commit()
    body = {"title": f"Cyber{NUL}crime", "description": "Line one\n\tLine two", "host_country": "CN",
            "city": "Bei\u0085jing", "timezone": "Asia/Shanghai", "starts_on": "2031-03-03",
            "ends_on": "2031-03-12", "capacity": 15}
    response = client.post("/api/v1/courses", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert set(errors) == {"title", "city"}
    assert errors["title"] == ["Remove the control characters (such as NUL) from this text."]
    assert _count(session, Course) == 0


# --- ids beyond the database's integers ------------------------------------------------


@pytest.mark.parametrize("number", TOO_BIG_IDS)
def test_an_id_beyond_the_database_range_is_simply_not_found(login, coordinator, make_user, session, number):
    course = courses.create_course(session, courses.CourseDetails(
        title="Cybercrime", host_country="CN", city="Beijing", timezone="Asia/Shanghai",
        starts_on=date(2031, 3, 3), ends_on=date(2031, 3, 12), capacity=15), actor=coordinator)
    courses.publish_course(session, course, actor=coordinator)
    session.commit()
    client = login(coordinator)
    token = csrf_token(client, "/instructors/new")
    assert client.get(f"/instructors/{number}").status_code == 404
    assert client.get(f"/symposia/{number}").status_code == 404
    assert client.post(f"/enrolments/{number}/withdraw", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/courses/{course.slug}/sessions/{number}/cancel",
                       data={"csrf_token": token}).status_code == 404
    assert _count(session, Enrolment) == 0 and _count(session, Instructor) == 0


@pytest.mark.parametrize("number", TOO_BIG_IDS)
@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", "/api/v1/sessions/{}"), ("PATCH", "/api/v1/sessions/{}"),
    ("GET", "/api/v1/courses/{}/enrolments"), ("POST", "/api/v1/courses/{}/enrolments"),
    ("GET", "/api/v1/symposia/{}/invitations"), ("POST", "/api/v1/symposia/{}/invitations"),
    ("GET", "/api/v1/courses/{}"), ("PATCH", "/api/v1/courses/{}"),
    ("GET", "/api/v1/courses/{}/sessions"), ("POST", "/api/v1/courses/{}/sessions"),
])
def test_an_api_id_beyond_the_database_range_answers_the_documented_404(client, coordinator, session,
                                                                         method, path, number):
    token, _row = issue_token(session, coordinator)
    session.commit()
    response = client.open(path.format(number), method=method, json={},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


# --- API bodies ------------------------------------------------------------------------


def test_a_token_request_without_a_body_answers_as_documented(client, session):
    response = client.post("/api/v1/tokens")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    document = client.get("/api/v1/openapi.json").get_json()
    answers = document["paths"]["/api/v1/tokens"]["post"]["responses"]
    assert list(answers["422"]["content"]) == ["application/problem+json"]
    assert _count(session, ApiToken) == 0


def test_deeply_nested_json_is_refused_with_a_problem(client, session):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "The JSON is nested too deeply."
    assert _count(session, ApiToken) == 0


# --- dates and numbers the database holds ----------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("starts_on", "0001-01-01"), ("ends_on", "9999-12-31"), ("enrolment_opens_at", "9999-12-31T23:00"),
    ("enrolment_closes_at", "0001-01-01T00:00"),
])
def test_a_date_outside_the_years_the_app_handles_is_refused_at_its_field(login, coordinator, session,
                                                                           field, value):
    client = login(coordinator)
    response = client.post("/courses/new", data=_course_form(client, **{field: value}))
    assert response.status_code == 400
    assert "Give a date between the years 1970 and 2999." in _error_at(response.get_data(as_text=True), field)
    assert _count(session, Course) == 0


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_catalogue_month_outside_the_years_the_app_handles_is_refused(client, month):
    response = client.get(f"/?month={month}")
    assert response.status_code == 400
    assert "Choose a month such as 2027-03." in _error_at(response.get_data(as_text=True), "month")


def _symposium_form(client, **overrides) -> dict[str, str]:
    day = date.today() + timedelta(days=40)
    return {"csrf_token": csrf_token(client, "/symposia/new"), "title": "Cyber Symposium", "city": "Beijing",
            "venue": "Diaoyutai", "timezone": "Asia/Shanghai", "capacity": "20",
            "starts_at": f"{day}T09:00", "ends_at": f"{day + timedelta(days=1)}T17:00",
            "rsvp_deadline": f"{day - timedelta(days=10)}T18:00",
            "organiser_name": "Chen Jing", "organiser_email": "organiser@mps.example"} | overrides


@pytest.mark.parametrize(("field", "value", "message"), [
    ("capacity", str(2**31), "Give a number between -2147483648 and 2147483647."),
    ("capacity", str(2**63), "Give a number between -2147483648 and 2147483647."),
    ("starts_at", "9999-12-30T09:00", "Give a date between the years 1970 and 2999."),
    ("ends_at", "9999-12-31T17:00", "Give a date between the years 1970 and 2999."),
])
def test_a_symposium_beyond_the_database_range_is_refused_at_its_field(login, coordinator, session,
                                                                       field, value, message):
    client = login(coordinator)
    response = client.post("/symposia/new", data=_symposium_form(client, **{field: value}))
    assert response.status_code == 400
    assert message in _error_at(response.get_data(as_text=True), field)
    assert _count(session, Symposium) == 0


# --- request size ----------------------------------------------------------------------


def test_a_request_larger_than_the_limit_answers_413_as_a_problem_under_the_api(client, session):
    response = client.post("/api/v1/tokens", data=b"{" + b" " * (5 * 1024 * 1024) + b"}",
                           content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "The request is too large."
    assert _count(session, ApiToken) == 0


def test_a_request_larger_than_the_limit_answers_413_as_a_page_elsewhere(client, session):
    before = _count(session, User)
    response = client.post("/signup", data={"name": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert _count(session, User) == before


def test_the_invitation_upload_fits_under_the_limit(app):
    assert app.config["MAX_CONTENT_LENGTH"] >= 2 * 1_000_000


def _course_form(client, **overrides) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, "/courses/new"), "title": "Cybercrime investigation",
            "description": "", "host_country": "CN", "city": "Beijing", "venue": "PPSU",
            "timezone": "Asia/Shanghai", "starts_on": "2031-03-03", "ends_on": "2031-03-12",
            "capacity": "15", "language": "en", "enrolment_opens_at": "",
            "enrolment_closes_at": ""} | overrides


def test_an_address_longer_than_the_account_column_is_refused_at_the_api_field(client, make_user, session):
    admin = make_user(role=Role.ADMIN, country=None)
    token, _row = issue_token(session, admin)
    session.commit()
    before = _count(session, User)
    long_address = f"{'a' * 60}@{'.'.join(['b' * 60] * 4)}.org"  # 311 characters, each part within bounds
    response = client.post("/api/v1/users", headers={"Authorization": f"Bearer {token}"},
                           json={"email": long_address, "name": "Li Na"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert set(response.get_json()["errors"]) == {"email"}
    assert _count(session, User) == before


def test_a_nul_byte_in_a_new_account_through_the_api_is_refused(client, make_user, session):
    admin = make_user(role=Role.ADMIN, country=None)
    token, _row = issue_token(session, admin)
    session.commit()
    before = _count(session, User)
    response = client.post("/api/v1/users", headers={"Authorization": f"Bearer {token}"},
                           json={"email": "li.na@cn.example", "name": f"Li{NUL}Na", "organisation": "\ud800"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert set(response.get_json()["errors"]) == {"name", "organisation"}
    assert _count(session, User) == before
