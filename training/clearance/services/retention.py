"""Documents kept no longer than needed: after the retention period from the course's last day,
their contents (and file names) are deleted, and the fact that they were submitted, accepted or
returned stays with their type, size and hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from training.audit import personal as audit
from training.audit.services import record
from training.clearance.models import Document, Item, Requirement
from training.core.database import utcnow
from training.courses.models import Course
from training.enrolment.models import Enrolment

DAY = timedelta(days=1)


def retention_days() -> int:
    """Days documents are kept after their course's last day (DOCUMENT_RETENTION_DAYS, default 90)."""
    return int(current_app.config["DOCUMENT_RETENTION_DAYS"])


def purge_due_at(course: Course) -> datetime:
    """When a course's documents are purged: the end of its last day on the venue's clock, plus the
    retention period."""
    day_after = datetime.combine(course.ends_on + DAY, time(0), tzinfo=ZoneInfo(course.timezone))
    return day_after.astimezone(ZoneInfo("UTC")) + timedelta(days=retention_days())


@dataclass(frozen=True)
class Purged:
    """One document whose contents were (or, in a rehearsal, would be) deleted."""

    document_id: int
    enrolment_id: int
    course_slug: str
    requirement_key: str
    size: int


def purge_documents(session: Session, *, now: datetime | None = None, dry_run: bool = False,
                    via: str = "cli") -> list[Purged]:
    """Delete the contents and file names of every document whose course ended more than the
    retention period before now; each purge is audited on the course's trail. A document already
    purged is left alone, so running it again purges nothing more."""
    now = now or utcnow()
    # Every venue's clock is within a day of UTC: the exact moment is checked per course below.
    latest_end: date = (now - timedelta(days=retention_days()) + DAY).date()
    rows = session.execute(
        sa.select(Document.id, Document.size, Item.enrolment_id, Enrolment.user_id, Requirement.key,
                  Requirement.id.label("requirement_id"), Course)
        .join(Item, Item.id == Document.item_id)
        .join(Requirement, Requirement.id == Item.requirement_id)
        .join(Enrolment, Enrolment.id == Item.enrolment_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Document.purged_at.is_(None), Course.ends_on <= latest_end)
        .order_by(Course.ends_on, Course.id, Document.id)
    ).all()
    purged = [row for row in rows if purge_due_at(row.Course) <= now]
    if dry_run or not purged:
        return [_purged(row) for row in purged]
    session.execute(
        sa.update(Document).where(Document.id.in_([row.id for row in purged]))
        .values(content=None, filename="", purged_at=now)
        .execution_options(synchronize_session=False)
    )
    # A scan's file name often carries the person's name or passport number: it goes from the
    # trail's recorded values with the contents.
    audit.blank_fields(session, audit.about_subjects("Enrolment", {row.enrolment_id for row in purged}),
                       {"filename"})
    enrolments = {e.id: e for e in session.scalars(
        sa.select(Enrolment).where(Enrolment.id.in_({row.enrolment_id for row in purged})))}
    for row in purged:
        record(session, actor=None, action="clearance.document_purged", subject=enrolments[row.enrolment_id],
               after={"requirement": row.key, "requirement_id": row.requirement_id, "person_id": row.user_id,
                      "document_id": row.id, "size": row.size},
               topic=f"course:{row.Course.id}", via=via, flush=False)
    session.flush()
    return [_purged(row) for row in purged]


def _purged(row: sa.Row) -> Purged:  # type: ignore[type-arg]
    return Purged(row.id, row.enrolment_id, row.Course.slug, row.key, row.size)
