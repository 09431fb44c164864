"""Calendar feeds: which events each feed holds, and the ETags they were served with."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from training.accounts.models import User
from training.accounts.tokens import feed_token
from training.calendar.models import FeedState
from training.core.errors import NotFound
from training.core.i18n import country_name
from training.core.ical import FeedCalendar, FeedEvent, build_calendar, ordered_events
from training.core.memo import FingerprintCache, app_cache
from training.core.urls import external_url
from training.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    Instructor,
    SessionKind,
    session_instructors,
)
from training.courses.services import schedule_aggregates
from training.enrolment.models import SEAT_HOLDING_STATUSES, Enrolment
from training.symposia.calendar import symposium_uid
from training.symposia.models import Answer, Invitation, ProgrammeSession, Symposium, SymposiumStatus

# A cancelled course stays in every feed at least this long after its cancellation,
# so that clients that poll rarely still see it cancelled rather than gone.
CANCELLED_KEPT_FOR = timedelta(days=30)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    """A built feed: its text, a strong ETag of that text, and the newest change in its data."""

    key: str
    body: bytes
    etag: str
    data_modified: datetime


def _finish(key: str, calendar: FeedCalendar, data_modified: datetime) -> Feed:
    body = build_calendar(calendar)
    return Feed(key, body, hashlib.sha256(body).hexdigest()[:40], data_modified.replace(microsecond=0))


# ---------------------------------------------------------------------------------------------
# What a feed holds


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def course_url(slug: str) -> str:
    """The absolute URL of a course's page, for the link back from its events."""
    return external_url("courses.course_page", slug=slug)


@dataclass(frozen=True)
class _CourseFacts:
    """What every event of one course repeats, worked out once per course and feed."""

    host: str
    url: str
    country: str
    course_line: str
    instructors_line: str  # a %(names)s template


def _facts(course: Course, known: dict[int, _CourseFacts] | None = None) -> _CourseFacts:
    if known is not None and course.id in known:
        return known[course.id]
    facts = _CourseFacts(
        host=_host(), url=course_url(course.slug), country=country_name(course.host_country),
        course_line=_("Course: %(title)s", title=course.shown_title),
        instructors_line=_("Instructors: %(names)s"),
    )
    if known is not None:
        known[course.id] = facts
    return facts


def _place(*parts: str) -> str:
    return ", ".join(part.strip() for part in parts if part and part.strip())


def _shown_courses(now: datetime) -> sa.ColumnElement[bool]:
    """Courses any feed may show: never drafts; cancelled ones only while still worth telling."""
    return sa.or_(
        Course.status.in_((CourseStatus.PUBLISHED, CourseStatus.COMPLETED)),
        sa.and_(
            Course.status == CourseStatus.CANCELLED,
            sa.or_(Course.updated_at >= now - CANCELLED_KEPT_FOR, Course.ends_on >= now.date()),
        ),
    )


def course_event(course: Course) -> FeedEvent:
    """A course as one all-day event over its dates (DTEND is the day after it ends)."""
    facts = _facts(course)
    return FeedEvent(
        uid=f"course-{course.id}@{facts.host}",
        summary=course.shown_title,
        start=course.starts_on,
        end=course.ends_on + timedelta(days=1),
        stamp=course.updated_at,
        sequence=course.sequence,
        cancelled=course.status is CourseStatus.CANCELLED,
        location=_place(course.venue, course.city, facts.country),
        description=course.shown_description,
        url=facts.url,
    )


def session_event(
    row: CourseSession | _SessionRow, course: Course, known: dict[int, _CourseFacts] | None = None
) -> FeedEvent:
    """A session as a timed event written in its course's timezone.

    The course's own SEQUENCE is added to the session's: a change to the course
    (its venue, its cancellation) changes every one of its sessions' events too.
    """
    facts = _facts(course, known)
    lines = [row.description.strip()] if row.description.strip() else []
    if row.instructors:
        names = ", ".join(
            f"{i.name} ({i.organisation})" if i.organisation else i.name for i in row.instructors
        )
        lines.append(facts.instructors_line % {"names": names})
    lines.append(facts.course_line)
    lines.append(facts.url)
    return FeedEvent(
        uid=f"session-{row.id}@{facts.host}",
        summary=f"{course.shown_title}: {row.title}",
        start=row.starts_at,
        end=row.ends_at,
        stamp=max(row.updated_at, course.updated_at),
        sequence=row.sequence + course.sequence,
        cancelled=row.cancelled or course.status is CourseStatus.CANCELLED,
        tzid=course.timezone,
        location=_place(row.room, course.venue, course.city, facts.country),
        description="\n".join(lines),
        url=facts.url,
        categories=(row.kind.value,),
    )


