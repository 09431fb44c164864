"""Courses, their day-by-day sessions, the instructors who teach them, and seats per country."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import User
from training.core import versions
from training.core.database import UTCDateTime, enum_column, utcnow
from training.core.extensions import db
from training.core.i18n import ChineseVersion
from training.core.search import search_key

# The longest texts and largest numbers a course, a session or an instructor takes, for the
# forms and the API alike; each fits its column (the Text columns hold any length).
MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_CITY = 120
MAX_VENUE = 200
MAX_CAPACITY = 100_000
MAX_CANCEL_REASON = 2_000
MAX_ROOM = 120
MAX_SESSION_NOTES = 5_000
MAX_NAME = 120
MAX_ORGANISATION = 200
MAX_EXPERTISE = 300
MAX_BIO = 10_000
MAX_EMAIL = 254
MAX_LETTERHEAD = 1_000
MAX_LETTER_COSTS = 2_000


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"

    @property
    def label(self) -> LazyString:
        """The status in the reader's language."""
        return _STATUS_LABELS[self]


class SessionKind(StrEnum):
    LECTURE = "lecture"
    PRACTICAL = "practical"
    FIELD_VISIT = "field-visit"
    WORKSHOP = "workshop"
    CEREMONY = "ceremony"

    @property
    def label(self) -> LazyString:
        """The kind of session in the reader's language."""
        return _KIND_LABELS[self]


# Translated when shown, one label at a time: a schedule shows a kind on every session.
_STATUS_LABELS = {
    CourseStatus.DRAFT: _l("draft"),
    CourseStatus.PUBLISHED: _l("published"),
    CourseStatus.CANCELLED: _l("cancelled"),
    CourseStatus.COMPLETED: _l("completed"),
}
_KIND_LABELS = {
    SessionKind.LECTURE: _l("lecture"),
    SessionKind.PRACTICAL: _l("practical"),
    SessionKind.FIELD_VISIT: _l("field visit"),
    SessionKind.WORKSHOP: _l("workshop"),
    SessionKind.CEREMONY: _l("ceremony"),
}


session_instructors = sa.Table(
    "session_instructors",
    db.Model.metadata,
    sa.Column("session_id", sa.ForeignKey("course_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("instructor_id", sa.ForeignKey("instructors.id", ondelete="CASCADE"), primary_key=True),
    # "What does this instructor teach" reads the table from the instructor's side.
    sa.Index("ix_session_instructors_instructor_id", "instructor_id"),
)


class Course(ChineseVersion, db.Model):
    """A training course hosted in one country, scheduled in the host's timezone."""

    __tablename__ = "courses"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint(
            "completion_percent BETWEEN 0 AND 100", name="completion_percent_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Optional Simplified Chinese versions, shown to Chinese readers; empty falls back.
    title_zh: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="")
    description_zh: Mapped[str] = mapped_column(sa.Text, default="")
    # The title, description (both languages), city and venue folded by core.search, which the
    # catalogue's text filter matches: kept current by refresh_search_key on every save.
    search_key: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    host_country: Mapped[str] = mapped_column(sa.String(2))
    city: Mapped[str] = mapped_column(sa.String(MAX_CITY))
    venue: Mapped[str] = mapped_column(sa.String(MAX_VENUE), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    capacity: Mapped[int]
    enrolment_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolment_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    # After this instant, seats still free in one country's quota go to other countries' waitlists.
    seat_release_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Share of (not cancelled) sessions a participant must attend to complete the course.
    completion_percent: Mapped[int] = mapped_column(default=80)
    status: Mapped[CourseStatus] = mapped_column(
        enum_column(CourseStatus, "course_status"), default=CourseStatus.DRAFT, index=True
    )
    # iCalendar SEQUENCE of the course-wide event: raised on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # What a visa invitation letter says on the host's behalf (training/travel letters), in English
    # and in Chinese for the side-by-side letter of a course hosted in China.
    letter_issuer: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION), default="", server_default="")
    letter_issuer_zh: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION), default="", server_default="")
    letter_letterhead: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    letter_signatory_name: Mapped[str] = mapped_column(sa.String(MAX_NAME), default="", server_default="")
    letter_signatory_title: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="", server_default="")
    letter_signatory_title_zh: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="",
                                                           server_default="")
    letter_costs: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    letter_costs_zh: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    sessions: Mapped[list[CourseSession]] = relationship(
        back_populates="course", order_by="CourseSession.starts_at", lazy="raise",
        cascade="all, delete-orphan",
    )

    @property
    def is_visible(self) -> bool:
        """Whether people other than coordinators may see it."""
        return self.status is not CourseStatus.DRAFT

    def refresh_search_key(self) -> None:
        """Fold the text the catalogue searches into search_key (after any change to it)."""
        self.search_key = search_key(self.title, self.title_zh, self.description, self.description_zh,
                                     self.city, self.venue)

    @property
    def days(self) -> list[date]:
        """Every calendar day of the course, first to last."""
        return [date.fromordinal(n) for n in range(self.starts_on.toordinal(), self.ends_on.toordinal() + 1)]

    def __repr__(self) -> str:
        return f"<Course {self.slug} {self.status}>"


