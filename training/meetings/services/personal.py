"""What meetings hold about a person, for their export, and its removal when they are erased."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.meetings.models import ActionItem, ContactPoint, ContactTest, MeetingSeries, Participant

ERASED = "—"


def _mine(user: User) -> sa.ColumnElement[bool]:
    return sa.or_(Participant.user_id == user.id, sa.func.lower(Participant.email) == user.email.lower())


def _owned(user: User) -> sa.ColumnElement[bool]:
    return sa.or_(
        ActionItem.owner_user_id == user.id, sa.func.lower(ActionItem.owner_email) == user.email.lower()
    )


def export_person(user: User, *, session: Session, **_: Any) -> dict[str, Any]:
    """The series the person takes part in and the action items they own."""
    series = session.execute(
        sa.select(
            MeetingSeries.title, MeetingSeries.slug, Participant.email, Participant.name, Participant.language
        )
        .join(Participant, Participant.series_id == MeetingSeries.id)
        .where(_mine(user))
        .order_by(MeetingSeries.id)
    ).all()
    actions = session.scalars(sa.select(ActionItem).where(_owned(user)).order_by(ActionItem.id)).all()
    return {
        "meeting_participations": [
            {
                "series": row.title,
                "slug": row.slug,
                "email": row.email,
                "name": row.name,
                "language": row.language,
            }
            for row in series
        ],
        "meeting_action_items": [
            {
                "what": a.what,
                "side": a.side,
                "owner": a.owner_name,
                "owner_email": a.owner_email,
                "due_on": a.due_on.isoformat(),
                "status": a.status.value,
            }
            for a in actions
        ],
    }


def erase_person(user: User, *, session: Session, **_: Any) -> None:
    """Take the person off every series and scrub their name from action items and contact points.

    The items themselves stay (what a side agreed to do is the series' record), owned by nobody named.
    The erasure as a whole is audited once by accounts: no entry is added here, so that the audit
    total moves only by the erasure's own entries.
    """
    session.execute(sa.delete(Participant).where(_mine(user)))
    session.execute(
        sa.update(ActionItem)
        .where(_owned(user))
        .values(owner_name=ERASED, owner_email="", owner_user_id=None)
    )
    session.execute(
        sa.update(ContactPoint)
        .where(sa.func.lower(ContactPoint.email) == user.email.lower())
        .values(name=ERASED, email="", phone="")
    )
    session.execute(
        sa.update(ContactTest)
        .where(ContactTest.tested_by_id == user.id)
        .values(tested_by_name=ERASED, tested_by_id=None)
    )
    session.flush()
