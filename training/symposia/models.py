"""Symposia, their programme, the invitations sent for them and the delegates invitees name."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import owners_by_email
from training.core import versions
from training.core.database import UTCDateTime, enum_column, utcnow
from training.core.extensions import db
from training.core.i18n import ChineseVersion

# How long each thing may be, for the columns, the forms and the API alike.
TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
VENUE_MAX = 200
CITY_MAX = 120
PERSON_NAME_MAX = 120  # an organiser's, an invitee's or a delegate's name
EMAIL_MAX = 254
ORGANISATION_MAX = 200
ROOM_MAX = 120
SPEAKERS_MAX = 300
NOTE_MAX = 2000
CAPACITY_MAX = 100_000
DELEGATES_MAX = 50  # delegates one invitation may name


class SymposiumStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def label(self) -> LazyString:
        """The status in the reader's language."""
        return _STATUS_LABELS[self]


class Answer(StrEnum):
    """An invitee's answer; the values are iCalendar's PARTSTAT, lower-cased."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"

    @property
    def label(self) -> LazyString:
        """The answer in the reader's language."""
        return InvitationState(self.value).label


class InvitationState(StrEnum):
    """Where an invitation stands on the dashboard: its answer, or pending, or revoked.

    In the dashboard's column order: the answers as Answer lists them, then the rest.
    """

    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"
    PENDING = "pending"
    REVOKED = "revoked"

    @property
    def label(self) -> LazyString:
        """The state in the reader's language."""
        return _STATE_LABELS[self]


class AnswerChannel(StrEnum):
    """How an answer reached us."""

    LINK = "link"  # the personal RSVP page
    CALENDAR = "calendar"  # an iMIP REPLY from a calendar client

    @property
    def label(self) -> LazyString:
        """The channel in the reader's language."""
        return _CHANNEL_LABELS[self]


class Symposium(ChineseVersion, db.Model):
    """An event with a capacity in delegates and an RSVP deadline, held in one timezone."""

    __tablename__ = "symposia"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Optional Simplified Chinese versions, shown to Chinese readers; empty falls back.
    title_zh: Mapped[str] = mapped_column(sa.String(TITLE_MAX), default="")
    description_zh: Mapped[str] = mapped_column(sa.Text, default="")
    venue: Mapped[str] = mapped_column(sa.String(VENUE_MAX), default="")
    city: Mapped[str] = mapped_column(sa.String(CITY_MAX))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    rsvp_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    organiser_name: Mapped[str] = mapped_column(sa.String(PERSON_NAME_MAX))
    organiser_email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX))
    status: Mapped[SymposiumStatus] = mapped_column(
        enum_column(SymposiumStatus, "symposium_status"), default=SymposiumStatus.DRAFT, index=True
    )
    # iCalendar SEQUENCE of the invitation: raised on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    sessions: Mapped[list[ProgrammeSession]] = relationship(
        back_populates="symposium", order_by="ProgrammeSession.starts_at", lazy="raise",
        cascade="all, delete-orphan",
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="symposium", order_by="Invitation.id", lazy="raise",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Symposium {self.slug} {self.status}>"


