"""Meetings: recurring working-level meeting series, their occurrences, minutes, action items,
and the hotline's contact points with their test log.

A series is a recurrence (an RFC 5545 RRULE) on the venue's clock: its first meeting's local
start, a duration and a rule. Its occurrences are computed from the rule; an occurrence row
exists only once something happened to one (moved, cancelled, given a place, an agenda,
minutes or action items), keyed by its recurrence id: the original local start.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import (
    MAX_EMAIL,
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_TIMEZONE,
    User,
    owners_by_email,
)
from training.core import versions
from training.core.database import UTCDateTime, enum_column, utcnow
from training.core.extensions import db
from training.core.i18n import in_reader_language

MAX_TITLE = 200
MAX_SLUG = 80
MAX_RULE = 300
MAX_PLACE = 300
MAX_URL = 500
MAX_TEXT = 20_000
MAX_ACTION = 1000
MAX_PHONE = 40
MAX_HOURS = 120
MAX_LANGUAGES = 120
MAX_NOTE = 2000
MAX_DURATION_MINUTES = 24 * 60


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # the whole series, every meeting to come

    @property
    def label(self) -> str:
        return _SERIES_LABELS[self]  # type: ignore[return-value]


class OccurrenceStatus(StrEnum):
    SCHEDULED = "scheduled"
    MOVED = "moved"  # to another day or hour
    CANCELLED = "cancelled"  # this date only; the series goes on

    @property
    def label(self) -> str:
        return _OCCURRENCE_LABELS[self]  # type: ignore[return-value]


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]  # type: ignore[return-value]


class ContactResult(StrEnum):
    REACHED = "reached"  # answered within the agreed time
    LATE = "late"  # answered, but late
    UNREACHED = "unreached"

    @property
    def label(self) -> str:
        return _RESULT_LABELS[self]  # type: ignore[return-value]


_SERIES_LABELS = {SeriesStatus.ACTIVE: _l("active"), SeriesStatus.CANCELLED: _l("cancelled")}
_OCCURRENCE_LABELS = {
    OccurrenceStatus.SCHEDULED: _l("scheduled"),
    OccurrenceStatus.MOVED: _l("moved"),
    OccurrenceStatus.CANCELLED: _l("cancelled"),
}
_ACTION_LABELS = {
    ActionStatus.OPEN: _l("open"),
    ActionStatus.DONE: _l("done"),
    ActionStatus.DROPPED: _l("dropped"),
}
_RESULT_LABELS = {
    ContactResult.REACHED: _l("reached"),
    ContactResult.LATE: _l("reached late"),
    ContactResult.UNREACHED: _l("not reached"),
}


class MeetingSeries(db.Model):
    """A recurring meeting between two sides, on the venue's clock."""

    __tablename__ = "meeting_series"
    __table_args__ = (
        sa.CheckConstraint(f"duration_minutes BETWEEN 1 AND {MAX_DURATION_MINUTES}", name="duration_range"),
        sa.CheckConstraint("side_a != side_b", name="two_sides"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(MAX_SLUG), unique=True)
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    title_zh: Mapped[str] = mapped_column(sa.String(MAX_TITLE), default="")
    side_a: Mapped[str] = mapped_column(sa.String(2))
    side_b: Mapped[str] = mapped_column(sa.String(2))
    timezone: Mapped[str] = mapped_column(sa.String(MAX_TIMEZONE))
    # The first meeting's wall-clock start in timezone (naive: a reading of the venue's clock).
    first_start: Mapped[datetime] = mapped_column(sa.DateTime)
    # The same as an instant, for ordering and listing.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int]
    # RFC 5545 RRULE value without DTSTART, normalised: UNTIL (if any) in UTC.
    rrule: Mapped[str] = mapped_column(sa.String(MAX_RULE))
    location: Mapped[str] = mapped_column(sa.String(MAX_PLACE), default="")
    video_url: Mapped[str] = mapped_column(sa.String(MAX_URL), default="")
    organiser_name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    organiser_email: Mapped[str] = mapped_column(sa.String(MAX_EMAIL))
    status: Mapped[SeriesStatus] = mapped_column(
        enum_column(SeriesStatus, "meeting_series_status"), default=SeriesStatus.ACTIVE
    )
    # Raised by every change a calendar must follow (the rule, an occurrence moved or cancelled).
    sequence: Mapped[int] = mapped_column(default=0)
    # The series this one continues after a "this and following" change.
    continues_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participants: Mapped[list[Participant]] = relationship(
        back_populates="series", lazy="raise", cascade="all, delete-orphan", order_by="Participant.id"
    )
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="series",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Occurrence.recurrence_id",
    )

    @property
    def shown_title(self) -> str:
        return in_reader_language(self.title, self.title_zh)

    @property
    def sides(self) -> tuple[str, str]:
        return self.side_a, self.side_b

    @property
    def cancelled(self) -> bool:
        return self.status is SeriesStatus.CANCELLED


