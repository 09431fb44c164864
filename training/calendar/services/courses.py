"""The course feeds: every published course, and one course's sessions (cached while unchanged)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.calendar.services.events import (
    CourseFacts,
    Feed,
    KeptFeed,
    SessionRow,
    Teacher,
    cancelled_course_leaves,
    course_event,
    finish_feed,
    kept_feeds,
    kept_or_built,
    newest,
    place,
    session_event,
    shown_courses,
)
from training.core import versions
from training.core.front import Standing
from training.core.i18n import country_name
from training.core.ical import FeedCalendar, ordered_events
from training.core.probe import Probe
from training.core.urls import external_url
from training.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    Instructor,
    session_instructors,
)
from training.courses.services import course_not_found


def public_courses_feed(session: Session, now: datetime) -> tuple[Feed, Standing | None]:
    """/calendar/courses.ics: every course people may see, one all-day event each; and what it
    stands on (for front.offer, see versions.standing).

    Kept under the catalogue's data version; unchanged, it costs one primary-key read.
    """
    catalogue = (versions.CATALOGUE, 0)
    fingerprint = versions.version(session, *catalogue)
    kept = kept_feeds("courses").get("courses", fingerprint)
    if kept is None or (kept.until is not None and now >= kept.until):
        kept = _build_public_courses_feed(session, now)
        kept_feeds("courses").put("courses", fingerprint, kept)
    return kept.feed, versions.standing(session, versions.seal([catalogue], [fingerprint]), kept.until)


def _build_public_courses_feed(session: Session, now: datetime) -> KeptFeed:
    courses = session.scalars(
        sa.select(Course).where(shown_courses(now)).order_by(Course.starts_on, Course.id)
    ).all()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = FeedCalendar(
            name=_("Training courses"),
            description=_("Every published law-enforcement training course, with its dates."),
            events=ordered_events([course_event(c) for c in courses]),
            source=external_url("calendar.courses_feed"),
        )
    feed = finish_feed("courses", calendar, newest(*(c.updated_at for c in courses)))
    return KeptFeed(feed, until=min((cancelled_course_leaves(c) for c in courses
                                     if c.status is CourseStatus.CANCELLED), default=None))


# Built once per process: every poll of a course feed runs it, with the slug bound.
_FINGERPRINT = Probe(
    sa.select(Course.id, versions.version_of(versions.COURSE, Course.id))
    .where(Course.slug == sa.bindparam("slug"), Course.status != CourseStatus.DRAFT)
)


def _course_fingerprint(session: Session, slug: str) -> tuple[int, versions.Version] | None:
    """The course's id and data version, in one indexed read; None for no such (visible) course."""
    # Through the driver, as versions.versions reads: the ORM's execution adds nothing to a read
    # of two plain columns but its own cost, on every poll.
    rows = _FINGERPRINT.rows(session, {"slug": slug})
    if not rows:
        return None
    row = rows[0]
    return row[0], versions.settled(session, versions.COURSE, row[0], row[1])


def course_sessions_feed(session: Session, slug: str) -> tuple[Feed, Standing | None]:
    """/calendar/courses/<slug>.ics: one course's sessions, and what the feed stands on (for
    front.offer; None when it cannot be checked there, see versions.standing). Drafts are not found.

    Unchanged since this process last built it, the feed costs one query; changed, only
    the events that changed are written again (see build_calendar).
    """
    if len(slug) > 120 or "\x00" in slug:  # PostgreSQL refuses NUL in text
        raise course_not_found()
    fingerprint = _course_fingerprint(session, slug)
    if fingerprint is None:
        raise course_not_found()
    key = f"course:{fingerprint[0]}"
    feed = kept_or_built(key, fingerprint, lambda: finish_feed(*course_sessions_calendar(session, slug)))
    standing = None
    if not isinstance(fingerprint[1], versions.Unsettled) and _FINGERPRINT.reads_as_others_do(session):
        standing = Standing(session.get_bind(), _FINGERPRINT, {"slug": slug}, (fingerprint,))
    return feed, standing


def session_rows(session: Session, which: sa.ColumnElement[bool]) -> list[SessionRow]:
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
    rows: list[SessionRow] = []
    teachers: dict[int, list[Teacher]] = {}
    for *columns, name, organisation in result:
        if not rows or rows[-1].id != columns[0]:
            rows.append(SessionRow(*columns, instructors=()))
            teachers[columns[0]] = []
        if name is not None:
            teachers[columns[0]].append(Teacher(name, organisation))
    return [replace(row, instructors=tuple(teachers[row.id])) if teachers[row.id] else row for row in rows]


def course_sessions_calendar(session: Session, slug: str) -> tuple[str, FeedCalendar, datetime]:
    """The events of one course's feed, its key and its newest change, before they are written."""
    course = session.scalar(sa.select(Course).where(Course.slug == slug, Course.status != CourseStatus.DRAFT))
    if course is None:
        raise course_not_found()
    rows = session_rows(session, CourseSession.course_id == course.id)
    known: dict[int, CourseFacts] = {}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = FeedCalendar(
            name=course.shown_title,
            description=_("Sessions of %(title)s, %(place)s.", title=course.shown_title,
                          place=place(course.city, country_name(course.host_country))),
            timezone=course.timezone,
            events=ordered_events([session_event(r, course, known) for r in rows]),
            source=external_url("calendar.course_feed", slug=course.slug),
        )
    return f"course:{course.id}", calendar, newest(course.updated_at, *(r.updated_at for r in rows))