def _newest(*stamps: datetime) -> datetime:
    return max((s for s in stamps if s is not None), default=EPOCH)


def public_courses_feed(session: Session, now: datetime) -> Feed:
    """/calendar/courses.ics: every course people may see, one all-day event each."""
    courses = session.scalars(
        sa.select(Course).where(_shown_courses(now)).order_by(Course.starts_on, Course.id)
    ).all()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = FeedCalendar(
            name=_("Training courses"),
            description=_("Every published law-enforcement training course, with its dates."),
            events=ordered_events([course_event(c) for c in courses]),
            source=external_url("calendar.courses_feed"),
        )
    return _finish("courses", calendar, _newest(*(c.updated_at for c in courses)))


@dataclass(frozen=True)
class _Teacher:
    name: str
    organisation: str


@dataclass(frozen=True)
class _SessionRow:
    """The columns of a session its event is made of, read without building ORM objects."""

    id: int
    course_id: int
    title: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    room: str
    description: str
    cancelled: bool
    sequence: int
    updated_at: datetime
    instructors: tuple[_Teacher, ...]


@dataclass
class _BuiltFeed:
    """A course feed this process built, and the Last-Modified it was served with once known."""

    feed: Feed
    last_modified: datetime | None = None


def _built_feeds() -> FingerprintCache:
    return app_cache("calendar.course_feeds", size=64)


def _course_fingerprint(session: Session, slug: str) -> tuple[Any, ...] | None:
    """What a course's feed is made of, in one indexed query; None for no such (visible) course."""
    row = session.execute(
        sa.select(Course.id, Course.updated_at, *schedule_aggregates(Course.id))
        .where(Course.slug == slug, Course.status != CourseStatus.DRAFT)
    ).first()
    return tuple(row) if row is not None else None


def course_sessions_feed(session: Session, slug: str) -> Feed:
    """/calendar/courses/<slug>.ics: one course's sessions. Drafts are not found.

    Unchanged since this process last built it, the feed costs one query; changed, only
    the events that changed are written again (see build_calendar).
    """
    if len(slug) > 120 or "\x00" in slug:  # PostgreSQL refuses NUL in text
        raise NotFound(_("There is no such course."))
    fingerprint = _course_fingerprint(session, slug)
    if fingerprint is None:
        raise NotFound(_("There is no such course."))
    key = f"course:{fingerprint[0]}"
    built = _built_feeds().get(key, fingerprint)
    if built is None:
        built = _BuiltFeed(_finish(*course_sessions_calendar(session, slug)))
        _built_feeds().put(key, fingerprint, built)
    return built.feed


def _session_rows(session: Session, which: sa.ColumnElement[bool]) -> list[_SessionRow]:
    """The sessions which selects, in order, with their instructors, from one query of plain rows.

    Instructors come joined in the same query (a flat outer join, which every database
    answers by index): a second query per batch of sessions would make the number of
    queries grow with a long schedule.
    """
    result = session.execute(
        sa.select(
            CourseSession.id, CourseSession.course_id, CourseSession.title, CourseSession.kind,
            CourseSession.starts_at, CourseSession.ends_at, CourseSession.room, CourseSession.description,
            CourseSession.cancelled, CourseSession.sequence, CourseSession.updated_at,
            Instructor.name, Instructor.organisation,
        )
        .outerjoin(session_instructors, session_instructors.c.session_id == CourseSession.id)
        .outerjoin(Instructor, Instructor.id == session_instructors.c.instructor_id)
        .where(which)
        .order_by(CourseSession.starts_at, CourseSession.id, Instructor.name, Instructor.id)
    )
    rows: list[_SessionRow] = []
    teachers: dict[int, list[_Teacher]] = {}
    for *columns, name, organisation in result:
        if not rows or rows[-1].id != columns[0]:
            rows.append(_SessionRow(*columns, instructors=()))
            teachers[columns[0]] = []
        if name is not None:
            teachers[columns[0]].append(_Teacher(name, organisation))
    return [replace(row, instructors=tuple(teachers[row.id])) if teachers[row.id] else row for row in rows]


