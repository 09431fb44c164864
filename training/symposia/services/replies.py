"""Calendar replies imported from mail (`flask rsvp import-replies`): only the sender's own answer counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from training.core.errors import DomainError
from training.symposia.calendar import replies_in, symposium_id_from_uid
from training.symposia.models import Answer, AnswerChannel, Invitation, Symposium
from training.symposia.services.answers import answer_invitation

_PARTSTAT = {"ACCEPTED": Answer.ACCEPTED, "DECLINED": Answer.DECLINED, "TENTATIVE": Answer.TENTATIVE}


@dataclass
class ReplyOutcome:
    """What importing one message (or one event in it) did."""

    source: str
    sender: str
    outcome: str  # applied, unchanged, ignored, refused
    message: str
    answer: Answer | None = field(default=None)

    def __str__(self) -> str:
        return f"{self.source}: {self.outcome}: {self.message} (from {self.sender or 'unknown sender'})"


def import_replies(session: Session, messages: Iterable[tuple[str, EmailMessage]]) -> list[ReplyOutcome]:
    """Apply the iMIP REPLYs in messages: only the sender's own PARTSTAT counts, only at the
    current SEQUENCE; every message gets an outcome, and a refused one changes nothing."""
    outcomes: list[ReplyOutcome] = []
    for source, message in messages:
        sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
        try:
            replies = replies_in(message)
        except ValueError as error:
            outcomes.append(ReplyOutcome(source, sender, "refused", str(error)))
            continue
        if not replies:
            outcomes.append(ReplyOutcome(source, sender, "ignored", "no calendar REPLY in this message"))
            continue
        for reply in replies:
            try:
                with session.begin_nested():
                    outcomes.append(_apply_reply(session, source, sender, reply))
            except DomainError as error:
                outcomes.append(ReplyOutcome(source, sender, "refused", error.message))
    return outcomes


def _apply_reply(session: Session, source: str, sender: str, reply: Any) -> ReplyOutcome:
    def refused(text: str) -> ReplyOutcome:
        return ReplyOutcome(source, sender, "refused", text)

    if not sender:
        return refused("the message has no sender address")
    if sender not in reply.partstats:
        others = ", ".join(sorted(reply.partstats)) or "none"
        return refused(f"ATTENDEE ({others}) is not the sender; reply ignored as spoofed")
    symposium_id = symposium_id_from_uid(reply.uid)
    symposium = session.get(Symposium, symposium_id) if symposium_id is not None else None
    if symposium is None:
        return refused(f"unknown UID {reply.uid!r}")
    invitation = session.scalar(
        sa.select(Invitation).where(Invitation.symposium_id == symposium.id, Invitation.email == sender)
        .options(selectinload(Invitation.symposium), selectinload(Invitation.delegates))
    )
    if invitation is None or invitation.is_revoked:
        return refused(f"{sender} has no live invitation to {reply.uid}")
    if reply.sequence < symposium.sequence:
        return ReplyOutcome(source, sender, "ignored",
                            f"stale reply: SEQUENCE {reply.sequence} is older than the current "
                            f"{symposium.sequence} of {reply.uid}")
    partstat = reply.partstats[sender]
    answer = _PARTSTAT.get(partstat)
    if answer is None:
        return refused(f"PARTSTAT {partstat or '(none)'} is not an answer")
    if invitation.answer is answer:
        return ReplyOutcome(source, sender, "unchanged", f"already {answer.value} for {reply.uid}", answer)
    answered_at = invitation.answered_at
    if reply.stamp is not None and answered_at is not None and reply.stamp < answered_at:
        return ReplyOutcome(source, sender, "ignored",
                            f"written {reply.stamp:%Y-%m-%d %H:%M} UTC, before the current answer "
                            f"({invitation.answer}) given {answered_at:%Y-%m-%d %H:%M} UTC")
    answer_invitation(session, invitation, answer=answer, via=AnswerChannel.CALENDAR)
    return ReplyOutcome(source, sender, "applied",
                        f"{invitation.name} ({invitation.organisation or sender}) {answer.value} "
                        f"{symposium.title!r} [{reply.uid}, SEQUENCE {reply.sequence}]", answer)
