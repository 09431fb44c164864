"""The coordinator's view of a symposium: answers by organisation, delegates, and the delegates CSV."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from training.core.csv import csv_text
from training.symposia.models import Answer, Invitation, InvitationState, ProgrammeSession, Symposium
from training.symposia.services.common import programme_of


@dataclass
class Dashboard:
    """Who is coming, at a glance."""

    symposium: Symposium
    programme: Sequence[ProgrammeSession]
    invitations: Sequence[Invitation]
    by_answer: Counter[str]
    by_organisation: dict[str, Counter[str]]
    accepted_delegates: int

    @property
    def places_left(self) -> int:
        return max(self.symposium.capacity - self.accepted_delegates, 0)


def answer_key(invitation: Invitation) -> InvitationState:
    """The dashboard column an invitation counts in."""
    return invitation.state


def dashboard(session: Session, symposium: Symposium) -> Dashboard:
    """Counts by answer and organisation, accepted delegates, and every invitation with its delegates."""
    invitations = session.scalars(
        sa.select(Invitation).where(Invitation.symposium_id == symposium.id)
        .options(selectinload(Invitation.delegates))
        .order_by(Invitation.organisation, Invitation.name, Invitation.id)
    ).all()
    by_answer: Counter[str] = Counter()
    by_organisation: dict[str, Counter[str]] = {}
    accepted = 0
    for invitation in invitations:
        key = invitation.state
        by_answer[key] += 1
        by_organisation.setdefault(invitation.organisation or "—", Counter())[key] += 1
        if key is InvitationState.ACCEPTED:
            accepted += len(invitation.delegates)
    return Dashboard(symposium, programme_of(session, symposium), invitations, by_answer,
                     dict(sorted(by_organisation.items(), key=lambda kv: kv[0].lower())), accepted)


def delegates_csv(board: Dashboard) -> str:
    """One row per delegate of an accepted or tentative invitation, with the invitee's note."""
    return csv_text(
        ["delegate", "organisation", "answer", "invitee", "invitee email",
         "answered at (UTC)", "answered via", "note"],
        (
            (delegate.name, invitation.organisation, invitation.answer.value, invitation.name,
             invitation.email,
             invitation.answered_at.strftime("%Y-%m-%d %H:%M") if invitation.answered_at else "",
             invitation.answered_via.value if invitation.answered_via else "", invitation.note)
            for invitation in board.invitations
            if not invitation.is_revoked and invitation.answer in (Answer.ACCEPTED, Answer.TENTATIVE)
            for delegate in invitation.delegates
        ),
    )
