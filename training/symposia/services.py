"""Symposium rules: scheduling, invitations and their secret links, answers within capacity, replies."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from training.accounts.models import User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, NotFound
from training.core.locking import locked_query
from training.core.slugs import slugify, unique_slug
from training.core.urls import external_url
from training.outbox.services import queue_mail
from training.symposia.calendar import invitation_calendar, replies_in, symposium_id_from_uid
from training.symposia.models import (
    Answer,
    AnswerChannel,
    Delegate,
    Invitation,
    ProgrammeSession,
    Reminder,
    Symposium,
    SymposiumStatus,
)

# 32 bytes from secrets: 256 bits, 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_DELEGATES = 50
MAX_NOTE = 2000


def topic(symposium: Symposium | int) -> str:
    """The audit topic grouping everything that happens to one symposium."""
    return f"symposium:{symposium if isinstance(symposium, int) else symposium.id}"


# --- secret links -------------------------------------------------------------------------

def hash_token(token: str) -> str:
    """What the database keeps of a token: its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue_link(invitation: Invitation) -> str:
    """Give the invitation a new secret link; every earlier link stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation.token_hash = hash_token(token)
    invitation.issued_link = external_url("rsvp.respond", token=token)
    return invitation.issued_link


def invitation_for_token(session: Session, token: str) -> Invitation:
    """The live invitation a token opens, with its symposium; NotFound for any other token, alike."""
    gone = NotFound(_("There is nothing here."))
    if not _TOKEN_SHAPE.match(token or ""):
        raise gone
    digest = hash_token(token)
    invitation = session.scalar(
        sa.select(Invitation)
        .where(Invitation.token_hash == digest)
        .options(selectinload(Invitation.symposium), selectinload(Invitation.delegates))
    )
    # The lookup is by hash, so nothing about the token leaks through timing; comparing
    # again in constant time keeps that true whatever the database's index does.
    if (
        invitation is None
        or invitation.token_hash is None
        or not hmac.compare_digest(invitation.token_hash, digest)
        or invitation.is_revoked
        or invitation.symposium.status is SymposiumStatus.DRAFT
    ):
        raise gone
    return invitation


# --- symposia -----------------------------------------------------------------------------

def to_utc(value: datetime, zone: str, field_name: str) -> datetime:
    """An instant from a wall-clock time in zone; a time DST skips or repeats is refused."""
    if value.tzinfo is not None:
        return value.astimezone(ZoneInfo("UTC"))
    tz = ZoneInfo(zone)
    first, second = value.replace(tzinfo=tz, fold=0), value.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        if first.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != value:
            raise DomainError(
                _("%(time)s does not exist in %(zone)s (the clocks skip it).",
                  time=f"{value:%Y-%m-%d %H:%M}", zone=zone),
                field=field_name,
            )
        raise DomainError(
            _("%(time)s happens twice in %(zone)s (the clocks go back); choose another time.",
              time=f"{value:%Y-%m-%d %H:%M}", zone=zone),
            field=field_name,
        )
    return first.astimezone(ZoneInfo("UTC"))


def _unique_slug(session: Session, title: str) -> str:
    return unique_slug(session, Symposium.slug, slugify(title, max_length=100) or "symposium")


def _clean_email(value: str, field_name: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(
            _("%(email)s is not an email address.", email=value.strip() or "''"), field=field_name
        ) from None


def snapshot(symposium: Symposium) -> dict[str, Any]:
    """The audited fields of a symposium."""
    return {
        "title": symposium.title,
        "title_zh": symposium.title_zh,
        "venue": symposium.venue,
        "city": symposium.city,
        "timezone": symposium.timezone,
        "starts_at": symposium.starts_at.isoformat(),
        "ends_at": symposium.ends_at.isoformat(),
        "capacity": symposium.capacity,
        "rsvp_deadline": symposium.rsvp_deadline.isoformat(),
        "organiser": f"{symposium.organiser_name} <{symposium.organiser_email}>",
        "status": symposium.status.value,
        "sequence": symposium.sequence,
    }


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
    organiser_name: str
    organiser_email: str
    description: str = ""
    venue: str = ""
    title_zh: str = ""
    description_zh: str = ""


def _checked(fields: SymposiumFields) -> dict[str, Any]:
    """The fields as stored, or a DomainError naming the first one at fault."""
    title, city = fields.title.strip(), fields.city.strip()
    if not title:
        raise DomainError(_("A title is required."), field="title")
    if not city:
        raise DomainError(_("A city is required."), field="city")
    if not i18n.is_timezone(fields.timezone):
        raise DomainError(_("Unknown timezone %(tz)s.", tz=fields.timezone), field="timezone")
    if not fields.organiser_name.strip():
        raise DomainError(_("The organiser's name is required."), field="organiser_name")
    if fields.capacity is None or fields.capacity < 1:
        raise DomainError(_("Capacity must be at least one delegate."), field="capacity")
    starts = to_utc(fields.starts_at, fields.timezone, "starts_at")
    ends = to_utc(fields.ends_at, fields.timezone, "ends_at")
    deadline = to_utc(fields.rsvp_deadline, fields.timezone, "rsvp_deadline")
    if ends <= starts:
        raise DomainError(_("The symposium must end after it starts."), field="ends_at")
    if deadline > starts:
        raise DomainError(_("The RSVP deadline must be before the symposium starts."), field="rsvp_deadline")
    title_zh, description_zh = i18n.chinese_version(fields.title_zh, fields.description_zh)
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
        "organiser_name": fields.organiser_name.strip(),
        "organiser_email": _clean_email(fields.organiser_email, "organiser_email"),
    }


def create_symposium(session: Session, fields: SymposiumFields, *, actor: User | None,
                     via: str = "web") -> Symposium:
    """A new symposium, in draft: nothing is sent until it is published."""
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
                     actor: User | None) -> int:
    """Change a symposium; a new time or place raises SEQUENCE and, once published, mails an update
    to every invitee who has not declined. Returns how many updates were queued."""
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
            sent = _mail_everyone_attending(session, symposium, "symposium_update", "REQUEST", link=True)
    session.flush()
    record(session, actor=actor, action="symposium.updated", subject=symposium,
           before=before, after=snapshot(symposium), topic=topic(symposium))
    return sent


def publish_symposium(session: Session, symposium: Symposium, *, actor: User | None,
                      via: str = "web") -> int:
    """Publish, and send every invitation not sent yet. Returns how many went out."""
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
        _send(session, symposium, programme, invitation, "symposium_invitation", "REQUEST", link=True)
    session.flush()
    record(session, actor=actor, action="symposium.published", subject=symposium,
           before=before, after=snapshot(symposium) | {"invitations_sent": len(unsent)},
           topic=topic(symposium), via=via)
    return len(unsent)


def cancel_symposium(session: Session, symposium: Symposium, *, actor: User | None) -> int:
    """Cancel: METHOD:CANCEL to every invitee who has not declined. Returns how many were told."""
    if symposium.status is SymposiumStatus.CANCELLED:
        raise DomainError(_("This symposium is already cancelled."))
    before = snapshot(symposium)
    was_published = symposium.status is SymposiumStatus.PUBLISHED
    symposium.status = SymposiumStatus.CANCELLED
    symposium.sequence += 1
    sent = 0
    if was_published:
        sent = _mail_everyone_attending(session, symposium, "symposium_cancelled", "CANCEL", link=False)
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


def programme_of(session: Session, symposium: Symposium) -> Sequence[ProgrammeSession]:
    """The symposium's programme, in order."""
    return session.scalars(
        sa.select(ProgrammeSession).where(ProgrammeSession.symposium_id == symposium.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ).all()


def add_programme_session(session: Session, symposium: Symposium, *, actor: User | None, title: str,
                          starts_at: datetime, ends_at: datetime, room: str = "",
                          speakers: str = "") -> ProgrammeSession:
    """Add one item to the programme; it must lie within the symposium."""
    if not title.strip():
        raise DomainError(_("A title is required."), field="title")
    starts = to_utc(starts_at, symposium.timezone, "starts_at")
    ends = to_utc(ends_at, symposium.timezone, "ends_at")
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


def remove_programme_session(session: Session, symposium: Symposium, session_id: int, *,
                             actor: User | None) -> None:
    """Take an item off the programme."""
    item = session.get(ProgrammeSession, session_id)
    if item is None or item.symposium_id != symposium.id:
        raise NotFound(_("No such session."))
    record(session, actor=actor, action="symposium.session_removed", subject=item,
           before={"title": item.title, "starts_at": item.starts_at.isoformat()}, topic=topic(symposium))
    session.delete(item)
    session.flush()


# --- invitations --------------------------------------------------------------------------

def invitation_snapshot(invitation: Invitation) -> dict[str, Any]:
    """The audited fields of an invitation (never its token or hash)."""
    return {
        "name": invitation.name,
        "email": invitation.email,
        "organisation": invitation.organisation,
        "delegates_allowed": invitation.delegates_allowed,
        "locale": invitation.locale,
        "answer": invitation.answer.value if invitation.answer else None,
        "revoked": invitation.is_revoked,
    }


def _send(session: Session, symposium: Symposium, programme: Sequence[ProgrammeSession],
          invitation: Invitation, template: str, method: str, *, link: bool) -> None:
    """Queue one mail to an invitee with its iMIP part; with link, a fresh personal link."""
    url = _issue_link(invitation) if link else None
    with force_locale(invitation.locale or "en"):
        calendar_body = invitation_calendar(symposium, programme, invitation, method)
    queue_mail(
        session,
        to=invitation.email,
        template=template,
        locale=invitation.locale,
        reply_to=symposium.organiser_email,
        calendar_method=method,
        calendar_body=calendar_body,
        symposium=symposium,
        programme=programme,
        invitation=invitation,
        url=url,
        zone=ZoneInfo(symposium.timezone),
    )
    if invitation.sent_at is None:
        invitation.sent_at = utcnow()


def _mail_everyone_attending(session: Session, symposium: Symposium, template: str, method: str, *,
                             link: bool) -> int:
    programme = programme_of(session, symposium)
    invitations = session.scalars(
        sa.select(Invitation).where(
            Invitation.symposium_id == symposium.id,
            Invitation.sent_at.is_not(None),
            Invitation.revoked_at.is_(None),
            sa.or_(Invitation.answer.is_(None), Invitation.answer != Answer.DECLINED),
        ).order_by(Invitation.id)
    ).all()
    for invitation in invitations:
        _send(session, symposium, programme, invitation, template, method, link=link)
    return len(invitations)


def _check_invitee(name: str, email: str, organisation: str, delegates_allowed: int | None
                   ) -> tuple[str, str, str, int]:
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if len(name) > 120:
        raise DomainError(_("The name is too long (at most 120 characters)."), field="name")
    if len(organisation.strip()) > 200:
        raise DomainError(_("The organisation is too long (at most 200 characters)."), field="organisation")
    if delegates_allowed is None or not 1 <= delegates_allowed <= MAX_DELEGATES:
        raise DomainError(_("Delegates allowed must be between 1 and %(n)d.", n=MAX_DELEGATES),
                          field="delegates_allowed")
    return name, _clean_email(email, "email"), organisation.strip(), delegates_allowed


def add_invitation(session: Session, symposium: Symposium, *, actor: User | None, name: str, email: str,
                   organisation: str = "", delegates_allowed: int | None = 1, locale: str = "en",
                   via: str = "web") -> Invitation:
    """Invite one person; sent at once when the symposium is published, else when it is."""
    if symposium.status is SymposiumStatus.CANCELLED:
        raise DomainError(_("This symposium is cancelled."))
    name, email, organisation, delegates_allowed = _check_invitee(name, email, organisation,
                                                                  delegates_allowed)
    chosen = i18n.parse_locale(locale)
    if chosen is None:
        raise DomainError(_("Unknown language %(value)s: write en (English) or zh (Chinese).", value=locale),
                          field="locale")
    duplicate = Conflict(_("%(email)s is already invited.", email=email), field="email")
    exists = session.scalar(sa.select(Invitation.id).where(
        Invitation.symposium_id == symposium.id, Invitation.email == email))
    if exists is not None:
        raise duplicate
    invitation = Invitation(symposium_id=symposium.id, name=name, email=email,
                            organisation=organisation, delegates_allowed=delegates_allowed, locale=chosen)
    session.add(invitation)
    try:
        # The unique constraint decides between two coordinators adding one address at once.
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise duplicate from None
    if symposium.status is SymposiumStatus.PUBLISHED:
        _send(session, symposium, programme_of(session, symposium), invitation,
              "symposium_invitation", "REQUEST", link=True)
    session.flush()
    record(session, actor=actor, action="invitation.added", subject=invitation,
           after=invitation_snapshot(invitation), topic=topic(symposium), via=via)
    return invitation


@dataclass
class LineResult:
    """What happened to one line of a pasted or uploaded invitation list."""

    line: int
    text: str
    ok: bool
    message: str


def import_invitations(session: Session, symposium: Symposium, text: str, *,
                       actor: User | None) -> list[LineResult]:
    """Invite everyone in a CSV (name, email, organisation, delegates allowed, language): good lines
    go in, each bad line is refused with its reason and changes nothing."""
    results: list[LineResult] = []
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        shown = ", ".join(cells)
        if not any(cells):
            continue
        if number == 1 and len(cells) > 1 and cells[1].lower() in ("email", "e-mail", "mail"):
            continue  # a header line
        if len(cells) < 2 or len(cells) > 5:
            results.append(LineResult(number, shown, False, ngettext(
                "Expected name, email, organisation, delegates allowed, language; found %(num)d value.",
                "Expected name, email, organisation, delegates allowed, language; found %(num)d values.",
                len(cells))))
            continue
        name, email, organisation, allowed_text, language = (cells + ["", "", ""])[:5]
        try:
            allowed = int(allowed_text) if allowed_text else 1
        except ValueError:
            results.append(LineResult(number, shown, False, _(
                "Delegates allowed must be a whole number, not %(value)s.", value=allowed_text)))
            continue
        try:
            with session.begin_nested():
                invitation = add_invitation(session, symposium, actor=actor, name=name, email=email,
                                            organisation=organisation, delegates_allowed=allowed,
                                            locale=language or "en")
        except DomainError as error:
            results.append(LineResult(number, shown, False, error.message))
        else:
            results.append(LineResult(number, shown, True, _("Invited %(email)s.", email=invitation.email)))
    if not results:
        raise DomainError(_("The list is empty."), field="text")
    return results


def get_invitation(session: Session, symposium: Symposium, invitation_id: int) -> Invitation:
    """One invitation of this symposium, or NotFound."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.symposium_id != symposium.id:
        raise NotFound(_("No such invitation."))
    return invitation


def invitation_by_id(session: Session, invitation_id: int) -> tuple[Invitation, Symposium]:
    """An invitation and its symposium, or NotFound."""
    invitation = session.scalar(
        sa.select(Invitation).where(Invitation.id == invitation_id)
        .options(selectinload(Invitation.delegates))
    )
    if invitation is None:
        raise NotFound(_("No such invitation."))
    return invitation, session.get_one(Symposium, invitation.symposium_id)


def invitations_query(symposium: Symposium) -> sa.Select[Any]:
    """The symposium's invitations with their delegates, in the order they were made."""
    return (
        sa.select(Invitation).where(Invitation.symposium_id == symposium.id)
        .options(selectinload(Invitation.delegates))
        .order_by(Invitation.id)
    )


def revoke_invitation(session: Session, symposium: Symposium, invitation: Invitation, *,
                      actor: User | None) -> None:
    """Withdraw an invitation: its link dies, its delegates stop counting, its calendar event is cancelled."""
    if invitation.is_revoked:
        raise DomainError(_("This invitation is already revoked."))
    before = invitation_snapshot(invitation)
    invitation.revoked_at = utcnow()
    invitation.token_hash = None
    if invitation.sent_at is not None and symposium.status is SymposiumStatus.PUBLISHED:
        _send(session, symposium, programme_of(session, symposium), invitation,
              "symposium_invitation_revoked", "CANCEL", link=False)
    session.flush()
    record(session, actor=actor, action="invitation.revoked", subject=invitation,
           before=before, after=invitation_snapshot(invitation), topic=topic(symposium))


def resend_invitation(session: Session, symposium: Symposium, invitation: Invitation, *,
                      actor: User | None) -> None:
    """Mail the invitation again with a new link; the old link stops working."""
    if invitation.is_revoked:
        raise DomainError(_("This invitation is revoked; invite the person again instead."))
    if symposium.status is not SymposiumStatus.PUBLISHED:
        raise DomainError(_("Invitations are sent when the symposium is published."))
    _send(session, symposium, programme_of(session, symposium), invitation,
          "symposium_invitation", "REQUEST", link=True)
    session.flush()
    record(session, actor=actor, action="invitation.resent", subject=invitation,
           after=invitation_snapshot(invitation), topic=topic(symposium))


# --- answers ------------------------------------------------------------------------------

def lock_symposium(session: Session, symposium_id: int) -> int:
    """Serialise answers on one symposium until the transaction ends; returns its current capacity.

    PostgreSQL: a row lock (SELECT ... FOR UPDATE), so concurrent answers re-count after
    the previous one committed. SQLite ignores FOR UPDATE; there every writing
    transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    return session.execute(
        locked_query(sa.select(Symposium.capacity).where(Symposium.id == symposium_id))
    ).scalar_one()


def accepted_delegates(session: Session, symposium_id: int, *, excluding: int | None = None) -> int:
    """Delegates named on live, accepted invitations."""
    query = (
        sa.select(sa.func.count(Delegate.id))
        .join(Invitation, Delegate.invitation_id == Invitation.id)
        .where(Invitation.symposium_id == symposium_id, Invitation.answer == Answer.ACCEPTED,
               Invitation.revoked_at.is_(None))
    )
    if excluding is not None:
        query = query.where(Invitation.id != excluding)
    return session.scalar(query) or 0


def _load_for_answer(session: Session, invitation: Invitation) -> None:
    """Load the symposium and delegates an answer needs, unless the caller already has."""
    unloaded = sa.inspect(invitation).unloaded
    if "symposium" in unloaded:
        set_committed_value(invitation, "symposium", session.get_one(Symposium, invitation.symposium_id))
    if "delegates" in unloaded:
        set_committed_value(invitation, "delegates", list(session.scalars(
            sa.select(Delegate).where(Delegate.invitation_id == invitation.id).order_by(Delegate.position))))


def parse_answer(value: str | Answer | None) -> Answer:
    """The Answer named by value, or a clear refusal."""
    try:
        return Answer(value)
    except ValueError:
        raise DomainError(_("Choose accept, decline or tentative."), field="answer") from None


def answers_closed(symposium: Symposium, now: datetime | None = None) -> str | None:
    """Why invitations to symposium can no longer be answered, or None while they can."""
    if symposium.status is SymposiumStatus.CANCELLED:
        return _("This symposium has been cancelled.")
    if (now or utcnow()) > symposium.rsvp_deadline:
        return _("The deadline for answers has passed.")
    return None


def answer_invitation(session: Session, invitation: Invitation, *, answer: str | Answer,
                      delegates: Sequence[str | tuple[str, str]] = (), note: str = "",
                      via: AnswerChannel = AnswerChannel.LINK, now: datetime | None = None) -> Invitation:
    """Record an invitee's answer; accepted delegates never exceed the symposium's capacity.

    Each delegate is a name, or a (name, email) pair. On refusal nothing changes: the
    earlier answer stands.
    """
    now = now or utcnow()
    _load_for_answer(session, invitation)
    closed = answers_closed(invitation.symposium, now)
    if closed:
        raise DomainError(closed)
    answer = parse_answer(answer)
    entries = [(d, "") if isinstance(d, str) else (d[0], (d[1] or "").strip()) for d in delegates]
    entries = [(name.strip(), email) for name, email in entries if name.strip()]
    if via is AnswerChannel.CALENDAR and answer is not Answer.DECLINED and not entries:
        # A calendar client names nobody: keep who was named before, else the invitee comes.
        entries = [(d.name, d.email) for d in invitation.delegates] or [(invitation.name, invitation.email)]
    if answer is Answer.DECLINED:
        entries = []
    names = [name for name, _email in entries]
    emails = [_clean_email(email, "delegates") if email else "" for _name, email in entries]
    if answer is Answer.ACCEPTED and not names:
        raise DomainError(_("Name at least one delegate."), field="delegates")
    if len(names) > invitation.delegates_allowed:
        raise DomainError(
            _("You may name at most %(n)d delegates; you named %(m)d.",
              n=invitation.delegates_allowed, m=len(names)),
            field="delegates",
        )
    if any(len(name) > 120 for name in names):
        raise DomainError(_("A delegate's name is too long (at most 120 characters)."), field="delegates")
    if len(set(names)) != len(names):
        raise DomainError(_("Each delegate is named once."), field="delegates")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_("The note is too long (at most %(n)d characters).", n=MAX_NOTE), field="note")

    symposium = invitation.symposium
    if answer is Answer.ACCEPTED:
        capacity = lock_symposium(session, symposium.id)
        taken = accepted_delegates(session, symposium.id, excluding=invitation.id)
        left = max(capacity - taken, 0)
        if len(names) > left:
            raise Conflict(
                ngettext("The symposium is full: %(left)d of %(capacity)d places are left and you named "
                         "%(num)d delegate. Your earlier answer stands.",
                         "The symposium is full: %(left)d of %(capacity)d places are left and you named "
                         "%(num)d delegates. Your earlier answer stands.",
                         len(names), left=left, capacity=capacity),
                field="delegates",
            )
    before = invitation_snapshot(invitation) | {"delegates": [d.name for d in invitation.delegates],
                                                 "note": invitation.note}
    invitation.delegates.clear()
    session.flush()  # the old positions go before the new ones arrive
    invitation.delegates.extend(Delegate(position=i, name=name, email=email)
                                for i, (name, email) in enumerate(zip(names, emails, strict=True), start=1))
    invitation.answer = answer
    invitation.answered_at = now
    invitation.answered_via = via
    if via is AnswerChannel.LINK:
        invitation.note = note
    session.flush()
    record(session, actor=None, action="invitation.answered", subject=invitation, before=before,
           after=invitation_snapshot(invitation) | {"delegates": names, "note": invitation.note,
                                                    "answered_at": now.isoformat()},
           topic=topic(symposium), via=via.value)
    return invitation


# --- replies from calendar clients --------------------------------------------------------

_PARTSTAT = {"ACCEPTED": Answer.ACCEPTED, "DECLINED": Answer.DECLINED, "TENTATIVE": Answer.TENTATIVE}


@dataclass
class ReplyOutcome:
    """What importing one message (or one event in it) did."""

    source: str
    sender: str
    outcome: str  # applied, unchanged, ignored, refused
    message: str
    answer: Answer | None = field(default=None)

    def __str__(self) -> str:
        return f"{self.source}: {self.outcome}: {self.message} (from {self.sender or 'unknown sender'})"


def import_replies(session: Session, messages: Iterable[tuple[str, EmailMessage]]) -> list[ReplyOutcome]:
    """Apply the iMIP REPLYs in messages: only the sender's own PARTSTAT counts, only at the
    current SEQUENCE; every message gets an outcome, and a refused one changes nothing."""
    outcomes: list[ReplyOutcome] = []
    for source, message in messages:
        sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
        try:
            replies = replies_in(message)
        except ValueError as error:
            outcomes.append(ReplyOutcome(source, sender, "refused", str(error)))
            continue
        if not replies:
            outcomes.append(ReplyOutcome(source, sender, "ignored", "no calendar REPLY in this message"))
            continue
        for reply in replies:
            try:
                with session.begin_nested():
                    outcomes.append(_apply_reply(session, source, sender, reply))
            except DomainError as error:
                outcomes.append(ReplyOutcome(source, sender, "refused", error.message))
    return outcomes


def _apply_reply(session: Session, source: str, sender: str, reply: Any) -> ReplyOutcome:
    def refused(text: str) -> ReplyOutcome:
        return ReplyOutcome(source, sender, "refused", text)

    if not sender:
        return refused("the message has no sender address")
    if sender not in reply.partstats:
        others = ", ".join(sorted(reply.partstats)) or "none"
        return refused(f"ATTENDEE ({others}) is not the sender; reply ignored as spoofed")
    symposium_id = symposium_id_from_uid(reply.uid)
    symposium = session.get(Symposium, symposium_id) if symposium_id is not None else None
    if symposium is None:
        return refused(f"unknown UID {reply.uid!r}")
    invitation = session.scalar(
        sa.select(Invitation).where(Invitation.symposium_id == symposium.id, Invitation.email == sender)
        .options(selectinload(Invitation.symposium), selectinload(Invitation.delegates))
    )
    if invitation is None or invitation.is_revoked:
        return refused(f"{sender} has no live invitation to {reply.uid}")
    if reply.sequence < symposium.sequence:
        return ReplyOutcome(source, sender, "ignored",
                            f"stale reply: SEQUENCE {reply.sequence} is older than the current "
                            f"{symposium.sequence} of {reply.uid}")
    partstat = reply.partstats[sender]
    answer = _PARTSTAT.get(partstat)
    if answer is None:
        return refused(f"PARTSTAT {partstat or '(none)'} is not an answer")
    if invitation.answer is answer:
        return ReplyOutcome(source, sender, "unchanged", f"already {answer.value} for {reply.uid}", answer)
    answered_at = invitation.answered_at
    if reply.stamp is not None and answered_at is not None and reply.stamp < answered_at:
        return ReplyOutcome(source, sender, "ignored",
                            f"written {reply.stamp:%Y-%m-%d %H:%M} UTC, before the current answer "
                            f"({invitation.answer}) given {answered_at:%Y-%m-%d %H:%M} UTC")
    answer_invitation(session, invitation, answer=answer, via=AnswerChannel.CALENDAR)
    return ReplyOutcome(source, sender, "applied",
                        f"{invitation.name} ({invitation.organisation or sender}) {answer.value} "
                        f"{symposium.title!r} [{reply.uid}, SEQUENCE {reply.sequence}]", answer)


# --- reminders ----------------------------------------------------------------------------

def send_reminders(session: Session, days: Sequence[int], *, now: datetime | None = None) -> int:
    """Remind invitees who have not answered, `days` before the deadline; each reminder goes once.

    When several reminder points are due at once only the latest is sent, and none that
    would fall before the invitation itself went out.
    """
    now = now or utcnow()
    points = sorted({d for d in days if d > 0})
    if not points:
        return 0
    horizon = now + timedelta(days=max(points))
    invitations = session.scalars(
        sa.select(Invitation)
        .join(Symposium, Invitation.symposium_id == Symposium.id)
        .where(Symposium.status == SymposiumStatus.PUBLISHED, Symposium.rsvp_deadline > now,
               Symposium.rsvp_deadline <= horizon, Invitation.answer.is_(None),
               Invitation.revoked_at.is_(None), Invitation.sent_at.is_not(None))
        .options(selectinload(Invitation.symposium), selectinload(Invitation.reminders))
        .order_by(Invitation.symposium_id, Invitation.id)
    ).all()
    programmes: dict[int, Sequence[ProgrammeSession]] = {}
    sent = 0
    for invitation in invitations:
        symposium = invitation.symposium
        due = [d for d in points if now >= symposium.rsvp_deadline - timedelta(days=d)]
        if not due:
            continue
        point = min(due)
        moment = symposium.rsvp_deadline - timedelta(days=point)
        if invitation.sent_at is not None and invitation.sent_at > moment:
            continue
        if any(r.days_before == point for r in invitation.reminders):
            continue
        if symposium.id not in programmes:
            programmes[symposium.id] = programme_of(session, symposium)
        invitation.reminders.append(Reminder(days_before=point, sent_at=now))
        _send(session, symposium, programmes[symposium.id], invitation, "symposium_reminder", "REQUEST",
              link=True)
        session.flush()
        record(session, actor=None, action="invitation.reminded", subject=invitation,
               after={"days_before": point}, topic=topic(symposium), via="cli")
        sent += 1
    return sent


# --- the coordinator's view ---------------------------------------------------------------

@dataclass
class Dashboard:
    """Who is coming, at a glance."""

    symposium: Symposium
    programme: Sequence[ProgrammeSession]
    invitations: Sequence[Invitation]
    by_answer: Counter[str]
    by_organisation: dict[str, Counter[str]]
    accepted_delegates: int

    @property
    def places_left(self) -> int:
        return max(self.symposium.capacity - self.accepted_delegates, 0)


def answer_key(invitation: Invitation) -> str:
    """The dashboard column an invitation counts in."""
    if invitation.is_revoked:
        return "revoked"
    return invitation.answer.value if invitation.answer else "pending"


def dashboard(session: Session, symposium: Symposium) -> Dashboard:
    """Counts by answer and organisation, accepted delegates, and every invitation with its delegates."""
    invitations = session.scalars(
        sa.select(Invitation).where(Invitation.symposium_id == symposium.id)
        .options(selectinload(Invitation.delegates))
        .order_by(Invitation.organisation, Invitation.name, Invitation.id)
    ).all()
    by_answer: Counter[str] = Counter()
    by_organisation: dict[str, Counter[str]] = {}
    accepted = 0
    for invitation in invitations:
        key = answer_key(invitation)
        by_answer[key] += 1
        by_organisation.setdefault(invitation.organisation or "—", Counter())[key] += 1
        if key == Answer.ACCEPTED.value:
            accepted += len(invitation.delegates)
    return Dashboard(symposium, programme_of(session, symposium), invitations, by_answer,
                     dict(sorted(by_organisation.items(), key=lambda kv: kv[0].lower())), accepted)


def _cell(value: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def delegates_csv(board: Dashboard) -> str:
    """One row per delegate of an accepted or tentative invitation, with the invitee's note."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["delegate", "organisation", "answer", "invitee", "invitee email",
                     "answered at (UTC)", "answered via", "note"])
    for invitation in board.invitations:
        if invitation.is_revoked or invitation.answer not in (Answer.ACCEPTED, Answer.TENTATIVE):
            continue
        for delegate in invitation.delegates:
            writer.writerow([_cell(v) for v in (
                delegate.name, invitation.organisation, invitation.answer.value, invitation.name,
                invitation.email,
                invitation.answered_at.strftime("%Y-%m-%d %H:%M") if invitation.answered_at else "",
                invitation.answered_via.value if invitation.answered_via else "", invitation.note,
            )])
    return out.getvalue()
