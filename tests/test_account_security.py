"""Accounts an attacker can neither guess, take over nor enumerate."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token, sign_in
from tests.servers import REDIS_GUESSES_DB, redis_url
from training import create_app
from training.accounts import services, tokens
from training.accounts.models import User
from training.core.extensions import db, limiter


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


# --- sessions end with the password, at sign-out, and on "sign out everywhere" ---

def _reset_password(client, session, mailbox, user, new_password):
    from training.outbox.services import deliver_pending

    client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(client, "/reset")})
    deliver_pending(session)
    [message] = mailbox.to(user.email)
    link = re.search(r"http://training\.test(/reset/\S+)", message.get_content()).group(1)
    response = client.post(link, data={"password": new_password, "confirm": new_password,
                                       "csrf_token": csrf_token(client, link)})
    assert response.status_code == 302


def _signed_in(app, cookies: dict[str, str]) -> bool:
    """Whether a browser holding only these cookies is signed in."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other.get("/profile").status_code == 200


def test_an_old_session_cookie_is_dead_after_a_password_reset(app, login, make_user, session, mailbox):
    user = make_user(email="victim@example.org")
    client = login(user)
    stolen = {"session": client.get_cookie("session").value}
    assert _signed_in(app, stolen)
    _reset_password(app.test_client(), session, mailbox, user, "a brand new passphrase")
    assert not _signed_in(app, stolen)


def test_a_remember_me_cookie_is_dead_after_a_password_reset(app, client, make_user, session, mailbox):
    user = make_user(email="victim@example.org")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y",
                                "csrf_token": csrf_token(client, "/login")})
    stolen = {"remember_token": client.get_cookie("remember_token").value}
    assert _signed_in(app, stolen)
    _reset_password(app.test_client(), session, mailbox, user, "a brand new passphrase")
    assert not _signed_in(app, stolen)


def test_a_session_cookie_captured_before_sign_out_is_dead_after_it(app, login, make_user):
    client = login(make_user())
    stolen = {"session": client.get_cookie("session").value}
    assert _signed_in(app, stolen)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(app, stolen)


def test_a_password_change_on_the_profile_signs_out_other_browsers_but_not_this_one(app, login, make_user,
                                                                                    session):
    user = make_user()
    other_browser = app.test_client()
    sign_in(other_browser, user)
    client = login(user)
    new = "a brand new passphrase"
    response = client.post("/profile/password", data={
        "current_password": PASSWORD, "password": new, "confirm": new,
        "csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other_browser.get("/profile").status_code == 302
    session.expire_all()
    assert services.authenticate(session, user.email, new) is not None


def test_a_password_change_needs_the_current_password_and_follows_the_policy(login, make_user, session):
    user = make_user()
    client = login(user)
    cases = [("current_password", "not my password", "a brand new passphrase", "Wrong password."),
             ("password", PASSWORD, "password12", "list of common passwords")]
    for field, current, new, message in cases:
        response = client.post("/profile/password", data={
            "current_password": current, "password": new, "confirm": new,
            "csrf_token": csrf_token(client, "/profile")})
        assert response.status_code == 400
        assert message in _field_errors(response.get_data(as_text=True), field), field
    session.expire_all()
    assert services.authenticate(session, user.email, PASSWORD) is not None


def test_sign_out_everywhere_ends_every_browser_and_needs_csrf(app, login, make_user):
    user = make_user()
    other_browser = app.test_client()
    sign_in(other_browser, user)
    client = login(user)
    assert "Sign out everywhere" in client.get("/profile").get_data(as_text=True)
    assert client.post("/profile/sign-out-everywhere").status_code == 400
    assert other_browser.get("/profile").status_code == 200
    response = client.post("/profile/sign-out-everywhere",
                           data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 302
    assert other_browser.get("/profile").status_code == 302
    assert client.get("/profile").status_code == 302


# --- guesses are limited per account, whatever the addresses they come from ---

REDIS_URL = redis_url(REDIS_GUESSES_DB)  # a database of these tests' own, flushed before and after


# The test ids name the store, not its URL: every pytest-xdist worker must collect the same ids.
@pytest.fixture(params=["memory://", "redis"])
def limited_app(request, app):
    """The application with rate limits on, counting in memory or in a shared Redis."""
    import redis

    from training import create_app

    storage = REDIS_URL if request.param == "redis" else request.param
    if request.param.startswith("redis"):
        redis.Redis.from_url(REDIS_URL).flushdb()
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage,
                                     "WTF_CSRF_ENABLED": False})
    yield limited
    with limited.app_context():
        db.engine.dispose()
    if request.param.startswith("redis"):
        redis.Redis.from_url(REDIS_URL).flushdb()


def _from(address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": address}


def test_password_guesses_spread_over_many_addresses_are_slowed_per_account(limited_app, make_user):
    victim = make_user(email="victim@example.org")
    client = limited_app.test_client()
    guesses = [client.post("/login", data={"email": "Victim@Example.org ", "password": f"guess {n}"},
                           environ_base=_from(f"198.51.100.{n}")).status_code for n in range(11)]
    assert guesses == [400] * 10 + [429]
    # Another account from the same addresses is not held back by the victim's count.
    other = client.post("/login", data={"email": "someone.else@example.org", "password": "guess"},
                        environ_base=_from("198.51.100.1"))
    assert other.status_code == 400
    assert victim.email == "victim@example.org"


def test_token_requests_spread_over_many_addresses_are_slowed_per_account(limited_app, make_user):
    make_user(email="victim@example.org")
    client = limited_app.test_client()
    statuses = [client.post("/api/v1/tokens", json={"email": "victim@example.org", "password": "guess"},
                            environ_base=_from(f"203.0.113.{n}")).status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]


def test_reset_mails_to_one_address_are_limited_whatever_the_sender(limited_app, make_user):
    make_user(email="victim@example.org")
    client = limited_app.test_client()
    statuses = [client.post("/reset", data={"email": "victim@example.org"},
                            environ_base=_from(f"192.0.2.{n}")).status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]


# --- behind the TLS proxy, per-address limits count each client, not the proxy ---

PROXY = "10.0.0.2"  # where every request comes from behind the proxy


def _behind_proxy(app, trusted_proxies: int):
    """A client of an application with rate limits on, reached through the proxy."""
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False,
                                     "PROXY_FIX_X_FOR": trusted_proxies})
    limiter.reset()
    return limited


