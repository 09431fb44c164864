"""Where each enrolment stands: due dates, the state of each requirement, progress and clearance.

Pages that show many enrolments load their clearance in a fixed number of queries
(clearances_for): the courses, their requirements, the items and the documents' names.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from training.clearance.models import Document, Item, ItemState, Requirement
from training.core.database import utcnow
from training.courses.models import Course
from training.enrolment.models import ACTIVE_STATUSES, Enrolment

DAY = timedelta(days=1)


def grace_days() -> int:
    """Days a person enrolled or promoted after a due date gets (CLEARANCE_GRACE_DAYS, default 7)."""
    return int(current_app.config["CLEARANCE_GRACE_DAYS"])


def requirements_of(session: Session, course: Course | int) -> list[Requirement]:
    """The course's requirements in the order the coordinator gave them."""
    course_id = course if isinstance(course, int) else course.id
    return list(session.scalars(
        sa.select(Requirement).where(Requirement.course_id == course_id)
        .order_by(Requirement.position, Requirement.id)
        .execution_options(populate_existing=True)
    ).all())


def base_due_at(course: Course, requirement: Requirement) -> datetime:
    """The start of the day, on the venue's clock, due_days_before_start before the first day."""
    day = course.starts_on - timedelta(days=requirement.due_days_before_start)
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(course.timezone)).astimezone(ZoneInfo("UTC"))


def due_at(course: Course, requirement: Requirement, enrolment: Enrolment, item: Item | None) -> datetime:
    """When requirement is due for enrolment: a coordinator's extension, else the course's date,
    unless the person took the seat (or the requirement was added) after it: then the grace
    period counted from that moment."""
    if item is not None and item.due_at_override is not None:
        return item.due_at_override
    base = base_due_at(course, requirement)
    # Someone still waiting has no seat yet: were they promoted now, the grace would count from now.
    seat_since = utcnow() if enrolment.is_waiting else enrolment.seat_since
    since = max(seat_since, requirement.created_at)
    return since + timedelta(days=grace_days()) if since > base else base


@dataclass
class ClearanceLine:
    """One requirement as it stands for one enrolment."""

    requirement: Requirement
    item: Item | None
    due_at: datetime
    document: Document | None = None

    @property
    def state(self) -> ItemState:
        return self.item.state if self.item is not None else ItemState.MISSING

    @property
    def reason(self) -> str | None:
        return self.item.reason if self.item is not None and self.state is ItemState.RETURNED else None

    @property
    def is_accepted(self) -> bool:
        return self.state is ItemState.ACCEPTED

    @property
    def is_extended(self) -> bool:
        return self.item is not None and self.item.due_at_override is not None

    def is_overdue(self, now: datetime) -> bool:
        return not self.is_accepted and self.due_at <= now


