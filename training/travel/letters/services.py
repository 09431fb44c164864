"""Issuing, reissuing and revoking visa invitation letters, finding them by code, and who may
download them. Rules only: the PDF is drawn by letters.document, the pages and API call these."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Forbidden, NotFound
from training.courses.models import Course
from training.courses.services import LetterSettings, letter_languages, missing_letter_settings
from training.enrolment.models import Enrolment, EnrolmentStatus
from training.travel.letters import passport
from training.travel.letters.models import MAX_REVOKE_REASON, VisaLetter

# A letter goes to a person holding a seat before the course: a visa is for getting there.
LETTER_STATUSES = (EnrolmentStatus.CONFIRMED,)
# base32 without padding, in groups of four: 80 random bits, read aloud or typed without
# confusing 0/O or 1/I (the alphabet has neither 0, 1, 8 nor 9).
CODE_BYTES = 10


def new_code(session: Session) -> str:
    """A fresh verification code, e.g. "K7QZ-M2XH-PLRA-4TGE": not guessable, not yet used."""
    while True:
        raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")
        code = "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))
        if session.scalar(sa.select(VisaLetter.id).where(VisaLetter.code == code)) is None:
            return code


def normal_code(code: str) -> str:
    """A code as typed or scanned: case, spaces and missing dashes do not matter."""
    letters = "".join(c for c in (code or "").upper() if c.isalnum())[:64]
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


# --- who may do what -----------------------------------------------------------------------


def require_letter_manager(actor: Any) -> None:
    """Only coordinators issue, reissue and revoke letters."""
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators issue visa invitation letters."))


def may_download(actor: Any, enrolment: Enrolment) -> bool:
    """The person, the focal point of the person's own country, and coordinators."""
    if actor is None or not actor.is_authenticated:
        return False
    if is_coordinator(actor) or actor.id == enrolment.user_id:
        return True
    person_country = enrolment.user.country
    return actor.role is Role.FOCAL_POINT and bool(actor.country) and actor.country == person_country


def check_may_download(actor: Any, enrolment: Enrolment) -> None:
    if not may_download(actor, enrolment):
        raise Forbidden(_("You may not see this person's letters."))


# --- finding letters -----------------------------------------------------------------------


def _letter_query() -> sa.Select[tuple[VisaLetter]]:
    return sa.select(VisaLetter).options(
        joinedload(VisaLetter.enrolment).joinedload(Enrolment.user),
        joinedload(VisaLetter.enrolment).joinedload(Enrolment.course),
    )


NO_LETTER = _l("No letter has this code.")


def letter_by_code(session: Session, code: str) -> VisaLetter:
    """The letter a verification code belongs to, valid or revoked; NotFound for any other code."""
    letter = session.scalars(_letter_query().where(VisaLetter.code == normal_code(code))).first()
    if letter is None:
        raise NotFound(str(NO_LETTER))
    return letter


def with_enrolment(session: Session, letter: VisaLetter) -> VisaLetter:
    """letter with its enrolment, person and course loaded (one query, or none when they are)."""
    if "enrolment" in letter.__dict__:
        return letter
    return session.scalars(_letter_query().where(VisaLetter.id == letter.id)).one()


def current_letter(session: Session, enrolment: Enrolment) -> VisaLetter | None:
    """The enrolment's letter in force, if any."""
    return _current(session, [enrolment.id]).get(enrolment.id)


def letter_for(session: Session, letter_id: int, *, viewer: Any) -> VisaLetter:
    """One letter, for those who may download it; NotFound for everyone else (no hint it exists)."""
    letter = session.scalars(_letter_query().where(VisaLetter.id == letter_id)).first()
    if letter is None or not may_download(viewer, letter.enrolment):
        raise NotFound(_("No such letter."))
    return letter


def letters_of(session: Session, enrolment: Enrolment, *, viewer: Any) -> Sequence[VisaLetter]:
    """An enrolment's letters, newest first, for those who may download them."""
    check_may_download(viewer, enrolment)
    return session.scalars(
        sa.select(VisaLetter).where(VisaLetter.enrolment_id == enrolment.id)
        .order_by(VisaLetter.issued_at.desc(), VisaLetter.id.desc())
    ).all()


@dataclass
class LetterRow:
    """One confirmed person on a course's letters page: their letter in force, if any, and why
    a letter cannot be issued yet."""

    enrolment: Enrolment
    letter: VisaLetter | None
    revoked: int  # how many earlier letters were revoked
    missing: list[str]  # what the travel form lacks (labels)
    stale: bool  # the travel form changed after the letter in force was issued
    locked: bool  # the travel form is locked


