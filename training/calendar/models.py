"""Personal feed tokens and what each feed last served (for a Last-Modified that never goes back)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import User
from training.core.database import UTCDateTime, utcnow
from training.core.extensions import db


class FeedToken(db.Model):
    """The secret in one person's personal feed URL.

    The token itself is an HMAC of nonce under the application's secret key, so the
    profile can show the URL again while the database alone holds nothing that
    opens the feed: lookups go by token_hash (SHA-256 of the token). A new nonce
    replaces the token and the old URL stops working at once.
    """

    __tablename__ = "calendar_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class FeedState(db.Model):
    """The ETag and Last-Modified a feed was last served with.

    Rows leaving a feed (a withdrawal, a deleted session, a cancellation past its
    30 days) can make the newest updated_at go back; a client asking
    If-Modified-Since would then never see the change. Remembering the last value
    lets every change move Last-Modified forward.
    """

    __tablename__ = "calendar_feed_states"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    etag: Mapped[str] = mapped_column(sa.String(80))
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime)
