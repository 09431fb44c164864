"""Visa invitation letters: one issued letter per row, with the public code that verifies it.

A letter keeps the facts it was issued with (the person's name, the course, its dates, the
inviting organisation and the words of the course's letter settings), so that it prints the same
every time and its verification page says what the consulate holds, even after the course's
settings change. The passport fields are not copied here: they stay encrypted in the travel form
and are read (and audited) when the PDF is drawn; a change to them after issue makes the letter
stale (see services.stale), and the coordinator reissues it, which revokes the old code.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import User
from training.core.database import UTCDateTime, utcnow
from training.core.extensions import db
from training.courses.models import MAX_NAME, MAX_ORGANISATION, MAX_TITLE
from training.enrolment.models import Enrolment

MAX_CODE = 32
MAX_REVOKE_REASON = 500


class VisaLetter(db.Model):
    """One invitation letter issued to one enrolment; revoked when reissued or withdrawn."""

    __tablename__ = "visa_letters"
    __table_args__ = (
        # At most one letter in force per enrolment: reissuing revokes the old one first.
        sa.Index("uq_visa_letters_current", "enrolment_id", unique=True,
                 sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL")),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, 80 bits (services.new_code): the verification page's address, never derived from an id.
    code: Mapped[str] = mapped_column(sa.String(MAX_CODE), unique=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_reason: Mapped[str] = mapped_column(sa.String(MAX_REVOKE_REASON), default="")
    # When the travel form was last changed as the letter was issued: a later change makes it stale.
    form_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # What the verification page shows (and the letter prints), as issued.
    person_name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    course_title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    course_title_zh: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    issuer: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION))
    issuer_zh: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION), default="")
    # The rest of the letter's words, as the course's settings were at issue.
    city: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="")
    venue: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION), default="")
    host_country: Mapped[str] = mapped_column(sa.String(2))
    languages: Mapped[str] = mapped_column(sa.String(32))  # "zh_Hans en" or "en": the host's first
    letterhead: Mapped[str] = mapped_column(sa.Text, default="")
    signatory_name: Mapped[str] = mapped_column(sa.String(MAX_NAME), default="")
    signatory_title: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="")
    signatory_title_zh: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="")
    costs: Mapped[str] = mapped_column(sa.Text, default="")
    costs_zh: Mapped[str] = mapped_column(sa.Text, default="")

    enrolment: Mapped[Enrolment] = relationship(lazy="raise")
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id], lazy="raise")

    @property
    def is_valid(self) -> bool:
        """Whether the letter is in force (not revoked)."""
        return self.revoked_at is None

    @property
    def language_list(self) -> list[str]:
        return self.languages.split()

    def __repr__(self) -> str:
        return f"<VisaLetter {self.id} enrolment={self.enrolment_id}{' revoked' if self.revoked_at else ''}>"
