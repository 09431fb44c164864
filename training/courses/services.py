"""Courses, their day-by-day schedules and instructors: the rules, callable without HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from training.accounts.models import User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, NotFound
from training.core.localtime import (
    local_datetime_to_instant,
    local_day,
    show_date,
    show_time,
    to_instant,
)
from training.core.locking import lock_names, lock_row, lock_rows
from training.core.slugs import slugify, unique_slug
from training.core.urls import external_url
from training.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    Instructor,
    SessionKind,
    session_instructors,
)
from training.courses.seats import seats_allocated
from training.courses.signals import participants_wanted
from training.outbox.services import queue_mail

# Statuses everyone may see; a draft is seen only by coordinators and admins.
VISIBLE_STATUSES = (CourseStatus.PUBLISHED, CourseStatus.CANCELLED, CourseStatus.COMPLETED)
# The schedule of a course in these statuses no longer changes.
CLOSED_STATUSES = (CourseStatus.CANCELLED, CourseStatus.COMPLETED)
MAX_COURSE_DAYS = 92
LANGUAGES = ("en", "zh", "en+zh")




# --- slugs -------------------------------------------------------------------------------

def _unique_slug(session: Session, title: str, starts_on: date) -> str:
    return unique_slug(session, Course.slug, f"{slugify(title) or 'course'}-{starts_on.year}")


# --- courses -----------------------------------------------------------------------------

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


def create_course(
    session: Session, details: CourseDetails, *, actor: User | None, via: str = "web"
) -> Course:
    """A new draft course with a readable, unique slug."""
    values = _checked(details)
    for _attempt in range(5):
        course = Course(
            slug=_unique_slug(session, values["title"], values["starts_on"]),
            created_by_id=actor.id if actor else None,
            status=CourseStatus.DRAFT,
            **values,
        )
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


def _require_open(course: Course) -> None:
    if course.status in CLOSED_STATUSES:
        raise DomainError(
            _("This course is %(status)s; it can no longer change.", status=status_label(course.status))
        )


def update_course(
    session: Session, course: Course, details: CourseDetails, *, actor: User | None, via: str = "web"
) -> Course:
    """Change a course's details; a change of dates or place raises its sequence and tells people."""
    _require_open(course)
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
    if moved or relocated:
        course.sequence += 1
    session.flush()
    record(session, actor=actor, action="course.updated", subject=course, before=before,
           after=course_snapshot(course), topic=f"course:{course.id}", via=via)
    if (moved or relocated) and course.status is CourseStatus.PUBLISHED:
        for person in people_to_notify(session, course):
            queue_mail(session, to=person.email, template="course_changed", locale=person.locale,
                       course=course, person=person, before=before,
                       url=external_url("courses.course_page", slug=course.slug))
    return course


