"""The hotline: each side's 24/7 contact points, their test log, and which are overdue for a test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from training.accounts.models import MAX_EMAIL, MAX_NAME, MAX_ORGANISATION, Role, User
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Forbidden, NotFound, Problems
from training.meetings.models import (
    MAX_HOURS,
    MAX_LANGUAGES,
    MAX_NOTE,
    MAX_PHONE,
    ContactPoint,
    ContactResult,
    ContactTest,
)
from training.meetings.services.access import (
    clean_email,
    clean_text,
    is_coordinator,
    is_focal_point,
    may_see_meetings,
    require_coordinator,
)

TOPIC = "meetings:hotline"
METHODS = ("phone", "email", "video")
DEFAULT_TEST_DAYS = 30


def test_days() -> int:
    """How long a contact point may go untested before the directory shows it in red."""
    return int(current_app.config.get("CONTACT_POINT_TEST_DAYS", DEFAULT_TEST_DAYS))


@dataclass(frozen=True)
class ContactSpec:
    side: str
    name: str
    organisation: str = ""
    phone: str = ""
    email: str = ""
    hours: str = "24/7"
    languages: str = ""


def snapshot(point: ContactPoint) -> dict[str, Any]:
    return {
        "country": point.side,
        "name": point.name,
        "organisation": point.organisation,
        "phone": point.phone,
        "email": point.email,
        "hours": point.hours,
        "languages": point.languages,
    }


def require_may_see(viewer: Any) -> None:
    if not may_see_meetings(viewer):
        raise Forbidden(_("Only coordinators and focal points see the hotline."))


def _clean(spec: ContactSpec) -> dict[str, Any]:
    problems = Problems()
    values: dict[str, Any] = {}
    side = str(spec.side or "").strip().upper()
    if not i18n.is_country_code(side):
        problems.add(_("Unknown country code %(code)s.", code=(spec.side or "''")[:8]), "side")
    values["side"] = side
    for name, check in (
        ("name", lambda: clean_text(spec.name, MAX_NAME, "name", required=True, message=_("Give a name."))),
        ("organisation", lambda: clean_text(spec.organisation, MAX_ORGANISATION, "organisation")),
        ("phone", lambda: _phone(spec.phone)),
        ("email", lambda: clean_email(spec.email, "email", required=False)[:MAX_EMAIL]),
        ("hours", lambda: clean_text(spec.hours, MAX_HOURS, "hours") or "24/7"),
        ("languages", lambda: clean_text(spec.languages, MAX_LANGUAGES, "languages")),
    ):
        try:
            values[name] = check()
        except DomainError as error:
            problems.add_error(error)
    if not problems and not values["phone"] and not values["email"]:
        problems.add(
            _("Give a phone number or an email address: a contact point must be reachable."), "phone"
        )
    problems.raise_any()
    return values


def _phone(value: str) -> str:
    phone = clean_text(value, MAX_PHONE, "phone")
    if phone and not all(c.isdigit() or c in "+-() ." for c in phone):
        raise DomainError(_("A phone number holds digits, spaces and + - ( ) only."), field="phone")
    if phone and sum(c.isdigit() for c in phone) < 5:
        raise DomainError(_("This phone number is too short."), field="phone")
    return phone


def add_contact_point(session: Session, spec: ContactSpec, *, actor: User, via: str = "web") -> ContactPoint:
    """A new contact point on one side of the hotline (coordinators)."""
    require_coordinator(actor)
    point = ContactPoint(**_clean(spec))
    session.add(point)
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.contact_added",
        subject=point,
        after=snapshot(point),
        topic=TOPIC,
        via=via,
    )
    return point


def get_contact_point(session: Session, point_id: int, *, viewer: Any) -> ContactPoint:
    require_may_see(viewer)
    point = session.get(ContactPoint, point_id)
    if point is None:
        raise NotFound(_("There is no such contact point."))
    return point


def may_edit(actor: Any, point: ContactPoint) -> bool:
    """Coordinators edit every contact point; a focal point keeps their own side's up to date."""
    return is_coordinator(actor) or (is_focal_point(actor) and actor.country == point.side)


def require_current(point: ContactPoint) -> None:
    if point.retired:
        raise Conflict(_("This contact point is retired."))


