"""A read of a few committed values straight through the database driver, for the hottest reads.

A calendar polling an unchanged feed, or a repeat visit to a kept page, asks one question (have
the data versions moved?) and is then answered from memory. Through the ORM session that one
primary-key read costs more Python than everything else the answer does: a Session, a
Connection with its events, a transaction, an execution context and a result, about 100 µs on
SQLite and 250 µs on PostgreSQL, where the driver needs 10 to 30. A Probe runs its statement,
compiled once per database and shape of its parameters, on a connection from the engine's pool,
outside any transaction:

- on PostgreSQL as one libpq call of a statement prepared once per connection (text values),
  outside a transaction: at READ COMMITTED, the default and ours, the session's own read would
  see the same committed rows;
- on SQLite through sqlite3, which runs it in a read transaction of its own (WAL: no lock).

On PostgreSQL a probe takes its connection from a pool of its own, which does not ping: the
engine's pool pings every connection it hands out (pool_pre_ping), a round trip as long as the
probe's own, and the probe is the hottest read there is (a feed's 304 answered in front is that
read alone). Its statement is the check instead: when a connection fails under it, the server
restarted or cut this worker's connections, and every other connection in the pool is as dead,
so the pool is disposed of and the read made once more on a new connection, as SQLAlchemy
recycles a pool whose ping failed. Should that fail too, the read is made through the session,
whose checkout pings and whose connection handling SQLAlchemy owns (or, in front, the request
goes to Flask, which reports what is wrong). A worker serving one request at a time holds one
such connection beside the engine's. On SQLite the ping is a call into the same process, and
the engine's pool serves.

While the session has a transaction open (it wrote, it locked, or it is bound to a connection,
as in the tests), the probe reads through it instead, and so sees what that transaction changed.

A Probe reads integer and text columns, with integer, text and integer-list parameters, which
is what version reads are made of; anything else is refused when the probe is built.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
import sqlalchemy as sa
from blinker import Namespace
from psycopg import pq
from sqlalchemy.orm import Session, scoped_session

# Sent with each statement a probe runs through the driver, which SQLAlchemy's events do not see:
# the tests count statements with it, as they count SQLAlchemy's.
probe_ran = Namespace().signal("probe-ran")

_COLUMN_TYPES = (int, str)
# The statements prepared on a pooled PostgreSQL connection, in the info its pool keeps with it
# (forgotten with the connection when it is replaced).
_PREPARED = "training.probe.prepared"
_numbers = itertools.count(1)
_POSTCOMPILE = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
# The engines whose pools the probes take their connections from, by the engine they read for;
# each is built in the process that first probes (a gunicorn worker, after the fork).
_PROBES_POOLS: WeakKeyDictionary[sa.Engine, sa.Engine] = WeakKeyDictionary()
_probes_pools_lock = threading.Lock()


def probes_engine(engine: sa.Engine) -> sa.Engine:
    """The engine whose pool the probes reading for engine take their connections from: on
    PostgreSQL one of its own, on the same database, whose pool does not ping; elsewhere engine."""
    if engine.dialect.name != "postgresql":
        return engine
    found = _PROBES_POOLS.get(engine)
    if found is None:
        with _probes_pools_lock:
            found = _PROBES_POOLS.get(engine)
            if found is None:
                found = _PROBES_POOLS[engine] = sa.create_engine(engine.url, pool_pre_ping=False)
                if not sa.event.contains(engine, "engine_disposed", dispose_probes_pool):
                    sa.event.listen(engine, "engine_disposed", dispose_probes_pool)
    return found


def dispose_probes_pool(engine: sa.Engine) -> None:
    """Close the probes' pool beside engine's; the next probe builds another. Called when engine's
    pool is disposed of (the tests, before they drop a database, say), and by the tests between
    tests, whose connections an earlier test may have cut."""
    with _probes_pools_lock:
        found = _PROBES_POOLS.pop(engine, None)
    if found is not None:
        found.dispose()


@dataclass(frozen=True)
class _Compiled:
    """A probe's statement as one database's driver takes it."""

    sql: str
    encoded: bytes  # the same, for libpq
    name: bytes  # its name as a prepared statement on PostgreSQL
    names: tuple[str, ...]  # the parameters, in the order of their placeholders
    fixed: Mapping[str, Any]  # the values the statement itself binds (a scope's name, a status)
    kinds: tuple[type, ...]  # each column's Python type


class Probe:
    """One SELECT of integer and text columns, run through the driver when nothing else is open."""

    def __init__(self, statement: sa.Select[Any] | Callable[[str], sa.Select[Any]]) -> None:
        """statement: the SELECT, or what builds it for a database's name (where they differ)."""
        self._statement_for = statement if callable(statement) else lambda _name: statement
        self._statements: dict[str, sa.Select[Any]] = {}
        self._compiled: dict[tuple[str, tuple[int, ...]], _Compiled] = {}
        if not callable(statement):
            self.statement("")  # refuse a column it cannot read now, not at the first request

    def statement(self, dialect: str) -> sa.Select[Any]:
        """The SELECT as dialect's database runs it."""
        found = self._statements.get(dialect)
        if found is None:
            found = self._statement_for(dialect)
            kinds = tuple(column.type.python_type for column in found.selected_columns)
            if not all(kind in _COLUMN_TYPES for kind in kinds):
                raise TypeError(f"a probe reads integer and text columns only, not {kinds}")
            self._statements[dialect] = found
        return found

    def rows(self, session: Session, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The statement's rows for parameters, as tuples."""
        bind = session.get_bind()
        if _in_transaction(session) or not isinstance(bind, sa.Engine):
            return self._through(session, bind.dialect.name, parameters)
        try:
            return self._on_probes_pool(bind, parameters)
        except (psycopg.OperationalError, sqlite3.OperationalError):
            # Cut, and no new connection answered either (a pool's failed connect raises the
            # driver's error): SQLAlchemy's own handling decides, on the session's connection,
            # which its pool checks.
            return self._through(session, bind.dialect.name, parameters)

    @staticmethod
    def reads_as_others_do(session: Session | scoped_session[Any]) -> bool:
        """Whether what session reads is what any connection of its engine's pool reads: it is
        bound to the engine, not to a connection inside its caller's transaction (as the tests'
        rollback isolation binds it). Its own uncommitted changes to versions are its pending scopes."""
        return isinstance(session.get_bind(), sa.Engine)

    def rows_outside_transactions(self, engine: sa.Engine,
                                  parameters: Mapping[str, Any]) -> list[tuple[Any, ...]] | None:
        """The statement's rows for parameters, read through the driver on a connection of the
        probes' pool (probes_engine); None when the connection fails (it is invalidated), for
        the caller to take the general path, which reports what went wrong."""
        try:
            return self._on_probes_pool(engine, parameters)
        except (sa.exc.SQLAlchemyError, psycopg.Error, sqlite3.Error):
            return None

    def _on_probes_pool(self, engine: sa.Engine, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows, read through the driver on a connection of the probes' pool; on PostgreSQL, when
        that connection is cut, once more on a new pool's. Raises the driver's OperationalError when
        the read fails on the connection it ends on, which is invalidated."""
        connection = probes_engine(engine).raw_connection()
        try:
            return self._run(engine.dialect, connection, parameters)
        except (psycopg.OperationalError, sqlite3.OperationalError):
            connection.invalidate()
            if engine.dialect.name != "postgresql":
                raise  # SQLite's pool is the engine's own, and its failures are not cut connections
        finally:
            connection.close()
        # The server restarted or cut this worker's connections: the pool's others died with this
        # one. A new pool connects afresh: one reconnect, not a failure for each pooled connection.
        dispose_probes_pool(engine)
        connection = probes_engine(engine).raw_connection()
        try:
            return self._run(engine.dialect, connection, parameters)
        except psycopg.OperationalError:
            connection.invalidate()
            raise
        finally:
            connection.close()

    def _through(self, session: Session, dialect: str,
                 parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows read through the session, in its transaction."""
        return [tuple(row) for row in session.connection().execute(self.statement(dialect), parameters)]

    def _run(self, dialect: sa.Dialect, connection: Any,
             parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        postgresql = dialect.name == "postgresql"
        # On SQLite a list parameter is as many placeholders as the list holds; PostgreSQL binds an array.
        lengths = () if postgresql else tuple(len(value) for value in parameters.values()
                                               if isinstance(value, list | tuple))
        compiled = self._compiled.get((dialect.name, lengths))
        if compiled is None:
            compiled = self._compiled[(dialect.name, lengths)] = self._compile(dialect, parameters)
        values = [parameters[name] if name in parameters else compiled.fixed[name] for name in compiled.names]
        probe_ran.send(self, statement=compiled.sql)
        if postgresql:
            return _on_libpq(connection.dbapi_connection.pgconn, connection.info, compiled, values)
        return connection.dbapi_connection.execute(  # type: ignore[no-any-return]
            compiled.sql, _flattened(values)).fetchall()

    def _compile(self, dialect: sa.Dialect, parameters: Mapping[str, Any]) -> _Compiled:
        statement = self.statement(dialect.name)
        if dialect.name == "postgresql":
            # $1, $2, … with the casts the psycopg dialect writes, for libpq's prepared statements.
            numbered = type(dialect)(paramstyle="numeric_dollar")
            compiled = statement.compile(dialect=numbered)
            sql = compiled.string
        else:
            compiled = statement.compile(dialect=dialect)
            # A list parameter becomes as many placeholders as this call's list holds.
            sql = _POSTCOMPILE.sub(lambda m: ", ".join("?" * len(parameters[m.group(1)])), compiled.string)
        names = tuple(compiled.positiontup or ())
        fixed = {}
        for name, bind in compiled.binds.items():
            if name in parameters or bind.value is None:
                continue
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            fixed[name] = processor(bind.value) if processor else bind.value
        kinds = tuple(column.type.python_type for column in statement.selected_columns)
        return _Compiled(sql, sql.encode(), f"training_probe_{next(_numbers)}".encode(), names, fixed, kinds)


def _on_libpq(pgconn: Any, connection_info: dict[str, Any], compiled: _Compiled,
              values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """compiled's rows, as a statement prepared once per connection: the server then neither
    parses nor plans it again, a third of its work for a read of versions (psycopg prepares the
    statements its cursors repeat in the same way)."""
    prepared: set[bytes] = connection_info.setdefault(_PREPARED, set())
    if compiled.name not in prepared:
        _check(pgconn, pgconn.prepare(compiled.name, compiled.encoded), pq.ExecStatus.COMMAND_OK)
        prepared.add(compiled.name)
    parameters = [_as_text(value) for value in values]
    result = pgconn.exec_prepared(compiled.name, parameters)
    if (result.status != pq.ExecStatus.TUPLES_OK and _deallocated(result)
            and pgconn.transaction_status == pq.TransactionStatus.IDLE):
        # Dropped behind our back: psycopg sends DEALLOCATE ALL at a rollback (the pool's reset of
        # every connection it takes back) once it has prepared statements of its own, and a
        # DISCARD ALL does the same. Outside a transaction nothing else was lost: prepare again.
        _check(pgconn, pgconn.prepare(compiled.name, compiled.encoded), pq.ExecStatus.COMMAND_OK)
        result = pgconn.exec_prepared(compiled.name, parameters)
    _check(pgconn, result, pq.ExecStatus.TUPLES_OK)
    kinds = compiled.kinds
    return [
        tuple(None if (raw := result.get_value(row, column)) is None
              else int(raw) if kinds[column] is int else raw.decode()
              for column in range(len(kinds)))
        for row in range(result.ntuples)
    ]


def _check(pgconn: Any, result: Any, expected: pq.ExecStatus) -> None:
    if result.status == expected:
        return
    message = (result.error_message or pgconn.error_message).decode("utf-8", "replace").strip()
    if pgconn.status == pq.ConnStatus.BAD or _deallocated(result):
        raise psycopg.OperationalError(message or "connection lost")  # read again, through the session
    raise psycopg.DatabaseError(message)  # the statement's own fault: not to be retried


def _deallocated(result: Any) -> bool:
    """Whether result says the prepared statement no longer exists (invalid_sql_statement_name)."""
    return bool(result.error_field(pq.DiagnosticField.SQLSTATE) == b"26000")


def _in_transaction(session: Session | scoped_session[Any]) -> bool:
    return (session() if isinstance(session, scoped_session) else session).in_transaction()


def _as_text(value: Any) -> bytes | None:
    """A parameter in PostgreSQL's text format."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ("{" + ",".join(str(int(item)) for item in value) + "}").encode()
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"a probe binds integers, text and lists of integers, not {value!r}")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("PostgreSQL text holds no NUL: the caller must refuse it first")
    return str(value).encode()


def _flattened(values: Sequence[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, list | tuple):
            flat.extend(value)
        else:
            flat.append(value)
    return flat
