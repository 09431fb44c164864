"""Everything held about a person, as one export, and their erasure.

Accounts sits below the features that keep personal data, so both go through the signals in
accounts/signals.py: the export asks every feature for its sections, the erasure asks every
feature to scrub what it holds. The audit trail and the outbox sit below accounts and are
called directly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import ApiToken, FeedToken, Role, SignupRequest, User
from training.accounts.services import end_sessions
from training.accounts.signals import person_erasing, person_export_wanted
from training.audit import personal as audit
from training.audit.services import record
from training.core import versions
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Forbidden
from training.outbox.services import scrub_mail_about

EXPORT_FORMAT = "training-person-export/1"
# Addresses under .invalid never deliver (RFC 2606), so an erased account's placeholder reaches nobody.
ERASED_DOMAIN = "invalid"


def erased_name(person_id: int) -> str:
    """What an erased person is called wherever their name was shown."""
    return f"erased person #{person_id}"


def erased_email(person_id: int) -> str:
    """A unique address that delivers nowhere, in place of an erased person's."""
    return f"erased-{person_id}@{ERASED_DOMAIN}"


@dataclass(frozen=True)
class Erasure:
    """One person's name and address and what replaces them, for every feature's receiver."""

    person_id: int
    name: str
    email: str

    @property
    def new_name(self) -> str:
        return erased_name(self.person_id)

    @property
    def new_email(self) -> str:
        return erased_email(self.person_id)

    @property
    def needles(self) -> list[str]:
        """What is searched for in free text and recorded values."""
        return [text for text in (self.name, self.email) if text]

    def _pattern(self) -> re.Pattern[str]:
        # A Latin name is matched as a whole word ("Li" is not in "Lisa"); a Chinese one, written
        # without spaces, wherever it stands. The address first: it may contain the name.
        parts = [re.escape(self.email)] if self.email else []
        if self.name:
            parts.append(rf"(?<![A-Za-z0-9_]){re.escape(self.name)}(?![A-Za-z0-9_])")
        return re.compile("|".join(parts), re.IGNORECASE)

    def scrub(self, text: str) -> str:
        """text with the person's address and name replaced by their placeholders."""
        if not text or not self.needles:
            return text
        return self._pattern().sub(
            lambda found: self.new_email if found.group(0).lower() == self.email.lower() else self.new_name,
            text)


def erasure_of(person: User) -> Erasure:
    """The erasure of person, named while their account still holds their name and address."""
    return Erasure(person.id, person.name, person.email)


# --- export -------------------------------------------------------------------------


def check_may_export(actor: User, person: User) -> None:
    """A person exports their own data; an administrator anyone's."""
    if actor.id != person.id and actor.role is not Role.ADMIN:
        raise Forbidden(_("Only an administrator exports another person's data."))


def _account_section(session: Session, person: User) -> dict[str, Any]:
    tokens = session.scalars(sa.select(ApiToken).where(ApiToken.user_id == person.id)
                             .order_by(ApiToken.created_at)).all()
    return {
        "id": person.id, "name": person.name, "email": person.email, "role": person.role.value,
        "country": person.country, "organisation": person.organisation, "timezone": person.timezone,
        "language": person.locale, "active": person.active, "created_at": person.created_at.isoformat(),
        "last_login_at": person.last_login_at.isoformat() if person.last_login_at else None,
        "erased_at": person.erased_at.isoformat() if person.erased_at else None,
        "has_password": person.password_hash is not None,
        # What each token was for and when it ends; never the token or its hash.
        "api_tokens": [{"name": t.name, "created_at": t.created_at.isoformat(),
                        "expires_at": t.expires_at.isoformat(),
                        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None} for t in tokens],
    }


def export_person(session: Session, person: User, *, actor: User, via: str = "web") -> dict[str, Any]:
    """Everything the system holds about person, as JSON values: the account, then each feature's
    sections (asked through person_export_wanted), then the audit entries the person made or that
    are about their account. The export itself is audited: who exported whom."""
    check_may_export(actor, person)
    export: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": utcnow().isoformat(),
                              "account": _account_section(session, person)}
    for _receiver, sections in person_export_wanted.send(person, session=session):
        export.update(sections or {})
    export["audit"] = audit.history(session, audit.made_by_or_about(person.id))
    record(session, actor=actor, action="user.exported", subject=person,
           after={"user_id": person.id, "sections": sorted(export)}, via=via)
    return export


def export_filename(person: User) -> str:
    return f"person-{person.id}-export.json"


def export_json(export: dict[str, Any]) -> str:
    """An export as the file people download: indented, names in their own script."""
    return json.dumps(export, ensure_ascii=False, indent=2, default=str)


# Requests that read a person's data also write the audit entry saying who read it.
EXPORT_ENDPOINTS = frozenset({"accounts.export_own", "admin.export_person", "users.export_me"})


# --- erasure ------------------------------------------------------------------------


def check_may_erase(session: Session, person: User, *, actor: User | None) -> None:
    """Administrators erase (the command line too, with actor None), never their own account
    (another administrator does, so that nobody locks themself out by a slip), nor the last
    administrator, nor someone already erased."""
    if actor is not None and actor.role is not Role.ADMIN:
        raise Forbidden(_("Only an administrator erases a person."))
    if person.is_erased:
        raise Conflict(_("This person is already erased."))
    if actor is not None and actor.id == person.id:
        raise DomainError(_("You cannot erase your own account: another administrator can."))
    if person.role is Role.ADMIN:
        admins = session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.role == Role.ADMIN, User.active.is_(True), User.erased_at.is_(None), User.id != person.id))
        if not admins:
            raise DomainError(_("%(name)s is the last administrator: make someone else an administrator "
                                "first.", name=person.name))


@dataclass
class Erased:
    """What an erasure did, for the page and the command that report it."""

    person: User
    mails_removed: int
    mails_rewritten: int
    audit_entries_rewritten: int


def erase_person(session: Session, person: User, *, actor: User | None, via: str = "web") -> Erased:
    """Remove a person's name, email, organisation, documents and secrets from everything the
    system holds, keeping every seat counter, waitlist position, attendance total and audit entry:
    each feature scrubs its own data (person_erasing), then the audit trail's recorded values and
    the outbox, then the account, which can never sign in again."""
    check_may_erase(session, person, actor=actor)
    erasure = erasure_of(person)
    person_erasing.send(person, session=session, actor=actor, via=via)
    rewritten = audit.scrub_values(session, erasure.needles, erasure.scrub)
    mail = scrub_mail_about(session, address=person.email, needles=erasure.needles, scrub=erasure.scrub,
                            new_address=erasure.new_email)
    now = utcnow()
    session.execute(sa.update(ApiToken).where(ApiToken.user_id == person.id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now))
    session.execute(sa.delete(FeedToken).where(FeedToken.user_id == person.id))
    # A Core delete no flush sees: the workers that remember the token learn of it here.
    versions.touch(session, (versions.OWNER, person.id))
    session.execute(sa.delete(SignupRequest).where(
        sa.func.lower(SignupRequest.email) == person.email.lower()))
    person.name = erasure.new_name
    person.email = erasure.new_email
    person.organisation = ""
    person.password_hash = None
    person.active = False
    person.erased_at = now
    end_sessions(person, api_tokens=True)
    session.flush()
    record(session, actor=actor, action="user.erased", subject=person,
           after={"person_id": person.id, "name": erasure.new_name, "email": erasure.new_email,
                  "mails_removed": mail.removed, "mails_rewritten": mail.rewritten,
                  "audit_entries_rewritten": rewritten}, via=via)
    return Erased(person, mail.removed, mail.rewritten, rewritten)
