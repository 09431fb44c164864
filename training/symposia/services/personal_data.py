"""Invitations sent to a person's address in their export, and what their erasure replaces here:
the invitee's name, address, organisation and note, and the names of the delegates they named.
Answers and delegate counts stay, so the accepted delegates never move against the capacity."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from training.accounts.models import User
from training.accounts.personal_data import erasure_of
from training.audit import personal as audit
from training.symposia.models import Invitation, Symposium


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _invitations_to(session: Session, email: str) -> list[Invitation]:
    return list(session.scalars(
        sa.select(Invitation).where(sa.func.lower(Invitation.email) == email.lower())
        .options(joinedload(Invitation.symposium), selectinload(Invitation.delegates))
        .order_by(Invitation.created_at, Invitation.id)
    ).unique().all())


def export_invitations(person: User, *, session: Session, **_: Any) -> dict[str, Any]:
    """person_export_wanted: every invitation to the person's address, with answers and delegates
    (the personal link is stored only as a hash, and is not exported)."""
    invitations = _invitations_to(session, person.email)
    ids = [invitation.id for invitation in invitations]
    return {
        "invitations": [{
            "id": i.id,
            "symposium": {"id": i.symposium.id, "slug": i.symposium.slug, "title": i.symposium.title},
            "name": i.name, "email": i.email, "organisation": i.organisation, "language": i.locale,
            "delegates_allowed": i.delegates_allowed, "sent_at": _iso(i.sent_at),
            "revoked_at": _iso(i.revoked_at),
            "answer": i.answer.value if i.answer else None, "answered_at": _iso(i.answered_at),
            "answered_via": i.answered_via.value if i.answered_via else None, "note": i.note,
            "delegates": [{"name": d.name, "email": d.email or None} for d in i.delegates],
        } for i in invitations],
        "invitation_history": audit.history(session, audit.about_subjects("Invitation", ids)) if ids
        else {"entries": [], "truncated": False},
    }


def erase_from_symposia(person: User, *, session: Session, **_: Any) -> None:
    """person_erasing: invitations to the person's address carry the placeholder name and address,
    no organisation or note, and delegates named by position; a symposium they organise keeps
    the placeholder as its organiser."""
    erasure = erasure_of(person)
    invitations = _invitations_to(session, person.email)
    seen: set[int] = set()
    for invitation in invitations:
        invitation.name = erasure.new_name
        # One address per symposium: a second invitation there (the address typed in other
        # letters' case) gets its own placeholder.
        invitation.email = (erasure.new_email if invitation.symposium_id not in seen
                            else f"erased-{person.id}-{invitation.id}@invalid")
        seen.add(invitation.symposium_id)
        invitation.organisation = ""
        invitation.note = ""
        for delegate in invitation.delegates:
            delegate.name = f"{erasure.new_name}, delegate {delegate.position}"
            delegate.email = ""
    for symposium in session.scalars(sa.select(Symposium).where(
            sa.func.lower(Symposium.organiser_email) == person.email.lower())):
        symposium.organiser_name = erasure.new_name
        symposium.organiser_email = erasure.new_email
    if invitations:
        # The trail keeps who answered what and when; the names and notes it recorded go.
        audit.blank_fields(session, audit.about_subjects("Invitation", [i.id for i in invitations]),
                           {"delegates", "note", "organisation"})
    session.flush()
