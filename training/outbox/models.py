"""Mail waiting to be delivered, queued in the same transaction as the change it reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from training.core.database import UTCDateTime, enum_column, utcnow
from training.core.extensions import db


class OutboxStatus(StrEnum):
    """Where a message is on its way out."""

    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by one sender until claimed_until
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS


class OutboxMessage(db.Model):
    """One email. calendar_* carry an iMIP part (text/calendar; method=...) when set."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
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
