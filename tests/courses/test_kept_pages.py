"""The catalogue and course pages are kept per worker and drawn again only when what they show
changed: every kind of change is followed at once, in both languages, for visitors without
cookies (whole pages, one query), visitors with a session and signed-in readers (kept parts),
and no reader ever gets a page, or a part, drawn for another."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask, request_started
from flask.testing import FlaskClient

from tests.conftest import sign_in
from training.accounts.models import Role, User
from training.core import front, kept
from training.core.database import utcnow
from training.core.extensions import db
from training.core.security import csp_nonce
from training.courses import pages
from training.courses import services as courses
from training.enrolment import services as enrolment

LANGUAGES = {"en": "en", "zh_Hans": "zh-Hans"}
VISITOR = "visitor"
# A visitor without cookies whose every request is made twice: the second is answered before
# Flask (training/core/front.py), on data really committed.
VISITOR_IN_FRONT = "visitor, asking twice"
SIGNED_IN = "signed-in"
SIGNED_IN_FRONT = "signed-in, asking twice"
ASKING_TWICE = (VISITOR_IN_FRONT, SIGNED_IN_FRONT)


def _requests_flask_handled(make: Callable[[], object]) -> tuple[int, object]:
    """How many requests Flask itself handled while make() ran, and what make() answered."""
    handled = []

    def note(_sender: Flask, **_extra: object) -> None:
        handled.append(1)

    request_started.connect(note)
    try:
        answered = make()
    finally:
        request_started.disconnect(note)
    return len(handled), answered


def _comparable(html: str) -> str:
    """html without its form tokens, which a signed-in page draws anew on every request."""
    return re.sub(r"<input[^>]*csrf_token[^>]*>", "<token>", html)


class Reader:
    """One kind of reader of the two pages, in one language."""

    def __init__(self, app: Flask, kind: str, locale: str, user: User | None = None) -> None:
        self.app, self.kind, self.locale = app, kind, locale
        self.client: FlaskClient = app.test_client()
        if kind in (SIGNED_IN, SIGNED_IN_FRONT):
            assert user is not None
            with app.app_context():
                sign_in(self.client, user)
        elif kind == "visitor with a session":
            self.client.get("/login")  # the login form's token is kept in the session
            assert self.client.get_cookie("session") is not None

    def get(self, path: str, **headers: str) -> object:
        if self.kind in (VISITOR, VISITOR_IN_FRONT):
            self.client = self.app.test_client()  # every request without cookies
        return self.client.get(path, headers={"Accept-Language": self.locale.replace("_", "-"), **headers})

    def read(self, path: str) -> str:
        if self.kind in ASKING_TWICE:
            db.session.commit()  # what the test wrote, committed: the check in front reads no other
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if self.kind in ASKING_TWICE:
            handled = _requests_flask_handled(lambda: self.get(path))
            assert handled[1].get_data() == response.get_data() and handled[0] == 0, f"{path} not in front"
        html = response.get_data(as_text=True)
        assert f'<html lang="{LANGUAGES[self.locale]}">' in html  # never another language's page
        return html

    def read_as_drawn_now(self, *paths: str) -> list[str]:
        """The pages at paths as they read now, each checked against a page drawn from nothing kept."""
        as_kept = [self.read(path) for path in paths]
        self.app.extensions["fingerprint_caches"].clear()
        self.app.extensions["front_answers"].forget_all()
        for path, page in zip(paths, as_kept, strict=True):
            drawn = self.read(path)
            assert _comparable(page) == _comparable(drawn), f"{self.kind} ({self.locale}): stale {path}"
        return as_kept


@pytest.fixture
def reader(app: Flask, make_user: Callable[..., User]) -> Callable[..., Reader]:
    def make(kind: str, locale: str = "en") -> Reader:
        user = make_user(Role.PERSONNEL, "US", locale=locale, timezone="America/New_York",
                         name="Rita Reader") if kind in (SIGNED_IN, SIGNED_IN_FRONT) else None
        return Reader(app, kind, locale, user)

    return make


def test_a_visitor_without_cookies_gets_a_kept_page_in_one_query(client, make_course, count_queries):
    course = make_course(quotas={"US": 10, "CN": 5})
    for path in ("/", f"/courses/{course.slug}"):
        first = client.get(path)
        assert first.status_code == 200
        with count_queries() as counter:
            again = client.get(path)
        assert counter.count == 1, counter.statements  # the versions of what it shows
        assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
        assert "public" in again.headers["Cache-Control"] and "Set-Cookie" not in again.headers
        assert "Accept-Language" in again.headers["Vary"] and "Cookie" not in again.headers["Vary"]
        with count_queries() as counter:
            unchanged = client.get(path, headers={"If-None-Match": again.headers["ETag"]})
        assert unchanged.status_code == 304 and counter.count == 1
        assert client.get_cookie("session") is None


@pytest.mark.parametrize("locale", list(LANGUAGES))
@pytest.mark.parametrize("kind", [VISITOR, pytest.param(VISITOR_IN_FRONT, marks=pytest.mark.commits),
                                  "visitor with a session", SIGNED_IN,
                                  pytest.param(SIGNED_IN_FRONT, marks=pytest.mark.commits)])
def test_kept_pages_follow_every_change_at_once(session, app, coordinator, make_course, make_instructor,
                                                add_session, make_user, reader, kind, locale):
    course = make_course(title="Dark web investigations", quotas={"US": 2, "CN": 1}, capacity=10)
    lecturer = make_instructor("Wang Lei")
    add_session(course, course.starts_on, "09:00", "10:30", title="Tracing wallets", instructors=[lecturer])
    someone = reader(kind, locale)
    page = f"/courses/{course.slug}"

    def both() -> list[str]:
        return someone.read_as_drawn_now("/", page)

    catalogue, course_page = both()
    assert "Dark web investigations" in catalogue and "Tracing wallets" in course_page
    seats_before = course_page

    # The course's own fields.
    details = courses.CourseDetails(
        title="Darknet markets", host_country="CN", city="Beijing", timezone="Asia/Shanghai",
        starts_on=course.starts_on, ends_on=course.ends_on, capacity=10, venue="Academy hall B")
    courses.update_course(session, course, details, actor=coordinator)
    session.commit()
    catalogue, course_page = both()
    assert "Darknet markets" in catalogue and "Academy hall B" in catalogue
    assert "Darknet markets" in course_page and "Dark web investigations" not in course_page

    # The schedule, and an instructor's name.
    add_session(course, course.starts_on, "11:00", "12:00", title="Seizing servers")
    courses.update_instructor(session, lecturer, courses.InstructorDetails(name="Wang Lihua"),
                              actor=coordinator)
    session.commit()
    course_page = both()[1]
    assert "Seizing servers" in course_page and "Wang Lihua" in course_page and "Wang Lei<" not in course_page

    # Seats taken, then the quotas themselves.
    trainee = make_user(Role.PERSONNEL, "US", name="Tom Trainee")
    enrolment.enrol(session, course, trainee, actor=coordinator, override_window=True)
    session.commit()
    catalogue, course_page = both()
    assert course_page != seats_before and "Tom Trainee" not in course_page
    enrolment.set_quotas(session, course, {"US": 4, "CN": 2}, actor=coordinator)
    session.commit()
    both()

    # A new course in the catalogue; and a cancellation, shown on both pages.
    make_course(title="Crypto tracing lab")
    assert "Crypto tracing lab" in both()[0]
    courses.cancel_course(session, course, actor=coordinator, reason="Venue closed")
    session.commit()
    catalogue, course_page = both()
    assert 'class="is-cancelled"' in catalogue and 'flash flash-error' in course_page


def test_no_reader_gets_a_page_drawn_for_another(app, session, coordinator, make_course, make_user,
                                                 add_session):
    course = make_course(title="Forensics week", quotas={"US": 5}, capacity=10)
    add_session(course, course.starts_on, "09:00", "10:00", title="Imaging disks")
    page = f"/courses/{course.slug}"
    enrolled = make_user(Role.PERSONNEL, "US", name="Erin Enrolled", timezone="America/New_York")
    enrolment.enrol(session, course, enrolled, actor=enrolled, override_window=True)
    session.commit()
    clients = {}
    for name, user in (("coordinator", coordinator), ("enrolled", enrolled),
                       ("colleague", make_user(Role.PERSONNEL, "US", timezone=course.timezone))):
        clients[name] = app.test_client()
        with app.app_context():
            sign_in(clients[name], user)

    def read(client: FlaskClient) -> str:
        response = client.get(page)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    # Each reader in turn, twice round, so that every one of them meets what the others left kept.
    for _round in range(2):
        managing = read(clients["coordinator"])
        assert "Schedule editor" in managing and "manage-actions" in managing
        own = read(clients["enrolled"])
        assert "Your enrolment" in own and "Schedule editor" not in own and "manage-actions" not in own
        assert "Your time (" in own  # New York, beside the course's Beijing time
        colleague = read(clients["colleague"])
        assert "Your enrolment" not in colleague and "Erin Enrolled" not in colleague
        assert "Your time (" not in colleague and "Schedule editor" not in colleague
        visitor = app.test_client().get(page).get_data(as_text=True)
        assert "Sign in to enrol" in visitor and "Your enrolment" not in visitor
        assert "Your time (" not in visitor and "Schedule editor" not in visitor and "Sign out" not in visitor
        assert "Chen Jing" not in visitor and "Erin Enrolled" not in visitor


def test_each_address_of_the_catalogue_is_kept_apart_and_a_bad_filter_is_never_kept(client, make_course,
                                                                                     washington_course):
    beijing = make_course(title="Cybercrime in Beijing")
    assert beijing.title in client.get("/").get_data(as_text=True)
    only_us = client.get("/?country=US").get_data(as_text=True)
    assert washington_course.title in only_us and beijing.title not in only_us
    for _ in range(2):
        refused = client.get("/?month=2031-13")
        assert refused.status_code == 400
        assert "Choose a month such as 2027-03." in refused.get_data(as_text=True)
        assert "public" not in refused.headers["Cache-Control"]
    everything = client.get("/").get_data(as_text=True)
    assert beijing.title in everything and washington_course.title in everything
    assert client.get("/?country=US").get_data(as_text=True) == only_us


def test_the_catalogue_drops_a_course_the_day_it_ends_everywhere_with_nothing_changed(
        client, make_course, monkeypatch):
    course = make_course(title="Short course")
    assert "Short course" in client.get("/").get_data(as_text=True)
    # Twelve hours after its last day has ended in UTC, it has ended everywhere on Earth.
    later = datetime.combine(course.ends_on + timedelta(days=1), datetime.min.time(), UTC) + \
        timedelta(hours=12, minutes=1)
    monkeypatch.setattr(pages, "utcnow", lambda: later)
    assert pages.catalogue_today() == course.ends_on + timedelta(days=1)
    assert "Short course" not in client.get("/").get_data(as_text=True)
    assert date.today() < course.ends_on  # the course itself is unchanged and still upcoming today


def test_nothing_drawn_with_an_answers_csp_nonce_is_kept(app):
    """A <style nonce> is allowed by its own answer's header alone: a page that drew one is never reused."""
    with app.test_request_context("/"):
        values = kept.kept_values("tests.nonce", 4)
        kept.keep(values, "plain", kept.Drawing(), "drawn without a nonce", 1)
        assert values.latest("plain") is not None
        csp_nonce()
        kept.keep(values, "styled", kept.Drawing(), "drawn with a nonce", 1)
        assert values.latest("styled") is None


@pytest.mark.commits
def test_a_signed_in_page_answered_in_front_ends_with_its_session_cookie(app, make_course, make_user,
                                                                       monkeypatch):
    page = f"/courses/{make_course(title='Forensics week', quotas={'US': 5}).slug}"
    client = app.test_client()
    with app.app_context():
        sign_in(client, make_user(Role.PERSONNEL, "US", name="Sam Signed"))
    db.session.commit()
    for _ in range(2):  # drawn and kept; then kept, for the next to be answered in front
        assert client.get(page).status_code == 200
    handled, in_front = _requests_flask_handled(lambda: client.get(page))
    assert handled == 0 and "Sam Signed" in in_front.get_data(as_text=True)

    later = utcnow() + app.permanent_session_lifetime + timedelta(seconds=2)
    monkeypatch.setattr(front, "utcnow", lambda: later)
    handled, _answer = _requests_flask_handled(lambda: client.get(page))
    assert handled == 1
