"""A signed-in reader's catalogue and course pages are kept whole for their session and answered
after one read of the versions, without loading their account: they follow every change to
what they show, to the account and, on a course page, to the clock at once, die with the
session, and no other session ever gets them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import current_user

from tests.conftest import csrf_token, sign_in
from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.core import kept
from training.core.database import utcnow
from training.core.kept import ReaderPage
from training.courses import pages
from training.courses import services as courses
from training.enrolment import services as enrolment
from training.enrolment.services import panel


def _comparable(html: str) -> str:
    """html without its form tokens: a page drawn now signs them anew, with the time."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "<token>", html)


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]*)"', html))


def _drawn_now(app: Flask, client: FlaskClient, path: str = "/", **headers: str) -> str:
    """The page at path drawn from nothing kept (and kept again)."""
    app.extensions["fingerprint_caches"].clear()
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def rita(make_user: Callable[..., User]) -> User:
    return make_user(Role.PERSONNEL, "US", name="Rita Reader", timezone="America/New_York")


@pytest.fixture
def reader(app: Flask, rita: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, rita)
    return client


def test_a_signed_in_readers_catalogue_is_answered_in_one_query_as_it_would_be_drawn(
        app, reader, make_course, count_queries):
    make_course(title="Dark web investigations", quotas={"US": 2, "CN": 1})
    first = reader.get("/")
    assert first.status_code == 200 and "Rita Reader" in first.get_data(as_text=True)
    with count_queries() as counter:
        again = reader.get("/")
    assert counter.count == 1, counter.statements  # the versions of the courses and the account
    assert again.get_data() == first.get_data()
    drawn = app.test_client()
    drawn.set_cookie("session", reader.get_cookie("session").value)
    app.extensions["fingerprint_caches"].clear()
    fresh = drawn.get("/")
    assert _comparable(fresh.get_data(as_text=True)) == _comparable(again.get_data(as_text=True))
    for header in ("Content-Type", "Cache-Control", "Vary", "Content-Security-Policy", "Set-Cookie"):
        assert again.headers.get(header) == fresh.headers.get(header), header
    assert "Set-Cookie" not in again.headers and "private" in again.headers["Cache-Control"]


def test_its_form_tokens_are_its_sessions_own(app, reader, make_user):
    page = reader.get("/").get_data(as_text=True)
    kept = reader.get("/").get_data(as_text=True)
    assert kept == page
    (token,) = _tokens(kept)  # sign-out and the language switch
    switched = reader.post("/language", data={"csrf_token": token, "locale": "zh_Hans", "next": "/"})
    assert switched.status_code == 302
    assert '<html lang="zh-Hans">' in reader.get("/").get_data(as_text=True)
    assert reader.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "Rita Reader" not in reader.get("/").get_data(as_text=True)


@pytest.mark.parametrize("change", ["name", "role", "country", "language", "deactivated"])
def test_every_change_to_the_account_is_shown_at_once(app, session, reader, rita, change, make_user):
    admin = make_user(Role.ADMIN, "US")
    assert "Rita Reader" in reader.get("/").get_data(as_text=True)
    assert "Rita Reader" in reader.get("/").get_data(as_text=True)  # kept
    if change == "name":
        accounts.update_profile(session, rita, name="Rita Renamed", organisation="", country="US",
                                timezone="America/New_York", locale=None)
    elif change == "role":
        accounts.change_role(session, rita, role=Role.FOCAL_POINT, country="US", actor=admin)
    elif change == "country":
        accounts.update_profile(session, rita, name="Rita Reader", organisation="", country="CN",
                                timezone="America/New_York", locale=None)
    elif change == "language":
        accounts.update_profile(session, rita, name="Rita Reader", organisation="", country="US",
                                timezone="America/New_York", locale="zh_Hans")
    else:
        rita.active = False
    session.commit()
    page = reader.get("/").get_data(as_text=True)
    assert _comparable(page) == _comparable(_drawn_now(app, reader))
    expected = {"name": "Rita Renamed", "role": "(focal point)", "country": "China",
                "language": '<html lang="zh-Hans">', "deactivated": "Sign in"}[change]
    assert expected in page


@pytest.mark.parametrize("ending", ["sign-out everywhere", "new password", "sign-out elsewhere"])
def test_a_dead_session_never_gets_its_kept_page(app, session, reader, rita, ending):
    stolen = app.test_client()
    stolen.set_cookie("session", reader.get_cookie("session").value)
    assert "Rita Reader" in stolen.get("/").get_data(as_text=True)
    assert "Rita Reader" in stolen.get("/").get_data(as_text=True)  # kept for that session
    if ending == "sign-out everywhere":
        accounts.sign_out_everywhere(session, rita)
        session.commit()
    elif ending == "new password":
        accounts.set_password(rita, "a quite different passphrase 77")
        session.commit()
    else:
        reader.post("/logout", data={"csrf_token": csrf_token(reader, "/")})
    page = stolen.get("/").get_data(as_text=True)
    assert "Rita Reader" not in page and "Sign in" in page


def test_no_session_gets_another_sessions_page(app, make_user, rita):
    other = make_user(Role.PERSONNEL, "CN", name="Oscar Other")
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    sign_in(first, rita)
    sign_in(second, rita)  # the same person in another browser: another form token
    sign_in(third, other)
    for _round in range(2):
        pages_read = [client.get("/").get_data(as_text=True) for client in (first, second, third)]
        assert "Rita Reader" in pages_read[0] and "Rita Reader" in pages_read[1]
        assert "Oscar Other" in pages_read[2] and "Rita Reader" not in pages_read[2]
        token_sets = [_tokens(page) for page in pages_read]
        assert all(len(tokens) == 1 for tokens in token_sets)
        assert token_sets[0] != token_sets[1]
    # Each form token works for its own session alone.
    (token_of_first,) = token_sets[0]
    assert second.post("/logout", data={"csrf_token": token_of_first}).status_code == 400
    assert first.post("/logout", data={"csrf_token": token_of_first}).status_code == 302


