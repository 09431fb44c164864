"""What people do with one enrolment's requirements: upload, accept or return, record a check,
extend a due date, and read a document. Each takes the actor and checks who they are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload, undefer

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.clearance.models import MAX_REASON, Document, Item, ItemState, Requirement, RequirementKind
from training.clearance.services.documents import check_upload
from training.clearance.services.notices import focal_points_of, mail_clearance
from training.clearance.services.state import Clearance, clearance_of, update_cleared
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Forbidden, Gone, NotFound
from training.courses.models import Course
from training.enrolment.models import Enrolment
from training.enrolment.services import lock_quotas

DECISIONS = (ItemState.ACCEPTED.value, ItemState.RETURNED.value)


def may_see(actor: User | None, enrolment: Enrolment) -> bool:
    """The person, the focal point of the enrolment's country, and coordinators."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.id == enrolment.user_id or is_coordinator(actor):
        return True
    return actor.role is Role.FOCAL_POINT and bool(actor.country) and actor.country == enrolment.country


def check_may_see(actor: User | None, enrolment: Enrolment) -> None:
    """Anyone else is told there is nothing here, so a guessed or replayed address is a 404."""
    if not may_see(actor, enrolment):
        raise NotFound(_("No such enrolment."))


def may_upload(actor: User | None, enrolment: Enrolment) -> bool:
    """The person and the focal point of their country upload; coordinators review."""
    return may_see(actor, enrolment) and actor is not None and (
        actor.id == enrolment.user_id or actor.role is Role.FOCAL_POINT)


def check_may_submit(actor: User | None, enrolment: Enrolment) -> None:
    """The person and the focal point of their country upload; coordinators review."""
    check_may_see(actor, enrolment)
    assert actor is not None
    if actor.id != enrolment.user_id and actor.role is not Role.FOCAL_POINT:
        raise Forbidden(_("Only the person and their country's focal point upload documents."))


def check_reviews(actor: User | None, enrolment: Enrolment) -> None:
    check_may_see(actor, enrolment)
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators accept, return, record checks and extend due dates."))


def _locked(session: Session, enrolment: Enrolment) -> tuple[Course, Enrolment]:
    """Hold the course's quota locks (a lapse decides under them) and read the enrolment fresh."""
    course = session.get_one(Course, enrolment.course_id)
    lock_quotas(session, course)
    fresh = session.scalars(
        sa.select(Enrolment).where(Enrolment.id == enrolment.id)
        .options(joinedload(Enrolment.user))  # read afresh, its person stays at hand
        .execution_options(populate_existing=True)
    ).one()
    if not fresh.is_active:
        raise Conflict(_("This enrolment is %(status)s: its requirements no longer change.",
                         status=fresh.status.label))
    return course, fresh


def _requirement(clearance: Clearance, key: str) -> tuple[Requirement, Item | None]:
    line = clearance.line(key)
    if line is None:
        raise NotFound(_("This course asks nothing of that name of this person."))
    return line.requirement, line.item


def _item(session: Session, enrolment: Enrolment, requirement: Requirement, item: Item | None) -> Item:
    if item is None:
        item = Item(enrolment_id=enrolment.id, requirement_id=requirement.id, state=ItemState.MISSING)
        session.add(item)
        session.flush()
    return item


def _snapshot(item: Item) -> dict[str, Any]:
    return {
        "state": item.state.value,
        "reason": item.reason,
        "due_at_override": item.due_at_override.isoformat() if item.due_at_override else None,
    }


def _audit(session: Session, actor: User | None, action: str, enrolment: Enrolment, requirement: Requirement,
           before: dict[str, Any] | None, after: dict[str, Any], via: str) -> None:
    record(session, actor=actor, action=action, subject=enrolment, before=before,
           after={"requirement": requirement.key, "requirement_id": requirement.id,
                  "person_id": enrolment.user_id, **after},
           topic=f"course:{enrolment.course_id}", via=via)


def submit_document(
    session: Session, enrolment: Enrolment, key: str, *, filename: str, content: bytes, actor: User,
    via: str = "web",
) -> Document:
    """The person or their focal point uploads the document a requirement asks for; it awaits review."""
    check_may_submit(actor, enrolment)
    upload = check_upload(filename, content)  # before anything changes
    course, enrolment = _locked(session, enrolment)
    clearance = clearance_of(session, enrolment)
    requirement, item = _requirement(clearance, key)
    if requirement.kind is not RequirementKind.DOCUMENT:
        raise DomainError(_("%(title)s is a check a coordinator records: there is nothing to upload.",
                            title=requirement.shown_title), field="file")
    if item is not None and item.state is ItemState.ACCEPTED:
        raise Conflict(_("%(title)s is already accepted.", title=requirement.shown_title), field="file")
    item = _item(session, enrolment, requirement, item)
    before = _snapshot(item)
    document = Document(
        item_id=item.id, filename=upload.filename, content_type=upload.content_type, size=upload.size,
        sha256=upload.sha256, content=upload.content, uploaded_by_id=actor.id,
    )
    session.add(document)
    item.state = ItemState.SUBMITTED
    item.reason = None
    item.decided_at = None
    item.decided_by_id = None
    session.flush()
    _audit(session, actor, "clearance.submitted", enrolment, requirement, before,
           {**_snapshot(item), "document_id": document.id, "filename": document.filename,
            "content_type": document.content_type, "size": document.size, "sha256": document.sha256}, via)
    return document


