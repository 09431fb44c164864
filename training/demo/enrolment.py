"""Demo seats and enrolments: the Beijing course's US seats, the US course's Chinese seats,
and a mixed course with two countries and a seat release date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, SessionKind
from training.enrolment import services
from training.enrolment.models import Enrolment

# The course demo data names its courses by these slugs; when a slug is missing the course is
# looked up by where it is hosted, and when there is no such course its seats are skipped.
BEIJING_SLUGS = ("beijing-cybercrime-investigation", "beijing-cybercrime")
US_SLUGS = ("us-reciprocal-course", "washington-cybercrime-investigation")
MIXED_SLUG = "joint-cryptocurrency-tracing-workshop"

US_PEOPLE = (
    "Emily Johnson", "Michael Brown", "Sarah Davis", "David Wilson", "Jessica Miller", "James Moore",
    "Ashley Taylor", "Robert Anderson", "Amanda Thomas", "Daniel Jackson", "Megan White",
    "Christopher Harris", "Lauren Martin", "Matthew Thompson", "Rachel Garcia", "Andrew Martinez",
    "Nicole Robinson", "Joshua Clark", "Stephanie Lewis", "Ryan Walker", "Heather Hall", "Kevin Young",
    "Brittany King", "Justin Wright", "Samantha Scott",
)
CN_PEOPLE = (
    "Zhang Wei", "Wang Fang", "Li Qiang", "Liu Yang", "Chen Jie", "Yang Min", "Zhao Lei", "Huang Li",
    "Zhou Tao", "Wu Xia", "Xu Hui", "Sun Hao", "Ma Lin", "Zhu Yan", "Hu Jun",
)


def _people(session: Session, names: tuple[str, ...], country: str) -> list[User]:
    """Demo personnel without passwords (they exist to fill rosters)."""
    organisation = "Federal Bureau of Investigation" if country == "US" else "Ministry of Public Security"
    timezone = "America/New_York" if country == "US" else "Asia/Shanghai"
    people = []
    for name in names:
        email = f"{name.lower().replace(' ', '.')}@{country.lower()}.demo.training"
        person = accounts.find_by_email(session, email) or accounts.create_user(
            session, email=email, name=name, role=Role.PERSONNEL, country=country,
            organisation=organisation, timezone=timezone, via="cli",
        )
        people.append(person)
    return people


def find_demo_course(session: Session, slugs: tuple[str, ...], **where: str) -> Course | None:
    """The demo course at one of slugs, else the first one hosted where `where` says, else None."""
    course = session.scalar(sa.select(Course).where(Course.slug.in_(slugs)).order_by(Course.id))
    if course is not None:
        return course
    query = sa.select(Course).where(Course.slug != MIXED_SLUG, Course.status != CourseStatus.CANCELLED)
    for column, value in where.items():
        query = query.where(getattr(Course, column) == value)
    return session.scalar(query.order_by(Course.starts_on, Course.id))


def _has_enrolments(session: Session, course: Course) -> bool:
    first = session.scalar(sa.select(Enrolment.id).where(Enrolment.course_id == course.id).limit(1))
    return first is not None


def _fill(session: Session, course: Course, people: list[User], coordinator: User) -> None:
    """Enrol people in order, as a coordinator would (whatever the window): seats, then waitlist."""
    for person in people:
        services.enrol(session, course, person, actor=coordinator, override_window=True, via="cli")


def _mixed_course(session: Session, today: date, coordinator: User, instructor: User | None) -> Course:
    course = session.scalar(sa.select(Course).where(Course.slug == MIXED_SLUG))
    if course is not None:
        return course
    zone = ZoneInfo("Asia/Shanghai")
    starts = today + timedelta(days=45)
    now = datetime.combine(today, time(9), zone).astimezone(UTC)
    course = Course(
        slug=MIXED_SLUG,
        title="Joint workshop on cryptocurrency tracing",
        description="Five days of hands-on tracing of ransomware payments across exchanges, "
                    "for investigators of both countries working side by side.",
        host_country="CN", city="Shanghai", venue="East China University of Political Science and Law",
        timezone="Asia/Shanghai", starts_on=starts, ends_on=starts + timedelta(days=4), capacity=16,
        enrolment_opens_at=now - timedelta(days=10), enrolment_closes_at=now + timedelta(days=30),
        seat_release_at=now + timedelta(days=20), requires_approval=True, completion_percent=80,
        status=CourseStatus.PUBLISHED, created_by_id=coordinator.id,
    )
    course.refresh_search_key()
    session.add(course)
    session.flush()
    teacher = None
    if instructor is not None:
        teacher = session.scalar(sa.select(Instructor).where(Instructor.user_id == instructor.id))
        if teacher is None:
            teacher = Instructor(name=instructor.name, organisation=instructor.organisation,
                                 user_id=instructor.id, expertise="Blockchain forensics")
            session.add(teacher)
    for day in range(5):
        start = datetime.combine(starts + timedelta(days=day), time(9), zone)
        course_session = CourseSession(
            course_id=course.id, title=f"Day {day + 1}: tracing workshop", kind=SessionKind.PRACTICAL,
            starts_at=start, ends_at=start + timedelta(hours=3), room="Lab 2",
        )
        if teacher is not None:
            course_session.instructors = [teacher]
        session.add(course_session)
    session.flush()
    return course


def load(session: Session, today: date) -> None:
    """Seats and enrolments on the demo courses; nothing is added twice."""
    coordinator = accounts.find_by_email(session, "coordinator@demo.training")
    if coordinator is None:
        return
    instructor = accounts.find_by_email(session, "instructor@demo.training")
    americans = _people(session, US_PEOPLE, "US")
    chinese = _people(session, CN_PEOPLE, "CN")

    beijing = find_demo_course(session, BEIJING_SLUGS, host_country="CN", city="Beijing")
    if beijing is not None and not services.quotas_of(session, beijing):
        # US=15, all taken, and three people waiting for a seat to free.
        services.set_quotas(session, beijing, {"US": min(15, beijing.capacity)}, actor=coordinator, via="cli")
        if beijing.status is CourseStatus.PUBLISHED and not _has_enrolments(session, beijing):
            # The demo trainee (personnel@demo.training) holds the first seat, so that
            # "My courses" and their calendar feed show the Beijing course.
            trainee = accounts.find_by_email(session, "personnel@demo.training")
            _fill(session, beijing, ([trainee] if trainee else []) + americans[:17], coordinator)

    us_course = find_demo_course(session, US_SLUGS, host_country="US")
    if us_course is not None and not services.quotas_of(session, us_course):
        services.set_quotas(session, us_course, {"CN": min(15, us_course.capacity)}, actor=coordinator,
                            via="cli")
        if us_course.status is CourseStatus.PUBLISHED and not _has_enrolments(session, us_course):
            _fill(session, us_course, chinese[:6], coordinator)

    mixed = _mixed_course(session, today, coordinator, instructor)
    if not services.quotas_of(session, mixed):
        services.set_quotas(session, mixed, {"US": 10, "CN": 6}, actor=coordinator, via="cli")
    if not _has_enrolments(session, mixed):
        # China's six seats are taken with two people waiting; five US seats are still free and
        # go to China's waitlist after the release date; two US nominations await approval.
        _fill(session, mixed, americans[18:23] + chinese[6:14], coordinator)
        us_focal = accounts.find_by_email(session, "us-focal@demo.training")
        if us_focal is not None:
            for person in americans[23:25]:
                services.enrol(session, mixed, person, actor=us_focal, via="cli")
    session.flush()
