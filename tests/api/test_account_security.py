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


def _me(client, headers):
    return client.get("/api/v1/me", headers=headers).status_code


def test_an_api_token_issued_before_a_password_reset_stops_working(client, session, make_user, bearer):
    user = make_user()
    headers = bearer(user)
    assert _me(client, headers) == 200
    token = services.password_reset_token(user)
    services.reset_password(session, token, "a brand new passphrase")
    session.commit()
    assert _me(client, headers) == 401
    assert _me(client, bearer(user)) == 200  # a token issued afterwards works


def test_sign_out_everywhere_ends_api_tokens_but_signing_out_of_a_browser_does_not(client, session,
                                                                                  make_user, bearer):
    user = make_user()
    headers = bearer(user)
    services.sign_out(session, user)
    session.commit()
    assert _me(client, headers) == 200
    services.sign_out_everywhere(session, user)
    session.commit()
    assert _me(client, headers) == 401
