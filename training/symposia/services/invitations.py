"""Invitations on the coordinator's side: invite one person, import a CSV list, resend, revoke."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session, selectinload

from training.accounts.models import User
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, NotFound
from training.symposia.models import (
    DELEGATES_MAX,
    ORGANISATION_MAX,
    PERSON_NAME_MAX,
    Invitation,
    ProgrammeSession,
    Symposium,
    SymposiumStatus,
)
from training.symposia.services.answers import accepted_delegates
from training.symposia.services.common import (
    clean_email,
    invitation_snapshot,
    programme_of,
    require_coordinator,
    topic,
)
from training.symposia.services.mailing import send

# An import runs inside one request: past this many lines it would outlast a worker's timeout.
IMPORT_ROWS_MAX = 5_000
# Characters of a pasted list, and bytes of an uploaded file, read at most.
IMPORT_TEXT_MAX = 200_000
IMPORT_FILE_MAX = 1_000_000
# Addresses asked about in one query when looking for those already invited.
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class Invitee:
    """One person to invite, checked: a name, a normalised address, a known language."""

    name: str
    email: str
    organisation: str
    delegates_allowed: int
    locale: str


def check_invitee(symposium: Symposium, name: str, email: str, organisation: str,
                  delegates_allowed: int | None, locale: str) -> Invitee:
    """The invitee as stored, or a DomainError naming the first field at fault (duplicates aside)."""
    if symposium.status is SymposiumStatus.CANCELLED:
        raise DomainError(_("This symposium is cancelled."))
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if len(name) > PERSON_NAME_MAX:
        raise DomainError(_("The name is too long (at most 120 characters)."), field="name")
    if len(organisation.strip()) > ORGANISATION_MAX:
        raise DomainError(_("The organisation is too long (at most 200 characters)."), field="organisation")
    if delegates_allowed is None or not 1 <= delegates_allowed <= DELEGATES_MAX:
        raise DomainError(_("Delegates allowed must be between 1 and %(n)d.", n=DELEGATES_MAX),
                          field="delegates_allowed")
    email = clean_email(email, "email")
    chosen = i18n.parse_locale(locale)
    if chosen is None:
        raise DomainError(_("Unknown language %(value)s: write en (English) or zh (Chinese).", value=locale),
                          field="locale")
    return Invitee(name, email, organisation.strip(), delegates_allowed, chosen)


def _already_invited(email: str) -> Conflict:
    return Conflict(_("%(email)s is already invited.", email=email), field="email")


def _send_and_record(session: Session, symposium: Symposium, programme: Sequence[ProgrammeSession] | None,
                     invitation: Invitation, *, actor: User, via: str, flush: bool = True) -> None:
    """Mail a new (already flushed) invitation if the symposium is published, and audit it.

    flush=False leaves the mail, the new link's hash and the audit entry pending, for an
    import that flushes once after thousands.
    """
    if symposium.status is SymposiumStatus.PUBLISHED:
        send(session, symposium, programme if programme is not None else programme_of(session, symposium),
             invitation, "symposium_invitation", "REQUEST", link=True, flush=flush)
    if flush:
        session.flush()
    record(session, actor=actor, action="invitation.added", subject=invitation,
           after=invitation_snapshot(invitation), topic=topic(symposium), via=via, flush=flush)


def add_invitation(session: Session, symposium: Symposium, *, actor: User, name: str, email: str,
                   organisation: str = "", delegates_allowed: int | None = 1, locale: str = "en",
                   via: str = "web") -> Invitation:
    """Invite one person; sent at once when the symposium is published, else when it is."""
    require_coordinator(actor)
    invitee = check_invitee(symposium, name, email, organisation, delegates_allowed, locale)
    exists = session.scalar(sa.select(Invitation.id).where(
        Invitation.symposium_id == symposium.id, Invitation.email == invitee.email))
    if exists is not None:
        raise _already_invited(invitee.email)
    invitation = Invitation(symposium_id=symposium.id, name=invitee.name, email=invitee.email,
                            organisation=invitee.organisation, delegates_allowed=invitee.delegates_allowed,
                            locale=invitee.locale)
    session.add(invitation)
    try:
        # The unique constraint decides between two coordinators adding one address at once.
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise _already_invited(invitee.email) from None
    _send_and_record(session, symposium, None, invitation, actor=actor, via=via)
    return invitation


@dataclass
class LineResult:
    """What happened to one line of a pasted or uploaded invitation list."""

    line: int
    text: str
    ok: bool
    message: str


def _csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """The non-blank lines of a CSV with their numbers, read one at a time.

    A value the csv module cannot hold (longer than its field limit, 128 KiB by default)
    or a line it cannot parse refuses the whole list, naming the line.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):
                raise DomainError(ngettext("Line %(line)d has a value longer than %(num)d character; "
                                           "nothing was imported.",
                                           "Line %(line)d has a value longer than %(num)d characters; "
                                           "nothing was imported.", csv.field_size_limit(), line=number),
                                  field="text") from None
            raise DomainError(_("Line %(line)d is not valid CSV; nothing was imported.", line=number),
                              field="text") from None
        cells = [cell.strip() for cell in row]
        if any(cells):
            yield number, cells


