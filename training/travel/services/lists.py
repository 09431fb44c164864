"""The host's lists: visas, arrivals for airport pick-up, rooms, needs per day, sign-in sheets.

Each list is a few queries whatever the number of people: the course's seat holders with
their accounts and forms in one, the sessions in another. Rows are plain values, so that the
page, the CSV and the printable PDF show the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload, selectinload

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core.errors import Forbidden
from training.core.localtime import local_day
from training.courses.models import Course, CourseSession, Instructor
from training.enrolment.models import SEAT_HOLDING_STATUSES, Enrolment
from training.travel.models import TravelForm
from training.travel.services.validation import missing_fields


@dataclass(frozen=True)
class Participant:
    """A seat holder and their form (None before they filled one in)."""

    enrolment: Enrolment
    form: TravelForm | None

    @property
    def name(self) -> str:
        return self.enrolment.user.name

    @property
    def missing(self) -> list[str]:
        return missing_fields(self.form) if self.form else ["passport_name"]

    @property
    def complete(self) -> bool:
        return self.form is not None and not self.missing


def participants(session: Session, course: Course, *, country: str | None = None) -> list[Participant]:
    """Every seat holder of course (of one country, for its focal point) with their form, by name."""
    query = (
        sa.select(Enrolment, TravelForm)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(TravelForm, TravelForm.enrolment_id == Enrolment.id)
        .where(Enrolment.course_id == course.id, Enrolment.status.in_(SEAT_HOLDING_STATUSES))
        .options(joinedload(Enrolment.user))
        .order_by(User.name, Enrolment.id)
    )
    if country:
        query = query.where(Enrolment.country == country)
    return [Participant(e, f) for e, f in session.execute(query).unique().all()]


def overview_scope(actor: User) -> str | None:
    """The country whose forms actor follows (a focal point), None for all (coordinators)."""
    if is_coordinator(actor):
        return None
    if actor.role is Role.FOCAL_POINT and actor.country:
        return actor.country
    raise Forbidden(_("Only coordinators and focal points follow the travel forms."))


def require_host(actor: User) -> None:
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators see the host's lists."))


# --- the visa list --------------------------------------------------------------------


def visa_list(session: Session, course: Course, *, actor: User, via: str = "web") -> list[Participant]:
    """Every seat holder's passport, for the coordinators who apply for visas; the reading is audited."""
    require_host(actor)
    people = participants(session, course)
    record(session, actor=actor, action="travel.visa_list_read", subject=course, topic=f"travel:{course.id}",
           via=via, after={"people": len(people)})
    return people


# --- arrivals -------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    name: str
    country: str
    day: date
    at: time | None
    carrier: str
    place: str
    hotel: str


def arrivals(session: Session, course: Course, *, actor: User) -> list[tuple[date, list[Arrival]]]:
    """Who lands when and where, by day and local time at the venue, for airport pick-up."""
    return arrivals_and_waiting(session, course, actor=actor)[0]


def arrivals_and_waiting(
    session: Session, course: Course, *, actor: User
) -> tuple[list[tuple[date, list[Arrival]]], list[Participant]]:
    """The arrivals by day, and the seat holders who have not given one yet (the pick-up cannot
    plan for them), from one reading of the forms."""
    require_host(actor)
    by_day: dict[date, list[Arrival]] = defaultdict(list)
    waiting = []
    for p in participants(session, course):
        f = p.form
        if f is None or f.arrival_on is None:
            waiting.append(p)
            continue
        by_day[f.arrival_on].append(Arrival(p.name, p.enrolment.country, f.arrival_on, f.arrival_time,
                                            f.arrival_carrier, f.arrival_place, f.hotel))
    days = [(day, sorted(rows, key=lambda a: (a.at or time.max, a.name)))
            for day, rows in sorted(by_day.items())]
    return days, waiting


# --- rooms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stay:
    name: str
    country: str
    check_in: date
    check_out: date
    nights: int


@dataclass
class Hotel:
    name: str
    stays: list[Stay] = field(default_factory=list)

    @property
    def nights(self) -> int:
        return sum(s.nights for s in self.stays)


def rooming(session: Session, course: Course, *, actor: User) -> list[Hotel]:
    """Nights per person per hotel."""
    require_host(actor)
    hotels: dict[str, Hotel] = {}
    for p in participants(session, course):
        f = p.form
        if f is None or not (f.hotel and f.check_in_on and f.check_out_on):
            continue
        hotels.setdefault(f.hotel, Hotel(f.hotel)).stays.append(
            Stay(p.name, p.enrolment.country, f.check_in_on, f.check_out_on, f.nights))
    return sorted(hotels.values(), key=lambda h: h.name.casefold())


# --- needs per day --------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    name: str
    country: str
    dietary: str
    accessibility: str


def course_days(session: Session, course: Course) -> list[date]:
    """The days of course that have a session, on the venue's clock."""
    starts = session.scalars(
        sa.select(CourseSession.starts_at).where(CourseSession.course_id == course.id,
                                                 CourseSession.cancelled.is_(False))
    ).all()
    return sorted({local_day(s, course.timezone) for s in starts})


def needs_by_day(session: Session, course: Course, *, actor: User) -> list[tuple[date, list[Need]]]:
    """For each session day, the needs of everyone there (by their arrival and departure)."""
    require_host(actor)
    people = [p for p in participants(session, course)
              if p.form is not None and (p.form.dietary_needs or p.form.accessibility_needs)]
    days = []
    for day in course_days(session, course):
        present = [
            Need(p.name, p.enrolment.country, p.form.dietary_needs or "", p.form.accessibility_needs or "")
            for p in people
            if p.form is not None
            and (p.form.arrival_on is None or p.form.arrival_on <= day)
            and (p.form.departure_on is None or day <= p.form.departure_on)
        ]
        days.append((day, present))
    return days


# --- sign-in sheets -------------------------------------------------------------------


def session_with_instructors(session: Session, course: Course, session_id: int) -> CourseSession | None:
    return session.scalar(
        sa.select(CourseSession).where(CourseSession.id == session_id, CourseSession.course_id == course.id)
        .options(selectinload(CourseSession.instructors))
    )


def sign_in_sheet(session: Session, course: Course, course_session: CourseSession, *,
                  actor: User) -> list[User]:
    """The seat holders to sign for one session: coordinators and that session's instructors print it."""
    teaches_it = any(i.user_id == actor.id for i in course_session.instructors if isinstance(i, Instructor))
    if not (is_coordinator(actor) or (getattr(actor, "is_authenticated", False) and teaches_it)):
        raise Forbidden(_("Only coordinators and the session's instructors print its sign-in sheet."))
    return [p.enrolment.user for p in participants(session, course)]
