"""Shared caches keep the public feeds and the cookie-free visitor's catalogue, and nothing else."""

from __future__ import annotations

import pytest
from werkzeug.wrappers import Response

from tests.conftest import csrf_token
from training.core.caching import _public


def _shared(response) -> bool:  # noqa: ANN001
    cache_control = response.headers.get("Cache-Control", "")
    return "public" in cache_control and "private" not in cache_control and "no-store" not in cache_control


def _private(response) -> bool:  # noqa: ANN001
    cache_control = response.headers.get("Cache-Control", "")
    return "private" in cache_control and "public" not in cache_control


def _cookie_free(response) -> bool:  # noqa: ANN001
    return "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_public_feeds_send_no_cookie_and_a_lifetime_for_shared_caches(client, make_course, make_symposium):
    make_course(slug="bj")
    symposium = make_symposium()
    paths = ("/calendar/courses.ics", "/calendar/courses/bj.ics", f"/calendar/symposia/{symposium.slug}.ics")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _shared(response) and "max-age=60" in response.headers["Cache-Control"], path
        assert _cookie_free(response), path
        assert not response.headers["ETag"].startswith("W/"), path
        assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_a_public_feed_is_shared_even_when_a_signed_in_browser_asks(client, login, make_user, make_course):
    make_course(slug="bj")
    login(make_user())
    response = client.get("/calendar/courses/bj.ics")
    assert _shared(response) and _cookie_free(response)


def test_the_catalogue_for_a_visitor_without_cookies_is_shared_and_revalidated_by_browsers(client):
    response = client.get("/")
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert _shared(response) and "s-maxage=60" in cache_control and "max-age=0" in cache_control
    assert _cookie_free(response)
    assert "Accept-Language" in response.headers["Vary"]
    etag = response.headers["ETag"]
    assert not etag.startswith("W/")
    assert 'name="csrf_token"' not in response.get_data(as_text=True)  # no token of anyone's session
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304


def _without_date(response) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(name, value) for name, value in response.headers.items() if name != "Date"]


def test_a_kept_catalogue_is_answered_as_make_conditional_would(client):
    """No condition, or the very ETag sent back: answered with the headers written out; any other
    condition goes through Werkzeug's make_conditional. Both give the same answer."""
    etag = client.get("/").headers["ETag"]
    plain = client.get("/")
    dated = client.get("/", headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
    echoed = client.get("/", headers={"If-None-Match": etag})
    listed = client.get("/", headers={"If-None-Match": f'"elsewhere", {etag}'})
    assert plain.status_code == dated.status_code == 200
    assert plain.data == dated.data and b"</html>" in plain.data
    assert _without_date(plain) == _without_date(dated)
    assert echoed.status_code == listed.status_code == 304
    assert echoed.data == listed.data == b""
    assert _without_date(echoed) == _without_date(listed)
    assert all("Date" in response.headers for response in (plain, dated, echoed, listed))
    assert "Content-Type" not in echoed.headers


def test_a_visitor_switches_language_from_the_shared_catalogue(client):
    response = client.post("/language", data={"locale": "zh_Hans", "next": "/"})
    assert response.status_code == 302 and "locale=zh_Hans" in response.headers["Set-Cookie"]
    assert "即将开班的培训班" in client.get("/").get_data(as_text=True)


def test_a_signed_in_switch_still_needs_the_forms_token(client, login, make_user, session):
    user = make_user(locale="en")
    login(user)
    assert client.post("/language", data={"locale": "zh_Hans", "next": "/"}).status_code == 400
    session.refresh(user)
    assert user.locale == "en"
    token = csrf_token(client, "/")
    switched = client.post("/language", data={"locale": "zh_Hans", "next": "/", "csrf_token": token})
    assert switched.status_code == 302
    session.refresh(user)
    assert user.locale == "zh_Hans"


def test_the_catalogue_of_a_signed_in_reader_stays_private(client, login, make_user):
    login(make_user())
    response = client.get("/")
    assert response.status_code == 200
    assert _private(response)


def test_a_visitor_with_a_session_of_their_own_gets_a_private_catalogue(client):
    client.get("/login")  # a session cookie now holds this visitor's form token
    response = client.get("/")
    assert _private(response)
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_private_feed_and_pages_stay_private(client, make_user, feed_path, login):
    user = make_user()
    feed = client.get(feed_path(user))
    assert _private(feed)
    login(user)
    profile = client.get("/profile")
    assert profile.status_code == 200
    assert _private(profile)


@pytest.mark.parametrize(("cache_control", "public"), [
    ("public, max-age=60", True),
    ("max-age=0, PUBLIC, s-maxage=60", True),
    ("private, no-cache", False),
    ('no-cache="public"', False),
    ('private="Set-Cookie, public"', False),
    ("", False),
])
def test_only_a_public_directive_makes_an_answer_public(cache_control, public):
    response = Response(b"", headers={"Cache-Control": cache_control} if cache_control else {})
    assert _public(response) is public