def _rows_to_import(text: str) -> list[tuple[int, list[str]]]:
    """The lines of the list to import, header left out; more than IMPORT_ROWS_MAX refuses it all."""
    rows: list[tuple[int, list[str]]] = []
    for number, cells in _csv_lines(text):
        if number == 1 and len(cells) > 1 and cells[1].lower() in ("email", "e-mail", "mail"):
            continue  # a header line
        if len(rows) == IMPORT_ROWS_MAX:
            raise DomainError(
                ngettext("The list has more than %(num)d line; import it in parts of at most %(num)d line.",
                         "The list has more than %(num)d lines; import it in parts of at most %(num)d lines.",
                         IMPORT_ROWS_MAX),
                field="text")
        rows.append((number, cells))
    return rows


def _invited_already(session: Session, symposium: Symposium, emails: set[str]) -> set[str]:
    """Which of emails already have an invitation to symposium, a few queries for thousands."""
    found: set[str] = set()
    ordered = sorted(emails)
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        found.update(session.scalars(sa.select(Invitation.email).where(
            Invitation.symposium_id == symposium.id,
            Invitation.email.in_(ordered[start:start + _LOOKUP_CHUNK]))))
    return found


def import_invitations(session: Session, symposium: Symposium, text: str, *,
                       actor: User) -> list[LineResult]:
    """Invite everyone in a CSV (name, email, organisation, delegates allowed, language): good lines
    go in, each bad line is refused with its reason and changes nothing.

    A list longer than IMPORT_ROWS_MAX lines, or one the csv module cannot read, is refused
    whole before anything changes. The lines are checked in memory, the addresses already
    invited looked up in a few queries and the new invitations inserted together, so that
    thousands of lines take seconds.
    """
    require_coordinator(actor)
    rows = _rows_to_import(text)
    if not rows:
        raise DomainError(_("The list is empty."), field="text")
    results: dict[int, LineResult] = {}
    checked: list[tuple[int, str, Invitee]] = []
    for number, cells in rows:
        shown = ", ".join(cells)
        if len(cells) < 2 or len(cells) > 5:
            results[number] = LineResult(number, shown, False, ngettext(
                "Expected name, email, organisation, delegates allowed, language; found %(num)d value.",
                "Expected name, email, organisation, delegates allowed, language; found %(num)d values.",
                len(cells)))
            continue
        name, email, organisation, allowed_text, language = (cells + ["", "", ""])[:5]
        try:
            allowed = int(allowed_text) if allowed_text else 1
        except ValueError:
            results[number] = LineResult(number, shown, False, _(
                "Delegates allowed must be a whole number, not %(value)s.", value=allowed_text))
            continue
        try:
            invitee = check_invitee(symposium, name, email, organisation, allowed, language or "en")
        except DomainError as error:
            results[number] = LineResult(number, shown, False, error.message)
            continue
        checked.append((number, shown, invitee))

    taken = _invited_already(session, symposium, {invitee.email for _n, _s, invitee in checked})
    new: list[tuple[int, str, Invitation]] = []
    for number, shown, invitee in checked:
        if invitee.email in taken:  # invited before, or earlier in this list
            results[number] = LineResult(number, shown, False, _already_invited(invitee.email).message)
            continue
        taken.add(invitee.email)
        new.append((number, shown, Invitation(
            symposium_id=symposium.id, name=invitee.name, email=invitee.email,
            organisation=invitee.organisation, delegates_allowed=invitee.delegates_allowed,
            locale=invitee.locale)))
    try:
        with session.begin_nested():
            session.add_all([invitation for _n, _s, invitation in new])
            session.flush()
    except sa.exc.IntegrityError:
        # Someone invited one of these addresses meanwhile: go line by line, as add_invitation does.
        new = _insert_one_by_one(session, new, results)
    programme = programme_of(session, symposium) if symposium.status is SymposiumStatus.PUBLISHED else None
    for number, shown, invitation in new:
        _send_and_record(session, symposium, programme, invitation, actor=actor, via="web", flush=False)
        results[number] = LineResult(number, shown, True, _("Invited %(email)s.", email=invitation.email))
    session.flush()
    return [results[number] for number in sorted(results)]


