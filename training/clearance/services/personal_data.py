"""A person's clearance in their export (states and document details, never the files), and what
their erasure removes here: the documents' contents and file names, and free text naming them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.accounts.personal_data import erasure_of
from training.audit import personal as audit
from training.clearance.models import Document, Item
from training.clearance.services.state import clearances_for
from training.core.database import utcnow
from training.enrolment.models import Enrolment


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _documents(session: Session, item_ids: list[int]) -> dict[int, list[Document]]:
    found: dict[int, list[Document]] = {i: [] for i in item_ids}
    if item_ids:
        for document in session.scalars(sa.select(Document).where(Document.item_id.in_(item_ids))
                                        .order_by(Document.id)):
            found[document.item_id].append(document)
    return found


def export_clearance(person: User, *, session: Session, **_: Any) -> dict[str, Any]:
    """person_export_wanted: each enrolment's requirements, states and documents' details."""
    enrolments = session.scalars(sa.select(Enrolment).where(Enrolment.user_id == person.id)
                                 .order_by(Enrolment.id)).all()
    clearances = clearances_for(session, enrolments)
    item_ids = [line.item.id for c in clearances.values() for line in c.lines if line.item is not None]
    documents = _documents(session, item_ids)
    section = []
    for enrolment in enrolments:
        lines = clearances[enrolment.id].lines
        if not lines:
            continue
        section.append({"enrolment_id": enrolment.id, "cleared_at": _iso(enrolment.cleared_at), "items": [{
            "key": line.requirement.key, "title": line.requirement.title, "kind": line.requirement.kind.value,
            "state": line.state.value, "due_at": _iso(line.due_at), "reason": line.reason,
            "extension_reason": line.item.extension_reason if line.item else None,
            "decided_at": _iso(line.item.decided_at) if line.item else None,
            "documents": [{"filename": d.filename or None, "content_type": d.content_type, "size": d.size,
                           "sha256": d.sha256, "uploaded_at": _iso(d.uploaded_at),
                           "purged_at": _iso(d.purged_at)}
                          for d in (documents.get(line.item.id, []) if line.item else [])],
        } for line in lines]})
    return {"clearance": section}


def erase_from_clearance(person: User, *, session: Session, **_: Any) -> None:
    """person_erasing: every document of the person's enrolments loses its contents and file name
    (the audit entries' file names too); return and extension reasons that name them are rewritten.
    States, decisions and due dates stay, so the roster's progress reads as before."""
    erasure = erasure_of(person)
    enrolment_ids = list(session.scalars(sa.select(Enrolment.id).where(Enrolment.user_id == person.id)))
    if not enrolment_ids:
        return
    items = session.scalars(sa.select(Item).where(Item.enrolment_id.in_(enrolment_ids))).all()
    for item in items:
        item.reason = erasure.scrub(item.reason) if item.reason else item.reason
        item.extension_reason = erasure.scrub(item.extension_reason) if item.extension_reason else None
    if items:
        session.execute(
            # A document purged after its retention period already holds neither.
            sa.update(Document).where(Document.item_id.in_([item.id for item in items]),
                                      Document.purged_at.is_(None))
            .values(content=None, filename="", purged_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    audit.blank_fields(session, audit.about_subjects("Enrolment", enrolment_ids), {"filename"})
    session.flush()