def test_the_page_follows_the_browsers_language_and_the_language_cookie(app, reader):
    english = reader.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    chinese = reader.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in english and '<html lang="zh-Hans">' in chinese
    assert '<html lang="en">' in reader.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    reader.set_cookie("locale", "zh_Hans")
    chosen = reader.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in chosen


def test_a_message_waiting_is_shown_once_and_never_kept(app, session, reader, make_course):
    course = make_course(title="Dark web investigations", quotas={"US": 2})
    reader.get("/")
    reader.get("/")  # kept
    token = csrf_token(reader, f"/courses/{course.slug}")
    assert reader.post(f"/courses/{course.slug}/enrol", data={"csrf_token": token}).status_code == 302
    with_message = reader.get("/").get_data(as_text=True)
    assert 'class="flashes"' in with_message
    after = reader.get("/").get_data(as_text=True)
    assert 'class="flashes"' not in after
    assert _comparable(after) == _comparable(_drawn_now(app, reader))


def test_every_change_to_the_catalogue_is_shown_at_once(app, session, reader, coordinator, make_course):
    course = make_course(title="Dark web investigations", quotas={"US": 2})
    assert "Dark web investigations" in reader.get("/").get_data(as_text=True)
    reader.get("/")
    details = courses.CourseDetails(
        title="Darknet markets", host_country="CN", city="Beijing", timezone="Asia/Shanghai",
        starts_on=course.starts_on, ends_on=course.ends_on, capacity=10, venue="Academy hall B")
    courses.update_course(session, course, details, actor=coordinator)
    session.commit()
    page = reader.get("/").get_data(as_text=True)
    assert "Darknet markets" in page and "Dark web investigations" not in page
    assert _comparable(page) == _comparable(_drawn_now(app, reader))


def test_nothing_is_kept_when_the_account_was_read_before_its_version(app, reader):
    """The version read after the account could be one a sign-out everywhere raised in between."""
    cookie = reader.get_cookie("session").value
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        app.preprocess_request()
        assert current_user.is_authenticated  # the account is loaded first
        page = ReaderPage.of(pages.READER_PAGES, 8, "catalogue")
        assert page is not None and page.kept() is None
        page.keep(page.drawing, "<p>drawn</p>")
        assert len(page.pages) == 0
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        app.preprocess_request()
        page = ReaderPage.of(pages.READER_PAGES, 8, "catalogue")
        assert page is not None and page.kept() is None
        assert current_user.is_authenticated
        page.keep(page.drawing, "<p>drawn</p>")
        assert len(page.pages) == 1


# --- course pages ---------------------------------------------------------------------------


def test_a_signed_in_readers_course_page_is_answered_in_one_query_and_follows_enrolment(
        app, session, reader, rita, make_course, make_user, count_queries):
    course = make_course(title="Dark web investigations", quotas={"US": 1, "CN": 1})
    path = f"/courses/{course.slug}"
    first = reader.get(path).get_data(as_text=True)
    assert ">Enrol<" in first
    with count_queries() as counter:
        again = reader.get(path).get_data(as_text=True)
    assert counter.count == 1, counter.statements
    assert again == first
    # Someone else takes the last US seat: the reader would now queue.
    other = make_user(Role.PERSONNEL, "US")
    enrolment.enrol(session, course, other, actor=other)
    session.commit()
    page = reader.get(path).get_data(as_text=True)
    assert "Join the waitlist" in page
    assert _comparable(page) == _comparable(_drawn_now(app, reader, path))


def test_a_course_page_follows_the_clock(app, session, reader, make_course, monkeypatch):
    closes = utcnow() + timedelta(days=3)
    course = make_course(title="Dark web investigations", quotas={"US": 2},
                         enrolment_closes_at=closes)
    path = f"/courses/{course.slug}"
    assert ">Enrol<" in reader.get(path).get_data(as_text=True)
    assert ">Enrol<" in reader.get(path).get_data(as_text=True)  # kept until the window closes
    later = closes + timedelta(seconds=1)
    monkeypatch.setattr(kept, "utcnow", lambda: later)
    monkeypatch.setattr(panel, "utcnow", lambda: later)
    page = reader.get(path).get_data(as_text=True)
    assert "Enrolment closed on" in page and ">Enrol<" not in page


def test_a_dead_session_never_gets_its_kept_course_page(app, session, reader, rita, make_course):
    course = make_course(quotas={"US": 2})
    path = f"/courses/{course.slug}"
    reader.get(path)
    assert "Rita Reader" in reader.get(path).get_data(as_text=True)
    accounts.sign_out_everywhere(session, rita)
    session.commit()
    page = reader.get(path).get_data(as_text=True)
    assert "Rita Reader" not in page and "Sign in to enrol" in page


def test_a_coordinators_course_page_is_drawn_every_time(app, coordinator, make_course, count_queries):
    course = make_course(quotas={"US": 2})
    client = app.test_client()
    sign_in(client, coordinator)
    path = f"/courses/{course.slug}"
    client.get(path)
    with count_queries() as counter:
        page = client.get(path).get_data(as_text=True)
    assert counter.count > 1, counter.statements
    assert '<div class="card manage-actions">' in page
