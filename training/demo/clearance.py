"""Demo clearance: the Beijing course's four requirements, and US personnel at every stage.

The requirements were set, and the seats taken, weeks ago: the nomination letters fell due
last week. One person is cleared, one has a passport copy returned, the demo trainee's
passport copy awaits review, and one never sent a nomination letter: `flask enrolment
lapse-overdue` (or the next enrolment change of the course) lapses that enrolment and gives
the seat to the first person on the waitlist.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.accounts.models import User
from training.clearance import services
from training.clearance.models import Requirement
from training.courses.models import Course
from training.demo.enrolment import BEIJING_SLUGS, find_demo_course
from training.enrolment.models import Enrolment, EnrolmentStatus

REQUIREMENTS = (
    services.RequirementSpec(
        key="passport", kind="document", title="Passport copy", title_zh="护照复印件",
        instruction="A colour scan of the photo page, with the two machine-readable lines at the bottom.",
        instruction_zh="护照照片页的彩色扫描件，须包含底部两行机读码。", due_days_before_start=10),
    services.RequirementSpec(
        key="nomination", kind="document", title="Nomination letter", title_zh="提名函",
        instruction="Signed by your agency, naming you for this course.",
        instruction_zh="由所在机构签署、提名您参加本培训班的信函。", due_days_before_start=21),
    services.RequirementSpec(
        key="medical", kind="document", title="Medical certificate", title_zh="体检证明",
        instruction="Fit to travel and to take part in field visits.",
        instruction_zh="证明身体状况适合出行及参加实地参观。", due_days_before_start=10),
    services.RequirementSpec(
        key="vetting", kind="check", title="Vetting cleared", title_zh="审查通过",
        instruction="Recorded by the coordinator once the embassy confirms the vetting.",
        instruction_zh="大使馆确认审查结果后由协调员登记。", due_days_before_start=10, countries=("US",)),
)
# Demo documents: the smallest files of each kind that are what they say they are.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")

# Who is where (by index in US_PEOPLE; the demo trainee is "trainee"): what they sent, what was decided.
ACCEPTED_ALL = ("passport", "nomination", "medical")
STAGES: dict[str, dict[str, str]] = {
    "trainee": {"nomination": "accepted", "passport": "submitted"},
    "Emily Johnson": {key: "accepted" for key in ACCEPTED_ALL} | {"vetting": "accepted"},
    "Michael Brown": {"nomination": "accepted", "passport": "returned", "medical": "submitted"},
    "Sarah Davis": {},  # sent nothing: the nomination letter is overdue
}
RETURN_REASON = "The scan cuts off the two machine-readable lines at the bottom of the page."


def _decide(session: Session, enrolment: Enrolment, person: User, coordinator: User, stages: dict[str, str]
            ) -> None:
    for key, stage in stages.items():
        if key != "vetting":
            content, name = (PNG, f"{key}.png") if key == "medical" else (PDF, f"{key}.pdf")
            services.submit_document(session, enrolment, key, filename=name, content=content, actor=person,
                                     via="cli")
        if stage in ("accepted", "returned"):
            services.decide(session, enrolment, key, decision=stage, actor=coordinator, via="cli",
                            reason=RETURN_REASON if stage == "returned" else None)


def load(session: Session, today: date) -> None:
    """Requirements and clearance on the Beijing course; nothing is added twice."""
    coordinator = accounts.find_by_email(session, "coordinator@demo.training")
    beijing = find_demo_course(session, BEIJING_SLUGS, host_country="CN", city="Beijing")
    if coordinator is None or beijing is None or services.requirements_of(session, beijing):
        return
    services.set_requirements(session, beijing, list(REQUIREMENTS), actor=coordinator, via="cli")
    _as_of_weeks_ago(session, beijing, today)
    confirmed = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.course_id == beijing.id, Enrolment.status == EnrolmentStatus.CONFIRMED)
        .order_by(Enrolment.id)
    ).all()
    ids = [e.user_id for e in confirmed]
    people = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(ids)))}
    trainee = accounts.find_by_email(session, "personnel@demo.training")
    for number, enrolment in enumerate(confirmed):
        person = people[enrolment.user_id]
        name = "trainee" if trainee is not None and person.id == trainee.id else person.name
        # Everyone else is on the way: the letter accepted, and more done the earlier they enrolled.
        if name in STAGES:
            stages = STAGES[name]
        else:
            stages = {"nomination": "accepted", "passport": ("accepted", "submitted", "missing")[number % 3]}
            if number % 2:
                stages["vetting"] = "accepted"
        _decide(session, enrolment, person, coordinator,
                {key: stage for key, stage in stages.items() if stage != "missing"})
    session.flush()


def _as_of_weeks_ago(session: Session, course: Course, today: date) -> None:
    """The requirements were set two months ago and everyone enrolled six weeks ago (in the same
    order), so the due dates count from the course, not from the demo's loading."""
    now = datetime.now(UTC)
    shift = now - datetime.combine(today - timedelta(days=42), time(9), UTC)
    session.execute(sa.update(Requirement).where(Requirement.course_id == course.id)
                    .values(created_at=now - timedelta(days=60)))
    for enrolment in session.scalars(sa.select(Enrolment).where(Enrolment.course_id == course.id)):
        enrolment.requested_at -= shift
        if enrolment.decided_at is not None:
            enrolment.decided_at -= shift
        if enrolment.waitlisted_at is not None:
            enrolment.waitlisted_at -= shift
    session.flush()

