"""Clearance: what a course asks of its participants before it starts, and where each one stands.

A requirement is a document to upload or a check a coordinator records, due a number of
days before the course starts. An item is one enrolment's state on one requirement; it
exists once something happened (an upload, a decision, an extension, a reminder), and a
requirement without an item is missing. Documents are stored in the database, so every
worker on every machine serves them and a database backup holds them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import User
from training.core import versions
from training.core.database import UTCDateTime, enum_column, utcnow
from training.core.extensions import db
from training.core.i18n import in_reader_language
from training.courses.models import Course
from training.enrolment.models import Enrolment

MAX_KEY = 40
MAX_TITLE = 200
MAX_INSTRUCTION = 2000
MAX_REASON = 2000
MAX_FILENAME = 200
# Due dates lie between the course start and a year before it.
MAX_DUE_DAYS = 365


class RequirementKind(StrEnum):
    DOCUMENT = "document"  # the person or their focal point uploads a file
    CHECK = "check"  # a coordinator records that it was done (vetting, a briefing)

    @property
    def label(self) -> str:
        """The kind in the reader's language (a lazy string: evaluated when shown)."""
        return _KIND_LABELS[self]  # type: ignore[return-value]


class ItemState(StrEnum):
    MISSING = "missing"
    SUBMITTED = "submitted"  # a document awaits a coordinator's decision
    ACCEPTED = "accepted"
    RETURNED = "returned"  # refused with a reason; the person may submit again

    @property
    def label(self) -> str:
        """The state in the reader's language (a lazy string: evaluated when shown)."""
        return _STATE_LABELS[self]  # type: ignore[return-value]


_KIND_LABELS = {RequirementKind.DOCUMENT: _l("document"), RequirementKind.CHECK: _l("check")}
_STATE_LABELS = {
    ItemState.MISSING: _l("missing"),
    ItemState.SUBMITTED: _l("submitted"),
    ItemState.ACCEPTED: _l("accepted"),
    ItemState.RETURNED: _l("returned"),
}


class Requirement(db.Model):
    """One thing a course asks of its participants (of every country, or of some)."""

    __tablename__ = "clearance_requirements"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "key"),
        sa.CheckConstraint(f"due_days_before_start BETWEEN 0 AND {MAX_DUE_DAYS}", name="due_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    # Stable name of the requirement in URLs and the API ("passport"); unique per course.
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY))
    kind: Mapped[RequirementKind] = mapped_column(enum_column(RequirementKind, "requirement_kind"))
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    title_zh: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="")
    instruction: Mapped[str] = mapped_column(sa.Text, default="")
    instruction_zh: Mapped[str] = mapped_column(sa.Text, default="")
    due_days_before_start: Mapped[int]
    # ISO country codes the requirement applies to; None: every participant.
    countries: Mapped[list[str] | None] = mapped_column(sa.JSON)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(lazy="raise")

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (Chinese when given and read), else the original."""
        return in_reader_language(self.title, self.title_zh)

    @property
    def shown_instruction(self) -> str:
        """The instruction in the reader's language, else the original."""
        return in_reader_language(self.instruction, self.instruction_zh)

    def applies_to(self, country: str) -> bool:
        """Whether a participant of country must meet it."""
        return not self.countries or country in self.countries

    @property
    def is_document(self) -> bool:
        return self.kind is RequirementKind.DOCUMENT


class Item(db.Model):
    """One enrolment's state on one requirement."""

    __tablename__ = "clearance_items"
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"))
    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("clearance_requirements.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[ItemState] = mapped_column(enum_column(ItemState, "clearance_item_state"),
                                             default=ItemState.MISSING)
    # Why a coordinator returned it, shown to the person and their focal point.
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # A coordinator's extension replaces the computed due date for this person.
    due_at_override: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The due date the last reminder was for, so that each reminder goes out once per due date.
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_days: Mapped[int | None]

    enrolment: Mapped[Enrolment] = relationship(lazy="raise")
    requirement: Mapped[Requirement] = relationship(lazy="raise")
    decided_by: Mapped[User | None] = relationship(lazy="raise")


class Document(db.Model):
    """One uploaded file for an item; the newest is the one under review."""

    __tablename__ = "clearance_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("clearance_items.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(MAX_FILENAME))
    # Sniffed from the content, never taken from the name or the browser.
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    # Loaded only when the file is served: pages list documents without their bytes.
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # When the contents (and the file name, which often names the person) were deleted, after the
    # retention period or with the person's erasure; the type, size, hash and the decision stay.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship(lazy="raise")

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


# --- data versions (training.core.versions) ------------------------------------------------

def _requirement_scopes(requirement: Requirement, _connection: sa.Connection) -> list[versions.Scope]:
    """A course's roster gains or loses its clearance column with its requirements."""
    return [(versions.ROSTER, c) for c in versions.changed_values(requirement, "course_id")]


versions.watch(Requirement, _requirement_scopes)
