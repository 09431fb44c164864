"""Finding a course or one of its sessions, with one visibility rule and one 'not found'."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from training.core.errors import NotFound
from training.courses.models import Course, CourseSession
from training.courses.services.access import may_see


def course_not_found() -> NotFound:
    """The one refusal of a course that does not exist or that the viewer may not see."""
    return NotFound(_("There is no such course."))


def require_visible(course: Course | None, viewer: Any) -> Course:
    """course if viewer may see it; otherwise the same NotFound as for a course that does not exist."""
    if course is None or not may_see(course, viewer):
        raise course_not_found()
    return course


@cache
def _course_at_slug(with_schedule: bool) -> sa.Select[tuple[Course]]:
    """The course bound as slug, with its schedule and instructors or without; built once per shape.

    A statement built anew for every request is built and keyed anew before SQLAlchemy finds its
    compiled form in the cache: about a third of the lookup's CPU.
    """
    query = sa.select(Course).where(Course.slug == sa.bindparam("slug"))
    if with_schedule:
        query = query.options(selectinload(Course.sessions).selectinload(CourseSession.instructors))
    return query


def find_course(session: Session, slug: str, *, viewer: Any = None, with_schedule: bool = True) -> Course:
    """The course at slug, its schedule and instructors loaded unless asked not to (three queries,
    or one); drafts only for coordinators."""
    return require_visible(session.scalar(_course_at_slug(with_schedule), {"slug": slug}), viewer)


def get_course(session: Session, course_id: int, *, viewer: Any = None) -> Course:
    """The course with this id; drafts only for coordinators."""
    return require_visible(session.get(Course, course_id), viewer)


def load_schedule(session: Session, course: Course) -> Course:
    """course read again, with its sessions and their instructors (three queries); NotFound when it
    was deleted since."""
    loaded = session.scalars(
        sa.select(Course).where(Course.id == course.id)
        .options(selectinload(Course.sessions).selectinload(CourseSession.instructors))
        .execution_options(populate_existing=True)
    ).one_or_none()
    if loaded is None:
        raise course_not_found()
    return loaded


def get_session(session: Session, session_id: int, *, viewer: Any = None) -> tuple[CourseSession, Course]:
    """A session by id with its instructors, and its course; a draft's only for coordinators."""
    course_session = session.scalar(
        sa.select(CourseSession).where(CourseSession.id == session_id)
        .options(selectinload(CourseSession.instructors))
    )
    if course_session is None:
        raise NotFound(_("There is no such session."))
    course = session.get_one(Course, course_session.course_id)
    if not may_see(course, viewer):
        raise NotFound(_("There is no such session."))
    return course_session, course


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
