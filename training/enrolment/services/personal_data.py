"""A person's enrolments in their export, and what their erasure changes here: only free text
that names them. Statuses, seats, waitlist order and attendance stay exactly as they were."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from training.accounts.models import User
from training.accounts.personal_data import erasure_of
from training.audit import personal as audit
from training.courses.models import CourseSession
from training.enrolment.models import Attendance, Enrolment
from training.enrolment.services.seats import position_expression


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_enrolments(person: User, *, session: Session, **_: Any) -> dict[str, Any]:
    """person_export_wanted: every enrolment with its waitlist position, attendance and history."""
    rows = session.execute(
        sa.select(Enrolment, position_expression()).where(Enrolment.user_id == person.id)
        .options(joinedload(Enrolment.course), joinedload(Enrolment.quota),
                 joinedload(Enrolment.nominated_by))
        .order_by(Enrolment.requested_at, Enrolment.id)
    ).unique().all()
    ids = [enrolment.id for enrolment, _position in rows]
    attended: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        marks = session.execute(
            sa.select(Attendance.enrolment_id, Attendance.present, Attendance.marked_at, CourseSession.title,
                      CourseSession.starts_at)
            .join(CourseSession, CourseSession.id == Attendance.session_id)
            .where(Attendance.enrolment_id.in_(ids)).order_by(CourseSession.starts_at)
        ).all()
        for mark in marks:
            attended[mark.enrolment_id].append({"session": mark.title, "starts_at": _iso(mark.starts_at),
                                                "present": mark.present, "marked_at": _iso(mark.marked_at)})
    enrolments = []
    for enrolment, position in rows:
        course = enrolment.course
        enrolments.append({
            "id": enrolment.id,
            "course": {"id": course.id, "slug": course.slug, "title": course.title,
                       "starts_on": _iso(course.starts_on), "ends_on": _iso(course.ends_on)},
            "country": enrolment.country, "status": enrolment.status.value,
            "seat_country": enrolment.quota.country if enrolment.quota else None,
            "waitlist_position": position if enrolment.is_waiting else None,
            "requested_at": _iso(enrolment.requested_at), "waitlisted_at": _iso(enrolment.waitlisted_at),
            "decided_at": _iso(enrolment.decided_at), "rejection_reason": enrolment.rejection_reason,
            "nominated_by": enrolment.nominated_by.name if enrolment.nominated_by else None,
            "completed_at": _iso(enrolment.completed_at), "certificate_code": enrolment.certificate_code,
            "cleared_at": _iso(enrolment.cleared_at),
            "attendance": attended[enrolment.id],
        })
    history = (audit.history(session, audit.about_subjects("Enrolment", ids)) if ids
               else {"entries": [], "truncated": False})
    return {"enrolments": enrolments, "enrolment_history": history}


def erase_from_enrolments(person: User, *, session: Session, **_: Any) -> None:
    """person_erasing: a rejection reason that names the person is rewritten; nothing else moves."""
    erasure = erasure_of(person)
    for enrolment in session.scalars(sa.select(Enrolment).where(
            Enrolment.user_id == person.id, Enrolment.rejection_reason.is_not(None))).all():
        enrolment.rejection_reason = erasure.scrub(enrolment.rejection_reason or "")
    session.flush()
