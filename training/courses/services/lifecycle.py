"""A course's life: the details a coordinator enters and their checks, then create, update,
publish, cancel and complete."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.audit.services import record
from training.core import i18n, zones
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Problems
from training.core.localtime import local_datetime_to_instant, local_day, show_date, to_instant
from training.core.locking import lock_row
from training.core.slugs import slugify, unique_slug
from training.courses.models import Course, CourseSession, CourseStatus
from training.courses.seats import seat_summaries, seats_allocated
from training.courses.services.access import require_course_manager, require_open
from training.courses.services.notices import people_to_notify, tell_course_cancelled, tell_course_changed
from training.courses.services.readiness import course_readiness, missing_essentials

MAX_COURSE_DAYS = 92
LANGUAGES = ("en", "zh", "en+zh")
# How many of a country's timezones a refusal names (the United States has 29).
SUGGESTED_ZONES = 6


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
    # False when the timezone is the form's default, untouched: the place's own zone replaces it.
    timezone_chosen: bool = True


def _place_zone(details: CourseDetails, country: str, city: str, *, zone_must_fit: bool,
                problems: Problems) -> str:
    """The course's timezone: the one entered, or the place's own when none was chosen."""
    zone = details.timezone
    if not i18n.is_country_code(country) or not i18n.is_timezone(zone):
        return zone
    if not details.timezone_chosen and not zones.zone_fits_country(zone, country):
        zone = zones.zone_for_place(country, city) or zone
    if zone_must_fit and not zones.zone_fits_country(zone, country):
        choices = zones.country_zones(country)
        shown = ", ".join(choices[:SUGGESTED_ZONES]) + (", …" if len(choices) > SUGGESTED_ZONES else "")
        problems.add(ngettext(
            "%(zone)s is not the timezone of %(country)s: choose %(zones)s.",
            "%(zone)s is not a timezone of %(country)s: choose one of its timezones, "
            "listed first in the menu (%(zones)s).",
            len(choices), zone=zone, country=i18n.country_name(country), zones=shown,
        ), "timezone")
    return zone


def _instant(value: datetime | None, zone: str, field: str, problems: Problems) -> datetime | None:
    """A time entered on the venue's clock as an instant; None when absent or refused (in problems)."""
    if value is None or not i18n.is_timezone(zone):
        return None
    try:
        return local_datetime_to_instant(value, zone, field=field)
    except DomainError as error:
        problems.add_error(error)
        return None


