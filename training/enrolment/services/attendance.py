"""Attendance sheets, course completion and certificates."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload

from training.accounts.models import User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import DomainError, Forbidden, NotFound
from training.core.urls import external_url
from training.courses.models import Course, CourseSession
from training.enrolment.models import SEAT_HOLDING_STATUSES, Attendance, Enrolment, EnrolmentStatus
from training.enrolment.services.access import check_takes_attendance, enrolment_for
from training.enrolment.services.notices import audit_change, mail_person, snapshot


def attendance_sheet(
    session: Session, course_session: CourseSession
) -> list[tuple[Enrolment, bool | None]]:
    """The people holding a seat on the session's course, with whether they were marked present."""
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.course_id == course_session.course_id,
               Enrolment.status.in_(SEAT_HOLDING_STATUSES))
        .options(joinedload(Enrolment.user))
    ).all()
    marks = dict(
        session.execute(
            sa.select(Attendance.enrolment_id, Attendance.present).where(
                Attendance.session_id == course_session.id
            )
        ).all()
    )
    enrolments = sorted(enrolments, key=lambda e: (i18n.country_name(e.country), e.user.name.casefold()))
    return [(e, marks.get(e.id)) for e in enrolments]


def _new_certificate_code(session: Session) -> str:
    while True:
        raw = secrets.token_hex(8).upper()
        code = "-".join(raw[i:i + 4] for i in range(0, 16, 4))
        if session.scalar(sa.select(Enrolment.id).where(Enrolment.certificate_code == code)) is None:
            return code


def required_sessions(session_count: int, completion_percent: int) -> int:
    """How many sessions a participant must attend to complete a course."""
    return math.ceil(session_count * completion_percent / 100)


def mark_attendance(
    session: Session,
    course_session: CourseSession,
    present_ids: Iterable[int],
    *,
    actor: User,
    via: str = "web",
) -> list[Enrolment]:
    """Record who attended one session (everyone else holding a seat was absent), then complete
    those who attended the share of sessions the course requires. Returns who completed now."""
    course = session.get_one(Course, course_session.course_id)
    check_takes_attendance(session, course, actor)
    if course_session.cancelled:
        raise DomainError(_("This session is cancelled; there is no attendance to take."))
    present = set(present_ids)
    sheet = attendance_sheet(session, course_session)
    seat_holders = {e.id for e, _mark in sheet}
    unknown = present - seat_holders
    if unknown:
        raise DomainError(_("Only people holding a seat on this course can be marked present."))
    existing = {
        a.enrolment_id: a
        for a in session.scalars(sa.select(Attendance).where(Attendance.session_id == course_session.id))
    }
    now = utcnow()
    changes = []
    for enrolment, _mark in sheet:
        is_present = enrolment.id in present
        row = existing.get(enrolment.id)
        if row is None:
            session.add(Attendance(session_id=course_session.id, enrolment_id=enrolment.id,
                                   present=is_present, marked_at=now, marked_by_id=actor.id))
            changes.append((enrolment.user_id, None, is_present))
        elif row.present != is_present:
            changes.append((enrolment.user_id, row.present, is_present))
            row.present, row.marked_at, row.marked_by_id = is_present, now, actor.id
    session.flush()
    if changes:
        record(session, actor=actor, action="attendance.marked", subject=course_session,
               before={str(u): b for u, b, _a in changes}, after={str(u): a for u, _b, a in changes},
               topic=f"course:{course.id}", via=via)
    return _update_completion(session, course, [e for e, _mark in sheet], actor=actor, via=via)


def _update_completion(
    session: Session, course: Course, enrolments: Sequence[Enrolment], *, actor: User, via: str
) -> list[Enrolment]:
    held = session.scalar(
        sa.select(sa.func.count(CourseSession.id)).where(
            CourseSession.course_id == course.id, CourseSession.cancelled.is_(False)
        )
    ) or 0
    needed = required_sessions(held, course.completion_percent)
    attended = dict(
        session.execute(
            sa.select(Attendance.enrolment_id, sa.func.count(Attendance.id))
            .join(CourseSession, CourseSession.id == Attendance.session_id)
            .where(CourseSession.course_id == course.id, CourseSession.cancelled.is_(False),
                   Attendance.present.is_(True))
            .group_by(Attendance.enrolment_id)
        ).all()
    )
    completed = []
    now = utcnow()
    for enrolment in enrolments:
        count = attended.get(enrolment.id, 0)
        before = snapshot(enrolment)
        if enrolment.status is EnrolmentStatus.CONFIRMED and held and count >= needed:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.completed_at = now
            enrolment.certificate_code = enrolment.certificate_code or _new_certificate_code(session)
            session.flush()
            audit_change(session, actor, "enrolment.completed", enrolment, before, via, attended=count,
                         required=needed)
            mail_person(session, "completed", enrolment.user, course,
                        url=external_url("enrolment.certificate", enrolment_id=enrolment.id))
            completed.append(enrolment)
        elif enrolment.status is EnrolmentStatus.COMPLETED and count < needed:
            # Attendance was corrected downwards: the certificate no longer holds.
            enrolment.status = EnrolmentStatus.CONFIRMED
            enrolment.completed_at = None
            enrolment.certificate_code = None
            session.flush()
            audit_change(session, actor, "enrolment.completion_revoked", enrolment, before, via,
                         attended=count, required=needed)
    return completed


def certificate_by_code(session: Session, code: str) -> Enrolment:
    """The completed enrolment a certificate code belongs to."""
    code = (code or "").strip().upper()
    enrolment = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.certificate_code == code, Enrolment.status == EnrolmentStatus.COMPLETED)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.course))
    ).first()
    if enrolment is None:
        raise NotFound(_("No certificate has this code."))
    return enrolment


def certificate_for(session: Session, enrolment_id: int, *, viewer: User) -> Enrolment:
    """A completed enrolment's certificate, for its person and coordinators."""
    enrolment = enrolment_for(session, enrolment_id)
    if enrolment.user_id != viewer.id and not is_coordinator(viewer):
        raise Forbidden(_("You may not see this enrolment."))
    if not enrolment.is_completed or not enrolment.certificate_code:
        raise NotFound(_("No certificate has been issued for this enrolment."))
    return enrolment
