"""The session cookie: verified once by its exact text, its age checked at every request."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import TimestampSigner

from training.core.caching import SharedCacheSessionInterface


class _SignedAnHourAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - 3600


def _cookie(app, data: dict, *, an_hour_ago: bool = False) -> str:  # noqa: ANN001
    serializer = SharedCacheSessionInterface().get_signing_serializer(app)
    if an_hour_ago:
        serializer.signer = _SignedAnHourAgo
    return serializer.dumps(data)


def _opened(app, cookie: str):  # noqa: ANN001, ANN202
    request = app.request_class({"HTTP_COOKIE": f"session={cookie}", "REQUEST_METHOD": "GET"})
    return app.session_interface.open_session(app, request)


def _session_of(app, cookie: str) -> dict:  # noqa: ANN001
    return dict(_opened(app, cookie))


def test_a_cookie_seen_again_is_known_and_its_age_still_checked(app):
    cookie = _cookie(app, {"csrf_token": "abc", "_fresh": False}, an_hour_ago=True)
    app.permanent_session_lifetime = timedelta(hours=2)
    assert _session_of(app, cookie) == {"csrf_token": "abc", "_fresh": False}
    assert _session_of(app, cookie) == {"csrf_token": "abc", "_fresh": False}  # known now
    app.permanent_session_lifetime = timedelta(minutes=30)
    assert _session_of(app, cookie) == {}  # older than the lifetime: refused, known or not


def test_a_changed_byte_or_another_key_is_refused_after_the_cookie_was_known(app):
    cookie = _cookie(app, {"csrf_token": "abc"})
    assert _session_of(app, cookie) == {"csrf_token": "abc"}
    forged = cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]
    assert _session_of(app, forged) == {}
    app.secret_key = "another-secret-key-of-thirty-two-bytes"
    assert _session_of(app, cookie) == {}  # signed with a key no longer in use


def test_a_session_holding_a_list_is_read_anew_each_time_and_never_shared(app):
    cookie = _cookie(app, {"_flashes": [["message", "Enrolled."]]})
    first = _opened(app, cookie)
    first["_flashes"].append(["message", "Changed in place by its request"])
    assert _session_of(app, cookie) == {"_flashes": [["message", "Enrolled."]]}
