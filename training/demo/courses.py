"""Demo courses: the Beijing cybercrime course, its reciprocal in the US across a DST change, and a draft."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from training.accounts import services as accounts
from training.core.localtime import next_transition
from training.courses import services
from training.courses.models import Course, CourseSession, Instructor, SessionKind

BEIJING_TITLE = "Cybercrime investigation course for US law-enforcement personnel"
US_TITLE = "Online fraud and cyber-enabled crime course for Chinese law-enforcement personnel"
DRAFT_TITLE = "Working-level meeting on cyber-enabled terrorism: preparatory workshop"

# (name, organisation, expertise, bio, email, account email)
INSTRUCTORS = (
    ("Li Na", "People's Public Security University", "Digital forensics, mobile device extraction",
     "Associate professor of digital forensics; trains investigators on evidence from phones "
     "and cloud accounts.",
     "", "instructor@demo.training"),
    ("Zhang Wei", "Ministry of Public Security, Cybersecurity Bureau", "Network intrusion investigation",
     "Led investigations into intrusions against critical infrastructure operators.",
     "zhang.wei@mps.example.cn", ""),
    ("Sarah Mitchell", "Federal Bureau of Investigation, Cyber Division", "Cryptocurrency tracing",
     "Supervisory special agent; follows ransom payments across exchanges and mixers.",
     "sarah.mitchell@fbi.example.gov", ""),
    ("David Kim", "Department of Justice, CCIPS", "Electronic evidence and mutual legal assistance",
     "Trial attorney; drafts requests for evidence held abroad and the answers to them.",
     "david.kim@doj.example.gov", ""),
    ("Robert Hayes", "United States Secret Service", "Payment card and online fraud",
     "Runs the Service's training on business email compromise and card fraud.",
     "robert.hayes@usss.example.gov", ""),
)

MORNING_TOPICS = (
    "Cybercrime trends and the legal framework",
    "Seizing and preserving digital evidence",
    "Mobile device extraction",
    "Tracing cryptocurrency payments",
    "Ransomware investigations",
    "Online fraud rings",
    "Requests for evidence held abroad",
    "Case studies from joint investigations",
)


def _instructors(session: Session, actor: object) -> dict[str, Instructor]:
    found = {i.name: i for i in session.scalars(sa.select(Instructor))}
    for name, organisation, expertise, bio, email, account in INSTRUCTORS:
        if name not in found:
            linked = account if account and accounts.find_by_email(session, account) else ""
            found[name] = services.create_instructor(
                session,
                services.InstructorDetails(name=name, organisation=organisation, expertise=expertise,
                                           bio=bio, email=email, account_email=linked),
                actor=actor, via="cli",
            )
    return found


def _existing(session: Session, title: str) -> Course | None:
    return session.scalar(sa.select(Course).where(Course.title == title))


def _add(session: Session, course: Course, actor: object, day: date, start: str, end: str, title: str,
         kind: SessionKind, room: str, *people: Instructor) -> CourseSession:
    return services.add_session(
        session, course, actor=actor, day=day, starts=time.fromisoformat(start), ends=time.fromisoformat(end),
        title=title, kind=kind, room=room, instructor_ids=[p.id for p in people], via="cli",
    )


def _rename(session: Session, course: Course, actor: object, target: CourseSession, title: str,
            kind: SessionKind | None = None) -> None:
    zone = services.local_zone(course)
    services.update_session(
        session, target, course, actor=actor, day=target.starts_at.astimezone(zone).date(),
        starts=target.starts_at.astimezone(zone).time(), ends=target.ends_at.astimezone(zone).time(),
        title=title, kind=kind or target.kind, room=target.room, description=target.description,
        instructor_ids=[i.id for i in target.instructors], via="cli",
    )


def _sessions_on(session: Session, course: Course, day: date) -> list[CourseSession]:
    zone = services.local_zone(course)
    rows = session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == course.id)
        .options(selectinload(CourseSession.instructors)).order_by(CourseSession.starts_at)
    ).all()
    return [s for s in rows if s.starts_at.astimezone(zone).date() == day]


def _beijing(session: Session, today: date, actor: object, people: dict[str, Instructor]) -> None:
    if _existing(session, BEIJING_TITLE):
        return
    # A Monday at least two weeks away, so the course is upcoming whenever the demo is loaded.
    start = today + timedelta(days=14)
    start += timedelta(days=(7 - start.weekday()) % 7)
    course = services.create_course(session, services.CourseDetails(
        title=BEIJING_TITLE,
        description=(
            "Ten days in Beijing for fifteen US law-enforcement personnel, under the China–US "
            "agreement to train each other's investigators in fighting cybercrime. Lectures in the "
            "morning, hands-on forensics in the afternoon, and a field visit to a provincial "
            "cyber-investigation laboratory. Taught in English and Chinese with interpretation."
        ),
        host_country="CN", city="Beijing", venue="People's Public Security University, Muxidi campus",
        timezone="Asia/Shanghai", starts_on=start, ends_on=start + timedelta(days=9), capacity=15,
        enrolment_opens_at=None, enrolment_closes_at=None, requires_approval=True, language="en+zh",
    ), actor=actor, via="cli")
    li, zhang = people["Li Na"], people["Zhang Wei"]
    sarah, david = people["Sarah Mitchell"], people["David Kim"]
    # The coordinator's way: build the first day, copy it to the other weekdays, then adjust.
    _add(session, course, actor, start, "09:00", "10:30", "Morning lecture", SessionKind.LECTURE,
         "Lecture Hall A", zhang)
    _add(session, course, actor, start, "10:45", "12:15", "Evidence clinic", SessionKind.WORKSHOP,
         "Seminar Room 5", david)
    _add(session, course, actor, start, "14:00", "16:30", "Forensics laboratory", SessionKind.PRACTICAL,
         "Forensics Lab 2", li, sarah)
    _add(session, course, actor, start, "16:45", "17:30", "Daily review", SessionKind.WORKSHOP,
         "Seminar Room 5", sarah)
    weekdays = [d for d in course.days if d.weekday() < 5 and d != start]
    services.copy_day(session, course, actor=actor, from_day=start, to_days=weekdays, via="cli")
    saturday, sunday = start + timedelta(days=5), start + timedelta(days=6)
    _add(session, course, actor, saturday, "09:30", "16:00",
         "Field visit: Tianjin cyber-investigation laboratory", SessionKind.FIELD_VISIT, "", zhang, li)
    _add(session, course, actor, sunday, "10:00", "12:00", "Cultural programme: Palace Museum",
         SessionKind.FIELD_VISIT, "")
    for day, topic in zip(weekdays, MORNING_TOPICS[1:], strict=True):
        _rename(session, course, actor, _sessions_on(session, course, day)[0], topic)
    first_day, last_day = _sessions_on(session, course, start), _sessions_on(session, course, course.ends_on)
    # The first morning opens the course; its topic moves to the next slot.
    _rename(session, course, actor, first_day[0], "Opening ceremony and introductions", SessionKind.CEREMONY)
    _rename(session, course, actor, first_day[1], MORNING_TOPICS[0], SessionKind.LECTURE)
    _rename(session, course, actor, last_day[-1], "Closing ceremony and certificates", SessionKind.CEREMONY)
    services.publish_course(session, course, actor=actor, via="cli")


def _reciprocal(session: Session, today: date, actor: object, people: dict[str, Instructor]) -> None:
    if _existing(session, US_TITLE):
        return
    # Straddle the next daylight-saving change in New York: four days before it, five after.
    switch = next_transition("America/New_York", today + timedelta(days=5))
    if switch is None:  # pragma: no cover - New York has observed DST every year since 1967
        raise RuntimeError("no daylight-saving change ahead in America/New_York")
    start = switch - timedelta(days=4)
    course = services.create_course(session, services.CourseDetails(
        title=US_TITLE,
        description=(
            "The reciprocal course: ten days near Washington for Chinese law-enforcement personnel, "
            "on online fraud, business email compromise and cyber-enabled crime. The clocks in "
            "New York go forward during the course; every time below is on the venue's clock."
        ),
        host_country="US", city="Washington, DC", venue="FBI Washington Field Office training centre",
        timezone="America/New_York", starts_on=start, ends_on=start + timedelta(days=9), capacity=15,
        requires_approval=True, language="en+zh",
    ), actor=actor, via="cli")
    sarah, david = people["Sarah Mitchell"], people["David Kim"]
    robert, li = people["Robert Hayes"], people["Li Na"]
    _add(session, course, actor, start, "09:00", "12:00", "Online fraud schemes", SessionKind.LECTURE,
         "Classroom 1", robert)
    _add(session, course, actor, start, "13:30", "16:30", "Investigation practical", SessionKind.PRACTICAL,
         "Computer Lab", sarah, david)
    weekdays = [d for d in course.days if d.weekday() < 5 and d != start]
    services.copy_day(session, course, actor=actor, from_day=start, to_days=weekdays, via="cli")
    first_afternoon = _sessions_on(session, course, weekdays[-1])[1]
    _rename(session, course, actor, first_afternoon, "Joint case exercise with Chinese forensics")
    _add(session, course, actor, weekdays[-1], "16:45", "17:30", "Closing ceremony", SessionKind.CEREMONY,
         "Auditorium", li, robert)
    services.publish_course(session, course, actor=actor, via="cli")


def _draft(session: Session, today: date, actor: object, people: dict[str, Instructor]) -> None:
    if _existing(session, DRAFT_TITLE):
        return
    start = today + timedelta(days=75)
    course = services.create_course(session, services.CourseDetails(
        title=DRAFT_TITLE,
        description="Preparing the next working-level meeting; companies are to be invited to the symposium.",
        host_country="CN", city="Guangzhou", venue="", timezone="Asia/Shanghai",
        starts_on=start, ends_on=start + timedelta(days=2), capacity=30,
    ), actor=actor, via="cli")
    _add(session, course, actor, start, "09:30", "12:00", "Agenda and priorities", SessionKind.WORKSHOP,
         "Meeting Room 2", people["Zhang Wei"])


def load(session: Session, today: date) -> None:
    """Create the demo instructors and courses that do not exist yet."""
    actor = accounts.find_by_email(session, "coordinator@demo.training")
    people = _instructors(session, actor)
    _beijing(session, today, actor, people)
    _reciprocal(session, today, actor, people)
    _draft(session, today, actor, people)
    session.flush()