class Participant(db.Model):
    """Someone invited to every meeting of a series: an account or an outside address."""

    __tablename__ = "meeting_participants"
    __table_args__ = (sa.UniqueConstraint("series_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_series.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(sa.String(MAX_EMAIL), index=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    # The language their mail is written in ("en", "zh_Hans").
    language: Mapped[str] = mapped_column(sa.String(16), default="en")

    series: Mapped[MeetingSeries] = relationship(back_populates="participants", lazy="raise")
    user: Mapped[User | None] = relationship(lazy="raise")


class Occurrence(db.Model):
    """One meeting of a series that something happened to: moved, cancelled, placed, minuted."""

    __tablename__ = "meeting_occurrences"
    __table_args__ = (sa.UniqueConstraint("series_id", "recurrence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_series.id", ondelete="CASCADE"))
    # The original wall-clock start the rule gives (naive, on the series' clock): its identity.
    recurrence_id: Mapped[datetime] = mapped_column(sa.DateTime)
    status: Mapped[OccurrenceStatus] = mapped_column(
        enum_column(OccurrenceStatus, "meeting_occurrence_status"), default=OccurrenceStatus.SCHEDULED
    )
    # Set when moved: the new start and end as instants.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # This meeting's own place, instead of the series' (Beijing one month, Washington the next).
    location: Mapped[str] = mapped_column(sa.String(MAX_PLACE), default="")
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    minutes_en: Mapped[str] = mapped_column(sa.Text, default="")
    minutes_zh: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    series: Mapped[MeetingSeries] = relationship(back_populates="occurrences", lazy="raise")
    actions: Mapped[list[ActionItem]] = relationship(
        back_populates="occurrence", lazy="raise", cascade="all, delete-orphan", order_by="ActionItem.id"
    )


class ActionItem(db.Model):
    """Something a side agreed to do at a meeting, by a date."""

    __tablename__ = "meeting_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting_occurrences.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the occurrence: the series page lists every open item in one query.
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_series.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(sa.String(MAX_ACTION))
    side: Mapped[str] = mapped_column(sa.String(2))
    owner_name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    owner_email: Mapped[str] = mapped_column(sa.String(MAX_EMAIL), default="")
    owner_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "meeting_action_status"), default=ActionStatus.OPEN
    )
    # The day the owner was last reminded: at most one reminder a day, and one before the due date.
    reminded_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    occurrence: Mapped[Occurrence] = relationship(back_populates="actions", lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.status is ActionStatus.OPEN


class ContactPoint(db.Model):
    """One side's 24/7 contact point on the hotline."""

    __tablename__ = "contact_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    side: Mapped[str] = mapped_column(sa.String(2), index=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    organisation: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION), default="")
    phone: Mapped[str] = mapped_column(sa.String(MAX_PHONE), default="")
    email: Mapped[str] = mapped_column(sa.String(MAX_EMAIL), default="")
    hours: Mapped[str] = mapped_column(sa.String(MAX_HOURS), default="24/7")
    languages: Mapped[str] = mapped_column(sa.String(MAX_LANGUAGES), default="")
    last_tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when it is no longer valid: it leaves the directory, but its test log is evidence and stays.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tests: Mapped[list[ContactTest]] = relationship(
        back_populates="contact_point",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ContactTest.tested_at.desc()",
    )

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class ContactTest(db.Model):
    """One test of a contact point: when, by whom, how, and whether it answered."""

    __tablename__ = "contact_point_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_point_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contact_points.id", ondelete="CASCADE"), index=True
    )
    tested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    tested_by_name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    method: Mapped[str] = mapped_column(sa.String(40))
    result: Mapped[ContactResult] = mapped_column(enum_column(ContactResult, "contact_test_result"))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    contact_point: Mapped[ContactPoint] = relationship(back_populates="tests", lazy="raise")


# --- data versions (training.core.versions) ------------------------------------------------

def _series_scopes(series: MeetingSeries, _connection: sa.Connection) -> list[versions.Scope]:
    return [(versions.SERIES, series.id)]


def _occurrence_scopes(occurrence: Occurrence, _connection: sa.Connection) -> list[versions.Scope]:
    return [(versions.SERIES, s) for s in versions.changed_values(occurrence, "series_id")]


def _participant_scopes(participant: Participant, connection: sa.Connection) -> list[versions.Scope]:
    """The series, and the own feed of the person taking part (by account or by address)."""
    return [*((versions.SERIES, s) for s in versions.changed_values(participant, "series_id")),
            *((versions.OWNER, u) for u in versions.changed_values(participant, "user_id")),
            *owners_by_email(connection, versions.changed_values(participant, "email"))]


versions.watch(MeetingSeries, _series_scopes)
versions.watch(Occurrence, _occurrence_scopes)
versions.watch(Participant, _participant_scopes)
