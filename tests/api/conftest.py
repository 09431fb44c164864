"""API fixtures: bearer tokens for users."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from training.accounts.models import User
from training.api.services import issue_token


@pytest.fixture
def bearer(session) -> Callable[[User], dict[str, str]]:
    """Authorization headers with a fresh token for user."""

    def headers_for(user: User) -> dict[str, str]:
        token, _row = issue_token(session, user)
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers_for
