"""The audit trail: who changed what, when, with the state before and after."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.core.database import UTCDateTime, utcnow
from training.core.extensions import db

if TYPE_CHECKING:  # the actor is an account; accounts sits above audit and records through it
    from training.accounts.models import User


class AuditEntry(db.Model):
    """One recorded state change. topic groups entries, e.g. 'course:12' for a course's trail."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(64))
    subject_id: Mapped[int | None]
    topic: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    via: Mapped[str] = mapped_column(sa.String(16), default="web")

    actor: Mapped[User | None] = relationship("User", lazy="raise")
