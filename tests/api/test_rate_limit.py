"""Rate-limited routes answer 429 past their limit; gunicorn workers share the counts through Redis."""

from __future__ import annotations

import re

import pytest
import redis
import requests

from tests.servers import REDIS_RATE_LIMIT_DB, redis_url, running_server

pytestmark = pytest.mark.commits

REDIS_URL = redis_url(REDIS_RATE_LIMIT_DB)  # flushed by these tests: this worker's own


def test_gunicorn_workers_share_the_token_rate_limit_through_redis(database_url):
    redis.Redis.from_url(REDIS_URL).flushdb()
    with running_server(database_url, workers=2, TRAINING_CONFIG="production",
                        SECRET_KEY="rate-limit-test-secret-of-32-bytes", RATELIMIT_STORAGE_URI=REDIS_URL,
                        BASE_URL="http://training.test") as base:
        statuses = []
        for _ in range(12):
            # A new connection each time, so the requests spread over both workers.
            response = requests.post(f"{base}/api/v1/tokens", timeout=10,
                                     json={"email": "nobody@example.org", "password": "guess"},
                                     headers={"Connection": "close"})
            statuses.append(response.status_code)
            if len(statuses) == 1:
                first = response
        last = response
        unlimited = requests.get(f"{base}/healthz", timeout=10)
    assert statuses[:10] == [401] * 10
    # The limited route reports its limit; a route without one carries no rate-limit headers.
    assert first.headers["X-RateLimit-Limit"] and first.headers["X-RateLimit-Remaining"]
    assert unlimited.status_code == 200 and "X-RateLimit-Limit" not in unlimited.headers
    assert statuses[10:] == [429, 429]
    assert last.headers["Content-Type"] == "application/problem+json"
    assert last.json()["status"] == 429


def _form_session(base: str, path: str) -> tuple[str, str]:
    """The session cookie and CSRF token a browser gets from the form at path."""
    page = requests.get(f"{base}{path}", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return page.cookies["session"], token


def _statuses(count: int, send) -> list[int]:  # noqa: ANN001
    """count answers of send(), all within one of the limits' fixed windows (minute and hour).

    A fixed window in Redis starts at its key's first hit (the key expires a minute or an hour
    later), not at the clock's full minute: a burst of a few seconds on keys no earlier request
    touched (the database is flushed first) is counted whole, whatever the clock says.
    """
    return [send().status_code for _ in range(count)]


def test_every_limited_route_still_answers_429_with_workers_sharing_redis(database_url):
    # Flask-Limiter's global before_request check is taken out; each route's own decorator must
    # still count every request, across both workers, through Redis.
    redis.Redis.from_url(REDIS_URL).flushdb()
    with running_server(database_url, workers=2, TRAINING_CONFIG="production",
                        SECRET_KEY="rate-limit-test-secret-of-32-bytes", RATELIMIT_STORAGE_URI=REDIS_URL,
                        BASE_URL="http://training.test") as base:
        close = {"Connection": "close"}  # a new connection each time: the requests spread over both workers

        def form_post(path: str, fields: dict[str, str]):  # noqa: ANN202
            cookie, token = _form_session(base, path)
            return lambda: requests.post(f"{base}{path}", data={"csrf_token": token, **fields}, timeout=10,
                                         headers={**close, "Cookie": f"session={cookie}"})

        sign_in = _statuses(11, form_post("/login", {"email": "nobody@example.org", "password": "guess"}))
        sign_up = _statuses(6, form_post("/signup", {"email": "newcomer@example.org"}))
        reset = _statuses(6, form_post("/reset", {"email": "forgetful@example.org"}))
        rsvp_page = _statuses(31, lambda: requests.get(f"{base}/rsvp/no-such-invitation", timeout=10,
                                                       headers=close))
        rsvp_api = _statuses(31, lambda: requests.post(f"{base}/api/v1/rsvp/no-such-invitation", timeout=10,
                                                       json={"answer": "accepted"}, headers=close))
        unlimited = _statuses(40, lambda: requests.get(f"{base}/", timeout=10, headers=close))
    assert 429 not in sign_in[:10] and sign_in[10] == 429
    assert 429 not in sign_up[:5] and sign_up[5] == 429
    assert 429 not in reset[:5] and reset[5] == 429
    assert rsvp_page[:30] == [404] * 30 and rsvp_page[30] == 429
    assert 429 not in rsvp_api[:30] and rsvp_api[30] == 429
    assert unlimited == [200] * 40