def course_letters(session: Session, course: Course, *, viewer: Any) -> list[LetterRow]:
    """Every confirmed person of course with their letter: three queries, whatever their number."""
    require_letter_manager(viewer)
    enrolments = session.scalars(
        sa.select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.status.in_(LETTER_STATUSES))
        .options(joinedload(Enrolment.user))
    ).all()
    ids = [e.id for e in enrolments]
    letters = session.scalars(
        sa.select(VisaLetter).where(VisaLetter.enrolment_id.in_(ids))
        .order_by(VisaLetter.issued_at, VisaLetter.id)
    ).all() if ids else []
    forms = passport.forms_of(session, ids)
    rows = []
    for enrolment in sorted(enrolments, key=lambda e: (e.country, e.user.name.casefold())):
        set_committed_value(enrolment, "course", course)
        own = [letter for letter in letters if letter.enrolment_id == enrolment.id]
        current = next((letter for letter in own if letter.is_valid), None)
        form = forms.get(enrolment.id)
        rows.append(LetterRow(
            enrolment=enrolment, letter=current, revoked=sum(1 for letter in own if not letter.is_valid),
            missing=passport.missing(form), stale=bool(current and passport.changed_since(form, current)),
            locked=passport.is_locked(form),
        ))
    return rows


# --- issuing -------------------------------------------------------------------------------


def _loaded(session: Session, enrolment: Enrolment) -> Enrolment:
    """enrolment with its person and course at hand (from the identity map when already loaded)."""
    for name, model, key in (("user", User, enrolment.user_id), ("course", Course, enrolment.course_id)):
        if name not in enrolment.__dict__:
            set_committed_value(enrolment, name, session.get(model, key))
    return enrolment


def _refusal_reasons(course: Course, enrolment: Enrolment, form: Any) -> list[str]:
    reasons = []
    if enrolment.status not in LETTER_STATUSES:
        reasons.append(_("Letters go only to confirmed participants."))
    if missing_letter_settings(course):
        reasons.append(_("The course's letter settings are incomplete."))
    missing = passport.missing(form)
    if missing:
        reasons.append(_("The travel form lacks: %(fields)s.", fields=", ".join(missing)))
    return reasons


def _snapshot(letter: VisaLetter) -> dict[str, Any]:
    """What the audit trail keeps of a letter: never a passport field."""
    return {"code": letter.code, "enrolment_id": letter.enrolment_id, "person_id": letter.enrolment.user_id,
            "issuer": letter.issuer,
            "revoked_at": letter.revoked_at.isoformat() if letter.revoked_at else None,
            "revoked_reason": letter.revoked_reason or None}


def _new_letter(session: Session, course: Course, enrolment: Enrolment, form: Any, *, actor: User | None,
                via: str) -> VisaLetter:
    settings = LetterSettings.of(course)
    letter = VisaLetter(
        code=new_code(session), enrolment=enrolment, issued_by_id=actor.id if actor else None,
        form_changed_at=passport.changed_at(form),
        person_name=enrolment.user.name, course_title=course.title, course_title_zh=course.title_zh or "",
        starts_on=course.starts_on, ends_on=course.ends_on, city=course.city, venue=course.venue or "",
        host_country=course.host_country, languages=" ".join(letter_languages(course)),
        issuer=settings.issuer, issuer_zh=settings.issuer_zh, letterhead=settings.letterhead,
        signatory_name=settings.signatory_name, signatory_title=settings.signatory_title,
        signatory_title_zh=settings.signatory_title_zh, costs=settings.costs, costs_zh=settings.costs_zh,
    )
    session.add(letter)
    session.flush()
    record(session, actor=actor, action="letter.issued", subject=enrolment, after=_snapshot(letter),
           topic=f"course:{course.id}", via=via, flush=False)
    return letter


def _current(session: Session, enrolment_ids: Sequence[int]) -> dict[int, VisaLetter]:
    if not enrolment_ids:
        return {}
    letters = session.scalars(
        sa.select(VisaLetter)
        .where(VisaLetter.enrolment_id.in_(enrolment_ids), VisaLetter.revoked_at.is_(None))
    ).all()
    return {letter.enrolment_id: letter for letter in letters}


