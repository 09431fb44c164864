"""Every lock the product takes, in one place: rows in id order, then named locks in sorted order.

Two transactions that take the same locks take them in the same order, so they queue
instead of deadlocking. On PostgreSQL a row lock is SELECT ... FOR UPDATE and a named
lock is a transaction-scoped advisory lock; both end with the transaction. On SQLite
every writing transaction already holds the database's write lock from its first
statement (BEGIN IMMEDIATE, see core/database.py), so the rows are only read fresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

T = TypeVar("T")


def lock_row(session: Session, model: type[T], row_id: int) -> T:
    """Lock one row and read it fresh: whatever another transaction committed is now visible."""
    session.flush()
    return session.scalars(
        sa.select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def lock_rows(session: Session, model: type[T], *where: sa.ColumnElement[bool]) -> list[T]:
    """Lock the rows of model matching where, in id order, and read them fresh."""
    session.flush()
    return list(
        session.scalars(
            sa.select(model)
            .where(*where)
            .order_by(model.id)  # type: ignore[attr-defined]
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )


def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock_names(session: Session, names: Iterable[str]) -> None:
    """Hold a lock on each name (say, a room of a venue) until the transaction ends.

    For what has no row of its own to lock. PostgreSQL only: on SQLite the writer
    already holds the whole database.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in sorted(set(names)):
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_advisory_key(name))))


def locked_query(query: sa.Select[Any]) -> sa.Select[Any]:
    """query with FOR UPDATE, for a read that must hold its rows (e.g. a capacity) until commit."""
    return query.with_for_update()
