"""Fixtures for symposia: a coordinator, a published symposium, invitations and their links."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import Role, User
from training.core.database import utcnow
from training.outbox.models import OutboxMessage
from training.symposia import services
from training.symposia.models import Invitation, Symposium

BEIJING = ZoneInfo("Asia/Shanghai")


def fields(**overrides: object) -> services.SymposiumFields:
    """A symposium in Beijing about six weeks from now, answers due in a month."""
    day = (utcnow() + timedelta(days=45)).astimezone(BEIJING).date()
    values: dict[str, object] = dict(
        title="Cyber Counter-Terrorism Symposium",
        description="Platforms and police against terrorist use of the internet.",
        venue="Beijing International Convention Center",
        city="Beijing",
        timezone="Asia/Shanghai",
        starts_at=datetime(day.year, day.month, day.day, 9, 0),
        ends_at=datetime(day.year, day.month, day.day, 17, 0) + timedelta(days=1),
        capacity=10,
        rsvp_deadline=datetime(day.year, day.month, day.day, 18, 0) - timedelta(days=15),
        organiser_name="Chen Jing",
        organiser_email="organiser@mps.example",
    )
    values.update(overrides)
    return services.SymposiumFields(**values)  # type: ignore[arg-type]


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.COORDINATOR, country="CN", name="Chen Jing")


@pytest.fixture
def make_symposium(session: Session, coordinator: User) -> Callable[..., Symposium]:
    """Create (and by default publish) a symposium; committed."""

    def make(publish: bool = True, **overrides: object) -> Symposium:
        symposium = services.create_symposium(session, fields(**overrides), actor=coordinator)
        services.add_programme_session(
            session, symposium, actor=coordinator, title="Opening",
            starts_at=symposium.starts_at.astimezone(BEIJING).replace(tzinfo=None),
            ends_at=(symposium.starts_at + timedelta(hours=1)).astimezone(BEIJING).replace(tzinfo=None),
            room="Plenary hall")
        if publish:
            services.publish_symposium(session, symposium, actor=coordinator)
        session.commit()
        return symposium

    return make


@pytest.fixture
def symposium(make_symposium: Callable[..., Symposium]) -> Symposium:
    return make_symposium()


def last_link(session: Session, email: str) -> str:
    """The RSVP token in the newest queued mail to email (where the invitee finds it)."""
    body = session.scalars(
        sa.select(OutboxMessage.body).where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert body, f"no mail to {email}"
    match = re.search(r"/rsvp/([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


@pytest.fixture
def invite(session: Session, coordinator: User) -> Callable[..., tuple[Invitation, str]]:
    """Invite someone to a published symposium; returns the invitation and its token."""

    def do(symposium: Symposium, email: str = "policy@google.example", name: str = "Sarah Mitchell",
           organisation: str = "Google", delegates_allowed: int = 3) -> tuple[Invitation, str]:
        invitation = services.add_invitation(session, symposium, actor=coordinator, name=name, email=email,
                                             organisation=organisation, delegates_allowed=delegates_allowed)
        session.commit()
        return invitation, last_link(session, invitation.email)

    return do
