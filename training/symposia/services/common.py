"""What every symposia service shares: the coordinator check, the audit topic and snapshots, the programme."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.permissions import is_coordinator
from training.core.errors import DomainError, Forbidden
from training.symposia.models import Invitation, ProgrammeSession, Symposium


def require_coordinator(actor: Any) -> None:
    """Refuse anyone but a coordinator (or an admin) a change on the organisers' side."""
    if not is_coordinator(actor):
        raise Forbidden(_("You do not have permission to do this."))


def topic(symposium: Symposium | int) -> str:
    """The audit topic grouping everything that happens to one symposium."""
    return f"symposium:{symposium if isinstance(symposium, int) else symposium.id}"


def clean_email(value: str, field_name: str) -> str:
    """value as a normalised, lower-cased address, or a DomainError on field_name."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(
            _("%(email)s is not an email address.", email=value.strip() or "''"), field=field_name
        ) from None


def snapshot(symposium: Symposium) -> dict[str, Any]:
    """The audited fields of a symposium."""
    return {
        "title": symposium.title,
        "title_zh": symposium.title_zh,
        "venue": symposium.venue,
        "city": symposium.city,
        "timezone": symposium.timezone,
        "starts_at": symposium.starts_at.isoformat(),
        "ends_at": symposium.ends_at.isoformat(),
        "capacity": symposium.capacity,
        "rsvp_deadline": symposium.rsvp_deadline.isoformat(),
        "organiser": f"{symposium.organiser_name} <{symposium.organiser_email}>",
        "status": symposium.status.value,
        "sequence": symposium.sequence,
    }


def invitation_snapshot(invitation: Invitation) -> dict[str, Any]:
    """The audited fields of an invitation (never its token or hash)."""
    return {
        "name": invitation.name,
        "email": invitation.email,
        "organisation": invitation.organisation,
        "delegates_allowed": invitation.delegates_allowed,
        "locale": invitation.locale,
        "answer": invitation.answer.value if invitation.answer else None,
        "revoked": invitation.is_revoked,
    }


def programme_of(session: Session, symposium: Symposium) -> Sequence[ProgrammeSession]:
    """The symposium's programme, in order."""
    return session.scalars(
        sa.select(ProgrammeSession).where(ProgrammeSession.symposium_id == symposium.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ).all()
