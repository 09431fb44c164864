"""Lists of courses: the public catalogue and its filters, the API's list and the coordinators' list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.permissions import is_coordinator
from training.core.search import query_words
from training.courses.models import Course, CourseStatus
from training.courses.services.access import VISIBLE_STATUSES

# The catalogue shows what is still to come: published courses, and cancelled ones as such.
CATALOGUE_STATUSES = (CourseStatus.PUBLISHED, CourseStatus.CANCELLED)


def catalogue(
    session: Session, *, today: date, country: str | None = None, month: date | None = None,
    text: str | None = None, limit: int = 500,
) -> Sequence[Course]:
    """Upcoming published (and cancelled, shown as such) courses, soonest first, in one query."""
    query = (
        sa.select(Course)
        .where(Course.status.in_(CATALOGUE_STATUSES), Course.ends_on >= today)
        .order_by(Course.starts_on, Course.title, Course.id)
        .limit(limit)
    )
    if country:
        query = query.where(Course.host_country == country)
    if month:
        first = month.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        query = query.where(Course.starts_on < following, Course.ends_on >= first)
    # Every word of the query, folded as the stored key was ("dark web" finds "Dark-web",
    # "cafe" finds "Café"); folding leaves no % or _ for LIKE to read as a wildcard.
    for word in query_words(text):
        query = query.where(Course.search_key.like(f"%{word}%"))
    return session.scalars(query).all()


def catalogue_countries(session: Session, *, today: date) -> list[str]:
    """The host countries of upcoming visible courses, for the country filter."""
    return list(session.scalars(
        sa.select(Course.host_country).distinct()
        .where(Course.status.in_(CATALOGUE_STATUSES), Course.ends_on >= today)
    ))


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


def all_courses(session: Session) -> Sequence[Course]:
    """Every course, drafts included, newest start first: the coordinators' list."""
    return session.scalars(sa.select(Course).order_by(Course.starts_on.desc(), Course.id.desc())).all()
