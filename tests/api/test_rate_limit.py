"""Token requests are rate-limited, and with Redis several gunicorn workers share one count."""

from __future__ import annotations

import pytest
import redis
import requests

from tests.servers import running_server

pytestmark = pytest.mark.commits

REDIS_URL = "redis://127.0.0.1:6379/7"


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
        last = response
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    assert last.headers["Content-Type"] == "application/problem+json"
    assert last.json()["status"] == 429
