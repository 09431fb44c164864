"""Mail waiting to be delivered, queued in the same transaction as the change it reports."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, mapped_column

from training.core.database import UTCDateTime, enum_column, utcnow
from training.core.extensions import db


class OutboxStatus(StrEnum):
    """Where a message is on its way out."""

    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by one sender until claimed_until
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS


def new_message_id() -> str:
    """A Message-ID for a new outbox row: random, under the site's own host name."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname if has_app_context() else None
    return f"<outbox.{secrets.token_hex(16)}@{host or 'training'}>"


class OutboxMessage(db.Model):
    """One email. calendar_* carry an iMIP part (text/calendar; method=...) when set."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Chosen once when the message is queued: a retry after a lost SMTP acknowledgement
    # carries the same Message-ID, so the recipient's client drops the second copy.
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True, default=new_message_id)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    sender: Mapped[str | None] = mapped_column(sa.String(254))
    calendar_method: Mapped[str | None] = mapped_column(sa.String(16))
    calendar_body: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