def _sign_ins(client, forwarded_for: str, count: int) -> list[int]:
    """count failed sign-ins, each for another account, forwarded by the proxy for forwarded_for."""
    return [client.post("/login", data={"email": f"nobody{n}@example.org", "password": "guess"},
                        environ_base={"REMOTE_ADDR": PROXY},
                        headers={"X-Forwarded-For": forwarded_for}).status_code
            for n in range(count)]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_sign_in_limit(app):
    limited = _behind_proxy(app, trusted_proxies=1)
    client = limited.test_client()
    assert _sign_ins(client, "198.51.100.7", 11) == [400] * 10 + [429]
    # Another client behind the same proxy is not held back by the first one's count ...
    assert _sign_ins(client, "203.0.113.9", 1) == [400]
    # ... and the first cannot get out of its own by sending an X-Forwarded-For of its choice:
    # the proxy appends the address it saw, the only one trusted.
    assert _sign_ins(client, "192.0.2.1, 198.51.100.7", 1) == [429]
    with limited.app_context():
        db.engine.dispose()


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(app):
    limited = _behind_proxy(app, trusted_proxies=0)
    client = limited.test_client()
    assert _sign_ins(client, "198.51.100.7", 10) == [400] * 10
    # A made-up X-Forwarded-For does not buy a fresh count.
    assert _sign_ins(client, "203.0.113.9", 1) == [429]
    with limited.app_context():
        db.engine.dispose()


# --- nobody learns from sign-up or reset whether an address has an account ---

def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "csrf", html)


def test_signing_up_with_a_taken_address_answers_exactly_like_a_new_address(app, make_user, session,
                                                                            mailbox):
    from training.outbox.services import deliver_pending

    make_user(email="taken@example.org", name="Tom Taken")
    answers = []
    for address in ("taken@example.org", "new.person@example.org"):
        browser = app.test_client()
        response = browser.post("/signup", data=_signup_data(browser, email=address, name="Someone Else"))
        answers.append((response.status_code, _without_csrf(response.get_data(as_text=True))))
    assert answers[0] == answers[1] and answers[0][0] == 200
    assert "Check your mail" in answers[0][1] and "already" not in answers[0][1]
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1

    deliver_pending(session)
    [warning] = mailbox.to("taken@example.org")
    assert "Someone tried to sign up" in warning["Subject"]
    assert "Tom Taken" in warning.get_content() and "/signup/" not in warning.get_content()
    [invitation] = mailbox.to("new.person@example.org")
    link = re.search(r"http://training\.test(/signup/\S+)", invitation.get_content()).group(1)

    browser = app.test_client()
    assert browser.get(link).status_code == 200  # following the link alone creates nothing
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    response = browser.post(link, data={"csrf_token": csrf_token(browser, link)})
    assert response.status_code == 302 and browser.get("/profile").status_code == 200
    session.expire_all()
    assert services.authenticate(session, "new.person@example.org", PASSWORD) is not None
    # The link works once.
    assert app.test_client().get(link).status_code == 302


def test_a_reset_request_answers_the_same_for_a_known_and_an_unknown_address(app, make_user, session,
                                                                            mailbox):
    from training.outbox.services import deliver_pending

    make_user(email="known@example.org")
    answers = []
    for address in ("known@example.org", "unknown@example.org"):
        browser = app.test_client()
        response = browser.post("/reset", data={"email": address,
                                                "csrf_token": csrf_token(browser, "/reset")})
        page = browser.get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"],
                        _without_csrf(page.get_data(as_text=True))))
    assert answers[0] == answers[1]
    deliver_pending(session)
    [reset] = mailbox.to("known@example.org")
    assert "/reset/" in reset.get_content()
    [neutral] = mailbox.to("unknown@example.org")
    assert "/reset/" not in neutral.get_content() and "http://training.test/signup" in neutral.get_content()


@pytest.mark.parametrize("how", ["profile", "reset"])
def test_a_new_password_retires_the_personal_calendar_address_and_says_so(app, client, make_user, session,
                                                                           mailbox, how):
    user = make_user()
    old_address = f"/calendar/feeds/{tokens.replace_feed_token(session, user)}.ics"
    session.commit()
    assert client.get(old_address).status_code == 200
    new = "a brand new passphrase"
    if how == "profile":
        sign_in(client, user)
        client.post("/profile/password", data={"current_password": PASSWORD, "password": new, "confirm": new,
                                               "csrf_token": csrf_token(client, "/profile")})
    else:
        _reset_password(client, session, mailbox, user, new)
    told = client.get("/profile" if how == "profile" else "/login").get_data(as_text=True)
    assert "Your personal calendar address stopped working with the old password" in told
    assert client.get(old_address).status_code == 404
    session.expire_all()
    assert tokens.feed_token(session, user) is None  # the profile offers to make a new one