def decide(
    session: Session, enrolment: Enrolment, key: str, *, decision: str, reason: str | None = None,
    actor: User, via: str = "web",
) -> Item:
    """A coordinator accepts or returns (with a reason the person reads) what was submitted, or
    records a check as done (accepted) or not (returned)."""
    check_reviews(actor, enrolment)
    decision = (decision or "").strip()
    if decision not in DECISIONS:
        raise DomainError(_("Choose accepted or returned."), field="decision")
    state = ItemState(decision)
    reason = (reason or "").strip() or None
    if state is ItemState.RETURNED and not reason:
        raise DomainError(_("Give a reason: the person will read it."), field="reason")
    if reason and len(reason) > MAX_REASON:
        raise DomainError(_("Keep the reason under %(n)d characters.", n=MAX_REASON), field="reason")
    course, enrolment = _locked(session, enrolment)
    clearance = clearance_of(session, enrolment)
    requirement, item = _requirement(clearance, key)
    submitted = item is not None and item.state is ItemState.SUBMITTED
    if requirement.kind is RequirementKind.DOCUMENT and not submitted:
        raise Conflict(_("There is no submitted document to decide on for %(title)s.",
                         title=requirement.shown_title), field="decision")
    line = clearance.line(key)
    if requirement.kind is RequirementKind.DOCUMENT and line is not None and line.document is not None \
            and line.document.is_purged:
        # Nobody can have read what is no longer there: a decision on it would vouch for nothing.
        raise Conflict(_("The document for %(title)s was deleted after the retention period: nobody "
                         "can review it now.", title=requirement.shown_title), field="decision")
    item = _item(session, enrolment, requirement, item)
    before = _snapshot(item)
    now = utcnow()
    item.state = state
    item.reason = reason if state is ItemState.RETURNED else None
    item.decided_at = now
    item.decided_by_id = actor.id
    session.flush()
    _audit(session, actor, f"clearance.{state.value}", enrolment, requirement, before, _snapshot(item), via)
    update_cleared(clearance_of(session, enrolment), now)
    session.flush()
    if state is ItemState.RETURNED:
        person = session.get_one(User, enrolment.user_id)
        for recipient in [person, *focal_points_of(session, enrolment.country)]:
            mail_clearance(session, "returned", recipient, person=person, course=course,
                           requirement=requirement, reason=reason)
    return item


def record_check(session: Session, enrolment: Enrolment, key: str, *, actor: User, via: str = "web") -> Item:
    """A coordinator records that a check (vetting, a briefing) was done."""
    check_reviews(actor, enrolment)
    clearance = clearance_of(session, enrolment)
    requirement, _item_now = _requirement(clearance, key)
    if requirement.kind is not RequirementKind.CHECK:
        raise DomainError(_("%(title)s is a document: accept it once it is uploaded.",
                            title=requirement.shown_title))
    return decide(session, enrolment, key, decision=ItemState.ACCEPTED.value, actor=actor, via=via)


def extend_due(
    session: Session, enrolment: Enrolment, key: str, *, due_at: datetime | None, reason: str,
    actor: User, via: str = "web",
) -> Item:
    """A coordinator gives one person a later due date for one requirement, with a reason (audited)."""
    check_reviews(actor, enrolment)
    reason = (reason or "").strip()
    if due_at is None or due_at.tzinfo is None:
        raise DomainError(_("Give the new due date and time."), field="due_at")
    if not reason:
        raise DomainError(_("Give a reason for the extension."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_("Keep the reason under %(n)d characters.", n=MAX_REASON), field="reason")
    if due_at <= utcnow():
        raise DomainError(_("The new due date must lie in the future."), field="due_at")
    course, enrolment = _locked(session, enrolment)
    clearance = clearance_of(session, enrolment)
    requirement, item = _requirement(clearance, key)
    line = clearance.line(key)
    assert line is not None
    if line.is_accepted:
        raise Conflict(_("%(title)s is already accepted.", title=requirement.shown_title), field="due_at")
    item = _item(session, enrolment, requirement, item)
    before = {**_snapshot(item), "due_at": line.due_at.isoformat()}
    item.due_at_override = due_at
    item.extension_reason = reason
    session.flush()
    _audit(session, actor, "clearance.extended", enrolment, requirement, before,
           {**_snapshot(item), "due_at": due_at.isoformat(), "extension_reason": reason}, via)
    return item


def read_document(
    session: Session, enrolment: Enrolment, key: str, *, actor: User | None, via: str = "web"
) -> Document:
    """The newest document of a requirement, with its bytes, for the person, their focal point or a
    coordinator; the read is in the audit trail. Anyone else: NotFound."""
    check_may_see(actor, enrolment)
    assert actor is not None
    clearance = clearance_of(session, enrolment)
    line = clearance.line(key)
    if line is None or line.document is None:
        raise NotFound(_("No such document."))
    if line.document.is_purged:
        raise Gone(_("This document's contents were deleted after the retention period (or with the "
                     "person's data); what was decided on it stays."))
    document = session.scalars(
        sa.select(Document).where(Document.id == line.document.id).options(undefer(Document.content))
        .execution_options(populate_existing=True)
    ).one()
    if document.content is None:
        raise NotFound(_("No such document."))
    record(session, actor=actor, action="clearance.document_read", subject=enrolment,
           after={"requirement": key, "requirement_id": line.requirement.id, "person_id": enrolment.user_id,
                  "document_id": document.id, "filename": document.filename},
           topic=f"course:{enrolment.course_id}", via=via)
    return document
