"""A person's part of the audit trail: their history for an export, and their name and email
taken out of recorded values when they are erased. The entries themselves always stay."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from training.audit.models import AuditEntry
from training.audit.readable import readable

# An export lists at most this many entries per list, newest first: enough for any real person's
# history, and a runaway loop's thousands of entries do not make a download of megabytes.
EXPORT_LIMIT = 1000


def history(session: Session, where: sa.ColumnElement[bool], limit: int = EXPORT_LIMIT) -> dict[str, Any]:
    """The entries matching where, newest first, as sentences with their time, action and channel
    (the recorded before/after values stay out: the sentence says them, and they name other people)."""
    entries = session.scalars(
        sa.select(AuditEntry).where(where).options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    ).all()
    shown = readable(session, entries[:limit])
    return {
        "entries": [
            {"at": item.entry.occurred_at.isoformat(), "action": item.entry.action,
             "actor_id": item.entry.actor_id, "via": item.entry.via, "said": item.sentence}
            for item in shown
        ],
        "truncated": len(entries) > limit,
    }


def about_subjects(subject_type: str, ids: Collection[int]) -> sa.ColumnElement[bool]:
    """Entries about any of the things of one kind (a person's enrolments, invitations)."""
    return sa.and_(AuditEntry.subject_type == subject_type, AuditEntry.subject_id.in_(list(ids)))


def made_by_or_about(person_id: int) -> sa.ColumnElement[bool]:
    """Entries a person made, and those about their account."""
    return sa.or_(AuditEntry.actor_id == person_id,
                  sa.and_(AuditEntry.subject_type == "User", AuditEntry.subject_id == person_id))


def _rewritten(value: Any, change: Callable[[str, str | None], str]) -> Any:
    """value with every string in it passed through change (with the key it is under)."""
    def walk(item: Any, key: str | None) -> Any:
        if isinstance(item, str):
            return change(item, key)
        if isinstance(item, list):
            return [walk(v, key) for v in item]
        if isinstance(item, dict):
            return {k: walk(v, k) for k, v in item.items()}
        return item
    return walk(value, None)


def _like(column: Any, needle: str) -> sa.ColumnElement[bool]:
    escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(sa.cast(column, sa.Text)).like(f"%{escaped}%", escape="\\")


def scrub_values(session: Session, needles: Iterable[str], scrub: Callable[[str], str]) -> int:
    """Pass every recorded string that holds one of needles (a name, an address) through scrub,
    in every entry; returns how many entries changed. Who did what, and when, stays."""
    # The stored JSON may hold a needle as written or escaped (non-ASCII as \\uXXXX).
    patterns = {form for needle in needles if needle for form in (needle, json.dumps(needle)[1:-1])}
    if not patterns:
        return 0
    found = session.scalars(sa.select(AuditEntry).where(sa.or_(*(
        _like(column, pattern) for pattern in patterns for column in (AuditEntry.before, AuditEntry.after)
    )))).all()
    changed = 0
    for entry in found:
        before = _rewritten(entry.before, lambda text, _key: scrub(text))
        after = _rewritten(entry.after, lambda text, _key: scrub(text))
        if before != entry.before or after != entry.after:
            entry.before, entry.after = before, after
            changed += 1
    session.flush()
    return changed


def blank_fields(session: Session, where: sa.ColumnElement[bool], fields: Collection[str]) -> int:
    """Empty the recorded values of fields (say, an uploaded file's name) in the entries matching
    where; returns how many entries changed."""
    changed = 0
    for entry in session.scalars(sa.select(AuditEntry).where(where)).all():
        before = _rewritten(entry.before, lambda text, key: "" if key in fields else text)
        after = _rewritten(entry.after, lambda text, key: "" if key in fields else text)
        if before != entry.before or after != entry.after:
            entry.before, entry.after = before, after
            changed += 1
    session.flush()
    return changed
