"""`flask users create` and `flask demo` from the command line."""

from __future__ import annotations

import sqlalchemy as sa

from training.accounts.models import Role, User
from training.demo.accounts import DEMO_LOGINS


def _create(app, *args):
    return app.test_cli_runner().invoke(args=["users", "create", *args])


def test_users_create_makes_an_account(app, session):
    result = _create(app, "--email", "fp@example.org", "--name", "Focal", "--role", "focal-point",
                     "--country", "cn", "--password", "long enough password")
    assert result.exit_code == 0, result.output
    user = session.scalar(sa.select(User).where(User.email == "fp@example.org"))
    assert user.role is Role.FOCAL_POINT and user.country == "CN"


def test_users_create_refuses_bad_input_with_a_message(app, session):
    base = ["--name", "X", "--password", "long enough password"]
    _create(app, "--email", "dup@example.org", "--role", "personnel", *base)
    cases = [
        (["--email", "dup@example.org", "--role", "personnel"], "already exists"),
        (["--email", "a@example.org", "--role", "sheriff"], "Unknown role sheriff"),
        (["--email", "b@example.org", "--role", "focal-point"], "focal point must belong to a country"),
        (["--email", "c@example.org", "--role", "personnel", "--country", "ZZZ"], "Unknown country code"),
    ]
    for args, message in cases:
        result = _create(app, *args, *base)
        assert result.exit_code != 0, args
        assert message in result.output, result.output
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_demo_is_idempotent_and_prints_one_login_per_role(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    count = session.scalar(sa.select(sa.func.count()).select_from(User))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == count
    for email, _role, password in DEMO_LOGINS:
        assert email in first.output and password in first.output
    assert {role for _e, role, _p in DEMO_LOGINS} == {r.value for r in Role}
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert "already has data" in skipped.output
