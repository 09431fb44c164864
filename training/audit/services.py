"""Recording and reading the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from training.audit.models import AuditEntry


class Actor(Protocol):
    """Whoever made a change: an account (audit sits below accounts, so it names no model)."""

    id: int


def _entry_values(
    actor: Actor | None, action: str, subject: Any, before: dict[str, Any] | None,
    after: dict[str, Any] | None, topic: str | None, via: str,
) -> dict[str, Any]:
    return {
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "subject_type": type(subject).__name__,
        "subject_id": getattr(subject, "id", None),
        "topic": topic,
        "before": before,
        "after": after,
        "via": via,
    }


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    subject: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    topic: str | None = None,
    via: str = "web",
    flush: bool = True,
) -> AuditEntry:
    """Add one audit entry for a change to subject (a model instance with an id).

    flush=False leaves the entry pending, for a caller that records thousands of changes
    to subjects already flushed and flushes once after the last.
    """
    if flush:
        session.flush()  # subject needs its id
    entry = AuditEntry(**_entry_values(actor, action, subject, before, after, topic, via))
    session.add(entry)
    if flush:
        session.flush()
    return entry


def record_now(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    subject: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    topic: str | None = None,
    via: str = "web",
) -> None:
    """record(), written at once by one INSERT on the session's connection, without an entry object
    or a flush: for a frequent change (an enrolment) whose subject already has its id."""
    session.connection().execute(
        _insert_entry(), _entry_values(actor, action, subject, before, after, topic, via))


@cache
def _insert_entry() -> sa.Insert:
    """The INSERT of one audit entry, bound by column name; built once, so that SQLAlchemy finds it
    compiled without building and keying a new statement for every entry."""
    return sa.insert(AuditEntry.__table__)


def trail(session: Session, topic: str, limit: int = 500) -> Sequence[AuditEntry]:
    """The newest entries of one topic, with their actors, in one query pair."""
    return session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.topic == topic)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()


def recent(session: Session, limit: int = 200) -> Sequence[AuditEntry]:
    """The newest entries of the whole site."""
    return session.scalars(
        sa.select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()
