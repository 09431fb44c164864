"""Who is on a course: a course's roster and its CSV, a country's rosters, a person's own courses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload

from training.accounts.models import User
from training.core import i18n, versions
from training.core.csv import csv_text
from training.core.errors import Forbidden, NotFound
from training.courses.models import Course, CourseStatus
from training.courses.services import require_visible
from training.enrolment.models import ACTIVE_STATUSES, Enrolment, EnrolmentStatus, SeatQuota
from training.enrolment.services.access import (
    RosterScope,
    enrolment_for,
    in_scope,
    roster_scope,
    within_scope,
)
from training.enrolment.services.seats import position_expression, waitlist_position, waitlist_positions
from training.enrolment.signals import roster_columns_wanted

STATUS_ORDER = (
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.PENDING,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.WITHDRAWN,
    EnrolmentStatus.REJECTED,
    EnrolmentStatus.LAPSED,
)


@dataclass
class RosterRow:
    """One enrolment as a roster shows it."""

    enrolment: Enrolment
    position: int | None = None


@dataclass
class RosterGroup:
    """The people of one country in one status."""

    country: str
    status: EnrolmentStatus
    rows: list[RosterRow] = field(default_factory=list)

    @property
    def is_waitlist(self) -> bool:
        """Whether the group is a country's waitlist (its rows show their positions)."""
        return self.status is EnrolmentStatus.WAITLISTED


def course_roster(session: Session, course: Course, scope: RosterScope) -> list[RosterGroup]:
    """The course's enrolments the scope may see, by country and status (two queries)."""
    query = within_scope(
        sa.select(Enrolment)
        .where(Enrolment.course_id == course.id)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.quota), joinedload(Enrolment.nominated_by)),
        scope,
    )
    enrolments = session.scalars(query).unique().all()
    positions = waitlist_positions(enrolments)
    groups: dict[tuple[str, EnrolmentStatus], RosterGroup] = {}
    for enrolment in enrolments:
        key = (enrolment.country, enrolment.status)
        groups.setdefault(key, RosterGroup(*key)).rows.append(
            RosterRow(enrolment, positions.get(enrolment.id))
        )
    for group in groups.values():
        if group.is_waitlist:
            group.rows.sort(key=lambda r: r.position or 0)
        else:
            group.rows.sort(key=lambda r: (r.enrolment.user.name.casefold(), r.enrolment.id))
    return sorted(groups.values(), key=lambda g: (i18n.country_name(g.country), STATUS_ORDER.index(g.status)))


ROSTER_SCOPES = (versions.SEATS, versions.ROSTER)
# Read on every roster page and API roster page: built once, bound to the course at each read.
_ROSTER_VERSIONS = (
    sa.select(versions.DataVersion.scope, versions.DataVersion.version)
    .where(versions.DataVersion.scope.in_(ROSTER_SCOPES),
           versions.DataVersion.key == sa.bindparam("course_id"))
)


def roster_version(session: Session, course: Course) -> tuple[versions.Version, ...]:
    """What course's roster is drawn from: who holds and waits for its seats, and how it names
    them and whether it asks for clearance (one primary-key read; see versions.versions)."""
    found: dict[str, int] = dict(session.execute(_ROSTER_VERSIONS, {"course_id": course.id}).all())
    return _settled(session, course.id, [found.get(scope, 0) for scope in ROSTER_SCOPES])


def _settled(session: Session, course_id: int, read: Sequence[int]) -> tuple[versions.Version, ...]:
    changed = versions.pending(session)
    return tuple(versions.Unsettled() if (scope, course_id) in changed else value
                 for scope, value in zip(ROSTER_SCOPES, read, strict=True))


# The API's roster reads its course and the roster's versions together: one round trip less.
_COURSE_WITH_ROSTER_VERSIONS = (
    sa.select(Course, *(versions.version_of(scope, Course.id) for scope in ROSTER_SCOPES))
    .where(Course.id == sa.bindparam("course_id"))
)


def course_with_roster_version(session: Session, course_id: int,
                               viewer: Any) -> tuple[Course, tuple[versions.Version, ...]]:
    """The course with this id, as get_course finds it for viewer, and its roster_version, in one
    statement: the versions read with the course, before the roster's rows."""
    row = session.execute(_COURSE_WITH_ROSTER_VERSIONS, {"course_id": course_id}).first()
    course = require_visible(row[0] if row is not None else None, viewer)
    return course, _settled(session, course.id, row[1:])


ROSTER_CSV_HEADER = ("course", "country", "country_name", "status", "waitlist_position", "name", "email",
                     "organisation", "requested_at", "decided_at", "seat_country", "nominated_by")


@dataclass(frozen=True)
class RosterFile:
    """A roster as a CSV download."""

    filename: str
    text: str


