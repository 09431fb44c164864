"""A server survives its database connections being cut, as when PostgreSQL restarts."""

from __future__ import annotations

import psycopg
import pytest
import requests

from tests.servers import REDIS_RATE_LIMIT_DB, redis_url, running_server
from training.core.extensions import db

pytestmark = [pytest.mark.commits, pytest.mark.postgresql_only]


def test_the_next_request_after_postgresql_cut_every_pooled_connection_answers(database_url):
    with running_server(database_url, workers=2, TRAINING_CONFIG="production",
                        SECRET_KEY="restart-test-secret-of-32-bytes!!",
                        RATELIMIT_STORAGE_URI=redis_url(REDIS_RATE_LIMIT_DB),
                        BASE_URL="http://training.test") as base:
        for _ in range(8):  # every worker has a connection in its pool
            assert requests.get(f"{base}/", headers={"Connection": "close"}, timeout=10).status_code == 200
        dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as admin:
            cut = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
        assert cut >= 1
        statuses = [requests.get(f"{base}{path}", headers={"Connection": "close"}, timeout=10).status_code
                    for path in ("/", "/healthz", "/", "/healthz")]
    assert statuses == [200, 200, 200, 200]


def test_the_pools_ping_finds_cut_connections_and_the_checkout_connects_anew(app, database_url):
    with db.engine.connect() as connection:
        before = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    with db.engine.connect() as connection:  # every connection the pool kept is cut
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != before
