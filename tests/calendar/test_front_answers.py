"""Feed polls answered again before Flask (core/front.py): the very answer Flask gave, while the
data it stands on hold, and never once they moved, the token died or the connection failed."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask, request, request_started

from tests.calendar.test_personal import EVERY_TOKEN_DEATH
from training.accounts.models import User
from training.core.extensions import db
from training.core.probe import probe_ran, probes_engine
from training.courses.models import Course, CourseSession, CourseStatus

pytestmark = pytest.mark.commits


@pytest.fixture
def through_flask(app: Flask) -> Iterator[list[str]]:
    """The paths of the requests Flask itself handled (a request answered in front sends nothing)."""
    handled: list[str] = []

    def note(_sender: Flask, **_extra: object) -> None:
        handled.append(request.path)

    request_started.connect(note, app)
    yield handled
    request_started.disconnect(note, app)


def _without_date(headers: object) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers if name != "Date"]  # type: ignore[attr-defined]


@pytest.fixture
def polled(client, session, make_course, make_session):
    course = make_course(slug="polled")
    lecture_id = make_session(course, title="Evidence handling").id
    session.commit()
    db.session.remove()
    first = client.get("/calendar/courses/polled.ics", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    return lecture_id, {"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}


def test_the_same_poll_is_answered_before_flask_with_flasks_own_answer(client, polled, through_flask):
    _, unchanged = polled
    by_flask = client.get("/calendar/courses/polled.ics", headers=unchanged)
    in_front = client.get("/calendar/courses/polled.ics", headers=unchanged)

    assert through_flask == ["/calendar/courses/polled.ics"]
    assert by_flask.status_code == in_front.status_code == 304
    assert _without_date(in_front.headers) == _without_date(by_flask.headers)
    assert "Date" in in_front.headers
    assert in_front.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_committed_change_sends_the_next_poll_to_flask(client, session, polled, through_flask):
    lecture_id, unchanged = polled
    assert client.get("/calendar/courses/polled.ics", headers=unchanged).status_code == 304
    assert client.get("/calendar/courses/polled.ics", headers=unchanged).status_code == 304
    session.get(CourseSession, lecture_id).title = "Digital evidence"
    session.commit()
    db.session.remove()

    changed = client.get("/calendar/courses/polled.ics", headers=unchanged)

    assert changed.status_code == 200
    assert changed.headers["ETag"] != unchanged["If-None-Match"]
    assert "Digital evidence" in changed.get_data(as_text=True)
    assert through_flask == ["/calendar/courses/polled.ics"] * 2


def test_a_request_that_differs_in_any_header_goes_to_flask(client, polled, through_flask):
    _, unchanged = polled
    for _ in range(2):
        client.get("/calendar/courses/polled.ics", headers=unchanged)
    other = client.get("/calendar/courses/polled.ics",
                       headers={**unchanged, "User-Agent": "Another calendar"})

    assert other.status_code == 304
    assert through_flask == ["/calendar/courses/polled.ics"] * 2


def test_a_course_turned_draft_is_not_found_at_the_next_poll(client, session, polled):
    lecture_id, unchanged = polled
    for _ in range(2):
        client.get("/calendar/courses/polled.ics", headers=unchanged)
    session.get(Course, session.get(CourseSession, lecture_id).course_id).status = CourseStatus.DRAFT
    session.commit()
    db.session.remove()

    assert client.get("/calendar/courses/polled.ics", headers=unchanged).status_code == 404


def test_the_public_courses_feed_is_answered_in_front_until_a_course_is_added(client, session, make_course,
                                                                             through_flask):
    make_course(title="Evidence week")
    session.commit()
    db.session.remove()
    first, again = (client.get("/calendar/courses.ics") for _ in range(2))
    assert again.get_data() == first.get_data() and through_flask == ["/calendar/courses.ics"]

    make_course(title="Late addition")
    session.commit()
    db.session.remove()

    assert "Late addition" in client.get("/calendar/courses.ics").get_data(as_text=True)
    assert through_flask == ["/calendar/courses.ics"] * 2


@pytest.mark.postgresql_only
def test_a_poll_answered_in_front_is_one_statement_without_a_ping(client, polled, through_flask, monkeypatch):
    """On PostgreSQL the check is the probe's statement on a connection of the probes' own pool,
    which does not ping: one round trip, where the engine's pool would have added a second."""
    _, unchanged = polled
    client.get("/calendar/courses/polled.ics", headers=unchanged)  # by Flask, kept
    db.session.remove()
    engines = {"engine's": db.engine, "probes'": probes_engine(db.engine)}
    assert engines["probes'"] is not db.engine
    pings: list[str] = []
    checkouts: list[str] = []
    statements: list[str] = []
    listeners = {}
    for name, engine in engines.items():
        monkeypatch.setattr(engine.dialect, "do_ping",
                            lambda _connection, name=name: pings.append(name) or True)
        listeners[name] = lambda *_args, name=name: checkouts.append(name)
        sa.event.listen(engine, "checkout", listeners[name])

    def note(_probe: object, statement: str) -> None:
        statements.append(statement)

    probe_ran.connect(note)
    try:
        answers = [client.get("/calendar/courses/polled.ics", headers=unchanged) for _ in range(3)]
    finally:
        probe_ran.disconnect(note)
        for name, engine in engines.items():
            sa.event.remove(engine, "checkout", listeners[name])

    assert [answer.status_code for answer in answers] == [304] * 3
    assert through_flask == ["/calendar/courses/polled.ics"]
    assert pings == []
    assert checkouts == ["probes'"] * 3
    assert len(statements) == 3


@pytest.mark.postgresql_only
def test_a_connection_cut_before_the_check_still_gets_the_right_answer(client, session, polled, database_url):
    lecture_id, unchanged = polled
    for _ in range(2):
        client.get("/calendar/courses/polled.ics", headers=unchanged)
    db.session.remove()  # as at the end of each request in production: here the test shares its session
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        assert client.get("/calendar/courses/polled.ics", headers=unchanged).status_code == 304
        db.session.remove()  # the test's session shares the requests' connection: a new one, pinged
        session.get(CourseSession, lecture_id).title = "Digital evidence"
        session.commit()
        db.session.remove()
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        changed = client.get("/calendar/courses/polled.ics", headers=unchanged)

    assert changed.status_code == 200
    assert "Digital evidence" in changed.get_data(as_text=True)


@EVERY_TOKEN_DEATH
def test_a_dead_personal_feed_token_is_never_answered_in_front(change, client, session, subscriber,
                                                                through_flask):
    person, path = subscriber
    person_id = person.id
    session.commit()
    db.session.remove()
    for _ in range(4):  # looked up and built; served from what the worker keeps; then twice in front
        assert client.get(path).status_code == 200
    assert len(through_flask) == 2

    change(session, session.get(User, person_id))
    session.commit()
    db.session.remove()

    assert client.get(path).status_code == 404
    assert len(through_flask) == 3
