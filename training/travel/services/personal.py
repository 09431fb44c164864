"""A person's travel form in their export, removed by their erasure, and its sensitive fields
deleted once the retention period after the course has passed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.audit.services import record
from training.core.database import utcnow
from training.courses.models import Course
from training.enrolment.models import Enrolment
from training.travel.models import PASSPORT_FIELDS, TravelForm
from training.travel.services.validation import TravelSpec

# Deleted with the passport when the retention period ends: they say things about health and family.
SENSITIVE_FIELDS = (*PASSPORT_FIELDS, "dietary_needs", "accessibility_needs", "emergency_name",
                    "emergency_phone")


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_travel(person: User, *, session: Session, **_: Any) -> dict[str, Any]:
    """person_export_wanted: the person's own travel forms, whole (it is their own passport)."""
    rows = session.execute(
        sa.select(TravelForm, Enrolment.course_id).join(Enrolment, Enrolment.id == TravelForm.enrolment_id)
        .where(Enrolment.user_id == person.id).order_by(TravelForm.id)
    ).all()
    return {"travel": [
        {"enrolment_id": form.enrolment_id, "course_id": course_id,
         **{name: _plain(getattr(form, name)) for name in TravelSpec.names()},
         "locked_at": _plain(form.locked_at), "passport_deleted_at": _plain(form.passport_purged_at)}
        for form, course_id in rows
    ]}


def erase_travel(person: User, *, session: Session, **_: Any) -> None:
    """person_erasing: the travel forms go entirely; the seats they went with stay."""
    enrolment_ids = sa.select(Enrolment.id).where(Enrolment.user_id == person.id).scalar_subquery()
    session.execute(sa.delete(TravelForm).where(TravelForm.enrolment_id.in_(enrolment_ids))
                    .execution_options(synchronize_session=False))
    session.flush()


def retention_days() -> int:
    return int(current_app.config["DOCUMENT_RETENTION_DAYS"])


def purge_due_at(course: Course) -> datetime:
    """The end of the course's last day on the venue's clock, plus the retention period."""
    day_after = datetime.combine(course.ends_on + timedelta(days=1), time(0),
                                 tzinfo=ZoneInfo(course.timezone))
    return day_after.astimezone(ZoneInfo("UTC")) + timedelta(days=retention_days())


def purge_travel_forms(session: Session, *, now: datetime | None = None, dry_run: bool = False,
                       via: str = "cli") -> list[tuple[Course, TravelForm]]:
    """Delete the passport, needs and emergency contact of every form whose course ended more than
    the retention period before now (journey and hotel nights stay, for the accounts); audited per form."""
    now = now or utcnow()
    latest_end = (now - timedelta(days=retention_days())).date()
    rows = session.execute(
        sa.select(TravelForm, Course).join(Enrolment, Enrolment.id == TravelForm.enrolment_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(TravelForm.passport_purged_at.is_(None), Course.ends_on <= latest_end)
        .order_by(TravelForm.id)
    ).all()
    purged = [(course, form) for form, course in rows if purge_due_at(course) <= now]
    if dry_run:
        return purged
    for course, form in purged:
        for name in SENSITIVE_FIELDS:
            setattr(form, name, None)
        form.passport_purged_at = now
        session.flush()
        record(session, actor=None, action="travel.passport_purged", subject=form,
               topic=f"travel:{course.id}", via=via, after={"enrolment": form.enrolment_id})
    return purged
