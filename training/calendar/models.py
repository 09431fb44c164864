"""What each feed last served (for a Last-Modified that never goes back)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from training.core.database import UTCDateTime
from training.core.extensions import db


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
