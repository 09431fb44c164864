"""Demo data for calendar feeds: a personal feed address for every demo account, and a course to follow."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.accounts.models import FeedToken, User
from training.accounts.tokens import replace_feed_token
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, SessionKind
from training.demo.accounts import PEOPLE
from training.enrolment.models import Enrolment, EnrolmentStatus

SLUG = "beijing-cyber-investigation"
# (day of the course, local start, hours, title, kind, room)
PROGRAMME = (
    (0, time(9), 1, "Opening ceremony", SessionKind.CEREMONY, "Main hall"),
    (0, time(10, 30), 2, "Cyber counter-terrorism: the legal frame", SessionKind.LECTURE, "Room 301"),
    (1, time(9), 3, "Tracing cryptocurrency payments", SessionKind.PRACTICAL, "Lab 2"),
    (2, time(9), 3, "Social media evidence", SessionKind.WORKSHOP, "Room 301"),
    (3, time(14), 3, "Visit to the cybercrime centre", SessionKind.FIELD_VISIT, ""),
    (4, time(9), 2, "Closing ceremony", SessionKind.CEREMONY, "Main hall"),
)


def load(session: Session, today: date) -> None:
    """Give every demo account a feed address; add a course to follow if there is none at all."""
    if session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0:
        _course(session, today)
    for email, *_ in PEOPLE:
        user = accounts.find_by_email(session, email)
        if user is None:
            continue
        if session.scalar(sa.select(FeedToken.id).where(FeedToken.user_id == user.id)) is None:
            replace_feed_token(session, user)
    session.flush()


def _course(session: Session, today: date) -> None:
    """A five-day course in Beijing three weeks from now, taught by Li Na, with John Carter on it."""
    starts_on = today + timedelta(days=21 - today.weekday())  # a Monday
    zone = ZoneInfo("Asia/Shanghai")
    course = Course(
        slug=SLUG, title="Cyber counter-terrorism investigation", host_country="CN", city="Beijing",
        venue="People's Public Security University", timezone="Asia/Shanghai",
        description="Five days of joint training for law-enforcement personnel of China and the US.",
        starts_on=starts_on, ends_on=starts_on + timedelta(days=4), capacity=30,
        status=CourseStatus.PUBLISHED,
    )
    course.refresh_search_key()
    session.add(course)
    session.flush()
    teacher_account = accounts.find_by_email(session, "instructor@demo.training")
    teacher = Instructor(name="Li Na", organisation="People's Public Security University",
                         user_id=teacher_account.id if teacher_account else None)
    session.add(teacher)
    for day, start, hours, title, kind, room in PROGRAMME:
        begins = datetime.combine(starts_on + timedelta(days=day), start, zone).astimezone(UTC)
        row = CourseSession(course_id=course.id, title=title, kind=kind, room=room,
                            starts_at=begins, ends_at=begins + timedelta(hours=hours))
        row.instructors = [teacher] if kind is not SessionKind.CEREMONY else []
        session.add(row)
    trainee: User | None = accounts.find_by_email(session, "personnel@demo.training")
    if trainee is not None:
        session.add(Enrolment(course_id=course.id, user_id=trainee.id, country=trainee.country or "US",
                              status=EnrolmentStatus.CONFIRMED))
    session.flush()
