"""Reminders (`flask rsvp remind`) to invitees who have not answered as the deadline nears."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from training.audit.services import record
from training.core.database import utcnow
from training.symposia.models import Invitation, ProgrammeSession, Reminder, Symposium, SymposiumStatus
from training.symposia.services.common import programme_of, topic
from training.symposia.services.mailing import send


def send_reminders(session: Session, days: Sequence[int], *, now: datetime | None = None) -> int:
    """Remind invitees who have not answered, `days` before the deadline; each reminder goes once.

    When several reminder points are due at once only the latest is sent, and none that
    would fall before the invitation itself went out.
    """
    now = now or utcnow()
    points = sorted({d for d in days if d > 0})
    if not points:
        return 0
    horizon = now + timedelta(days=max(points))
    invitations = session.scalars(
        sa.select(Invitation)
        .join(Symposium, Invitation.symposium_id == Symposium.id)
        .where(Symposium.status == SymposiumStatus.PUBLISHED, Symposium.rsvp_deadline > now,
               Symposium.rsvp_deadline <= horizon, Invitation.answer.is_(None),
               Invitation.revoked_at.is_(None), Invitation.sent_at.is_not(None))
        .options(selectinload(Invitation.symposium), selectinload(Invitation.reminders))
        .order_by(Invitation.symposium_id, Invitation.id)
    ).all()
    programmes: dict[int, Sequence[ProgrammeSession]] = {}
    sent = 0
    for invitation in invitations:
        symposium = invitation.symposium
        due = [d for d in points if now >= symposium.rsvp_deadline - timedelta(days=d)]
        if not due:
            continue
        point = min(due)
        moment = symposium.rsvp_deadline - timedelta(days=point)
        if invitation.sent_at is not None and invitation.sent_at > moment:
            continue
        if any(r.days_before == point for r in invitation.reminders):
            continue
        if symposium.id not in programmes:
            programmes[symposium.id] = programme_of(session, symposium)
        invitation.reminders.append(Reminder(days_before=point, sent_at=now))
        send(session, symposium, programmes[symposium.id], invitation, "symposium_reminder", "REQUEST",
             link=True)
        session.flush()
        record(session, actor=None, action="invitation.reminded", subject=invitation,
               after={"days_before": point}, topic=topic(symposium), via="cli")
        sent += 1
    return sent