@dataclass
class Clearance:
    """Every requirement that applies to one enrolment, in the course's order."""

    enrolment: Enrolment
    lines: list[ClearanceLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def accepted(self) -> int:
        return sum(1 for line in self.lines if line.is_accepted)

    @property
    def is_complete(self) -> bool:
        """Whether every requirement that applies is accepted (and at least one applies)."""
        return bool(self.lines) and self.accepted == self.total

    @property
    def next_due(self) -> ClearanceLine | None:
        """The requirement not yet accepted that is due first."""
        open_lines = [line for line in self.lines if not line.is_accepted]
        return min(open_lines, key=lambda line: line.due_at) if open_lines else None

    def line(self, key: str) -> ClearanceLine | None:
        return next((line for line in self.lines if line.requirement.key == key), None)

    def overdue(self, now: datetime) -> list[ClearanceLine]:
        return [line for line in self.lines if line.is_overdue(now)]

    def summary(self, now: datetime | None = None) -> str:
        """"3 of 4, passport due in 5 days", in the reader's language; empty when nothing applies."""
        if not self.lines:
            return ""
        if self.is_complete:
            return _("cleared")
        now = now or utcnow()
        counted = _("%(accepted)d of %(total)d", accepted=self.accepted, total=self.total)
        if self.enrolment.is_waiting:
            return counted  # nothing falls due before a seat is theirs
        line = self.next_due
        assert line is not None  # not complete, so one is open
        title = line.requirement.shown_title
        days = math.ceil((line.due_at - now) / DAY)
        if days <= 0:
            due = _("%(title)s overdue", title=title)
        else:
            due = ngettext("%(title)s due in %(num)d day", "%(title)s due in %(num)d days", days, title=title)
        return _("%(counted)s, %(due)s", counted=counted, due=due)


def clearances_for(session: Session, enrolments: Sequence[Enrolment]) -> dict[int, Clearance]:
    """The clearance of each enrolment (by id), in four queries whatever their number (two when the
    courses ask nothing, none of them skipped for an empty page: the count never depends on it)."""
    course_ids = sorted({e.course_id for e in enrolments})
    courses = {c.id: c for c in session.scalars(sa.select(Course).where(Course.id.in_(course_ids)))}
    requirements: dict[int, list[Requirement]] = defaultdict(list)
    for requirement in session.scalars(
        sa.select(Requirement).where(Requirement.course_id.in_(course_ids))
        .order_by(Requirement.position, Requirement.id)
    ):
        requirements[requirement.course_id].append(requirement)
    items: dict[tuple[int, int], Item] = {}
    documents: dict[int, Document] = {}
    if requirements:
        enrolment_ids = [e.id for e in enrolments]
        for item in session.scalars(sa.select(Item).where(Item.enrolment_id.in_(enrolment_ids))
                                    .execution_options(populate_existing=True)):
            items[(item.enrolment_id, item.requirement_id)] = item
        if items:
            item_ids = [item.id for item in items.values()]
            for document in session.scalars(
                sa.select(Document).where(Document.item_id.in_(item_ids)).order_by(Document.id)
            ):
                documents[document.item_id] = document  # the newest wins
    result = {}
    for enrolment in enrolments:
        course = courses[enrolment.course_id]
        clearance = Clearance(enrolment)
        for requirement in requirements.get(enrolment.course_id, []):
            if not requirement.applies_to(enrolment.country):
                continue
            item = items.get((enrolment.id, requirement.id))
            clearance.lines.append(ClearanceLine(
                requirement=requirement, item=item,
                due_at=due_at(course, requirement, enrolment, item),
                document=documents.get(item.id) if item is not None else None,
            ))
        result[enrolment.id] = clearance
    return result


def clearance_of(session: Session, enrolment: Enrolment) -> Clearance:
    """One enrolment's clearance."""
    return clearances_for(session, [enrolment])[enrolment.id]


def update_cleared(clearance: Clearance, now: datetime) -> None:
    """Stamp the enrolment cleared when every requirement is accepted; unstamp it when one is not."""
    enrolment = clearance.enrolment
    if clearance.is_complete and enrolment.cleared_at is None:
        enrolment.cleared_at = now
    elif not clearance.is_complete and enrolment.cleared_at is not None:
        enrolment.cleared_at = None


def recompute_cleared(session: Session, course: Course) -> None:
    """After the requirements changed: whether each active enrolment of course is cleared."""
    enrolments = session.scalars(
        sa.select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.status.in_(ACTIVE_STATUSES))
    ).all()
    now = utcnow()
    for clearance in clearances_for(session, enrolments).values():
        update_cleared(clearance, now)
    session.flush()


def roster_columns(course: Course, *, session: Session, enrolments: Sequence[Enrolment],
                   **_: object) -> dict[str, dict[int, str]]:
    """roster_columns_wanted: the roster CSV's clearance column, "3 of 4" or "cleared 2027-01-20"
    (the day on the venue's clock), empty when the course asks nothing of the person."""
    cells = {}
    for enrolment_id, clearance in clearances_for(session, enrolments).items():
        cleared_at = clearance.enrolment.cleared_at
        if not clearance.lines:
            cells[enrolment_id] = ""
        elif clearance.is_complete and cleared_at is not None:
            day = cleared_at.astimezone(ZoneInfo(course.timezone)).date()
            cells[enrolment_id] = f"cleared {day.isoformat()}"
        else:
            cells[enrolment_id] = f"{clearance.accepted} of {clearance.total}"
    return {"clearance": cells}
