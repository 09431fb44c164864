"""What an enrolment change leaves behind: the audit snapshot and the mails to the people concerned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.audit.services import record, record_now
from training.core.urls import external_url
from training.courses.models import Course
from training.enrolment.models import Enrolment
from training.outbox.services import queue_mail, queue_mail_now


def snapshot(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "user_id": enrolment.user_id,
        "country": enrolment.country,
        "status": enrolment.status.value,
        "quota_id": enrolment.quota_id,
        "rejection_reason": enrolment.rejection_reason,
    }


def audit_change(
    session: Session,
    actor: User | None,
    action: str,
    enrolment: Enrolment,
    before: dict[str, Any] | None,
    via: str,
    *,
    at_once: bool = False,
    **extra: Any,
) -> None:
    """Record the change in the course's trail; at_once writes the entry by itself (see record_now)."""
    person = session.get(User, enrolment.user_id)  # usually in the identity map already
    after = {**snapshot(enrolment), "person": person.name if person else None, **extra}
    write = record_now if at_once else record
    write(session, actor=actor, action=action, subject=enrolment, before=before, after=after,
          topic=f"course:{enrolment.course_id}", via=via)


def mail_person(
    session: Session, template: str, person: User, course: Course, *, at_once: bool = False, **context: Any
) -> None:
    """Queue the enrolment mail template to person; at_once writes it by itself (see queue_mail_now)."""
    queue = queue_mail_now if at_once else queue_mail
    queue(
        session,
        to=person.email,
        template=f"enrolment/{template}",
        locale=person.locale,
        person=person,
        course=course,
        my_courses_url=external_url("enrolment.my_courses"),
        **context,
    )


def coordinators_to_tell(session: Session, course: Course) -> Sequence[User]:
    """The course's creator if they still coordinate, else every active coordinator."""
    if course.created_by_id is not None:
        creator = session.get(User, course.created_by_id)
        if creator is not None and creator.active and is_coordinator(creator):
            return [creator]
    return session.scalars(
        sa.select(User).where(User.role == Role.COORDINATOR, User.active.is_(True)).order_by(User.id)
    ).all()
