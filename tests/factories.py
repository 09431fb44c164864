"""Builders of what tests start from: accounts, courses with sessions and quotas, symposia, invitations.

Each builder commits what it made, as the product would have. The per-folder fixtures
(`make_user`, `make_course`, `make_symposium`, `invite`, ...) are thin wrappers giving a
builder that folder's defaults. Builders go through the services where a test needs
what a coordinator's action leaves behind (audit entries, queued mail), or straight to
the rows where a test needs exact values the services would not accept (past dates,
fixed timestamps).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.core.database import utcnow
from training.courses import services as courses
from training.courses.models import Course, CourseSession, CourseStatus, Instructor
from training.enrolment import services as enrolment
from training.enrolment.models import SeatQuota
from training.outbox.models import OutboxMessage
from training.symposia import services as symposia
from training.symposia.models import Invitation, Symposium

PASSWORD = "correct horse battery"
BEIJING = ZoneInfo("Asia/Shanghai")


def numbered(start: int = 1) -> Callable[[], int]:
    """1, 2, 3 ... for the names of the rows one test makes."""
    return itertools.count(start).__next__


# --- accounts -------------------------------------------------------------------------

def user(session: Session, n: int, role: Role = Role.PERSONNEL, country: str | None = "US",
         **fields: Any) -> User:
    """Account number n of a test, made as an administrator would; the password is PASSWORD."""
    made = accounts.create_user(
        session,
        email=fields.pop("email", f"{role.value}{n}@example.org"),
        name=fields.pop("name", f"{role.value.title()} {n}"),
        role=role,
        country=country,
        password=fields.pop("password", PASSWORD),
        **fields,
    )
    session.commit()
    return made


# --- courses --------------------------------------------------------------------------

# Where the courses of most tests take place, as in the agreement behind the product.
BEIJING_COURSE: dict[str, Any] = {"host_country": "CN", "city": "Beijing", "timezone": "Asia/Shanghai",
                                  "venue": "People's Public Security University"}


def course_maker(session: Session, coordinator: User | None = None, *, title: str | None = None,
                 slug: str | None = None, **defaults: Any) -> Callable[..., Course]:
    """What a folder's make_course fixture gives: make(**fields) builds the folder's next course.

    With a coordinator it goes through the services (`course`), without one straight to the
    rows (`course_rows`). title and slug may hold {n}, the number of the course in the test;
    fields given to make override defaults.
    """
    next_n = numbered()

    def make(**fields: Any) -> Course:
        n = next_n()
        named = {key: template.format(n=n) for key, template in (("title", title), ("slug", slug))
                 if template is not None}
        values = named | defaults | fields
        if coordinator is None:
            return course_rows(session, **values)
        return course(session, coordinator, **values)

    return make


def course(session: Session, coordinator: User, *, publish: bool = True,
           quotas: dict[str, int] | None = None, **details: Any) -> Course:
    """A course created (and by default published) by coordinator through the services.

    quotas: seats per country, set by the coordinator after publishing; none when None.
    """
    made = courses.create_course(session, courses.CourseDetails(**details), actor=coordinator)
    if publish:
        courses.publish_course(session, made, actor=coordinator)
    if quotas is not None:
        enrolment.set_quotas(session, made, quotas, actor=coordinator)
    session.commit()
    return made


def course_rows(session: Session, *, quotas: dict[str, int] | None = None, sessions: int = 0,
                instructor: User | None = None, **fields: Any) -> Course:
    """A published course written straight to the tables, in Beijing a month from now by default.

    quotas: seats per country (none confirmed); sessions: that many daily 09:00-12:00
    lectures from the first day; instructor: an account teaching every one of them.
    """
    n = session.scalar(sa.select(sa.func.count()).select_from(Course)) or 0
    start = fields.pop("starts_on", date.today() + timedelta(days=30))
    made = Course(
        slug=fields.pop("slug", f"course-{n + 1}"),
        title=fields.pop("title", f"Cybercrime investigation {n + 1}"),
        host_country=fields.pop("host_country", "CN"),
        city=fields.pop("city", "Beijing"),
        timezone=fields.pop("timezone", "Asia/Shanghai"),
        starts_on=start,
        ends_on=fields.pop("ends_on", start + timedelta(days=max(sessions, 1))),
        capacity=fields.pop("capacity", 20),
        status=fields.pop("status", CourseStatus.PUBLISHED),
        **fields,
    )
    made.refresh_search_key()
    session.add(made)
    session.flush()
    for country, seats in (quotas or {}).items():
        session.add(SeatQuota(course_id=made.id, country=country, seats=seats, confirmed=0))
    teacher = None
    if instructor is not None:
        teacher = Instructor(name=instructor.name, user_id=instructor.id)
        session.add(teacher)
    zone = ZoneInfo(made.timezone)
    for day in range(sessions):
        starts = datetime.combine(start + timedelta(days=day), time(9), zone)
        lecture = CourseSession(course_id=made.id, title=f"Day {day + 1} lecture",
                                starts_at=starts, ends_at=starts + timedelta(hours=3))
        if teacher is not None:
            lecture.instructors = [teacher]
        session.add(lecture)
    session.commit()
    return made


def instructor(session: Session, coordinator: User, name: str, **fields: Any) -> Instructor:
    """A directory entry added by coordinator."""
    made = courses.create_instructor(session, courses.InstructorDetails(name=name, **fields),
                                     actor=coordinator)
    session.commit()
    return made


def scheduled_session(session: Session, coordinator: User, course: Course, day: date, start: str,
                      end: str, title: str = "Lecture", instructors: Iterable[Instructor] = (),
                      room: str = "", **fields: Any) -> CourseSession:
    """A session scheduled by coordinator from 'HH:MM' strings."""
    added = courses.add_session(
        session, course, actor=coordinator, day=day,
        starts=time.fromisoformat(start), ends=time.fromisoformat(end),
        title=title, room=room, instructor_ids=[i.id for i in instructors], **fields,
    )
    session.commit()
    return added


# --- symposia -------------------------------------------------------------------------

def symposium_fields(**overrides: object) -> symposia.SymposiumFields:
    """A symposium in Beijing about six weeks from now, answers due in a month."""
    day = (utcnow() + timedelta(days=45)).astimezone(BEIJING).date()
    values: dict[str, object] = dict(
        title="Cyber Counter-Terrorism Symposium",
        description="Platforms and police against terrorist use of the internet.",
        venue="Beijing International Convention Center",
        city="Beijing",
        timezone="Asia/Shanghai",
        starts_at=datetime(day.year, day.month, day.day, 9, 0),
        ends_at=datetime(day.year, day.month, day.day, 17, 0) + timedelta(days=1),
        capacity=10,
        rsvp_deadline=datetime(day.year, day.month, day.day, 18, 0) - timedelta(days=15),
        organiser_name="Chen Jing",
        organiser_email="organiser@mps.example",
    )
    values.update(overrides)
    return symposia.SymposiumFields(**values)  # type: ignore[arg-type]


def symposium(session: Session, coordinator: User, *, publish: bool = True, opening: bool = True,
              **overrides: object) -> Symposium:
    """A symposium created (and by default published) by coordinator.

    opening: with a one-hour opening session in the plenary hall on the first morning.
    """
    made = symposia.create_symposium(session, symposium_fields(**overrides), actor=coordinator)
    if opening:
        symposia.add_programme_session(
            session, made, actor=coordinator, title="Opening",
            starts_at=made.starts_at.astimezone(BEIJING).replace(tzinfo=None),
            ends_at=(made.starts_at + timedelta(hours=1)).astimezone(BEIJING).replace(tzinfo=None),
            room="Plenary hall")
    if publish:
        symposia.publish_symposium(session, made, actor=coordinator)
    session.commit()
    return made


def last_link(session: Session, email: str) -> str:
    """The RSVP token in the newest queued mail to email (where the invitee finds it)."""
    body = session.scalars(
        sa.select(OutboxMessage.body).where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert body, f"no mail to {email}"
    match = re.search(r"/rsvp/([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def invitation(session: Session, coordinator: User, symposium: Symposium,
               email: str = "policy@google.example", name: str = "Sarah Mitchell",
               organisation: str = "Google", delegates_allowed: int = 3) -> tuple[Invitation, str]:
    """An invitation sent by coordinator, and the RSVP token its mail carries."""
    made = symposia.add_invitation(session, symposium, actor=coordinator, name=name, email=email,
                                   organisation=organisation, delegates_allowed=delegates_allowed)
    session.commit()
    return made, last_link(session, made.email)
