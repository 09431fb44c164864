"""What FrontAnswers (core/front.py) keeps and gives again: only the answer a view offered, to the
very same request, while the read it stands on gives the same rows and its time has not come;
within its bounds. The feeds and pages that offer answers are tested with their own
(tests/calendar/test_front_answers.py, tests/courses/test_kept_pages.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask, Response, request

from training.core import front
from training.core.database import utcnow
from training.core.extensions import db
from training.core.front import FrontAnswers, Standing, offer
from training.core.probe import Probe
from training.core.versions import DataVersion

# Committed rows of data_versions: none, in a test whose writes are rolled back.
COUNT = Probe(sa.select(sa.cast(sa.func.count(DataVersion.scope), sa.Integer)))


@pytest.fixture
def tiny(app: Flask) -> tuple[Flask, list[str]]:
    """A small application behind FrontAnswers, its views offering their answers; and the paths its
    views were called for."""
    called: list[str] = []
    engine = db.engine
    holding = Standing(engine, COUNT, {}, ((0,),))
    tiny = Flask("tiny")

    @tiny.route("/page", methods=["GET", "HEAD", "POST"])
    def page() -> Response:
        called.append(request.path)
        offer(holding)
        body = f"page {request.args.get('n', '')}".encode()
        return Response(body.ljust(int(request.args.get("size", 10)), b"."))

    @tiny.route("/with-cookie")
    def with_cookie() -> Response:
        called.append(request.path)
        offer(holding)
        response = Response("hello")
        response.set_cookie("seen", "1")
        return response

    @tiny.route("/missing")
    def missing() -> tuple[str, int]:
        called.append(request.path)
        offer(holding)
        return "not here", 404

    @tiny.route("/moved-on")
    def moved_on() -> str:
        called.append(request.path)
        offer(Standing(engine, COUNT, {}, ((1,),)))  # not what the read gives
        return "stale"

    @tiny.route("/until")
    def until() -> str:
        called.append(request.path)
        offer(Standing(engine, COUNT, {}, ((0,),), until=utcnow() + timedelta(hours=1)))
        return "for an hour"

    @tiny.route("/plain")
    def plain() -> str:
        called.append(request.path)
        return "not offered"

    tiny.wsgi_app = FrontAnswers(tiny.wsgi_app, size=2, max_bytes=1000)  # type: ignore[method-assign]
    return tiny, called


def test_the_same_request_is_answered_again_in_front_and_any_other_reaches_the_view(tiny):
    app, called = tiny
    client = app.test_client()
    first = client.get("/page?n=1")
    again = client.get("/page?n=1")
    assert again.get_data() == first.get_data() == b"page 1...."
    assert called == ["/page"]

    client.get("/page?n=2")
    client.get("/page?n=1", headers={"Accept-Language": "zh"})
    client.head("/page?n=1")
    assert called == ["/page"] * 4


@pytest.mark.parametrize("path", ["/with-cookie", "/missing", "/moved-on", "/plain"])
def test_an_answer_not_offered_with_a_cookie_an_error_or_standing_no_more_is_never_given_again(tiny, path):
    app, called = tiny
    client = app.test_client(use_cookies=False)
    for _ in range(3):
        client.get(path)
    assert called == [path] * 3


def test_a_post_or_a_request_with_a_body_reaches_the_view(tiny):
    app, called = tiny
    client = app.test_client()
    for _ in range(2):
        client.post("/page")
        client.open("/page", method="GET", data=b"a body")
    assert called == ["/page"] * 4


def test_an_answer_is_given_again_only_until_its_time(tiny, monkeypatch):
    app, called = tiny
    client = app.test_client()
    client.get("/until")
    client.get("/until")
    assert called == ["/until"]
    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(front, "utcnow", lambda: later)
    client.get("/until")
    assert called == ["/until"] * 2


def test_the_answers_kept_stay_within_their_number_and_bytes(tiny):
    app, called = tiny
    client = app.test_client()
    for n in (1, 2, 3):
        client.get(f"/page?n={n}")
    assert len(app.wsgi_app) == 2
    client.get("/page?n=1")  # the least recently used was given up
    assert called == ["/page"] * 4

    client.get("/page?n=big&size=101")  # more than a tenth of the bytes: not kept
    client.get("/page?n=big&size=101")
    assert called == ["/page"] * 6

    app.wsgi_app = FrontAnswers(app.wsgi_app.app, size=20, max_bytes=300)
    for n in range(15):
        client.get(f"/page?n={n}&size=30")
    assert len(app.wsgi_app) == 10 and app.wsgi_app.kept_bytes == 300
    client.get("/page?n=14&size=30")  # the last kept is still there
    assert called == ["/page"] * 21
