"""A course's requirements: set by coordinators, copied from another course, read in order."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.clearance.models import (
    MAX_DUE_DAYS,
    MAX_INSTRUCTION,
    MAX_KEY,
    MAX_TITLE,
    Requirement,
    RequirementKind,
)
from training.clearance.services.state import recompute_cleared, requirements_of
from training.core import i18n
from training.core.errors import DomainError, Forbidden
from training.courses.models import Course
from training.enrolment.services import lock_quotas

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# More than this many requirements on one course is a mistake, not a programme.
MAX_REQUIREMENTS = 30


@dataclass(frozen=True)
class RequirementSpec:
    """What a coordinator says about one requirement (the form, the API and a copy alike)."""

    key: str
    kind: str
    title: str
    due_days_before_start: object
    title_zh: str = ""
    instruction: str = ""
    instruction_zh: str = ""
    countries: Sequence[str] | None = None

    @classmethod
    def of(cls, requirement: Requirement) -> RequirementSpec:
        return cls(
            key=requirement.key, kind=requirement.kind.value, title=requirement.title,
            title_zh=requirement.title_zh, instruction=requirement.instruction,
            instruction_zh=requirement.instruction_zh,
            due_days_before_start=requirement.due_days_before_start,
            countries=list(requirement.countries) if requirement.countries else None,
        )


def check_coordinates(actor: User) -> None:
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators set a course's requirements."))


def _text(value: object, limit: int, field: str, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(_("Give a title."), field=field)
    if len(text) > limit:
        raise DomainError(_("Keep it under %(n)d characters.", n=limit), field=field)
    return text


def _due_days(value: object) -> int:
    if isinstance(value, bool):
        value = None
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Give the number of days before the start as a whole number."),
                          field="due_days_before_start") from None
    if not 0 <= days <= MAX_DUE_DAYS:
        raise DomainError(_("The due date must fall between %(max)d days before the start and the start.",
                            max=MAX_DUE_DAYS), field="due_days_before_start")
    return days


def _countries(value: Sequence[str] | None) -> list[str] | None:
    if not value:
        return None
    codes = []
    for code in value:
        country = str(code or "").strip().upper()
        if not i18n.is_country_code(country):
            raise DomainError(_("Unknown country code %(code)s.", code=code), field="countries")
        if country not in codes:
            codes.append(country)
    return sorted(codes)


def _clean(spec: RequirementSpec) -> dict[str, object]:
    key = str(spec.key or "").strip().lower()
    if not key or len(key) > MAX_KEY or not _KEY.match(key):
        raise DomainError(
            _("A key is up to %(n)d lowercase letters, digits, hyphens or underscores (say, passport).",
              n=MAX_KEY), field="key")
    try:
        kind = RequirementKind(str(spec.kind or "").strip())
    except ValueError:
        raise DomainError(_("Choose document or check."), field="kind") from None
    return {
        "key": key,
        "kind": kind,
        "title": _text(spec.title, MAX_TITLE, "title", required=True),
        "title_zh": _text(spec.title_zh, MAX_TITLE, "title_zh"),
        "instruction": _text(spec.instruction, MAX_INSTRUCTION, "instruction"),
        "instruction_zh": _text(spec.instruction_zh, MAX_INSTRUCTION, "instruction_zh"),
        "due_days_before_start": _due_days(spec.due_days_before_start),
        "countries": _countries(spec.countries),
    }


def set_requirements(
    session: Session, course: Course, specs: Sequence[RequirementSpec], *, actor: User, via: str = "web"
) -> list[Requirement]:
    """Replace the course's requirements with specs, matched by key: a requirement left out is
    removed with every person's state on it; one kept keeps its states."""
    check_coordinates(actor)
    if len(specs) > MAX_REQUIREMENTS:
        raise DomainError(_("A course has at most %(n)d requirements.", n=MAX_REQUIREMENTS))
    cleaned = [_clean(spec) for spec in specs]
    keys = [c["key"] for c in cleaned]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate is not None:
        raise DomainError(_("Two requirements have the key %(key)s.", key=duplicate), field="key")
    lock_quotas(session, course)  # a lapse decides under this lock what is required
    existing = {r.key: r for r in requirements_of(session, course)}
    before = [asdict(RequirementSpec.of(r)) for r in existing.values()]
    kept = []
    for position, values in enumerate(cleaned):
        requirement = existing.pop(str(values["key"]), None)
        if requirement is None:
            requirement = Requirement(course_id=course.id)
            session.add(requirement)
        for name, value in values.items():
            setattr(requirement, name, value)
        requirement.position = position
        kept.append(requirement)
    for gone in existing.values():
        session.delete(gone)
    session.flush()
    record(session, actor=actor, action="clearance.requirements_set", subject=course,
           before={"requirements": before},
           after={"requirements": [asdict(RequirementSpec.of(r)) for r in kept]},
           topic=f"course:{course.id}", via=via)
    recompute_cleared(session, course)
    return kept


def copy_requirements(
    session: Session, course: Course, source: Course, *, actor: User, via: str = "web"
) -> list[Requirement]:
    """Give course the requirements of source (replacing its own)."""
    check_coordinates(actor)
    specs = [RequirementSpec.of(r) for r in requirements_of(session, source)]
    return set_requirements(session, course, specs, actor=actor, via=via)
