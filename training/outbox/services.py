"""Queueing mail in the caller's transaction, and delivering it over SMTP exactly once."""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage, Message
from email.policy import compat32
from functools import cache

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from training.core.database import utcnow
from training.core.headers import header_value
from training.outbox.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 8
DELIVERED_BODY = "[delivered; body removed]"
# A sender that dies mid-delivery loses its claim after this long; the message is retried.
CLAIM_LEASE = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 ... minutes, capped at 4 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 240))


def render_mail(template: str, locale: str | None, **context: object) -> tuple[str, str]:
    """Render templates/mail/<template>.txt in locale: first line is the subject, the rest the body."""
    with force_locale(locale or "en"):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return header_value(subject), body.strip() + "\n"


def is_undeliverable(address: str) -> bool:
    """Whether address is under the reserved .invalid domain, which no mail server delivers to."""
    domain = address.rstrip(">").rpartition("@")[2].lower()
    return domain == "invalid" or domain.endswith(".invalid")


def _message_values(
    to: str, template: str, locale: str | None, reply_to: str | None, calendar_method: str | None,
    calendar_body: str | None, context: dict[str, object],
) -> dict[str, object]:
    subject, body = render_mail(template, locale, **context)
    values: dict[str, object] = {
        "recipient": to, "subject": subject, "body": body, "reply_to": reply_to,
        "calendar_method": calendar_method, "calendar_body": calendar_body,
    }
    if is_undeliverable(to):
        # An erased person's placeholder: kept as a record of what the change told them, never sent.
        values.update(status=OutboxStatus.FAILED, last_error="the .invalid domain never delivers (RFC 2606)")
    return values


def queue_mail(
    session: Session,
    *,
    to: str,
    template: str,
    locale: str | None = None,
    reply_to: str | None = None,
    calendar_method: str | None = None,
    calendar_body: str | None = None,
    flush: bool = True,
    **context: object,
) -> OutboxMessage:
    """Queue one templated message; it is sent only if the caller's transaction commits.

    flush=False leaves the message pending, for a caller queuing thousands that flushes once.
    """
    message = OutboxMessage(
        **_message_values(to, template, locale, reply_to, calendar_method, calendar_body, context))
    session.add(message)
    if flush:
        session.flush()
    return message


def queue_mail_now(
    session: Session, *, to: str, template: str, locale: str | None = None, **context: object
) -> None:
    """queue_mail(), written at once by one INSERT on the session's connection, without a message
    object or a flush: for frequent mail (an enrolment's) that the caller reads nothing back of."""
    session.connection().execute(
        _insert_message(), _message_values(to, template, locale, None, None, None, context))


@cache
def _insert_message() -> sa.Insert:
    """The INSERT of one outbox row, bound by column name; built once, so that SQLAlchemy finds it
    compiled without building and keying a new statement for every message."""
    return sa.insert(OutboxMessage.__table__)


def build_email(message: OutboxMessage, default_sender: str) -> EmailMessage:
    """The MIME message for one outbox row: plain text, plus an iMIP calendar alternative.

    Every header value goes through header_value(): a name typed with a line break
    (a Subject naming the person) must not end the header or stop the outbox.
    """
    email = EmailMessage()
    email["From"] = header_value(message.sender or default_sender)
    email["To"] = header_value(message.recipient)
    email["Subject"] = header_value(message.subject)
    email["Message-ID"] = header_value(message.message_id)
    if message.reply_to:
        email["Reply-To"] = header_value(message.reply_to)
    email.set_content(message.body)
    if message.calendar_body:
        email.make_alternative()
        email.attach(_calendar_part(message.calendar_method or "PUBLISH", message.calendar_body))
    return email


def _calendar_part(method: str, body: str) -> Message:
    """The iMIP part, headed exactly `text/calendar; method=REQUEST; charset=UTF-8`.

    EmailMessage would re-render the parameters quoted (method="REQUEST"); that is
    valid MIME, but some calendar clients only show their accept/decline buttons for
    the unquoted form that RFC 6047's examples use. A compat32 part keeps the header
    as written.
    """
    if not method.isalpha():
        raise ValueError(f"not an iTIP method: {method!r}")
    part = Message(policy=compat32)
    part["Content-Type"] = f"text/calendar; method={method.upper()}; charset=UTF-8"
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(body.encode("utf-8")).decode("ascii"))
    return part


