"""A course's life: the details a coordinator enters and their checks, then create, update,
publish, cancel and complete."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError
from training.core.localtime import local_datetime_to_instant, local_day, show_date, to_instant
from training.core.locking import lock_row
from training.core.slugs import slugify, unique_slug
from training.courses.models import Course, CourseSession, CourseStatus
from training.courses.seats import seat_summaries, seats_allocated
from training.courses.services.access import require_course_manager, require_open
from training.courses.services.notices import people_to_notify, tell_course_cancelled, tell_course_changed

MAX_COURSE_DAYS = 92
LANGUAGES = ("en", "zh", "en+zh")


def course_snapshot(course: Course) -> dict[str, Any]:
    """The audited fields of a course."""
    return {
        "title": course.title,
        "title_zh": course.title_zh,
        "host_country": course.host_country,
        "city": course.city,
        "venue": course.venue,
        "timezone": course.timezone,
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
        "capacity": course.capacity,
        "enrolment_opens_at": course.enrolment_opens_at.isoformat() if course.enrolment_opens_at else None,
        "enrolment_closes_at": course.enrolment_closes_at.isoformat() if course.enrolment_closes_at else None,
        "requires_approval": course.requires_approval,
        "language": course.language,
        "status": course.status.value,
        "sequence": course.sequence,
    }


@dataclass
class CourseDetails:
    """What a coordinator enters about a course. Enrolment times may be naive: read in the course's zone."""

    title: str
    host_country: str
    city: str
    timezone: str
    starts_on: date
    ends_on: date
    capacity: int
    description: str = ""
    venue: str = ""
    enrolment_opens_at: datetime | None = None
    enrolment_closes_at: datetime | None = None
    requires_approval: bool = False
    language: str = "en"
    title_zh: str = ""
    description_zh: str = ""


def _checked(details: CourseDetails) -> dict[str, Any]:
    """The details cleaned and checked, as column values; refuses with the field at fault."""
    title = (details.title or "").strip()
    if not title:
        raise DomainError(_("A title is required."), field="title")
    country = (details.host_country or "").strip().upper()
    if not i18n.is_country_code(country):
        raise DomainError(_("Choose the host country."), field="host_country")
    city = (details.city or "").strip()
    if not city:
        raise DomainError(_("A city is required."), field="city")
    if not i18n.is_timezone(details.timezone):
        raise DomainError(_("Unknown timezone %(tz)s.", tz=details.timezone), field="timezone")
    if details.starts_on is None:
        raise DomainError(_("A start date is required."), field="starts_on")
    if details.ends_on is None:
        raise DomainError(_("An end date is required."), field="ends_on")
    if details.ends_on < details.starts_on:
        raise DomainError(_("The course cannot end before it starts."), field="ends_on")
    if (details.ends_on - details.starts_on).days + 1 > MAX_COURSE_DAYS:
        raise DomainError(
            _("A course lasts at most %(n)d days.", n=MAX_COURSE_DAYS), field="ends_on"
        )
    if details.capacity is None or details.capacity < 1:
        raise DomainError(_("Capacity must be at least 1."), field="capacity")
    if details.language not in LANGUAGES:
        raise DomainError(_("Unsupported language %(code)s.", code=details.language), field="language")
    opens = closes = None
    if details.enrolment_opens_at is not None:
        opens = local_datetime_to_instant(details.enrolment_opens_at, details.timezone,
                                          field="enrolment_opens_at")
    if details.enrolment_closes_at is not None:
        closes = local_datetime_to_instant(details.enrolment_closes_at, details.timezone,
                                           field="enrolment_closes_at")
    if opens and closes and closes <= opens:
        raise DomainError(_("Enrolment must close after it opens."), field="enrolment_closes_at")
    course_end = to_instant(details.ends_on + timedelta(days=1), time(0), details.timezone)
    if closes and closes > course_end:
        raise DomainError(_("Enrolment must close before the course ends."), field="enrolment_closes_at")
    title_zh, description_zh = i18n.chinese_version(details.title_zh, details.description_zh)
    return {
        "title": title,
        "description": (details.description or "").strip(),
        "title_zh": title_zh,
        "description_zh": description_zh,
        "host_country": country,
        "city": city,
        "venue": (details.venue or "").strip(),
        "timezone": details.timezone,
        "starts_on": details.starts_on,
        "ends_on": details.ends_on,
        "capacity": details.capacity,
        "enrolment_opens_at": opens,
        "enrolment_closes_at": closes,
        "requires_approval": bool(details.requires_approval),
        "language": details.language,
    }


def _unique_slug(session: Session, title: str, starts_on: date) -> str:
    return unique_slug(session, Course.slug, f"{slugify(title) or 'course'}-{starts_on.year}")


def create_course(
    session: Session, details: CourseDetails, *, actor: User | None, via: str = "web"
) -> Course:
    """A new draft course with a readable, unique slug (coordinators)."""
    require_course_manager(actor)
    values = _checked(details)
    for _attempt in range(5):
        course = Course(
            slug=_unique_slug(session, values["title"], values["starts_on"]),
            created_by_id=actor.id if actor else None,
            status=CourseStatus.DRAFT,
            **values,
        )
        course.refresh_search_key()
        session.add(course)
        try:
            # The unique index decides between two simultaneous courses with one title.
            with session.begin_nested():
                session.flush()
        except sa.exc.IntegrityError:
            session.expunge(course)
            continue
        break
    else:  # pragma: no cover - five collisions in a row
        raise Conflict(_("Could not find a free address for this course; try again."), field="title")
    record(session, actor=actor, action="course.created", subject=course,
           after=course_snapshot(course), topic=f"course:{course.id}", via=via)
    return course


