"""The pool replaces a connection PostgreSQL cut the moment before a request takes it."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from training.core.extensions import db

pytestmark = [pytest.mark.commits, pytest.mark.postgresql_only]

BACKEND = sa.text("SELECT pg_backend_pid()")


def test_a_backend_terminated_just_before_each_read_request_is_replaced_without_an_error(app, database_url):
    # pg_terminate_backend returns once the backend is signalled, often before it has exited and
    # closed its socket: the checkout that follows at once is the one that must still find it.
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as admin:
        for _ in range(20):
            with app.test_request_context("/", method="GET"), db.engine.connect() as connection:
                before = connection.execute(BACKEND).scalar()
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            with app.test_request_context("/", method="GET"), db.engine.connect() as connection:
                assert connection.execute(BACKEND).scalar() != before