def course_sessions_calendar(session: Session, slug: str) -> tuple[str, FeedCalendar, datetime]:
    """The events of one course's feed, its key and its newest change, before they are written."""
    course = session.scalar(sa.select(Course).where(Course.slug == slug, Course.status != CourseStatus.DRAFT))
    if course is None:
        raise NotFound(_("There is no such course."))
    rows = _session_rows(session, CourseSession.course_id == course.id)
    known: dict[int, _CourseFacts] = {}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = FeedCalendar(
            name=course.shown_title,
            description=_("Sessions of %(title)s, %(place)s.", title=course.shown_title,
                          place=_place(course.city, country_name(course.host_country))),
            timezone=course.timezone,
            events=ordered_events([session_event(r, course, known) for r in rows]),
            source=external_url("calendar.course_feed", slug=course.slug),
        )
    return f"course:{course.id}", calendar, _newest(course.updated_at, *(r.updated_at for r in rows))


def _symposium_url(symposium: Symposium) -> str:
    return external_url("calendar.symposium_feed", slug=symposium.slug)


def symposium_event(symposium: Symposium) -> FeedEvent:
    """A symposium as one timed event over its whole span (same UID as its invitations)."""
    return FeedEvent(
        uid=symposium_uid(symposium),
        summary=symposium.shown_title,
        start=symposium.starts_at,
        end=symposium.ends_at,
        stamp=symposium.updated_at,
        sequence=symposium.sequence,
        cancelled=symposium.status is SymposiumStatus.CANCELLED,
        tzid=symposium.timezone,
        location=_place(symposium.venue, symposium.city),
        description=symposium.shown_description,
    )


def programme_event(item: ProgrammeSession, symposium: Symposium) -> FeedEvent:
    """One session of a symposium's programme; cancelled with its symposium."""
    lines = [_("Speakers: %(names)s", names=item.speakers)] if item.speakers else []
    lines.append(_("Symposium: %(title)s", title=symposium.shown_title))
    return FeedEvent(
        uid=f"programme-{item.id}@{_host()}",
        summary=f"{symposium.shown_title}: {item.title}",
        start=item.starts_at,
        end=item.ends_at,
        stamp=symposium.updated_at,
        sequence=symposium.sequence,
        cancelled=symposium.status is SymposiumStatus.CANCELLED,
        tzid=symposium.timezone,
        location=_place(item.room, symposium.venue, symposium.city),
        description="\n".join(lines),
    )


def _symposium_events(symposium: Symposium) -> list[FeedEvent]:
    return [symposium_event(symposium), *(programme_event(i, symposium) for i in symposium.sessions)]


def _shown_symposia(now: datetime) -> sa.ColumnElement[bool]:
    """Symposia a feed may show: never drafts; cancelled ones while still worth telling."""
    return sa.or_(
        Symposium.status == SymposiumStatus.PUBLISHED,
        sa.and_(
            Symposium.status == SymposiumStatus.CANCELLED,
            sa.or_(Symposium.updated_at >= now - CANCELLED_KEPT_FOR, Symposium.ends_at >= now),
        ),
    )


def symposium_feed(session: Session, slug: str, now: datetime) -> Feed:
    """/calendar/symposia/<slug>.ics: the symposium and its programme. Drafts are not found."""
    if len(slug) > 120 or "\x00" in slug:
        raise NotFound(_("There is no such symposium."))
    symposium = session.scalar(
        sa.select(Symposium)
        .where(Symposium.slug == slug, _shown_symposia(now))
        .options(selectinload(Symposium.sessions))
    )
    if symposium is None:
        raise NotFound(_("There is no such symposium."))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = FeedCalendar(
            name=symposium.shown_title,
            description=_("%(title)s and its programme.", title=symposium.shown_title),
            timezone=symposium.timezone,
            events=ordered_events(_symposium_events(symposium)),
            source=_symposium_url(symposium),
        )
    return _finish(f"symposium:{symposium.id}", calendar, _newest(symposium.updated_at))


def accepted_symposia(session: Session, user: User, now: datetime) -> Sequence[Symposium]:
    """Symposia whose invitation to user's email address user accepted (and not revoked)."""
    accepted = sa.select(Invitation.symposium_id).where(
        sa.func.lower(Invitation.email) == user.email.lower(),
        Invitation.answer == Answer.ACCEPTED,
        Invitation.revoked_at.is_(None),
    )
    return session.scalars(
        sa.select(Symposium)
        .where(Symposium.id.in_(accepted), _shown_symposia(now))
        .options(selectinload(Symposium.sessions))
        .order_by(Symposium.starts_at, Symposium.id)
    ).all()


