"""The people enrolled on a course (in its countries' seats) and their attendance."""

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
from training.courses.models import Course, CourseSession, SeatQuota


class EnrolmentStatus(StrEnum):
    PENDING = "pending"  # awaiting approval; holds no seat
    CONFIRMED = "confirmed"  # holds a seat
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"  # attended enough sessions; still holds its seat
    LAPSED = "lapsed"  # a clearance requirement went past its due date; final, holds no seat

    @property
    def label(self) -> str:
        """The status in the reader's language (a lazy string: evaluated when shown)."""
        return _STATUS_LABELS[self]  # type: ignore[return-value]


_STATUS_LABELS = {
    EnrolmentStatus.PENDING: _l("pending approval"),
    EnrolmentStatus.CONFIRMED: _l("confirmed"),
    EnrolmentStatus.WAITLISTED: _l("waitlisted"),
    EnrolmentStatus.REJECTED: _l("rejected"),
    EnrolmentStatus.WITHDRAWN: _l("withdrawn"),
    EnrolmentStatus.COMPLETED: _l("completed"),
    EnrolmentStatus.LAPSED: _l("lapsed"),
}

# The longest reason a coordinator may give when rejecting a request (forms and API alike).
MAX_REASON_LENGTH = 2000


# Statuses that count as "the person is on the course" (at most one per person and course).
ACTIVE_STATUSES = (
    EnrolmentStatus.PENDING,
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.COMPLETED,
)
SEAT_HOLDING_STATUSES = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED)
# Statuses an enrolment can leave: withdrawn by its person or rejected by a coordinator.
LEAVABLE_STATUSES = (EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED, EnrolmentStatus.CONFIRMED)
# Statuses that lapse when a clearance requirement is overdue: those holding or awaiting a seat.
LAPSABLE_STATUSES = (EnrolmentStatus.PENDING, EnrolmentStatus.CONFIRMED)


class Enrolment(db.Model):
    """One person on one course, in one country's seats."""

    __tablename__ = "enrolments"
    __table_args__ = (
        # At most one active enrolment per person per course, enforced by the database.
        sa.Index(
            "uq_enrolments_active_person",
            "course_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted', 'completed')"),
            postgresql_where=sa.text("status IN ('pending', 'confirmed', 'waitlisted', 'completed')"),
        ),
        sa.Index("ix_enrolments_course_country_status", "course_id", "country", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    # The quota the seat is held in: the person's own country's, or another's after release.
    quota_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seat_quotas.id", ondelete="SET NULL"))
    status: Mapped[EnrolmentStatus] = mapped_column(enum_column(EnrolmentStatus, "enrolment_status"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Waitlist order is (waitlisted_at, id): first come, first served per country.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    nominated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    certificate_code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When every clearance requirement that applies was accepted (None while one is not).
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(lazy="raise")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    nominated_by: Mapped[User | None] = relationship(foreign_keys=[nominated_by_id], lazy="raise")
    quota: Mapped[SeatQuota | None] = relationship(lazy="raise")

    @property
    def holds_seat(self) -> bool:
        """Whether this enrolment counts against a quota."""
        return self.status in SEAT_HOLDING_STATUSES

    @property
    def is_active(self) -> bool:
        """Whether the person is still on the course (at most one such enrolment per course)."""
        return self.status in ACTIVE_STATUSES

    @property
    def is_pending(self) -> bool:
        """Whether a coordinator has still to approve or reject the request."""
        return self.status is EnrolmentStatus.PENDING

    @property
    def is_waiting(self) -> bool:
        """Whether the person is on their country's waitlist."""
        return self.status is EnrolmentStatus.WAITLISTED

    @property
    def is_rejected(self) -> bool:
        return self.status is EnrolmentStatus.REJECTED

    @property
    def is_completed(self) -> bool:
        """Whether the person completed the course (and so has a certificate)."""
        return self.status is EnrolmentStatus.COMPLETED

    @property
    def is_lapsed(self) -> bool:
        """Whether the enrolment lapsed because a clearance requirement went past its due date."""
        return self.status is EnrolmentStatus.LAPSED

    @property
    def can_lapse(self) -> bool:
        """Whether an overdue clearance requirement takes this enrolment off the course."""
        return self.status in LAPSABLE_STATUSES

    @property
    def seat_since(self) -> datetime:
        """Since when the person holds (or has asked for) the seat: promotion, approval or request."""
        if self.status is EnrolmentStatus.CONFIRMED and self.decided_at is not None:
            return self.decided_at
        return self.requested_at

    @property
    def can_withdraw(self) -> bool:
        """Whether the person (or their focal point, or a coordinator) can still withdraw it."""
        return self.status in LEAVABLE_STATUSES

    @property
    def can_reject(self) -> bool:
        """Whether a coordinator can still reject it (or take back its seat)."""
        return self.status in LEAVABLE_STATUSES


class Attendance(db.Model):
    """Whether one enrolled person was present at one session."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("course_sessions.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"))
    present: Mapped[bool]
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    session: Mapped[CourseSession] = relationship(lazy="raise")
    enrolment: Mapped[Enrolment] = relationship(lazy="raise")


# --- data versions (training.core.versions) ------------------------------------------------

def enrolment_scopes(enrolment: Enrolment, _connection: sa.Connection) -> list[versions.Scope]:
    """Who holds and waits for the course's seats, and the person's own feed; never the catalogue."""
    return [(versions.SEATS, enrolment.course_id), (versions.OWNER, enrolment.user_id)]


# What a roster shows of a person, as its row or as who nominated someone.
_ROSTER_FIELDS = ("name", "email", "organisation")


def _person_roster_scopes(user: User, connection: sa.Connection) -> list[versions.Scope]:
    """The rosters that name the person, when what they show of them changed (not at each sign-in)."""
    state = sa.inspect(user)
    session = sa.orm.object_session(user)
    new = session is not None and user in session.new  # nobody has nominated or enrolled them yet
    if new or not any(state.attrs[field].history.has_changes() for field in _ROSTER_FIELDS):
        return []
    return [(versions.ROSTER, course_id) for course_id in connection.scalars(
        sa.select(Enrolment.course_id).distinct()
        .where(sa.or_(Enrolment.user_id == user.id, Enrolment.nominated_by_id == user.id)))]


versions.watch(Enrolment, enrolment_scopes)
versions.watch(User, _person_roster_scopes)
