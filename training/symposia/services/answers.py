"""Invitees' answers: accepted delegates counted under the symposium's capacity lock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError
from training.core.locking import locked_query
from training.symposia.models import (
    DELEGATES_MAX,
    NOTE_MAX,
    PERSON_NAME_MAX,
    Answer,
    AnswerChannel,
    Delegate,
    Invitation,
    Symposium,
    SymposiumStatus,
)
from training.symposia.services.common import clean_email, invitation_snapshot, topic

# The names programs have imported since before the limits moved to models.py.
MAX_DELEGATES = DELEGATES_MAX
MAX_NOTE = NOTE_MAX


def lock_symposium(session: Session, symposium_id: int) -> int:
    """Serialise answers on one symposium until the transaction ends; returns its current capacity.

    PostgreSQL: a row lock (SELECT ... FOR UPDATE), so concurrent answers re-count after
    the previous one committed. SQLite ignores FOR UPDATE; there every writing
    transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    return session.execute(
        locked_query(sa.select(Symposium.capacity).where(Symposium.id == symposium_id))
    ).scalar_one()


def accepted_delegates(session: Session, symposium_id: int, *, excluding: int | None = None) -> int:
    """Delegates named on live, accepted invitations."""
    query = (
        sa.select(sa.func.count(Delegate.id))
        .join(Invitation, Delegate.invitation_id == Invitation.id)
        .where(Invitation.symposium_id == symposium_id, Invitation.answer == Answer.ACCEPTED,
               Invitation.revoked_at.is_(None))
    )
    if excluding is not None:
        query = query.where(Invitation.id != excluding)
    return session.scalar(query) or 0


def _load_for_answer(session: Session, invitation: Invitation) -> None:
    """Load the symposium and delegates an answer needs, unless the caller already has."""
    unloaded = sa.inspect(invitation).unloaded
    if "symposium" in unloaded:
        set_committed_value(invitation, "symposium", session.get_one(Symposium, invitation.symposium_id))
    if "delegates" in unloaded:
        set_committed_value(invitation, "delegates", list(session.scalars(
            sa.select(Delegate).where(Delegate.invitation_id == invitation.id).order_by(Delegate.position))))


def parse_answer(value: str | Answer | None) -> Answer:
    """The Answer named by value, or a clear refusal."""
    try:
        return Answer(value)
    except ValueError:
        raise DomainError(_("Choose accept, decline or tentative."), field="answer") from None


def answers_closed(symposium: Symposium, now: datetime | None = None) -> str | None:
    """Why invitations to symposium can no longer be answered, or None while they can."""
    if symposium.status is SymposiumStatus.CANCELLED:
        return _("This symposium has been cancelled.")
    if (now or utcnow()) > symposium.rsvp_deadline:
        return _("The deadline for answers has passed.")
    return None


def _kept_on_decline(entries: list[tuple[str, str]], invitation: Invitation) -> list[tuple[str, str]]:
    """The delegates a declined invitation keeps: those typed (within the limits), else the earlier ones."""
    if not entries:
        return [(d.name, d.email) for d in invitation.delegates]
    kept: dict[str, str] = {}
    for name, email in entries:
        if len(name) <= PERSON_NAME_MAX and name not in kept:
            try:
                kept[name] = clean_email(email, "delegates") if email else ""
            except DomainError:
                kept[name] = ""
    return list(kept.items())[:invitation.delegates_allowed]


def answer_invitation(session: Session, invitation: Invitation, *, answer: str | Answer,
                      delegates: Sequence[str | tuple[str, str]] = (), note: str = "",
                      via: AnswerChannel = AnswerChannel.LINK, now: datetime | None = None) -> Invitation:
    """Record an invitee's answer; accepted delegates never exceed the symposium's capacity.

    No actor: whoever holds the invitation's link (or, for a calendar reply, its address)
    is the invitee. Each delegate is a name, or a (name, email) pair. On refusal nothing
    changes: the earlier answer stands.
    """
    now = now or utcnow()
    _load_for_answer(session, invitation)
    closed = answers_closed(invitation.symposium, now)
    if closed:
        raise DomainError(closed)
    answer = parse_answer(answer)
    entries = [(d, "") if isinstance(d, str) else (d[0], (d[1] or "").strip()) for d in delegates]
    entries = [(name.strip(), email) for name, email in entries if name.strip()]
    if via is AnswerChannel.CALENDAR and answer is not Answer.DECLINED and not entries:
        # A calendar client names nobody: keep who was named before, else the invitee comes.
        entries = [(d.name, d.email) for d in invitation.delegates] or [(invitation.name, invitation.email)]
    if answer is Answer.DECLINED:
        # A decline never counts anyone; the names stay (as typed, or as they were) so that
        # changing back to accepting does not lose them, and are not checked: a decline with
        # a name too many must not be refused.
        entries = _kept_on_decline(entries, invitation)
    names = [name for name, _email in entries]
    emails = [clean_email(email, "delegates") if email else "" for _name, email in entries]
    if answer is Answer.ACCEPTED and not names:
        raise DomainError(_("Name at least one delegate."), field="delegates")
    if len(names) > invitation.delegates_allowed:
        raise DomainError(
            ngettext("You may name at most %(num)d delegate; you named %(m)d.",
                     "You may name at most %(num)d delegates; you named %(m)d.",
                     invitation.delegates_allowed, m=len(names)),
            field="delegates",
        )
    if any(len(name) > PERSON_NAME_MAX for name in names):
        raise DomainError(_("A delegate's name is too long (at most 120 characters)."), field="delegates")
    if len(set(names)) != len(names):
        raise DomainError(_("Each delegate is named once."), field="delegates")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise DomainError(ngettext("The note is too long (at most %(num)d character).",
                                   "The note is too long (at most %(num)d characters).", NOTE_MAX),
                          field="note")

    symposium = invitation.symposium
    if answer is Answer.ACCEPTED:
        capacity = lock_symposium(session, symposium.id)
        taken = accepted_delegates(session, symposium.id, excluding=invitation.id)
        left = max(capacity - taken, 0)
        if len(names) > left:
            raise Conflict(
                ngettext("The symposium is full: %(left)d of %(capacity)d places are left and you named "
                         "%(num)d delegate. Your earlier answer stands.",
                         "The symposium is full: %(left)d of %(capacity)d places are left and you named "
                         "%(num)d delegates. Your earlier answer stands.",
                         len(names), left=left, capacity=capacity),
                field="delegates",
            )
    before = invitation_snapshot(invitation) | {"delegates": [d.name for d in invitation.delegates],
                                                 "note": invitation.note}
    invitation.delegates.clear()
    session.flush()  # the old positions go before the new ones arrive
    invitation.delegates.extend(Delegate(position=i, name=name, email=email)
                                for i, (name, email) in enumerate(zip(names, emails, strict=True), start=1))
    invitation.answer = answer
    invitation.answered_at = now
    invitation.answered_via = via
    if via is AnswerChannel.LINK:
        invitation.note = note
    session.flush()
    record(session, actor=None, action="invitation.answered", subject=invitation, before=before,
           after=invitation_snapshot(invitation) | {"delegates": names, "note": invitation.note,
                                                    "answered_at": now.isoformat()},
           topic=topic(symposium), via=via.value)
    return invitation
