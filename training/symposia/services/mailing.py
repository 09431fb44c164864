"""The mails an invitee receives, each with its iMIP part and, where it asks for an answer, a fresh link."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import Session

from training.core.database import utcnow
from training.outbox.services import queue_mail
from training.symposia.calendar import invitation_calendar
from training.symposia.models import Answer, Invitation, ProgrammeSession, Symposium
from training.symposia.services.common import programme_of
from training.symposia.services.links import issue_link


def send(session: Session, symposium: Symposium, programme: Sequence[ProgrammeSession],
         invitation: Invitation, template: str, method: str, *, link: bool, flush: bool = True) -> None:
    """Queue one mail to an invitee with its iMIP part; with link, a fresh personal link.

    flush=False leaves the mail pending for a caller that sends many and flushes once.
    """
    url = issue_link(invitation) if link else None
    with force_locale(invitation.locale or "en"):
        calendar_body = invitation_calendar(symposium, programme, invitation, method)
    queue_mail(
        session,
        to=invitation.email,
        template=template,
        locale=invitation.locale,
        reply_to=symposium.organiser_email,
        calendar_method=method,
        calendar_body=calendar_body,
        symposium=symposium,
        programme=programme,
        invitation=invitation,
        url=url,
        zone=ZoneInfo(symposium.timezone),
        flush=flush,
    )
    if invitation.sent_at is None:
        invitation.sent_at = utcnow()


def attending(symposium: Symposium) -> sa.ColumnElement[bool]:
    """The invitations of symposium that were sent, are live and not declined: those a change concerns."""
    return sa.and_(
        Invitation.symposium_id == symposium.id,
        Invitation.sent_at.is_not(None),
        Invitation.revoked_at.is_(None),
        sa.or_(Invitation.answer.is_(None), Invitation.answer != Answer.DECLINED),
    )


def mail_everyone_attending(session: Session, symposium: Symposium, template: str, method: str, *,
                            link: bool) -> int:
    """Mail every invitee who was sent the invitation and has not declined; returns how many."""
    programme = programme_of(session, symposium)
    invitations = session.scalars(
        sa.select(Invitation).where(attending(symposium)).order_by(Invitation.id)
    ).all()
    for invitation in invitations:
        send(session, symposium, programme, invitation, template, method, link=link)
    return len(invitations)