def update_contact_point(
    session: Session, point: ContactPoint, spec: ContactSpec, *, actor: User, via: str = "web"
) -> ContactPoint:
    """Correct a contact point's details; only a coordinator hands one to the other side."""
    if not may_edit(actor, point):
        raise Forbidden(_("Only coordinators and the focal points of its side edit a contact point."))
    require_current(point)
    values = _clean(spec)
    if values["side"] != point.side and not is_coordinator(actor):
        raise DomainError(_("Only coordinators move a contact point to the other side."), field="side")
    before = snapshot(point)
    for name, value in values.items():
        setattr(point, name, value)
    session.flush()
    after = snapshot(point)
    if after == before:
        return point  # nothing to tell the trail
    record(
        session,
        actor=actor,
        action="meetings.contact_updated",
        subject=point,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
        topic=TOPIC,
        via=via,
    )
    return point


def retire_contact_point(
    session: Session, point: ContactPoint, *, actor: User, via: str = "web", now: datetime | None = None
) -> ContactPoint:
    """Take a contact point that is no longer valid out of the directory (coordinators).

    It is retired, not deleted: its test log is the evidence that the hotline was tested.
    """
    require_coordinator(actor)
    require_current(point)
    point.retired_at = now or utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.contact_retired",
        subject=point,
        before=snapshot(point),
        after={"retired_at": point.retired_at.isoformat()},
        topic=TOPIC,
        via=via,
    )
    return point


def may_test(actor: Any, point: ContactPoint) -> bool:
    """Coordinators test every contact point; a focal point tests those of either side."""
    return may_see_meetings(actor)


def record_test(
    session: Session,
    point: ContactPoint,
    *,
    method: str,
    result: str,
    note: str = "",
    tested_at: datetime | None = None,
    actor: User,
    via: str = "web",
    now: datetime | None = None,
) -> ContactTest:
    """Log one test of a contact point; a test that reached it is its new "last tested" date."""
    if not may_test(actor, point):
        raise Forbidden(_("Only coordinators and focal points test the hotline."))
    require_current(point)
    now = now or utcnow()
    problems = Problems()
    if method not in METHODS:
        problems.add(_("Choose phone, email or video."), "method")
    try:
        outcome = ContactResult(str(result))
    except ValueError:
        problems.add(_("Choose reached, reached late or not reached."), "result")
    when = tested_at or now
    if when.tzinfo is None or when > now + timedelta(minutes=5):
        problems.add(_("A test is recorded after it took place."), "tested_at")
    try:
        text = clean_text(note, MAX_NOTE, "note")
    except DomainError as error:
        problems.add_error(error)
    problems.raise_any()
    test = ContactTest(
        contact_point_id=point.id,
        tested_at=when,
        tested_by_id=actor.id,
        tested_by_name=actor.name,
        method=method,
        result=outcome,
        note=text,
    )
    session.add(test)
    if outcome is not ContactResult.UNREACHED and (
        point.last_tested_at is None or when > point.last_tested_at
    ):
        point.last_tested_at = when
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.contact_tested",
        subject=point,
        after={"method": method, "result": outcome.value, "tested_at": when.isoformat(), "note": text},
        topic=TOPIC,
        via=via,
    )
    return test


def is_overdue(point: ContactPoint, now: datetime, days: int | None = None) -> bool:
    """Untested (successfully) for more than the configured days."""
    limit = timedelta(days=test_days() if days is None else days)
    return point.last_tested_at is None or now - point.last_tested_at > limit


def directory(session: Session, *, viewer: Any, retired: bool = False) -> Sequence[ContactPoint]:
    """The current contact points (or the retired ones) by side and name, with their tests (two queries)."""
    require_may_see(viewer)
    return session.scalars(
        sa.select(ContactPoint)
        .where(ContactPoint.retired_at.is_not(None) if retired else ContactPoint.retired_at.is_(None))
        .options(selectinload(ContactPoint.tests))
        .order_by(ContactPoint.side, ContactPoint.name, ContactPoint.id)
    ).all()


def overdue_points(session: Session, now: datetime) -> Sequence[ContactPoint]:
    limit = now - timedelta(days=test_days())
    return session.scalars(
        sa.select(ContactPoint)
        .where(
            ContactPoint.retired_at.is_(None),
            sa.or_(ContactPoint.last_tested_at.is_(None), ContactPoint.last_tested_at < limit),
        )
        .order_by(ContactPoint.side, ContactPoint.name)
    ).all()


def coordinators(session: Session) -> Sequence[User]:
    return session.scalars(
        sa.select(User).where(User.role == Role.COORDINATOR, User.active.is_(True)).order_by(User.id)
    ).all()