def roster_csv(session: Session, course: Course, scope: RosterScope) -> RosterFile:
    """The roster scope may see as CSV, every cell (names, emails, organisations) spreadsheet-safe,
    with the columns the features above enrolment add (clearance progress)."""
    shown = [row for group in course_roster(session, course, scope) for row in group.rows]
    extra: dict[str, dict[int, str]] = {}
    for _receiver, columns in roster_columns_wanted.send(
            course, session=session, enrolments=[row.enrolment for row in shown]):
        extra.update(columns or {})
    rows = []
    for row in shown:
        e = row.enrolment
        rows.append([
            course.slug, e.country, i18n.country_name(e.country), e.status.value,
            row.position or "", e.user.name, e.user.email, e.user.organisation,
            e.requested_at.isoformat(), e.decided_at.isoformat() if e.decided_at else "",
            e.quota.country if e.quota else "", e.nominated_by.name if e.nominated_by else "",
            *(cells.get(e.id, "") for cells in extra.values()),
        ])
    filename = f"roster-{course.slug}{'-' + scope.country if scope.country else ''}.csv"
    return RosterFile(filename, csv_text((*ROSTER_CSV_HEADER, *extra), rows))


@dataclass
class CountryCourse:
    """One course as a focal point sees it: their country's quota and people."""

    course: Course
    quota: SeatQuota | None
    rows: list[RosterRow]


def country_rosters(session: Session, country: str) -> list[CountryCourse]:
    """Every course with seats for, or people from, country, with that country's people only."""
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.country == country)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.quota))
    ).unique().all()
    quotas = session.scalars(sa.select(SeatQuota).where(SeatQuota.country == country)).all()
    course_ids = {e.course_id for e in enrolments} | {q.course_id for q in quotas}
    courses = session.scalars(
        sa.select(Course).where(Course.id.in_(course_ids), Course.status != CourseStatus.DRAFT)
        .order_by(Course.starts_on, Course.id)
    ).all() if course_ids else []
    positions = waitlist_positions(enrolments)
    by_course: dict[int, list[RosterRow]] = defaultdict(list)
    for enrolment in enrolments:
        by_course[enrolment.course_id].append(RosterRow(enrolment, positions.get(enrolment.id)))
    quota_by_course = {q.course_id: q for q in quotas}
    result = []
    for course in courses:
        rows = sorted(
            by_course.get(course.id, []),
            key=lambda r: (STATUS_ORDER.index(r.enrolment.status), r.position or 0,
                           r.enrolment.user.name.casefold()),
        )
        result.append(CountryCourse(course, quota_by_course.get(course.id), rows))
    return result


@dataclass
class MyEnrolment:
    """One of a person's enrolments with their waitlist position."""

    enrolment: Enrolment
    position: int | None


def roster_query(
    course: Course, scope: RosterScope, *, status: EnrolmentStatus | None = None, country: str | None = None,
) -> sa.Select[Any]:
    """Rows of (enrolment with its person, waitlist position) of course that scope may see,
    by country, status order and request time: one query however long the roster."""
    query = within_scope(
        sa.select(Enrolment, position_expression())
        .where(Enrolment.course_id == course.id)
        .options(joinedload(Enrolment.user))
        .order_by(Enrolment.country, Enrolment.status, Enrolment.requested_at, Enrolment.id),
        scope,
    )
    if status is not None:
        query = query.where(Enrolment.status == status)
    if country:
        query = query.where(Enrolment.country == country.upper())
    return query


def my_enrolments_query(person: User) -> sa.Select[Any]:
    """Rows of (enrolment with its course, waitlist position) of one person, newest first."""
    return (
        sa.select(Enrolment, position_expression())
        .where(Enrolment.user_id == person.id)
        .options(joinedload(Enrolment.course))
        .order_by(Enrolment.requested_at.desc(), Enrolment.id.desc())
    )


def my_enrolments(session: Session, person: User) -> list[MyEnrolment]:
    """The person's enrolments, newest course first, with waitlist positions (one query)."""
    rows = session.execute(my_enrolments_query(person)).unique().all()
    return [
        MyEnrolment(e, position if e.status is EnrolmentStatus.WAITLISTED else None)
        for e, position in rows
    ]


def enrolment_seen_by(session: Session, enrolment_id: int, viewer: User) -> tuple[Enrolment, int | None]:
    """An enrolment and its waitlist position, for its person or someone whose roster shows it."""
    enrolment = enrolment_for(session, enrolment_id)
    if enrolment.user_id != viewer.id:
        try:
            scope = roster_scope(session, enrolment.course, viewer)
        except NotFound:
            raise NotFound(_("No such enrolment.")) from None
        if not in_scope(enrolment, scope):
            raise Forbidden(_("You may not see this enrolment."))
    return enrolment, waitlist_position(session, enrolment)


def participants_to_notify(session: Session, course: Course) -> list[User]:
    """Everyone on the course who should hear of a change: confirmed, completed, waitlisted and
    pending people (not those who withdrew or were rejected)."""
    return list(
        session.scalars(
            sa.select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(
                Enrolment.course_id == course.id,
                Enrolment.status.in_(ACTIVE_STATUSES),
                User.active.is_(True),
            )
            .order_by(User.name, User.id)
        ).all()
    )


def courses_with_seats(session: Session) -> Sequence[Course]:
    """Every course not cancelled, soonest first, for the coordinators' seats overview."""
    return session.scalars(
        sa.select(Course).where(Course.status != CourseStatus.CANCELLED).order_by(Course.starts_on, Course.id)
    ).all()
