"""A symposium's life: created as a draft, changed, published, cancelled; its programme."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, NotFound, Problems
from training.core.localtime import local_datetime_to_instant
from training.core.slugs import slugify, unique_slug
from training.symposia.models import Invitation, ProgrammeSession, Symposium, SymposiumStatus
from training.symposia.services.answers import accepted_delegates, lock_symposium
from training.symposia.services.common import clean_email, programme_of, require_coordinator, snapshot, topic
from training.symposia.services.mailing import attending, mail_everyone_attending, send


def _unique_slug(session: Session, title: str) -> str:
    return unique_slug(session, Symposium.slug, slugify(title, max_length=100) or "symposium")


@dataclass
class SymposiumFields:
    """What a coordinator enters for a symposium; naive times are wall-clock times in timezone."""

    title: str
    city: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    rsvp_deadline: datetime
    # None or empty: whoever creates the symposium organises it (see default_organiser).
    organiser_name: str | None
    organiser_email: str | None
    description: str = ""
    venue: str = ""
    title_zh: str = ""
    description_zh: str = ""


def _checked(fields: SymposiumFields) -> dict[str, Any]:
    """The fields as stored, or one DomainError naming every field at fault."""
    problems = Problems()
    title, city = fields.title.strip(), fields.city.strip()
    if not title:
        problems.add(_("A title is required."), "title")
    if not city:
        problems.add(_("A city is required."), "city")
    zone_known = i18n.is_timezone(fields.timezone)
    if not zone_known:
        problems.add(_("Unknown timezone %(tz)s.", tz=fields.timezone), "timezone")
    if not (fields.organiser_name or "").strip():
        problems.add(_("The organiser's name is required."), "organiser_name")
    if fields.capacity is None or fields.capacity < 1:
        problems.add(_("Capacity must be at least one delegate."), "capacity")
    instants: dict[str, Any] = {}
    for name in ("starts_at", "ends_at", "rsvp_deadline"):
        try:
            instants[name] = (local_datetime_to_instant(getattr(fields, name), fields.timezone, field=name)
                              if zone_known else None)
        except DomainError as error:
            problems.add_error(error)
            instants[name] = None
    starts, ends, deadline = instants["starts_at"], instants["ends_at"], instants["rsvp_deadline"]
    if starts and ends and ends <= starts:
        problems.add(_("The symposium must end after it starts."), "ends_at")
    if starts and deadline and deadline > starts:
        problems.add(_("The RSVP deadline must be before the symposium starts."), "rsvp_deadline")
    title_zh, description_zh = fields.title_zh, fields.description_zh
    organiser_email = ""
    try:
        title_zh, description_zh = i18n.chinese_version(fields.title_zh, fields.description_zh)
    except DomainError as error:
        problems.add_error(error)
    try:
        organiser_email = clean_email(fields.organiser_email or "", "organiser_email")
    except DomainError as error:
        problems.add_error(error)
    problems.raise_any()
    return {
        "title": title,
        "description": fields.description.strip(),
        "title_zh": title_zh,
        "description_zh": description_zh,
        "venue": fields.venue.strip(),
        "city": city,
        "timezone": fields.timezone,
        "starts_at": starts,
        "ends_at": ends,
        "capacity": fields.capacity,
        "rsvp_deadline": deadline,
        "organiser_name": (fields.organiser_name or "").strip(),
        "organiser_email": organiser_email,
    }


def default_organiser(actor: User) -> tuple[str, str]:
    """The organiser's name and email of a new symposium unless others are given: its creator's."""
    return actor.name, actor.email


def create_symposium(session: Session, fields: SymposiumFields, *, actor: User,
                     via: str = "web") -> Symposium:
    """A new symposium, in draft: nothing is sent until it is published."""
    require_coordinator(actor)
    name, email = default_organiser(actor)
    fields = replace(fields, organiser_name=fields.organiser_name or name,
                     organiser_email=fields.organiser_email or email)
    values = _checked(fields)
    symposium = Symposium(slug=_unique_slug(session, values["title"]),
                          created_by_id=actor.id if actor else None, **values)
    session.add(symposium)
    session.flush()
    record(session, actor=actor, action="symposium.created", subject=symposium,
           after=snapshot(symposium), topic=topic(symposium), via=via)
    return symposium


_TIME_AND_PLACE = ("starts_at", "ends_at", "timezone", "venue", "city")


def update_symposium(session: Session, symposium: Symposium, fields: SymposiumFields, *,
                     actor: User) -> int:
    """Change a symposium; a new time or place raises SEQUENCE and, once published, mails an update
    to every invitee who has not declined. Returns how many updates were queued."""
    require_coordinator(actor)
    if symposium.status is SymposiumStatus.CANCELLED:
        raise DomainError(_("A cancelled symposium cannot be changed."))
    values = _checked(fields)
    before = snapshot(symposium)
    if values["capacity"] < symposium.capacity:
        lock_symposium(session, symposium.id)
        taken = accepted_delegates(session, symposium.id)
        if values["capacity"] < taken:
            raise Conflict(
                ngettext("%(num)d delegate has already accepted; capacity cannot go below that.",
                         "%(num)d delegates have already accepted; capacity cannot go below that.", taken),
                field="capacity",
            )
    moved = any(values[name] != getattr(symposium, name) for name in _TIME_AND_PLACE)
    for name, value in values.items():
        setattr(symposium, name, value)
    sent = 0
    if moved:
        symposium.sequence += 1
        if symposium.status is SymposiumStatus.PUBLISHED:
            sent = mail_everyone_attending(session, symposium, "symposium_update", "REQUEST", link=True)
    session.flush()
    record(session, actor=actor, action="symposium.updated", subject=symposium,
           before=before, after=snapshot(symposium), topic=topic(symposium))
    return sent


def publish_symposium(session: Session, symposium: Symposium, *, actor: User,
                      via: str = "web") -> int:
    """Publish, and send every invitation not sent yet. Returns how many went out."""
    require_coordinator(actor)
    if symposium.status is not SymposiumStatus.DRAFT:
        raise DomainError(_("Only a draft can be published."))
    if symposium.rsvp_deadline <= utcnow():
        raise DomainError(_("The RSVP deadline has passed; move it before publishing."),
                          field="rsvp_deadline")
    before = snapshot(symposium)
    symposium.status = SymposiumStatus.PUBLISHED
    programme = programme_of(session, symposium)
    unsent = session.scalars(
        sa.select(Invitation).where(Invitation.symposium_id == symposium.id,
                                    Invitation.sent_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.id)
    ).all()
    for invitation in unsent:
        send(session, symposium, programme, invitation, "symposium_invitation", "REQUEST", link=True)
    session.flush()
    record(session, actor=actor, action="symposium.published", subject=symposium,
           before=before, after=snapshot(symposium) | {"invitations_sent": len(unsent)},
           topic=topic(symposium), via=via)
    return len(unsent)


def cancellation_outcome(session: Session, symposium: Symposium, *, actor: User) -> int:
    """How many invitees cancel_symposium would tell (none while it is a draft)."""
    require_coordinator(actor)
    if symposium.status is SymposiumStatus.CANCELLED:
        raise DomainError(_("This symposium is already cancelled."))
    if symposium.status is not SymposiumStatus.PUBLISHED:
        return 0
    return session.scalar(sa.select(sa.func.count(Invitation.id)).where(attending(symposium))) or 0


def cancel_symposium(session: Session, symposium: Symposium, *, actor: User) -> int:
    """Cancel: METHOD:CANCEL to every invitee who has not declined. Returns how many were told."""
    require_coordinator(actor)
    if symposium.status is SymposiumStatus.CANCELLED:
        raise DomainError(_("This symposium is already cancelled."))
    before = snapshot(symposium)
    was_published = symposium.status is SymposiumStatus.PUBLISHED
    symposium.status = SymposiumStatus.CANCELLED
    symposium.sequence += 1
    sent = 0
    if was_published:
        sent = mail_everyone_attending(session, symposium, "symposium_cancelled", "CANCEL", link=False)
    session.flush()
    record(session, actor=actor, action="symposium.cancelled", subject=symposium,
           before=before, after=snapshot(symposium), topic=topic(symposium))
    return sent


def list_symposia(session: Session) -> Sequence[Symposium]:
    """Every symposium, soonest first."""
    return session.scalars(sa.select(Symposium).order_by(Symposium.starts_at, Symposium.id)).all()




def get_symposium(session: Session, symposium_id: int, *, viewer: Any = None) -> Symposium:
    """One symposium, or NotFound; with a viewer, a draft exists only for those who manage it."""
    symposium = session.get(Symposium, symposium_id)
    if symposium is None or (
        viewer is not None and symposium.status is SymposiumStatus.DRAFT and not is_coordinator(viewer)
    ):
        raise NotFound(_("No such symposium."))
    return symposium


def add_programme_session(session: Session, symposium: Symposium, *, actor: User, title: str,
                          starts_at: datetime, ends_at: datetime, room: str = "",
                          speakers: str = "") -> ProgrammeSession:
    """Add one item to the programme; it must lie within the symposium."""
    require_coordinator(actor)
    if not title.strip():
        raise DomainError(_("A title is required."), field="title")
    starts = local_datetime_to_instant(starts_at, symposium.timezone, field="starts_at")
    ends = local_datetime_to_instant(ends_at, symposium.timezone, field="ends_at")
    if ends <= starts:
        raise DomainError(_("A session must end after it starts."), field="ends_at")
    if starts < symposium.starts_at or ends > symposium.ends_at:
        raise DomainError(_("A session must take place during the symposium."), field="starts_at")
    item = ProgrammeSession(symposium_id=symposium.id, title=title.strip(), starts_at=starts,
                            ends_at=ends, room=room.strip(), speakers=speakers.strip())
    session.add(item)
    session.flush()
    record(session, actor=actor, action="symposium.session_added", subject=item,
           after={"title": item.title, "starts_at": starts.isoformat(), "ends_at": ends.isoformat(),
                  "room": item.room, "speakers": item.speakers},
           topic=topic(symposium))
    return item


def get_programme_session(session: Session, symposium: Symposium, session_id: int) -> ProgrammeSession:
    """One item of the symposium's programme, or NotFound."""
    item = session.get(ProgrammeSession, session_id)
    if item is None or item.symposium_id != symposium.id:
        raise NotFound(_("No such session."))
    return item


def remove_programme_session(session: Session, symposium: Symposium, item: ProgrammeSession, *,
                             actor: User) -> None:
    """Take an item off the programme."""
    require_coordinator(actor)
    record(session, actor=actor, action="symposium.session_removed", subject=item,
           before={"title": item.title, "starts_at": item.starts_at.isoformat()}, topic=topic(symposium))
    session.delete(item)
    session.flush()