def _checked(
    details: CourseDetails, problems: Problems, *, zone_must_fit: bool = False
) -> dict[str, Any]:
    """The details cleaned and checked, as column values; every problem found goes to problems,
    with the field at fault, so that a form shows them all at once."""
    title = (details.title or "").strip()
    if not title:
        problems.add(_("A title is required."), "title")
    country = (details.host_country or "").strip().upper()
    if not i18n.is_country_code(country):
        problems.add(_("Choose the host country."), "host_country")
    city = (details.city or "").strip()
    if not city:
        problems.add(_("A city is required."), "city")
    zone = details.timezone
    if not i18n.is_timezone(zone):
        problems.add(_("Unknown timezone %(tz)s.", tz=zone), "timezone")
    else:
        zone = _place_zone(details, country, city, zone_must_fit=zone_must_fit, problems=problems)
    if details.starts_on is None:
        problems.add(_("A start date is required."), "starts_on")
    if details.ends_on is None:
        problems.add(_("An end date is required."), "ends_on")
    elif details.starts_on is not None:
        if details.ends_on < details.starts_on:
            problems.add(_("The course cannot end before it starts."), "ends_on")
        elif (details.ends_on - details.starts_on).days + 1 > MAX_COURSE_DAYS:
            problems.add(ngettext("A course lasts at most %(num)d day.",
                                  "A course lasts at most %(num)d days.", MAX_COURSE_DAYS), "ends_on")
    if details.capacity is None or details.capacity < 1:
        problems.add(_("Capacity must be at least 1."), "capacity")
    if details.language not in LANGUAGES:
        problems.add(_("Unsupported language %(code)s.", code=details.language), "language")
    opens = _instant(details.enrolment_opens_at, zone, "enrolment_opens_at", problems)
    closes = _instant(details.enrolment_closes_at, zone, "enrolment_closes_at", problems)
    if opens and closes and closes <= opens:
        problems.add(_("Enrolment must close after it opens."), "enrolment_closes_at")
    elif closes and details.ends_on is not None and i18n.is_timezone(zone):
        course_end = to_instant(details.ends_on + timedelta(days=1), time(0), zone)
        if closes > course_end:
            problems.add(_("Enrolment must close before the course ends."), "enrolment_closes_at")
    try:
        title_zh, description_zh = i18n.chinese_version(details.title_zh, details.description_zh)
    except DomainError as error:
        problems.add_error(error)
        title_zh, description_zh = details.title_zh, details.description_zh
    return {
        "title": title,
        "description": (details.description or "").strip(),
        "title_zh": title_zh,
        "description_zh": description_zh,
        "host_country": country,
        "city": city,
        "venue": (details.venue or "").strip(),
        "timezone": zone,
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
    session: Session, details: CourseDetails, *, actor: User | None, via: str = "web",
    zone_must_fit: bool = False,
) -> Course:
    """A new draft course with a readable, unique slug (coordinators).

    zone_must_fit refuses a timezone that is not one of the host country's (the pages ask
    it; the API keeps accepting any timezone, as its callers were promised).
    """
    require_course_manager(actor)
    problems = Problems()
    values = _checked(details, problems, zone_must_fit=zone_must_fit)
    problems.raise_any()
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
    session: Session, course: Course, details: CourseDetails, *, actor: User | None, via: str = "web",
    zone_must_fit: bool = False,
) -> Course:
    """Change a course's details; a change of dates or place raises its sequence and tells people.

    Every problem with the details is refused at once, each at its field.
    """
    require_course_manager(actor)
    require_open(course)
    problems = Problems()
    values = _checked(details, problems, zone_must_fit=zone_must_fit)
    # Under the course's lock, as quotas are set under it: capacity and quotas cannot cross.
    lock_row(session, Course, course.id)
    allocated = seats_allocated(session, course.id)
    if not problems.has("capacity") and values["capacity"] < allocated:
        problems.add(ngettext(
            "%(num)d seat is already given out in country quotas; lower the quotas first.",
            "%(num)d seats are already given out in country quotas; lower the quotas first.",
            allocated), "capacity")
    sessions = session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == course.id).order_by(CourseSession.starts_at)
    ).all()
    if values["timezone"] != course.timezone and sessions and not problems.has("timezone"):
        problems.add(
            _("The timezone cannot change once sessions are scheduled: their local times would move."),
            "timezone",
        )
    if not (problems.has("starts_on") or problems.has("ends_on")):
        for course_session in sessions:
            if course_session.cancelled:
                continue
            day = local_day(course_session.starts_at, course.timezone)
            if not values["starts_on"] <= day <= values["ends_on"]:
                problems.add(
                    _("“%(title)s” on %(day)s would fall outside the course; move or cancel it first.",
                      title=course_session.title, day=show_date(day)),
                    "starts_on" if day < values["starts_on"] else "ends_on",
                )
    problems.raise_any()
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


def publish_course(
    session: Session, course: Course, *, actor: User | None, via: str = "web", require_ready: bool = False
) -> Course:
    """Make a draft visible to everyone in the catalogue (coordinators).

    require_ready (the pages ask it) refuses a draft that lacks an essential of
    course_readiness, naming each; the API publishes as it always did.
    """
    require_course_manager(actor)
    if require_ready and course.status is CourseStatus.DRAFT:
        missing = missing_essentials(course_readiness(session, course))
        if missing:
            raise DomainError(_("The course is not ready to publish."),
                              more=[(item.todo, None) for item in missing])
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


def may_complete(course: Course, *, today: date | None = None) -> bool:
    """Whether a published course may be marked completed: its last day has begun where it is held."""
    today = today or local_day(utcnow(), course.timezone)
    return course.status is CourseStatus.PUBLISHED and today >= course.ends_on


def complete_course(
    session: Session, course: Course, *, actor: User | None, today: date | None = None, via: str = "web"
) -> Course:
    """Mark a published course completed once its last day has begun in its own timezone."""
    require_course_manager(actor)
    if course.status is CourseStatus.PUBLISHED and not may_complete(course, today=today):
        raise DomainError(_("A course can be completed only from its last day on."))
    _change_status(session, course, CourseStatus.COMPLETED, (CourseStatus.PUBLISHED,),
                   actor=actor, action="course.completed", via=via)
    return course
