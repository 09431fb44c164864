"""Over the API too: no common passwords, no tokens that outlive the password, per-account limits."""

from __future__ import annotations

import pytest

from training.accounts import services
from training.accounts.models import Role


def test_a_common_password_is_refused_by_the_services_and_the_api(client, session, make_user, bearer):
    with pytest.raises(services.DomainError) as refused:
        services.create_user(session, email="x@example.org", name="X", password="1234567890")
    assert refused.value.field == "password"
    session.rollback()
    coordinator = bearer(make_user(role=Role.COORDINATOR))
    response = client.post("/api/v1/users", headers=coordinator, json={
        "email": "y@example.org", "name": "Y", "country": "US", "password": "password12"})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "password" in response.json["errors"]