@dataclass
class DeliveryReport:
    """What one run of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def _claim_next(session: Session, now: datetime) -> tuple[int, EmailMessage | None] | None:
    """Claim one due message for this sender, commit the claim, return its id and email.

    A message that cannot be built into an email is marked failed with the reason
    (email None): it fails alone, and the messages queued after it still go out.

    SKIP LOCKED lets concurrent senders on PostgreSQL pass each other's rows; on
    SQLite the write transaction (BEGIN IMMEDIATE) serialises senders. The claim is
    a lease, so a message whose sender died is picked up again after CLAIM_LEASE.
    """
    due = sa.or_(
        sa.and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )
    message = session.scalar(
        sa.select(OutboxMessage)
        .where(due)
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if message is None:
        session.rollback()
        return None
    message.status = OutboxStatus.SENDING
    message.claimed_until = now + CLAIM_LEASE
    message.attempts += 1
    # Built before the commit: nothing is read from the database while SMTP talks.
    email: EmailMessage | None
    try:
        email = build_email(message, current_app.config["MAIL_DEFAULT_SENDER"])
    except Exception as exc:  # noqa: BLE001 - one bad row must fail alone, not stop the batch
        # Building it again would give the same error: no retry, the reason is kept.
        email = None
        message.status = OutboxStatus.FAILED
        message.claimed_until = None
        message.last_error = f"cannot be built: {type(exc).__name__}: {exc}"[:1000]
    message_id = message.id
    session.commit()
    return message_id, email


def deliver_pending(session: Session, limit: int | None = None) -> DeliveryReport:
    """Send every due message over SMTP; failures are retried later with backoff.

    Commits per message (this is a batch job, not a request), so a crash loses no
    progress and never sends a message that another sender holds.
    """
    cfg = current_app.config
    report = DeliveryReport()
    while limit is None or report.sent + report.retried + report.failed < limit:
        claimed = _claim_next(session, utcnow())
        if claimed is None:
            break
        message_id, email = claimed
        if email is None:
            report.failed += 1
            continue
        error: str | None = None
        try:
            with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
        message = session.get_one(OutboxMessage, message_id)
        if error is not None:
            message.last_error = error
            message.claimed_until = None
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
                report.failed += 1
            else:
                message.status = OutboxStatus.PENDING
                message.next_attempt_at = utcnow() + retry_delay(message.attempts)
                report.retried += 1
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.claimed_until = None
            message.last_error = None
            # Bodies carry personal links (RSVP, password reset); once delivered they are
            # of no use here and must not sit in the database as usable secrets.
            message.body = DELIVERED_BODY
            message.calendar_body = None
            report.sent += 1
        session.commit()
    return report


@dataclass
class MailScrubbed:
    """What erasing a person did to the mail: unsent mail to them removed, other mail rewritten."""

    removed: int = 0
    rewritten: int = 0


def scrub_mail_about(
    session: Session, *, address: str, needles: list[str], scrub: Callable[[str], str], new_address: str,
) -> MailScrubbed:
    """Take a person out of the outbox: mail still to be sent to address is removed (it would
    greet them by name at an address they asked to be forgotten at); every other message that
    names them (a focal point told of their lapse) has its texts passed through scrub, and
    delivered mail to them keeps only a placeholder address."""
    done = MailScrubbed()
    address = address.lower()
    unsent = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
    done.removed = session.execute(
        sa.delete(OutboxMessage).where(sa.func.lower(OutboxMessage.recipient) == address,
                                       OutboxMessage.status.in_(unsent))
    ).rowcount or 0
    texts = (OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body, OutboxMessage.calendar_body)
    mentions = [sa.func.lower(column).contains(needle.lower(), autoescape=True)
                for needle in needles if needle for column in texts]
    if not mentions:
        return done
    for message in session.scalars(sa.select(OutboxMessage).where(sa.or_(*mentions))).all():
        if message.recipient.lower() == address:
            message.recipient = new_address
        message.subject = scrub(message.subject)
        message.body = scrub(message.body)
        if message.calendar_body is not None:
            message.calendar_body = scrub(message.calendar_body)
        done.rewritten += 1
    session.flush()
    return done


def queued_to(session: Session, address: str) -> int:
    """How many messages to address are still to be sent."""
    return session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        sa.func.lower(OutboxMessage.recipient) == address.lower(),
        OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)))) or 0
