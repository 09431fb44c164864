"""What a course's visa invitation letters say on the host's behalf: issuer, letterhead, signatory,
who pays. The letters themselves belong to travel, above courses; their words live on the course."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.audit.services import record
from training.core.errors import Problems
from training.courses.models import (
    MAX_LETTER_COSTS,
    MAX_LETTERHEAD,
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_TITLE,
    Course,
)
from training.courses.services.access import require_course_manager

# The course's host countries whose language a letter prints beside the English (Babel locales).
LETTER_LANGUAGES = {"CN": "zh_Hans"}


@dataclass
class LetterSettings:
    """The words of a course's letters: each in English, some also in Chinese."""

    issuer: str = ""
    issuer_zh: str = ""
    letterhead: str = ""
    signatory_name: str = ""
    signatory_title: str = ""
    signatory_title_zh: str = ""
    costs: str = ""
    costs_zh: str = ""

    @classmethod
    def of(cls, course: Course) -> LetterSettings:
        return cls(**{f.name: getattr(course, f"letter_{f.name}") for f in fields(cls)})


_LIMITS = {"issuer": MAX_ORGANISATION, "issuer_zh": MAX_ORGANISATION, "letterhead": MAX_LETTERHEAD,
           "signatory_name": MAX_NAME, "signatory_title": MAX_TITLE, "signatory_title_zh": MAX_TITLE,
           "costs": MAX_LETTER_COSTS, "costs_zh": MAX_LETTER_COSTS}
# A letter cannot go out without these: the consulate reads who invites, who signs and who pays.
REQUIRED = ("issuer", "signatory_name", "signatory_title", "costs")


def letter_languages(course: Course) -> tuple[str, ...]:
    """The languages of the course's letters, the host's first: ("zh_Hans", "en") or ("en",)."""
    host = LETTER_LANGUAGES.get(course.host_country)
    return (host, "en") if host else ("en",)


def missing_letter_settings(course: Course) -> list[str]:
    """The settings a letter needs that the course lacks (field names), in the form's order."""
    settings = LetterSettings.of(course)
    needed = list(REQUIRED)
    if "zh_Hans" in letter_languages(course):
        needed += ["issuer_zh", "signatory_title_zh", "costs_zh"]
    return [name for name in _LIMITS if name in needed and not getattr(settings, name).strip()]


def update_letter_settings(
    session: Session, course: Course, settings: LetterSettings, *, actor: User | None, via: str = "web",
) -> Course:
    """Change what the course's letters say (coordinators); letters already issued keep their words."""
    require_course_manager(actor)
    problems = Problems()
    values: dict[str, Any] = {}
    for name, limit in _LIMITS.items():
        value = (getattr(settings, name) or "").strip()
        if len(value) > limit:
            problems.add(_("At most %(num)d characters.", num=limit), name)
        values[name] = value
    problems.raise_any()
    before = asdict(LetterSettings.of(course))
    for name, value in values.items():
        setattr(course, f"letter_{name}", value)
    session.flush()
    after = asdict(LetterSettings.of(course))
    if before != after:
        record(session, actor=actor, action="course.letter_settings_changed", subject=course,
               before=before, after=after, topic=f"course:{course.id}", via=via)
    return course
