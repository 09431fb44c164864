"""On PostgreSQL a read request runs outside a transaction until it first writes or locks."""

from __future__ import annotations

import re

import psycopg
import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from training.core import database
from training.core.database import _plain_read, reads_without_transaction
from training.core.extensions import db

pytestmark = [pytest.mark.commits, pytest.mark.postgresql_only]


def _status(connection: sa.Connection) -> TransactionStatus:
    return connection.connection.dbapi_connection.pgconn.transaction_status


def test_a_read_request_reads_without_begin(app):
    with app.test_request_context("/", method="GET"), db.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT 1")) == 1
        assert _status(connection) == TransactionStatus.IDLE


@pytest.mark.parametrize("statement", [
    "UPDATE users SET name = name WHERE false",
    "SELECT id FROM users FOR UPDATE",
    "SELECT id FROM users FOR NO KEY UPDATE",
    "SELECT id FROM users FOR SHARE",
    "SELECT pg_advisory_xact_lock(4242)",
])
def test_the_first_write_or_lock_of_a_read_request_begins_a_transaction(app, statement):
    with app.test_request_context("/", method="GET"), db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
        connection.execute(sa.text(statement))
        assert _status(connection) == TransactionStatus.INTRANS
        connection.execute(sa.text("SELECT 1"))  # the reads after it are in the same transaction
        assert _status(connection) == TransactionStatus.INTRANS
        connection.rollback()
        assert _status(connection) == TransactionStatus.IDLE


def test_a_lock_taken_in_a_read_request_is_held_until_the_request_ends(app, database_url):
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with app.test_request_context("/", method="GET"), db.engine.connect() as connection, \
            psycopg.connect(dsn, autocommit=True) as other:
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(4243)"))
        assert other.execute("SELECT pg_try_advisory_lock(4243)").fetchone()[0] is False
        connection.rollback()
        assert other.execute("SELECT pg_try_advisory_lock(4243)").fetchone()[0] is True


def test_a_write_in_a_read_request_commits_or_rolls_back_as_one(app, make_user):
    person = make_user(name="Before")
    with app.test_request_context("/", method="GET"):
        db.session.execute(sa.text("UPDATE users SET name = 'First' WHERE id = :id"), {"id": person.id})
        db.session.execute(sa.text("UPDATE users SET name = 'Second' WHERE id = :id"), {"id": person.id})
        db.session.rollback()
        name = db.session.scalar(sa.text("SELECT name FROM users WHERE id = :id"), {"id": person.id})
        assert name == "Before"
        db.session.rollback()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_request_that_may_write_begins_at_its_first_read(app, method):
    with app.test_request_context("/", method=method), db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
        assert _status(connection) == TransactionStatus.INTRANS


def test_work_outside_requests_and_after_a_read_request_begins_as_before(app):
    with app.test_request_context("/", method="GET"), db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    with db.engine.connect() as connection:  # very likely the same pooled connection
        connection.execute(sa.text("SELECT 1"))
        assert _status(connection) == TransactionStatus.INTRANS
        assert connection.connection.dbapi_connection.autocommit is False


@pytest.fixture
def one_connection_engine(database_url):
    """An engine whose pool holds one connection, read requests without transactions as the app's."""
    engine = sa.create_engine(database_url, pool_size=1, max_overflow=0)
    reads_without_transaction(engine)
    yield engine
    engine.dispose()


def test_read_requests_one_after_another_change_no_connection_mode(app, one_connection_engine, monkeypatch):
    def read_request() -> None:
        with app.test_request_context("/", method="GET"), one_connection_engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            assert _status(connection) == TransactionStatus.IDLE

    read_request()
    changes: list[bool] = []
    set_autocommit = psycopg.Connection.set_autocommit

    def counted(connection: psycopg.Connection, value: bool) -> None:
        changes.append(value)
        set_autocommit(connection, value)

    monkeypatch.setattr(psycopg.Connection, "set_autocommit", counted)
    read_request()
    read_request()
    assert changes == []


def test_a_connection_a_read_request_left_begins_where_a_transaction_is_needed(app, one_connection_engine):
    with app.test_request_context("/", method="GET"), one_connection_engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    with app.test_request_context("/", method="POST"), one_connection_engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
        assert _status(connection) == TransactionStatus.INTRANS
    with app.test_request_context("/", method="GET"), one_connection_engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    with one_connection_engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
        assert _status(connection) == TransactionStatus.INTRANS
        assert connection.connection.dbapi_connection.autocommit is False


def test_each_statement_is_searched_for_locks_once_however_often_read_requests_send_it(app, monkeypatch):
    searched: list[str] = []
    not_plain = database._NOT_PLAIN

    class CountedSearch:
        def search(self, statement: str) -> re.Match[str] | None:
            searched.append(statement)
            return not_plain.search(statement)

    monkeypatch.setattr(database, "_NOT_PLAIN", CountedSearch())
    statement = "SELECT 1 AS searched_once"
    for _ in range(3):
        with app.test_request_context("/", method="GET"), db.engine.connect() as connection:
            assert connection.scalar(sa.text(statement)) == 1
    assert searched.count(statement) == 1


@pytest.mark.parametrize(("statement", "plain"), [
    ("SELECT 1", True),
    ("  select id, format from users where name = :name", True),
    ("SELECT id FROM users FOR UPDATE SKIP LOCKED", False),
    ("SELECT id FROM users FOR KEY SHARE", False),
    ("SELECT nextval('users_id_seq')", False),
    ("WITH x AS (DELETE FROM users RETURNING id) SELECT id FROM x", False),
    ("INSERT INTO users DEFAULT VALUES", False),
])
def test_which_statements_count_as_plain_reads(statement, plain):
    assert _plain_read(statement) is plain