def update_course(
    session: Session, course: Course, details: CourseDetails, *, actor: User | None, via: str = "web"
) -> Course:
    """Change a course's details; a change of dates or place raises its sequence and tells people."""
    require_course_manager(actor)
    require_open(course)
    values = _checked(details)
    # Under the course's lock, as quotas are set under it: capacity and quotas cannot cross.
    lock_row(session, Course, course.id)
    allocated = seats_allocated(session, course.id)
    if values["capacity"] < allocated:
        raise DomainError(
            _("%(n)d seats are already given out in country quotas; lower the quotas first.", n=allocated),
            field="capacity",
        )
    sessions = session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == course.id).order_by(CourseSession.starts_at)
    ).all()
    if values["timezone"] != course.timezone and sessions:
        raise DomainError(
            _("The timezone cannot change once sessions are scheduled: their local times would move."),
            field="timezone",
        )
    for course_session in sessions:
        if course_session.cancelled:
            continue
        day = local_day(course_session.starts_at, course.timezone)
        if not values["starts_on"] <= day <= values["ends_on"]:
            raise DomainError(
                _("“%(title)s” on %(day)s would fall outside the course; move or cancel it first.",
                  title=course_session.title, day=show_date(day)),
                field="starts_on" if day < values["starts_on"] else "ends_on",
            )
    before = course_snapshot(course)
    moved = (values["starts_on"], values["ends_on"]) != (course.starts_on, course.ends_on)
    relocated = (values["host_country"], values["city"], values["venue"], values["timezone"]) != (
        course.host_country, course.city, course.venue, course.timezone)
    for name, value in values.items():
        setattr(course, name, value)
    course.refresh_search_key()
    if moved or relocated:
        course.sequence += 1
    session.flush()
    record(session, actor=actor, action="course.updated", subject=course, before=before,
           after=course_snapshot(course), topic=f"course:{course.id}", via=via)
    if (moved or relocated) and course.status is CourseStatus.PUBLISHED:
        tell_course_changed(session, course, people_to_notify(session, course), before=before)
    return course


def _change_status(
    session: Session, course: Course, new: CourseStatus, allowed_from: Iterable[CourseStatus], *,
    actor: User | None, action: str, via: str, reason: str = "",
) -> dict[str, Any]:
    if course.status not in allowed_from:
        raise DomainError(
            _("A %(current)s course cannot become %(new)s.", current=course.status.label, new=new.label)
        )
    before = course_snapshot(course)
    course.status = new
    course.sequence += 1
    session.flush()
    after = course_snapshot(course)
    if reason:
        after["reason"] = reason
    record(session, actor=actor, action=action, subject=course, before=before, after=after,
           topic=f"course:{course.id}", via=via)
    return before


def publish_course(session: Session, course: Course, *, actor: User | None, via: str = "web") -> Course:
    """Make a draft visible to everyone in the catalogue (coordinators)."""
    require_course_manager(actor)
    _change_status(session, course, CourseStatus.PUBLISHED, (CourseStatus.DRAFT,),
                   actor=actor, action="course.published", via=via)
    return course


@dataclass(frozen=True)
class CourseCancellation:
    """What cancelling a course would do: who holds a seat or waits, how many people are told
    (participants and instructors; nobody while it is a draft), and its sessions still on."""

    confirmed: int
    waiting: int
    told: int
    sessions: int


def cancellation_outcome(session: Session, course: Course, *, actor: User | None) -> CourseCancellation:
    """What cancel_course would do to course, for a coordinator about to confirm it."""
    require_course_manager(actor)
    if course.status not in (CourseStatus.DRAFT, CourseStatus.PUBLISHED):
        raise DomainError(_("This course is %(status)s; it can no longer be cancelled.",
                            status=course.status.label))
    seats = seat_summaries(session, [course.id])[course.id]
    told = len(people_to_notify(session, course)) if course.status is CourseStatus.PUBLISHED else 0
    sessions = session.scalar(
        sa.select(sa.func.count()).select_from(CourseSession)
        .where(CourseSession.course_id == course.id, ~CourseSession.cancelled)
    ) or 0
    return CourseCancellation(confirmed=seats.confirmed, waiting=seats.waitlisted, told=told,
                              sessions=sessions)


def cancel_course(
    session: Session, course: Course, *, actor: User | None, reason: str = "", via: str = "web"
) -> Course:
    """Cancel a course: it stays visible as cancelled, its sessions too, and everyone concerned is told."""
    require_course_manager(actor)
    was = course.status
    recipients = people_to_notify(session, course) if was is CourseStatus.PUBLISHED else []
    _change_status(session, course, CourseStatus.CANCELLED, (CourseStatus.DRAFT, CourseStatus.PUBLISHED),
                   actor=actor, action="course.cancelled", via=via, reason=reason.strip())
    # Each session's own feed event must say CANCELLED too, so they follow the course.
    for course_session in session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == course.id, ~CourseSession.cancelled)
    ):
        course_session.cancelled = True
        course_session.sequence += 1
    session.flush()
    tell_course_cancelled(session, course, recipients, reason=reason.strip())
    return course


def complete_course(
    session: Session, course: Course, *, actor: User | None, today: date | None = None, via: str = "web"
) -> Course:
    """Mark a published course completed once its last day has begun in its own timezone."""
    require_course_manager(actor)
    today = today or local_day(utcnow(), course.timezone)
    if course.status is CourseStatus.PUBLISHED and today < course.ends_on:
        raise DomainError(_("A course can be completed only from its last day on."))
    _change_status(session, course, CourseStatus.COMPLETED, (CourseStatus.PUBLISHED,),
                   actor=actor, action="course.completed", via=via)
    return course
