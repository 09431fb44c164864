"""The declarative base, the constraint naming convention, UTC timestamps, enum columns, SQLite tuning
and PostgreSQL reads without a transaction."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import psycopg
import sqlalchemy as sa
from flask import has_request_context, request
from psycopg import pq
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    """Base of every table; constraints get stable names so migrations stay stable."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An instant stored as naive UTC (portable to SQLite) and read back aware in UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)

def enum_column(enum: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum column stored as its values, with a CHECK constraint."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The endpoints whose reads also write (reading a document or a passport is audited), named by
# the features that own them at start-up: one set, looked up when a transaction begins, instead
# of a hook per feature on every request.
_WRITING_READS: set[str] = set()


def writes_on_read(*endpoints: str) -> None:
    """These endpoints write when read: on SQLite their transactions take the write lock from the
    start, as a POST's do, instead of failing when another writer got in between read and write."""
    _WRITING_READS.update(endpoints)


def request_writes() -> bool:
    """Whether the current request may write: any method but a safe one, or a writing read."""
    return request.method not in SAFE_METHODS or request.endpoint in _WRITING_READS


def tune_sqlite(engine: Engine, *, immediate_outside_requests: bool = True) -> None:
    """Make SQLite safe for concurrent writers.

    pysqlite opens transactions lazily and DEFERRED, so a transaction that read
    and then writes can fail with SQLITE_BUSY when another writer got in first.
    Every transaction that may write (anything but a safe HTTP method) therefore
    starts with BEGIN IMMEDIATE: writers queue on the database lock (busy_timeout)
    instead of failing, and a check-then-write inside one is serialised. Reads keep
    a plain BEGIN and, with WAL, never wait for writers. Outside a request (CLI,
    jobs) transactions write unless immediate_outside_requests is off, which only
    the test process itself uses, so that its reads between requests hold no lock.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        if has_request_context():
            read_only = not request_writes()
        else:
            read_only = not immediate_outside_requests
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


# A statement that only reads, takes no lock and moves no sequence: the statements a read request
# runs outside a transaction. Anything else (a write, FOR UPDATE/SHARE, an advisory lock) begins one.
_PLAIN_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_NOT_PLAIN = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|pg_advisory|nextval|setval", re.IGNORECASE
)


# Asked before every statement of a read request. Searching a statement of a few hundred characters
# for the clauses above costs the worker 13-20 µs; the statements are the few strings SQLAlchemy
# compiled once and keeps, so each one's answer is kept too.
@lru_cache(maxsize=1024)
def _plain_read(statement: str) -> bool:
    return bool(_PLAIN_READ.match(statement)) and not _NOT_PLAIN.search(statement)


def reads_without_transaction(engine: Engine) -> None:
    """On PostgreSQL, a read request's queries run in autocommit until it first writes or locks.

    At READ COMMITTED, PostgreSQL's default and ours, every statement of a transaction sees its
    own snapshot, so a read gains nothing from BEGIN and ROLLBACK but their two round trips
    (a feed's 304 is one query: three round trips become one). Before the first statement that
    writes or locks, the connection leaves autocommit: the driver sends BEGIN, and that
    statement and every later one share one transaction that commits or rolls back as before,
    holding its locks to the end. Requests that may write (request_writes) begin as before;
    so does all work outside requests.

    A connection goes back to the pool as its last request left it, and every beginning sets
    the mode it needs: the next read request finds it in autocommit already, and only a
    beginning that needs a transaction (a request that may write, work outside requests) takes
    it out. Each change of psycopg's autocommit goes through its lock and generator machinery;
    between read requests there is none.
    """

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        if connection.get_execution_options().get("isolation_level"):
            return  # a connection that chose its own (AUTOCOMMIT for VACUUM, say) keeps it
        reads = has_request_context() and not request_writes()
        dbapi_connection: Any = connection.connection.dbapi_connection
        if dbapi_connection.autocommit is not reads:
            dbapi_connection.autocommit = reads

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before_execute(connection: sa.Connection, _cursor: Any, statement: str, _parameters: Any,
                        context: Any, _executemany: bool) -> None:
        dbapi_connection: Any = connection.connection.dbapi_connection
        if not dbapi_connection.autocommit or connection.get_execution_options().get("isolation_level"):
            return
        # A server-side cursor (stream_results) lives in a transaction too.
        streams = context is not None and context.execution_options.get("stream_results")
        if streams or not _plain_read(statement):
            dbapi_connection.autocommit = False


def ping_in_one_libpq_call(engine: Engine) -> None:
    """On PostgreSQL, the pool's ping on checkout (pool_pre_ping, config.py) as one call into libpq.

    The dialect's own ping turns psycopg's autocommit on and off around a cursor that sends an
    empty statement, and waits for the answer in Python: about four times the worker's CPU of
    libpq's PQexec sending the same statement and waiting for it in C, on every request. What
    the pool does with the answer stays SQLAlchemy's: a failure raises psycopg's
    OperationalError on a connection libpq marked broken, which the pre-ping takes for a
    disconnect as before (the pool is invalidated and the checkout connects anew); any other
    error propagates as before.

    The ping stays a round trip. A look at the socket instead (poll(2) with a zero timeout: a
    terminated backend sends its FATAL and closes, a healthy idle one sends nothing) would save
    the worker its round trip, about 80 µs of CPU a request, but it cannot tell a backend
    that was signalled and has not yet acted: right after pg_terminate_backend returned, 121 of
    200 backends here had not closed their socket yet (the last after 2.6 ms), and the request
    that took such a connection failed on its first statement (tests/test_pool_ping.py). The
    ping waits for the backend's answer, and a signalled backend's answer is its FATAL.
    """

    def do_ping(dbapi_connection: Any) -> bool:
        result = dbapi_connection.pgconn.exec_(b";")
        if result.status != pq.ExecStatus.EMPTY_QUERY:
            message = result.error_message or dbapi_connection.pgconn.error_message
            raise psycopg.OperationalError(message.decode("utf-8", "replace").strip() or "ping failed")
        return True

    engine.dialect.do_ping = do_ping  # type: ignore[method-assign]