def _change_status(
    session: Session, course: Course, new: CourseStatus, allowed_from: Iterable[CourseStatus], *,
    actor: User | None, action: str, via: str, reason: str = "",
) -> dict[str, Any]:
    if course.status not in allowed_from:
        raise DomainError(
            _("A %(current)s course cannot become %(new)s.",
              current=status_label(course.status), new=status_label(new))
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
    """Make a draft visible to everyone in the catalogue."""
    _change_status(session, course, CourseStatus.PUBLISHED, (CourseStatus.DRAFT,),
                   actor=actor, action="course.published", via=via)
    return course


def cancel_course(
    session: Session, course: Course, *, actor: User | None, reason: str = "", via: str = "web"
) -> Course:
    """Cancel a course: it stays visible as cancelled, its sessions too, and everyone concerned is told."""
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
    for person in recipients:
        queue_mail(session, to=person.email, template="course_cancelled", locale=person.locale,
                   course=course, person=person, reason=reason.strip(),
                   url=external_url("courses.course_page", slug=course.slug))
    return course


def complete_course(
    session: Session, course: Course, *, actor: User | None, today: date | None = None, via: str = "web"
) -> Course:
    """Mark a published course completed once its last day has begun in its own timezone."""
    today = today or local_day(utcnow(), course.timezone)
    if course.status is CourseStatus.PUBLISHED and today < course.ends_on:
        raise DomainError(_("A course can be completed only from its last day on."))
    _change_status(session, course, CourseStatus.COMPLETED, (CourseStatus.PUBLISHED,),
                   actor=actor, action="course.completed", via=via)
    return course


# Translated when shown, one label at a time: a schedule shows a kind on every session.
STATUS_LABELS = {
    CourseStatus.DRAFT: _l("draft"),
    CourseStatus.PUBLISHED: _l("published"),
    CourseStatus.CANCELLED: _l("cancelled"),
    CourseStatus.COMPLETED: _l("completed"),
}
KIND_LABELS = {
    SessionKind.LECTURE: _l("lecture"),
    SessionKind.PRACTICAL: _l("practical"),
    SessionKind.FIELD_VISIT: _l("field visit"),
    SessionKind.WORKSHOP: _l("workshop"),
    SessionKind.CEREMONY: _l("ceremony"),
}


def status_label(status: CourseStatus) -> str:
    """The status in the reader's language."""
    return str(STATUS_LABELS[status])


def kind_label(kind: SessionKind) -> str:
    """The kind of session in the reader's language."""
    return str(KIND_LABELS[kind])


# --- reading courses ---------------------------------------------------------------------

def find_course(session: Session, slug: str, *, viewer: Any = None, with_schedule: bool = True) -> Course:
    """The course at slug, its schedule and instructors loaded unless asked not to (three queries,
    or one); drafts only for managers."""
    query = sa.select(Course).where(Course.slug == slug)
    if with_schedule:
        query = query.options(selectinload(Course.sessions).selectinload(CourseSession.instructors))
    course = session.scalar(query)
    if course is None or (not course.is_visible and not is_coordinator(viewer)):
        raise NotFound(_("There is no course at this address."))
    return course


def load_schedule(session: Session, course: Course) -> Course:
    """course with its sessions and their instructors loaded (two queries)."""
    return session.scalars(
        sa.select(Course).where(Course.id == course.id)
        .options(selectinload(Course.sessions).selectinload(CourseSession.instructors))
        .execution_options(populate_existing=True)
    ).one()


def schedule_aggregates(course_id: Any) -> tuple[sa.ScalarSelect[Any], ...]:
    """How many sessions a course has, their newest updated_at and the sum of their SEQUENCEs.

    Together with the course's own updated_at they change whenever anything its schedule
    shows changes (renaming an instructor touches their sessions; a removed session lowers
    the count), so pages and feeds built from a schedule are reused while they stay the
    same. course_id may be a column, inside a larger query.
    """
    of_course = CourseSession.course_id == course_id
    return (
        sa.select(sa.func.count()).where(of_course).scalar_subquery(),
        sa.select(sa.func.max(CourseSession.updated_at)).where(of_course).scalar_subquery(),
        sa.select(sa.func.sum(CourseSession.sequence)).where(of_course).scalar_subquery(),
    )


def schedule_version(session: Session, course: Course) -> tuple[Any, ...]:
    """The fingerprint of course's schedule (see schedule_aggregates), in one indexed query."""
    return (course.updated_at, *session.execute(sa.select(*schedule_aggregates(course.id))).one())


def get_course(session: Session, course_id: int, *, viewer: Any = None) -> Course:
    """The course with this id; drafts only for managers."""
    course = session.get(Course, course_id)
    if course is None or (not course.is_visible and not is_coordinator(viewer)):
        raise NotFound(_("There is no such course."))
    return course


def courses_query(
    viewer: Any = None, *, status: CourseStatus | None = None, host_country: str | None = None,
    starts_from: date | None = None, until: date | None = None,
) -> sa.Select[Any]:
    """Courses the viewer may see, soonest first: those still running on or after starts_from
    and begun by until, in one status and host country if given."""
    query = sa.select(Course).order_by(Course.starts_on, Course.title, Course.id)
    if not is_coordinator(viewer):
        query = query.where(Course.status.in_(VISIBLE_STATUSES))
    if status is not None:
        query = query.where(Course.status == status)
    if host_country:
        query = query.where(Course.host_country == host_country.upper())
    if starts_from is not None:
        query = query.where(Course.ends_on >= starts_from)
    if until is not None:
        query = query.where(Course.starts_on <= until)
    return query


def sessions_query(course: Course) -> sa.Select[Any]:
    """The course's sessions in time order, cancelled ones included, with their instructors."""
    return (
        sa.select(CourseSession)
        .where(CourseSession.course_id == course.id)
        .options(selectinload(CourseSession.instructors))
        .order_by(CourseSession.starts_at, CourseSession.id)
    )


def get_session(session: Session, session_id: int, *, viewer: Any = None) -> tuple[CourseSession, Course]:
    """A session by id with its instructors, and its course; a draft's only for managers."""
    course_session = session.scalar(
        sa.select(CourseSession).where(CourseSession.id == session_id)
        .options(selectinload(CourseSession.instructors))
    )
    if course_session is None:
        raise NotFound(_("There is no such session."))
    course = session.get_one(Course, course_session.course_id)
    if not course.is_visible and not is_coordinator(viewer):
        raise NotFound(_("There is no such session."))
    return course_session, course


def catalogue(
    session: Session, *, today: date, country: str | None = None, month: date | None = None,
    text: str | None = None, limit: int = 500,
) -> Sequence[Course]:
    """Upcoming published (and cancelled, shown as such) courses, soonest first, in one query."""
    query = (
        sa.select(Course)
        .where(Course.status.in_((CourseStatus.PUBLISHED, CourseStatus.CANCELLED)), Course.ends_on >= today)
        .order_by(Course.starts_on, Course.title, Course.id)
        .limit(limit)
    )
    if country:
        query = query.where(Course.host_country == country)
    if month:
        first = month.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        query = query.where(Course.starts_on < following, Course.ends_on >= first)
    if text and text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(sa.or_(
            sa.func.lower(Course.title).like(pattern),
            sa.func.lower(Course.description).like(pattern),
            Course.title_zh.like(pattern),
            Course.description_zh.like(pattern),
            sa.func.lower(Course.city).like(pattern),
            sa.func.lower(Course.venue).like(pattern),
        ))
    return session.scalars(query).all()


def catalogue_countries(session: Session, *, today: date) -> list[str]:
    """The host countries of upcoming visible courses, for the country filter."""
    return list(session.scalars(
        sa.select(Course.host_country).distinct()
        .where(Course.status.in_((CourseStatus.PUBLISHED, CourseStatus.CANCELLED)), Course.ends_on >= today)
    ))


def all_courses(session: Session) -> Sequence[Course]:
    """Every course, drafts included, newest start first: the coordinators' list."""
    return session.scalars(sa.select(Course).order_by(Course.starts_on.desc(), Course.id.desc())).all()


def schedule_by_day(course: Course) -> list[tuple[date, list[CourseSession]]]:
    """Every day of the course with its sessions in local order (sessions must be loaded)."""
    days: dict[date, list[CourseSession]] = {day: [] for day in course.days}
    for course_session in course.sessions:
        days.setdefault(local_day(course_session.starts_at, course.timezone), []).append(course_session)
    return sorted(days.items())


def course_instructors(course: Course) -> list[Instructor]:
    """The people who teach at least one session of the course, by name (sessions must be loaded)."""
    seen: dict[int, Instructor] = {}
    for course_session in course.sessions:
        if course_session.cancelled:
            continue
        for instructor in course_session.instructors:
            seen.setdefault(instructor.id, instructor)
    return sorted(seen.values(), key=lambda i: i.name)


# --- week grid ---------------------------------------------------------------------------

@dataclass
class GridBlock:
    """One session placed on the week grid: its day column, rows (quarter hours) and lane."""

    session: CourseSession
    column: int
    row_start: int
    row_end: int
    lane: int = 0
    lanes: int = 1


@dataclass
class WeekGrid:
    """Seven days of a course's schedule laid out like a calendar, in the course's local time."""

    week: int
    weeks: int
    days: list[date]
    first_hour: int
    last_hour: int
    blocks: list[GridBlock]

    @property
    def hours(self) -> list[int]:
        return list(range(self.first_hour, self.last_hour))

    @property
    def rows(self) -> int:
        return (self.last_hour - self.first_hour) * 4


def week_grid(course: Course, week: int = 1) -> WeekGrid:
    """Week number `week` (from the course's first day) of the schedule, as grid blocks."""
    total_days = (course.ends_on - course.starts_on).days + 1
    weeks = (total_days + 6) // 7
    week = min(max(week, 1), weeks)
    first_day = course.starts_on + timedelta(days=7 * (week - 1))
    days = [first_day + timedelta(days=n) for n in range(7)]
    shown: list[tuple[int, datetime, datetime, CourseSession]] = []
    for course_session in course.sessions:
        start = course_session.starts_at.astimezone(local_zone(course))
        end = course_session.ends_at.astimezone(local_zone(course))
        if start.date() in days:
            shown.append((days.index(start.date()), start, end, course_session))
    first_hour = min([8, *(start.hour for _c, start, _e, _s in shown)])
    last_hour = max([18, *(_end_hour(start, end) for _c, start, end, _s in shown)])
    blocks = []
    for column, start, end, course_session in shown:
        row_start = (start.hour - first_hour) * 4 + start.minute // 15 + 1
        end_minutes = (end.hour * 60 + end.minute) if end.date() == start.date() else 24 * 60
        row_end = max((end_minutes - first_hour * 60 + 14) // 15 + 1, row_start + 1)
        blocks.append(GridBlock(course_session, column, row_start, row_end))
    _assign_lanes(blocks)
    return WeekGrid(week, weeks, days, first_hour, last_hour, blocks)


def _end_hour(start: datetime, end: datetime) -> int:
    if end.date() != start.date():
        return 24
    return end.hour + (1 if end.minute else 0)


def _assign_lanes(blocks: list[GridBlock]) -> None:
    """Side by side lanes for sessions that overlap on one day (parallel tracks)."""
    by_day: dict[int, list[GridBlock]] = {}
    for block in blocks:
        by_day.setdefault(block.column, []).append(block)
    for day_blocks in by_day.values():
        day_blocks.sort(key=lambda b: (b.row_start, b.row_end))
        group: list[GridBlock] = []
        group_end = 0
        for block in [*day_blocks, None]:
            if block is None or block.row_start >= group_end:
                for member in group:
                    member.lanes = max(m.lane for m in group) + 1
                if block is None:
                    break
                group, group_end = [], 0
            lane_ends: dict[int, int] = {}
            for member in group:
                lane_ends[member.lane] = max(lane_ends.get(member.lane, 0), member.row_end)
            block.lane = next(n for n in range(len(group) + 1) if lane_ends.get(n, 0) <= block.row_start)
            group.append(block)
            group_end = max(group_end, block.row_end)


def local_zone(course: Course) -> ZoneInfo:
    """The course's timezone as a tzinfo."""
    return ZoneInfo(course.timezone)


# --- sessions ----------------------------------------------------------------------------

def describe_slot(course_session: CourseSession, course: Course) -> str:
    """'Tue, Dec 15, 2026, 09:00–12:00 (Asia/Shanghai)': a session's day and local time."""
    return _("%(day)s, %(start)s–%(end)s (%(zone)s)",
             day=show_date(course_session.starts_at, course.timezone),
             start=show_time(course_session.starts_at, course.timezone),
             end=show_time(course_session.ends_at, course.timezone),
             zone=course.timezone)


def _with_instructors(session: Session, course_session: CourseSession) -> CourseSession:
    """course_session with its instructors loaded (after a commit they are expired)."""
    if "instructors" in sa.inspect(course_session).unloaded:
        session.scalars(
            sa.select(CourseSession).where(CourseSession.id == course_session.id)
            .options(selectinload(CourseSession.instructors))
            .execution_options(populate_existing=True)
        ).one()
    return course_session


def session_snapshot(course_session: CourseSession) -> dict[str, Any]:
    """The audited fields of a session."""
    return {
        "title": course_session.title,
        "kind": course_session.kind.value,
        "starts_at": course_session.starts_at.isoformat(),
        "ends_at": course_session.ends_at.isoformat(),
        "room": course_session.room,
        "cancelled": course_session.cancelled,
        "instructors": sorted(i.id for i in course_session.instructors),
        "sequence": course_session.sequence,
    }


@dataclass(frozen=True)
class Slot:
    """A session's place in time and space, as the clash rules see it."""

    starts_at: datetime
    ends_at: datetime
    room: str
    instructor_ids: frozenset[int]


def _room_lock_key(course: Course, room: str) -> str:
    # A room belongs to a venue in a city; without a venue it is known only within the course.
    if course.venue.strip():
        return f"room:{course.city.strip().lower()}|{course.venue.strip().lower()}|{room.strip().lower()}"
    return f"room:course-{course.id}|{room.strip().lower()}"


def _lock_resources(session: Session, course: Course, slots: Iterable[Slot]) -> None:
    """Serialise clash checks that could see each other's sessions, before checking.

    On PostgreSQL two transactions that touch the same instructor wait on that
    instructor's row, and two that touch the same room wait on an advisory lock of
    (venue, room); instructors first, then rooms, each in sorted order, so two
    writers never wait on each other in a cycle. On SQLite every write transaction
    already holds the database lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    slots = list(slots)
    instructor_ids = sorted({i for slot in slots for i in slot.instructor_ids})
    rooms = sorted({_room_lock_key(course, slot.room) for slot in slots if slot.room.strip()})
    if instructor_ids:
        lock_rows(session, Instructor, Instructor.id.in_(instructor_ids))
    lock_names(session, rooms)


def _live_overlapping(slot: Slot, exclude_ids: Iterable[int]) -> sa.Select[Any]:
    query = (
        sa.select(CourseSession)
        .join(CourseSession.course)
        .options(contains_eager(CourseSession.course))
        .where(
            ~CourseSession.cancelled,
            Course.status != CourseStatus.CANCELLED,
            CourseSession.starts_at < slot.ends_at,
            CourseSession.ends_at > slot.starts_at,
        )
        .order_by(CourseSession.starts_at, CourseSession.id)
        .limit(1)
    )
    exclude = list(exclude_ids)
    if exclude:
        query = query.where(CourseSession.id.not_in(exclude))
    return query


def _check_clashes(session: Session, course: Course, slot: Slot, exclude_ids: Iterable[int] = ()) -> None:
    """Refuse a slot whose instructor or room is already taken at an overlapping instant."""
    exclude_ids = list(exclude_ids)
    if slot.instructor_ids:
        row = session.execute(
            _live_overlapping(slot, exclude_ids)
            .add_columns(Instructor.name)
            .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
            .join(Instructor, Instructor.id == session_instructors.c.instructor_id)
            .where(Instructor.id.in_(sorted(slot.instructor_ids)))
        ).first()
        if row is not None:
            other, name = row
            raise Conflict(
                _("%(name)s already teaches “%(session)s” in %(course)s on %(slot)s, "
                  "which overlaps this time.", name=name, session=other.title,
                  course=other.course.shown_title, slot=describe_slot(other, other.course)),
                field="instructors",
            )
    room = slot.room.strip()
    if room:
        query = _live_overlapping(slot, exclude_ids).where(sa.func.lower(CourseSession.room) == room.lower())
        if course.venue.strip():
            query = query.where(
                sa.func.lower(Course.venue) == course.venue.strip().lower(),
                sa.func.lower(Course.city) == course.city.strip().lower(),
            )
        else:
            query = query.where(Course.id == course.id)
        other = session.scalar(query)
        if other is not None:
            raise Conflict(
                _("%(room)s is already taken by “%(session)s” in %(course)s on %(slot)s.",
                  room=other.room, session=other.title, course=other.course.shown_title,
                  slot=describe_slot(other, other.course)),
                field="room",
            )


def _parse_kind(kind: SessionKind | str) -> SessionKind:
    try:
        return SessionKind(kind)
    except ValueError:
        raise DomainError(_("Unknown kind of session %(kind)s.", kind=kind), field="kind") from None


def _instructors(session: Session, ids: Iterable[int]) -> list[Instructor]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = session.scalars(sa.select(Instructor).where(Instructor.id.in_(wanted))).all()
    if len(found) != len(wanted):
        raise DomainError(_("Choose instructors from the directory."), field="instructors")
    return sorted(found, key=lambda i: i.name)


def _slot_times(
    course: Course, day: date | None, starts: time | None, ends: time | None
) -> tuple[datetime, datetime]:
    if day is None:
        raise DomainError(_("Choose the day."), field="day")
    if not course.starts_on <= day <= course.ends_on:
        raise DomainError(
            _("%(day)s is outside the course (%(first)s to %(last)s).", day=show_date(day),
              first=show_date(course.starts_on), last=show_date(course.ends_on)),
            field="day",
        )
    if starts is None:
        raise DomainError(_("A start time is required."), field="starts")
    if ends is None:
        raise DomainError(_("An end time is required."), field="ends")
    if ends <= starts:
        raise DomainError(_("A session must end after it starts (on the same day)."), field="ends")
    starts_at = to_instant(day, starts, course.timezone, field="starts")
    ends_at = to_instant(day, ends, course.timezone, field="ends")
    if ends_at <= starts_at:  # pragma: no cover - only if a zone's clocks jump back mid-session
        raise DomainError(_("A session must end after it starts (on the same day)."), field="ends")
    return starts_at, ends_at


def add_session(
    session: Session, course: Course, *, actor: User | None, day: date | None, starts: time | None,
    ends: time | None, title: str, kind: SessionKind | str = SessionKind.LECTURE, room: str = "",
    description: str = "", instructor_ids: Iterable[int] = (), via: str = "web",
) -> CourseSession:
    """Schedule a session on one day of the course, in the course's local time."""
    _require_open(course)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A title is required."), field="title")
    kind = _parse_kind(kind)
    starts_at, ends_at = _slot_times(course, day, starts, ends)
    instructors = _instructors(session, instructor_ids)
    slot = Slot(starts_at, ends_at, (room or "").strip(), frozenset(i.id for i in instructors))
    _lock_resources(session, course, [slot])
    _check_clashes(session, course, slot)
    course_session = CourseSession(
        course_id=course.id, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at,
        room=slot.room, description=(description or "").strip(), instructors=instructors,
    )
    session.add(course_session)
    session.flush()
    record(session, actor=actor, action="session.added", subject=course_session,
           after=session_snapshot(course_session), topic=f"course:{course.id}", via=via)
    return course_session


def find_session(session: Session, course: Course, session_id: int) -> CourseSession:
    """One session of course, with its instructors."""
    course_session = session.scalar(
        sa.select(CourseSession)
        .where(CourseSession.id == session_id, CourseSession.course_id == course.id)
        .options(selectinload(CourseSession.instructors))
    )
    if course_session is None:
        raise NotFound(_("This course has no such session."))
    return course_session


def update_session(
    session: Session, course_session: CourseSession, course: Course, *, actor: User | None,
    day: date | None, starts: time | None, ends: time | None, title: str,
    kind: SessionKind | str = SessionKind.LECTURE, room: str = "", description: str = "",
    instructor_ids: Iterable[int] = (), via: str = "web",
) -> CourseSession:
    """Change a session; moving it in time or space raises its sequence and tells everyone concerned."""
    _require_open(course)
    _with_instructors(session, course_session)
    if course_session.cancelled:
        raise DomainError(_("This session is cancelled; schedule a new one instead."))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A title is required."), field="title")
    kind = _parse_kind(kind)
    starts_at, ends_at = _slot_times(course, day, starts, ends)
    instructors = _instructors(session, instructor_ids)
    slot = Slot(starts_at, ends_at, (room or "").strip(), frozenset(i.id for i in instructors))
    _lock_resources(session, course, [slot])
    _check_clashes(session, course, slot, exclude_ids=[course_session.id])

    before = session_snapshot(course_session)
    old_slot = describe_slot(course_session, course)
    rescheduled = (starts_at, ends_at, slot.room) != (
        course_session.starts_at, course_session.ends_at, course_session.room)
    told_before = people_to_notify(session, course, course_session) if rescheduled else []
    course_session.title = title
    course_session.kind = kind
    course_session.starts_at = starts_at
    course_session.ends_at = ends_at
    course_session.room = slot.room
    course_session.description = (description or "").strip()
    course_session.instructors = instructors
    after = session_snapshot(course_session)
    if {**after, "sequence": 0} != {**before, "sequence": 0}:
        course_session.sequence += 1
        after["sequence"] = course_session.sequence
    session.flush()
    record(session, actor=actor, action="session.rescheduled" if rescheduled else "session.updated",
           subject=course_session, before=before, after=after, topic=f"course:{course.id}", via=via)
    if rescheduled and course.status is CourseStatus.PUBLISHED:
        # Whoever taught it before the change hears about it too.
        recipients = _merge(told_before, people_to_notify(session, course, course_session))
        for person in recipients:
            queue_mail(session, to=person.email, template="session_rescheduled", locale=person.locale,
                       course=course, course_session=course_session, person=person,
                       old_slot=old_slot, old_room=before["room"],
                       url=external_url("courses.course_page", slug=course.slug))
    return course_session


def cancel_session(
    session: Session, course_session: CourseSession, course: Course, *, actor: User | None,
    via: str = "web",
) -> CourseSession:
    """Cancel a session: it stays in the schedule, struck through, and everyone concerned is told."""
    _require_open(course)
    _with_instructors(session, course_session)
    if course_session.cancelled:
        raise DomainError(_("This session is already cancelled."))
    before = session_snapshot(course_session)
    course_session.cancelled = True
    course_session.sequence += 1
    session.flush()
    record(session, actor=actor, action="session.cancelled", subject=course_session, before=before,
           after=session_snapshot(course_session), topic=f"course:{course.id}", via=via)
    if course.status is CourseStatus.PUBLISHED:
        for person in people_to_notify(session, course, course_session):
            queue_mail(session, to=person.email, template="session_cancelled", locale=person.locale,
                       course=course, course_session=course_session, person=person,
                       slot=describe_slot(course_session, course),
                       url=external_url("courses.course_page", slug=course.slug))
    return course_session


def copy_day(
    session: Session, course: Course, *, actor: User | None, from_day: date | None,
    to_days: Iterable[date], via: str = "web",
) -> list[CourseSession]:
    """Repeat one day's sessions (times, rooms, instructors) on other days, all or nothing."""
    _require_open(course)
    targets = sorted(set(to_days))
    if from_day is None or not course.starts_on <= from_day <= course.ends_on:
        raise DomainError(_("Choose a day of the course to copy."), field="from_day")
    if not targets:
        raise DomainError(_("Choose at least one day to copy to."), field="to_days")
    for day in targets:
        if not course.starts_on <= day <= course.ends_on:
            raise DomainError(_("%(day)s is outside the course.", day=show_date(day)), field="to_days")
        if day == from_day:
            raise DomainError(_("A day cannot be copied onto itself."), field="to_days")
    zone = local_zone(course)
    sources = [
        s for s in session.scalars(
            sa.select(CourseSession)
            .where(CourseSession.course_id == course.id, ~CourseSession.cancelled)
            .options(selectinload(CourseSession.instructors))
            .order_by(CourseSession.starts_at)
        )
        if s.starts_at.astimezone(zone).date() == from_day
    ]
    if not sources:
        raise DomainError(_("There is nothing to copy on %(day)s.", day=show_date(from_day)),
                          field="from_day")
    planned: list[tuple[CourseSession, Slot]] = []
    for day in targets:
        for source in sources:
            starts = source.starts_at.astimezone(zone).time()
            ends = source.ends_at.astimezone(zone).time()
            starts_at = to_instant(day, starts, course.timezone, field="to_days")
            ends_at = to_instant(day, ends, course.timezone, field="to_days")
            planned.append((source, Slot(starts_at, ends_at, source.room,
                                         frozenset(i.id for i in source.instructors))))
    _lock_resources(session, course, [slot for _source, slot in planned])
    created = []
    for source, slot in planned:
        _check_clashes(session, course, slot)
        copy = CourseSession(
            course_id=course.id, title=source.title, kind=source.kind, starts_at=slot.starts_at,
            ends_at=slot.ends_at, room=source.room, description=source.description,
            instructors=list(source.instructors),
        )
        session.add(copy)
        session.flush()  # the next clash check must see this copy
        created.append(copy)
    record(session, actor=actor, action="schedule.day_copied", subject=course,
           after={"from": from_day.isoformat(), "to": [d.isoformat() for d in targets],
                  "sessions": [c.id for c in created]},
           topic=f"course:{course.id}", via=via)
    return created


# --- who hears about changes -------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    """Someone to tell about a change: where to write and in which language."""

    email: str
    name: str
    locale: str | None = None


def _merge(*groups: Iterable[Recipient]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for group in groups:
        for person in group:
            seen.setdefault(person.email.lower(), person)
    return list(seen.values())


def people_to_notify(
    session: Session, course: Course, course_session: CourseSession | None = None
) -> list[Recipient]:
    """Everyone concerned by a change to course (or to one of its sessions): its instructors
    and everyone on the course (confirmed, completed, waitlisted or pending).

    Instructors with an account are written to at the account's address and in its
    language; those without one at their own address, if they gave one.
    """
    query = (
        sa.select(Instructor)
        .join(session_instructors, session_instructors.c.instructor_id == Instructor.id)
        .join(CourseSession, CourseSession.id == session_instructors.c.session_id)
        .where(CourseSession.course_id == course.id)
        .options(joinedload(Instructor.user))
        .distinct()
        .order_by(Instructor.name, Instructor.id)
    )
    if course_session is not None:
        query = query.where(CourseSession.id == course_session.id)
    recipients = []
    for instructor in session.scalars(query).unique():
        if instructor.user is not None and instructor.user.active:
            recipients.append(Recipient(instructor.user.email, instructor.name, instructor.user.locale))
        elif instructor.email:
            recipients.append(Recipient(instructor.email, instructor.name))
    participants = [
        Recipient(person.email, person.name, person.locale)
        for _receiver, people in participants_wanted.send(course, session=session)
        for person in people
    ]
    return _merge(recipients, participants)


# --- instructors -------------------------------------------------------------------------

def instructor_snapshot(instructor: Instructor) -> dict[str, Any]:
    """The audited fields of an instructor."""
    return {
        "name": instructor.name,
        "organisation": instructor.organisation,
        "expertise": instructor.expertise,
        "email": instructor.email,
        "user_id": instructor.user_id,
    }


@dataclass
class InstructorDetails:
    """What a coordinator enters about an instructor; account_email links an existing account."""

    name: str
    organisation: str = ""
    expertise: str = ""
    bio: str = ""
    email: str = ""
    account_email: str = ""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _instructor_values(
    session: Session, details: InstructorDetails, current: Instructor | None
) -> dict[str, Any]:
    name = (details.name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    email = (details.email or "").strip().lower()
    if email and not _EMAIL.match(email):
        raise DomainError(_("Enter a valid email address."), field="email")
    user_id = None
    account_email = (details.account_email or "").strip().lower()
    if account_email:
        user = session.scalar(sa.select(User).where(User.email == account_email))
        if user is None:
            raise DomainError(_("No account uses %(email)s.", email=account_email), field="account_email")
        other = session.scalar(sa.select(Instructor).where(Instructor.user_id == user.id))
        if other is not None and other is not current:
            raise Conflict(
                _("%(email)s is already linked to %(name)s.", email=account_email, name=other.name),
                field="account_email",
            )
        user_id = user.id
    return {
        "name": name,
        "organisation": (details.organisation or "").strip(),
        "expertise": (details.expertise or "").strip(),
        "bio": (details.bio or "").strip(),
        "email": email,
        "user_id": user_id,
    }


def create_instructor(
    session: Session, details: InstructorDetails, *, actor: User | None, via: str = "web"
) -> Instructor:
    """Add someone to the instructor directory."""
    instructor = Instructor(**_instructor_values(session, details, None))
    session.add(instructor)
    session.flush()
    record(session, actor=actor, action="instructor.created", subject=instructor,
           after=instructor_snapshot(instructor), topic=f"instructor:{instructor.id}", via=via)
    return instructor


def update_instructor(
    session: Session, instructor: Instructor, details: InstructorDetails, *, actor: User | None,
    via: str = "web",
) -> Instructor:
    """Change an instructor's directory entry or account link."""
    values = _instructor_values(session, details, instructor)
    before = instructor_snapshot(instructor)
    for name, value in values.items():
        setattr(instructor, name, value)
    session.flush()
    if (instructor.name, instructor.organisation) != (before["name"], before["organisation"]):
        # Calendars name the instructors in each session's description: the sessions changed.
        session.execute(
            sa.update(CourseSession)
            .where(CourseSession.id.in_(
                sa.select(session_instructors.c.session_id)
                .where(session_instructors.c.instructor_id == instructor.id)
            ))
            .values(updated_at=utcnow())
        )
    record(session, actor=actor, action="instructor.updated", subject=instructor, before=before,
           after=instructor_snapshot(instructor), topic=f"instructor:{instructor.id}", via=via)
    return instructor


def delete_instructor(
    session: Session, instructor: Instructor, *, actor: User | None, via: str = "web"
) -> None:
    """Remove an instructor who has never been scheduled; one with sessions stays, for the record."""
    assigned = session.scalar(
        sa.select(sa.func.count()).select_from(session_instructors)
        .where(session_instructors.c.instructor_id == instructor.id)
    )
    if assigned:
        raise DomainError(
            _("%(name)s is on %(n)d sessions and stays in the directory.", name=instructor.name, n=assigned)
        )
    record(session, actor=actor, action="instructor.deleted", subject=instructor,
           before=instructor_snapshot(instructor), topic=f"instructor:{instructor.id}", via=via)
    session.delete(instructor)
    session.flush()


def find_instructor(session: Session, instructor_id: int) -> Instructor:
    """One instructor, or NotFound."""
    instructor = session.get(Instructor, instructor_id)
    if instructor is None:
        raise NotFound(_("There is no such instructor."))
    return instructor


def instructor_directory_query(viewer: Any = None) -> sa.Select[Any]:
    """Rows of (instructor, visible sessions they teach), by name: the directory as one query."""
    statuses = list(CourseStatus) if is_coordinator(viewer) else list(VISIBLE_STATUSES)
    teaching = (
        sa.select(sa.func.count())
        .select_from(session_instructors)
        .join(CourseSession, CourseSession.id == session_instructors.c.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(session_instructors.c.instructor_id == Instructor.id, ~CourseSession.cancelled,
               Course.status.in_(statuses))
        .correlate(Instructor)
        .scalar_subquery()
    )
    return sa.select(Instructor, teaching).order_by(Instructor.name, Instructor.id)


def instructor_directory(session: Session, *, viewer: Any = None) -> list[tuple[Instructor, int]]:
    """Every instructor with how many visible sessions they teach, by name, in one query."""
    rows = session.execute(instructor_directory_query(viewer)).all()
    return [(instructor, count) for instructor, count in rows]


def account_email(session: Session, instructor: Instructor) -> str:
    """The sign-in email of the account linked to instructor, or ''."""
    if instructor.user_id is None:
        return ""
    return session.scalar(sa.select(User.email).where(User.id == instructor.user_id)) or ""


def instructor_for_user(session: Session, user: Any) -> Instructor | None:
    """The directory entry linked to an account, if any."""
    if user is None or not user.is_authenticated:
        return None
    return session.scalar(sa.select(Instructor).where(Instructor.user_id == user.id))


def teaching(session: Session, instructor: Instructor, *, viewer: Any = None) -> Sequence[CourseSession]:
    """Every session instructor teaches, with course and co-instructors, in order (three queries).

    Drafts show only to managers and to the instructor themselves.
    """
    query = (
        sa.select(CourseSession)
        .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
        .join(CourseSession.course)
        .where(session_instructors.c.instructor_id == instructor.id)
        .options(contains_eager(CourseSession.course), selectinload(CourseSession.instructors))
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    own = bool(getattr(viewer, "is_authenticated", False)) and viewer.id == instructor.user_id
    if not (is_coordinator(viewer) or own):
        query = query.where(Course.status.in_(VISIBLE_STATUSES))
    return session.scalars(query).all()