def personal_sessions(
    session: Session, user: User, now: datetime
) -> tuple[list[_SessionRow], dict[int, Course]]:
    """The sessions in user's own calendar (their seat-holding courses' and those they teach),
    and the courses they belong to, by id."""
    seat_courses = sa.select(Enrolment.course_id).where(
        Enrolment.user_id == user.id, Enrolment.status.in_(SEAT_HOLDING_STATUSES)
    )
    taught = (
        sa.select(session_instructors.c.session_id)
        .join(Instructor, Instructor.id == session_instructors.c.instructor_id)
        .where(Instructor.user_id == user.id)
    )
    # One set of ids from two indexed lookups: an OR of the two conditions would make the
    # database scan every session of every course, and the feed slow down as history grows.
    mine = sa.union(
        sa.select(CourseSession.id).where(CourseSession.course_id.in_(seat_courses)),
        taught,
    ).subquery()
    # The person's courses are a handful: fetched first as ids, they are then read by primary
    # key. Left inside one query, a planner that expects an instructor's thousands of
    # sessions would scan every course instead.
    course_ids = session.scalars(
        sa.union(seat_courses, sa.select(CourseSession.course_id).where(CourseSession.id.in_(taught)))
    ).all()
    courses = {
        course.id: course for course in session.scalars(
            sa.select(Course).where(Course.id.in_(course_ids), _shown_courses(now))
        )
    } if course_ids else {}
    rows = _session_rows(
        session, sa.and_(CourseSession.id.in_(sa.select(mine)), CourseSession.course_id.in_(courses))
    ) if courses else []
    return rows, courses


def personal_feed(session: Session, user: User, now: datetime) -> Feed:
    """/calendar/feeds/<token>.ics: one person's own calendar, in their language."""
    rows, courses = personal_sessions(session, user, now)
    symposia = accepted_symposia(session, user, now)
    known: dict[int, _CourseFacts] = {}
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        events = [session_event(r, courses[r.course_id], known) for r in rows]
        for symposium in symposia:
            events.extend(_symposium_events(symposium))
        calendar = FeedCalendar(
            name=_("Training: %(name)s", name=user.name),
            description=_("Sessions of your courses, the sessions you teach, and symposia you attend."),
            events=ordered_events(events),
        )
    stamps = [r.updated_at for r in rows] + [courses[r.course_id].updated_at for r in rows]
    stamps += [s.updated_at for s in symposia]
    return _finish(f"user:{user.id}", calendar, _newest(*stamps))


def personal_feed_url(session: Session, user: User) -> str | None:
    """The absolute address of user's personal feed, or None until they have one."""
    token = feed_token(session, user)
    return external_url("calendar.personal_feed", token=token) if token else None


# ---------------------------------------------------------------------------------------------
# What each feed was last served with


def served_state(session: Session, feed: Feed) -> tuple[datetime, bool]:
    """The Last-Modified to send with feed, and whether it must be recorded first.

    An unchanged feed keeps the date it was first served with; a changed one gets
    its newest change, or one second after the previous date if that is later.
    """
    # Only the very feed built from unchanged rows may skip the stored state: one built
    # anew may have reverted to older text, and its date must never go back.
    built = _built_feeds().latest(feed.key)
    if built is not None and built.feed is feed and built.last_modified is not None:
        return built.last_modified, False
    state = session.get(FeedState, feed.key)
    if state is None:
        return feed.data_modified, True
    if state.etag == feed.etag:
        if built is not None and built.feed is feed:
            built.last_modified = state.last_modified
        return state.last_modified, False
    return max(feed.data_modified, state.last_modified + timedelta(seconds=1)), True


def record_served(session: Session, feed: Feed, last_modified: datetime) -> None:
    """Remember feed's ETag and Last-Modified; concurrent writers never move the date back."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = FeedState.__table__
    statement = insert(table).values(key=feed.key, etag=feed.etag, last_modified=last_modified)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "etag": statement.excluded.etag,
            "last_modified": sa.case(
                (table.c.last_modified > statement.excluded.last_modified, table.c.last_modified),
                else_=statement.excluded.last_modified,
            ),
        },
    )
    session.execute(statement)
    session.flush()