def issue_letter(
    session: Session, enrolment: Enrolment, *, actor: User | None, via: str = "web", lock_form: bool = False,
) -> VisaLetter:
    """Issue a letter to one confirmed person whose travel form is complete (coordinators).

    A person who already holds a letter in force is refused: reissue it instead, which revokes it.
    lock_form locks the travel form, so that what the letter says stays what the form says.
    """
    require_letter_manager(actor)
    course = _loaded(session, enrolment).course
    form = passport.forms_of(session, [enrolment.id]).get(enrolment.id)
    reasons = _refusal_reasons(course, enrolment, form)
    if reasons:
        raise DomainError(" ".join(reasons))
    if _current(session, [enrolment.id]):
        raise Conflict(_("%(name)s already holds a letter; reissue it to replace it.",
                         name=enrolment.user.name))
    letter = _new_letter(session, course, enrolment, form, actor=actor, via=via)
    if lock_form and form is not None:
        letter.form_changed_at = passport.lock(session, enrolment, form, actor=actor, via=via)
    session.flush()
    return letter


def revoke_letter(
    session: Session, letter: VisaLetter, *, actor: User | None, via: str = "web", reason: str = "",
) -> VisaLetter:
    """Withdraw a letter: its code then verifies as revoked, with the date (coordinators)."""
    require_letter_manager(actor)
    letter = with_enrolment(session, letter)
    if not letter.is_valid:
        raise Conflict(_("This letter was already revoked."))
    reason = (reason or "").strip()
    if len(reason) > MAX_REVOKE_REASON:
        raise DomainError(_("At most %(num)d characters.", num=MAX_REVOKE_REASON), "reason")
    letter.revoked_at = utcnow()
    letter.revoked_by_id = actor.id if actor else None
    letter.revoked_reason = reason or _("Revoked by a coordinator.")
    session.flush()
    record(session, actor=actor, action="letter.revoked", subject=letter.enrolment, after=_snapshot(letter),
           topic=f"course:{letter.enrolment.course_id}", via=via, flush=False)
    return letter


def reissue_letter(
    session: Session, letter: VisaLetter, *, actor: User | None, via: str = "web", lock_form: bool = False,
) -> VisaLetter:
    """A new letter from the travel form as it is now (after a correction); the old code is revoked."""
    require_letter_manager(actor)
    letter = with_enrolment(session, letter)
    if not letter.is_valid:
        raise Conflict(_("This letter was already revoked; issue a new one."))
    enrolment = _loaded(session, letter.enrolment)
    form = passport.forms_of(session, [enrolment.id]).get(enrolment.id)
    reasons = _refusal_reasons(enrolment.course, enrolment, form)
    if reasons:
        raise DomainError(" ".join(reasons))
    revoke_letter(session, letter, actor=actor, via=via, reason=_("Replaced by a reissued letter."))
    new = _new_letter(session, enrolment.course, enrolment, form, actor=actor, via=via)
    if lock_form and form is not None:
        new.form_changed_at = passport.lock(session, enrolment, form, actor=actor, via=via)
    session.flush()
    return new


@dataclass
class BatchResult:
    """What issuing letters for a whole course did: who got one, who was skipped and why."""

    issued: list[VisaLetter] = field(default_factory=list)
    already: list[Enrolment] = field(default_factory=list)
    skipped: list[tuple[Enrolment, str]] = field(default_factory=list)


def issue_course_letters(
    session: Session, course: Course, *, actor: User | None, via: str = "web", lock_forms: bool = False,
) -> BatchResult:
    """A letter for every confirmed person of course with a complete travel form who holds none.

    The others are skipped with the reason; the course's letter settings must be complete.
    """
    require_letter_manager(actor)
    missing = missing_letter_settings(course)
    if missing:
        raise DomainError(_("Fill in the course's letter settings first."))
    enrolments = session.scalars(
        sa.select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.status.in_(LETTER_STATUSES))
        .options(joinedload(Enrolment.user))
    ).all()
    ids = [e.id for e in enrolments]
    forms = passport.forms_of(session, ids)
    current = _current(session, ids)
    result = BatchResult()
    for enrolment in sorted(enrolments, key=lambda e: (e.country, e.user.name.casefold())):
        set_committed_value(enrolment, "course", course)
        if enrolment.id in current:
            result.already.append(enrolment)
            continue
        form = forms.get(enrolment.id)
        reasons = _refusal_reasons(course, enrolment, form)
        if reasons:
            result.skipped.append((enrolment, " ".join(reasons)))
            continue
        letter = _new_letter(session, course, enrolment, form, actor=actor, via=via)
        if lock_forms and form is not None:
            letter.form_changed_at = passport.lock(session, enrolment, form, actor=actor, via=via)
        result.issued.append(letter)
    session.flush()
    return result
