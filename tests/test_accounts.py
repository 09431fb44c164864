"""Sign-up, sign-in, the next= redirect, profiles and password resets."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from tests.conftest import PASSWORD, csrf_token
from training import create_app
from training.accounts import services
from training.accounts.models import Role, User
from training.audit.models import AuditEntry
from training.outbox.models import OutboxMessage
from training.outbox.services import deliver_pending


def _signup_data(client, **overrides):
    data = {
        "csrf_token": csrf_token(client, "/signup"),
        "name": "Jane Doe",
        "email": "Jane.Doe@Example.org",
        "organisation": "FBI",
        "country": "US",
        "timezone": "America/New_York",
        "locale": "",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_personnel_signs_up_through_the_mailed_link_and_is_signed_in(
    client, session, mailbox, production_password_hashing
):
    response = client.post("/signup", data=_signup_data(client))
    assert response.status_code == 200 and "Check your mail" in response.get_data(as_text=True)
    deliver_pending(session)
    [message] = mailbox.to("jane.doe@example.org")
    link = re.search(r"http://training\.test(/signup/\S+)", message.get_content()).group(1)
    response = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert response.status_code == 302
    user = session.scalar(sa.select(User).where(User.email == "jane.doe@example.org"))
    assert user is not None and user.role is Role.PERSONNEL and user.country == "US"
    assert user.password_hash and PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    home = client.get("/").get_data(as_text=True)
    assert "Jane Doe" in home and "United States" in home


@pytest.mark.parametrize("environment", ["production", "development"])
def test_outside_the_test_suite_passwords_are_hashed_with_scrypt(environment, tmp_path):
    app = create_app(environment, {
        "SECRET_KEY": "a-secret-key-of-at-least-32-bytes-for-production",
        "BASE_URL": "https://training.example.org",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'training.sqlite'}",
    })
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        user = User(email="jane.doe@example.org", name="Jane Doe", role=Role.PERSONNEL, country="US")
        services.set_password(user, PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, PASSWORD)


def test_signup_shows_country_names_not_codes(client):
    html = client.get("/signup").get_data(as_text=True)
    assert '<option value="CN">China</option>' in html
    assert '<option value="US">United States</option>' in html


def test_signup_refuses_bad_input_beside_the_field_and_changes_nothing(client, session, make_user):
    make_user(email="taken@example.org")
    cases = {
        "country": ("XX", "Not a valid choice"),
        "timezone": ("Mars/Olympus", "Not a valid choice"),
        "password": ("short", "Use between 10 and 200 characters."),
    }
    for field, (value, message) in cases.items():
        overrides = {field: value}
        if field == "password":
            overrides["confirm"] = value
        response = client.post("/signup", data=_signup_data(client, **overrides))
        html = response.get_data(as_text=True)
        assert response.status_code == 400, field
        error_block = re.search(rf'id="{field}-error">(.*?)</ul>', html, re.S)
        assert error_block and message in error_block.group(1), (field, html[:2000])
    # A taken address is not refused at the field, which would tell anyone it has an account:
    # the answer is the one every sign-up gets, and the owner is told by mail.
    response = client.post("/signup", data=_signup_data(client, email="taken@example.org"))
    assert response.status_code == 200 and "already exists" not in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_signup_without_csrf_token_is_refused(client, session):
    data = _signup_data(client)
    del data["csrf_token"]
    response = client.post("/signup", data=data)
    assert response.status_code == 400
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_login_with_wrong_password_says_so_at_the_field(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "wrong password",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 400
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_login_redirects_only_to_this_site(client, make_user):
    user = make_user()
    for target, expected in [
        ("/profile", "/profile"),
        ("https://evil.example/steal", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
    ]:
        client.get("/")  # fresh page, fresh token
        token = csrf_token(client, "/login")
        response = client.post(f"/login?next={target}", data={
            "email": user.email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_remember_me_sets_a_long_lived_cookie(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "remember": "y", "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_logout_needs_a_post_with_csrf(login, make_user):
    client = login(make_user(name="Ada Lovelace"))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert "Ada Lovelace" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert "Ada Lovelace" not in client.get("/").get_data(as_text=True)


def test_profile_edit_saves_and_refuses_bad_timezone(login, make_user, session):
    user = make_user()
    client = login(user)
    data = {"csrf_token": csrf_token(client, "/profile"), "name": "New Name", "organisation": "DHS",
            "country": "US", "timezone": "Asia/Shanghai", "locale": "zh_Hans"}
    assert client.post("/profile", data=data).status_code == 302
    session.refresh(user)
    assert (user.name, user.timezone, user.locale) == ("New Name", "Asia/Shanghai", "zh_Hans")
    bad = dict(data, timezone="Nowhere/Land", name="Other")
    assert client.post("/profile", data=bad).status_code == 400
    session.refresh(user)
    assert user.name == "New Name"


def test_profile_needs_sign_in(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"] in ("/login?next=/profile", "/login?next=%2Fprofile")


def test_password_reset_link_is_mailed_works_once_and_expires(app, client, session, make_user, mailbox):
    user = make_user(email="reset.me@example.org")
    response = client.post("/reset", data={"email": "Reset.Me@example.org",
                                           "csrf_token": csrf_token(client, "/reset")})
    assert response.status_code == 302
    # Unknown addresses get the same answer, and a mail without a reset link.
    client.post("/reset", data={"email": "nobody@example.org", "csrf_token": csrf_token(client, "/reset")})
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2
    assert deliver_pending(session).sent == 2
    [neutral] = mailbox.to("nobody@example.org")
    assert "/reset/" not in neutral.get_content()
    [message] = mailbox.to("reset.me@example.org")
    link = re.search(r"http://training\.test(/reset/\S+)", message.get_content()).group(1)

    new_password = "a brand new passphrase"
    token = csrf_token(client, link)
    assert client.post(link, data={"password": new_password, "confirm": new_password,
                                   "csrf_token": token}).status_code == 302
    session.expire_all()
    assert services.authenticate(session, user.email, new_password) is not None
    # Single use: the same link is dead now.
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/reset")
    assert session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.password_reset"))

    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    fresh = services.password_reset_token(user)
    assert client.get(f"/reset/{fresh}").status_code == 302


def test_reset_with_a_forged_token_changes_nothing(client, make_user, session):
    user = make_user()
    before = user.password_hash
    response = client.post("/reset/not-a-token", data={
        "password": "x" * 12, "confirm": "x" * 12, "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    session.refresh(user)
    assert user.password_hash == before


def test_services_refuse_duplicate_email_case_insensitively(session, make_user):
    make_user(email="dup@example.org")
    try:
        services.create_user(session, email="DUP@example.org", name="Other", password=PASSWORD)
    except services.Conflict as error:
        assert error.field == "email"
    else:
        raise AssertionError("duplicate email accepted")


def test_focal_point_needs_a_country(session):
    try:
        services.create_user(session, email="fp@example.org", name="FP",
                             role=Role.FOCAL_POINT, country=None, password=PASSWORD)
    except services.DomainError as error:
        assert error.field == "country"
    else:
        raise AssertionError("focal point without country accepted")