class Instructor(db.Model):
    """Someone who teaches; optionally linked to an account so they see 'my teaching'."""

    __tablename__ = "instructors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    organisation: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION), default="")
    expertise: Mapped[str] = mapped_column(sa.String(MAX_EXPERTISE), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    # Where reschedules and cancellations go when the instructor has no account.
    email: Mapped[str] = mapped_column(sa.String(MAX_EMAIL), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )

    user: Mapped[User | None] = relationship(lazy="raise")
    sessions: Mapped[list[CourseSession]] = relationship(
        secondary=session_instructors, back_populates="instructors", lazy="raise",
        order_by="CourseSession.starts_at",
    )


class CourseSession(db.Model):
    """One slot of a course's schedule, stored in UTC and shown in the course's timezone."""

    __tablename__ = "course_sessions"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_course_sessions_course_starts", "course_id", "starts_at"),
        # Clash checks look for overlapping instants across every course.
        sa.Index("ix_course_sessions_starts_ends", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    kind: Mapped[SessionKind] = mapped_column(
        enum_column(SessionKind, "session_kind"), default=SessionKind.LECTURE
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A room of the course's venue; two sessions never share one at the same instant.
    room: Mapped[str] = mapped_column(sa.String(MAX_ROOM), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    cancelled: Mapped[bool] = mapped_column(default=False)
    # iCalendar SEQUENCE: raised on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="sessions", lazy="raise")
    instructors: Mapped[list[Instructor]] = relationship(
        secondary=session_instructors, back_populates="sessions", lazy="raise",
        order_by="Instructor.name",
    )


class SeatQuota(db.Model):
    """Seats for one country's personnel on one course.

    confirmed is a counter of seat-holding enrolments kept by the services with an
    atomic conditional UPDATE; the CHECK makes overbooking impossible in the database
    itself, whatever the code does.
    """

    __tablename__ = "seat_quotas"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "country"),
        sa.CheckConstraint("seats >= 0", name="seats_not_negative"),
        sa.CheckConstraint("confirmed >= 0 AND confirmed <= seats", name="confirmed_within_seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(sa.String(2))
    seats: Mapped[int]
    confirmed: Mapped[int] = mapped_column(default=0)

    course: Mapped[Course] = relationship(lazy="raise")


# --- data versions (training.core.versions): what each change makes pages and feeds draw again --

def _course_scopes(course: Course, _connection: sa.Connection) -> list[versions.Scope]:
    return [(versions.COURSE, course.id), (versions.CATALOGUE, 0)]


def _session_scopes(course_session: CourseSession, connection: sa.Connection) -> list[versions.Scope]:
    """The course's schedule; and the person of every instructor given or taken the session, whose
    own feed gains or loses it."""
    courses = versions.changed_values(course_session, "course_id")
    scopes: list[versions.Scope] = [(versions.COURSE, c) for c in courses]
    history = sa.inspect(course_session).attrs.instructors.history
    moved = [i for i in (*history.added, *history.deleted) if i is not None]
    ids = [i.id for i in moved if i.id is not None]
    if ids:
        scopes += [(versions.OWNER, user_id) for user_id in connection.scalars(
            sa.select(Instructor.user_id).where(Instructor.id.in_(ids), Instructor.user_id.is_not(None)))]
    return scopes


def _instructor_scopes(instructor: Instructor, connection: sa.Connection) -> list[versions.Scope]:
    """Every course the instructor teaches names them; their linked person's feed holds their teaching."""
    people = versions.changed_values(instructor, "user_id")
    scopes: list[versions.Scope] = [(versions.OWNER, u) for u in people]
    if instructor.id is not None:
        scopes += [(versions.COURSE, course_id) for course_id in connection.scalars(
            sa.select(CourseSession.course_id).distinct()
            .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
            .where(session_instructors.c.instructor_id == instructor.id))]
    return scopes


def _quota_scopes(quota: SeatQuota, _connection: sa.Connection) -> list[versions.Scope]:
    """A course's seats; the catalogue too when the seats offered change (not when they are taken)."""
    scopes: list[versions.Scope] = [(versions.SEATS, c) for c in versions.changed_values(quota, "course_id")]
    session = sa.orm.object_session(quota)
    added_or_removed = session is not None and (quota in session.new or quota in session.deleted)
    if added_or_removed or sa.inspect(quota).attrs.seats.history.has_changes():
        scopes += [(versions.CATALOGUE, 0)]
    return scopes


versions.watch(Course, _course_scopes)
versions.watch(CourseSession, _session_scopes)
versions.watch(Instructor, _instructor_scopes)
versions.watch(SeatQuota, _quota_scopes)
