"""The mails clearance sends: a requirement returned, a due date near, an enrolment lapsed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import Role, User
from training.core.urls import external_url
from training.outbox.services import queue_mail


def focal_points_of(session: Session, country: str) -> Sequence[User]:
    """The active focal points of country, who follow their people's clearance."""
    return session.scalars(
        sa.select(User).where(User.role == Role.FOCAL_POINT, User.country == country, User.active.is_(True))
        .order_by(User.id)
    ).all()


def mail_clearance(session: Session, template: str, recipient: User, **context: Any) -> None:
    """templates/mail/clearance/<template>.txt to recipient (the person or a focal point), in their
    language."""
    person = context["person"]
    queue_mail(
        session,
        to=recipient.email,
        template=f"clearance/{template}",
        locale=recipient.locale,
        recipient=recipient,
        for_self=recipient.id == person.id,
        my_courses_url=external_url("enrolment.my_courses"),
        **context,
    )
