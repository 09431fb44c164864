"""Accounts an attacker can neither guess, take over nor enumerate."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token
from training.accounts.models import User


def _field_errors(html: str, field: str) -> str:
    block = re.search(rf'id="{field}-error">(.*?)</ul>', html, re.S)
    return block.group(1) if block else ""


def _signup_data(client, **overrides):
    data = {"csrf_token": csrf_token(client, "/signup"), "name": "Jane Doe",
            "email": "jane.doe@example.org", "organisation": "FBI", "country": "US",
            "timezone": "America/New_York", "locale": "", "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return data


# --- the password policy ---

@pytest.mark.parametrize("password", ["password12", "1234567890", "QWERTYUIOP", "password123"])
def test_a_common_password_is_refused_at_the_signup_field(client, session, password):
    response = client.post("/signup", data=_signup_data(client, password=password, confirm=password))
    assert response.status_code == 400
    assert "list of common passwords" in _field_errors(response.get_data(as_text=True), "password")
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", ["JaneDoe2024!", "jane.doe@example.org", "jane-family-2024"])
def test_a_password_made_of_ones_own_name_or_email_is_refused(client, password):
    response = client.post("/signup", data=_signup_data(client, password=password, confirm=password))
    assert response.status_code == 400
    assert "must not contain your name or email" in _field_errors(response.get_data(as_text=True),
                                                                  "password")


def test_the_policy_message_is_in_chinese_for_a_chinese_reader(client):
    client.set_cookie("locale", "zh_Hans")
    response = client.post("/signup", data=_signup_data(client, password="password12",
                                                        confirm="password12"))
    errors = _field_errors(response.get_data(as_text=True), "password")
    assert response.status_code == 400 and "常用密码" in errors