class ProgrammeSession(db.Model):
    """One item of a symposium's programme (a panel, a keynote), stored in UTC."""

    __tablename__ = "symposium_sessions"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    symposium_id: Mapped[int] = mapped_column(
        sa.ForeignKey("symposia.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(sa.String(ROOM_MAX), default="")
    speakers: Mapped[str] = mapped_column(sa.String(SPEAKERS_MAX), default="")

    symposium: Mapped[Symposium] = relationship(back_populates="sessions", lazy="raise")


class Invitation(db.Model):
    """One invitee (no account) and their answer. Only a hash of the personal link's token is kept."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.UniqueConstraint("symposium_id", "email"),
        sa.CheckConstraint(f"delegates_allowed BETWEEN 1 AND {DELEGATES_MAX}",
                           name="delegates_allowed_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    symposium_id: Mapped[int] = mapped_column(sa.ForeignKey("symposia.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(PERSON_NAME_MAX))
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX))
    organisation: Mapped[str] = mapped_column(sa.String(ORGANISATION_MAX), default="")
    delegates_allowed: Mapped[int] = mapped_column(default=1)
    # The invitee's language: their mails and (unless they switch) their RSVP page.
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    # sha256 of the current RSVP token, hex; None until the invitation is first sent.
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer, "rsvp_answer"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_via: Mapped[AnswerChannel | None] = mapped_column(enum_column(AnswerChannel, "rsvp_channel"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    symposium: Mapped[Symposium] = relationship(back_populates="invitations", lazy="raise")
    delegates: Mapped[list[Delegate]] = relationship(
        back_populates="invitation", order_by="Delegate.position", lazy="raise",
        cascade="all, delete-orphan",
    )
    reminders: Mapped[list[Reminder]] = relationship(
        back_populates="invitation", lazy="raise", cascade="all, delete-orphan"
    )

    # The personal link issued during this request, if one was: the only moment it is known,
    # since only its hash is stored. Not a column.
    issued_link = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def attending_delegates(self) -> list[Delegate]:
        """The delegates who come: none on a declined invitation, which keeps the names typed
        before only so that changing the answer back does not make the invitee type them again."""
        return [] if self.answer is Answer.DECLINED else list(self.delegates)

    @property
    def state(self) -> InvitationState:
        """The dashboard column this invitation counts in."""
        if self.is_revoked:
            return InvitationState.REVOKED
        return InvitationState(self.answer.value) if self.answer else InvitationState.PENDING

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.email} {self.answer}>"


class Delegate(db.Model):
    """A person an invitee names to attend on their organisation's behalf."""

    __tablename__ = "delegates"
    __table_args__ = (sa.UniqueConstraint("invitation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("invitations.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(PERSON_NAME_MAX))
    # Optional: the RSVP page asks for names only; programs may send addresses too.
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX), default="")

    invitation: Mapped[Invitation] = relationship(back_populates="delegates", lazy="raise")


class Reminder(db.Model):
    """A reminder mailed to an invitee who had not answered; unique, so each goes out once."""

    __tablename__ = "invitation_reminders"
    __table_args__ = (sa.UniqueConstraint("invitation_id", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("invitations.id", ondelete="CASCADE"))
    days_before: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship(back_populates="reminders", lazy="raise")


_STATUS_LABELS = {
    SymposiumStatus.DRAFT: _l("draft"),
    SymposiumStatus.PUBLISHED: _l("published"),
    SymposiumStatus.CANCELLED: _l("cancelled"),
}
_STATE_LABELS = {
    InvitationState.ACCEPTED: _l("accepted"),
    InvitationState.TENTATIVE: _l("tentative"),
    InvitationState.DECLINED: _l("declined"),
    InvitationState.PENDING: _l("no answer yet"),
    InvitationState.REVOKED: _l("revoked"),
}
_CHANNEL_LABELS = {AnswerChannel.LINK: _l("RSVP link"), AnswerChannel.CALENDAR: _l("calendar reply")}


# --- data versions (training.core.versions) ------------------------------------------------

def _symposium_scopes(symposium: Symposium, _connection: sa.Connection) -> list[versions.Scope]:
    return [(versions.SYMPOSIUM, symposium.id)]


def _programme_scopes(item: ProgrammeSession, _connection: sa.Connection) -> list[versions.Scope]:
    return [(versions.SYMPOSIUM, s) for s in versions.changed_values(item, "symposium_id")]


def _invitation_scopes(invitation: Invitation, connection: sa.Connection) -> list[versions.Scope]:
    """The symposium's answers, and the own feed of the person the invitation is addressed to
    (an accepted symposium is in it)."""
    return [(versions.SYMPOSIUM, invitation.symposium_id),
            *owners_by_email(connection, versions.changed_values(invitation, "email"))]


def _delegate_scopes(delegate: Delegate, connection: sa.Connection) -> list[versions.Scope]:
    return [(versions.SYMPOSIUM, s) for s in connection.scalars(
        sa.select(Invitation.symposium_id).where(Invitation.id == delegate.invitation_id))]


versions.watch(Symposium, _symposium_scopes)
versions.watch(ProgrammeSession, _programme_scopes)
versions.watch(Invitation, _invitation_scopes)
versions.watch(Delegate, _delegate_scopes)
