"""Fixtures for symposia: a coordinator, a published symposium, invitations and their links."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from tests import factories
from training.accounts.models import Role, User
from training.symposia.models import Invitation, Symposium

# A symposium in Beijing about six weeks from now, answers due in a month.
fields = factories.symposium_fields
# The RSVP token in the newest queued mail to an address (where the invitee finds it).
last_link = factories.last_link


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user(Role.COORDINATOR, country="CN", name="Chen Jing")


@pytest.fixture
def make_symposium(session: Session, coordinator: User) -> Callable[..., Symposium]:
    """Create (and by default publish) a symposium with its opening session; committed."""

    def make(publish: bool = True, **overrides: object) -> Symposium:
        return factories.symposium(session, coordinator, publish=publish, **overrides)

    return make


@pytest.fixture
def symposium(make_symposium: Callable[..., Symposium]) -> Symposium:
    return make_symposium()


@pytest.fixture
def invite(session: Session, coordinator: User) -> Callable[..., tuple[Invitation, str]]:
    """Invite someone to a published symposium; returns the invitation and its token."""

    def do(symposium: Symposium, email: str = "policy@google.example", name: str = "Sarah Mitchell",
           organisation: str = "Google", delegates_allowed: int = 3) -> tuple[Invitation, str]:
        return factories.invitation(session, coordinator, symposium, email=email, name=name,
                                    organisation=organisation, delegates_allowed=delegates_allowed)

    return do