def _insert_one_by_one(session: Session, new: list[tuple[int, str, Invitation]],
                       results: dict[int, LineResult]) -> list[tuple[int, str, Invitation]]:
    """Insert each invitation in its own savepoint; those whose address was taken meanwhile are refused."""
    inserted = []
    for number, shown, pending in new:
        invitation = Invitation(symposium_id=pending.symposium_id, name=pending.name, email=pending.email,
                                organisation=pending.organisation,
                                delegates_allowed=pending.delegates_allowed, locale=pending.locale)
        try:
            with session.begin_nested():
                session.add(invitation)
                session.flush()
        except sa.exc.IntegrityError:
            results[number] = LineResult(number, shown, False, _already_invited(invitation.email).message)
        else:
            inserted.append((number, shown, invitation))
    return inserted



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


@dataclass(frozen=True)
class Revocation:
    """What revoking an invitation would do: delegates that stop counting, whether the invitee is told."""

    delegates: int
    told: bool


def revocation_outcome(session: Session, symposium: Symposium, invitation: Invitation, *,
                       actor: User) -> Revocation:
    """What revoke_invitation would do, for a coordinator about to confirm it."""
    require_coordinator(actor)
    if invitation.is_revoked:
        raise DomainError(_("This invitation is already revoked."))
    delegates = accepted_delegates(session, symposium.id) - accepted_delegates(
        session, symposium.id, excluding=invitation.id)
    told = invitation.sent_at is not None and symposium.status is SymposiumStatus.PUBLISHED
    return Revocation(delegates=delegates, told=told)


def revoke_invitation(session: Session, symposium: Symposium, invitation: Invitation, *,
                      actor: User) -> None:
    """Withdraw an invitation: its link dies, its delegates stop counting, its calendar event is cancelled."""
    require_coordinator(actor)
    if invitation.is_revoked:
        raise DomainError(_("This invitation is already revoked."))
    before = invitation_snapshot(invitation)
    invitation.revoked_at = utcnow()
    invitation.token_hash = None
    if invitation.sent_at is not None and symposium.status is SymposiumStatus.PUBLISHED:
        send(session, symposium, programme_of(session, symposium), invitation,
             "symposium_invitation_revoked", "CANCEL", link=False)
    session.flush()
    record(session, actor=actor, action="invitation.revoked", subject=invitation,
           before=before, after=invitation_snapshot(invitation), topic=topic(symposium))


def resend_invitation(session: Session, symposium: Symposium, invitation: Invitation, *,
                      actor: User) -> None:
    """Mail the invitation again with a new link; the old link stops working."""
    require_coordinator(actor)
    if invitation.is_revoked:
        raise DomainError(_("This invitation is revoked; invite the person again instead."))
    if symposium.status is not SymposiumStatus.PUBLISHED:
        raise DomainError(_("Invitations are sent when the symposium is published."))
    send(session, symposium, programme_of(session, symposium), invitation,
         "symposium_invitation", "REQUEST", link=True)
    session.flush()
    record(session, actor=actor, action="invitation.resent", subject=invitation,
           after=invitation_snapshot(invitation), topic=topic(symposium))
