"""Accounts: creating people, signing in, profiles, roles and password resets."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from training.accounts.models import FeedToken, Role, SignupRequest, User
from training.accounts.passwords import (  # noqa: F401 - the forms and the API size fields by these
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_password,
)
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Forbidden
from training.core.urls import external_url
from training.outbox.services import queue_mail


def _hash_method() -> str:
    """How passwords are hashed: scrypt (Werkzeug's default) unless the configuration says otherwise."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


@cache
def _dummy_hash(method: str) -> str:
    """Compared against when the email is unknown, so a miss costs as much as a hit."""
    return generate_password_hash("not-a-real-password", method=method)


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively; keep them lower-case and trimmed."""
    return email.strip().lower()


@cache
def _account_with_id() -> sa.Select[tuple[User]]:
    return sa.select(User).where(User.id == sa.bindparam("user_id"))


def account_with_id(session: Session, user_id: int) -> User | None:
    """The account with this id, if any: session.get() for the user loader, which runs on every
    signed-in request and finds nothing in the identity map yet. A statement built once is found
    compiled in SQLAlchemy's cache; get() builds and keys a new one every time."""
    return session.scalar(_account_with_id(), {"user_id": user_id})


def find_by_email(session: Session, email: str) -> User | None:
    """The account with this email, if any."""
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def set_password(user: User, password: str) -> None:
    """Check a new password against the policy, hash and store it (scrypt unless configured),
    and end every session and API token signed in with the old one, and the personal calendar
    address: whoever took over the account may have copied it. The person makes a new one."""
    check_password(password, email=user.email, name=user.name)
    user.password_hash = generate_password_hash(password, method=_hash_method())
    end_sessions(user, api_tokens=True)
    session = sa.orm.object_session(user)
    if session is not None and user.id is not None:
        # Through the ORM, so that the `owner` version rises and no worker serves the old address.
        for feed_token in session.scalars(sa.select(FeedToken).where(FeedToken.user_id == user.id)):
            session.delete(feed_token)


def end_sessions(user: User, *, api_tokens: bool) -> None:
    """End every browser session of user (and with api_tokens, every API token) at once.

    Sessions and tokens name the version they were made under; the next request that shows
    one compares it with these counters, so a stolen cookie or token dies here too.
    """
    user.session_version = (user.session_version or 0) + 1
    if api_tokens:
        user.credentials_version = (user.credentials_version or 0) + 1


def sign_out(session: Session, user: User) -> None:
    """Sign user out of the browser: this session and any copy of its cookies stop working.

    Sessions are signed cookies the server does not list, so a sign-out ends the user's other
    browser sessions as well; API tokens are left to their own page.
    """
    end_sessions(user, api_tokens=False)
    session.flush()


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every browser session and API token of user, for a lost device or a leaked secret."""
    end_sessions(user, api_tokens=True)
    session.flush()
    record(session, actor=user, action="user.signed_out_everywhere", subject=user)


def change_password(session: Session, user: User, *, current_password: str, new_password: str) -> User:
    """A signed-in person sets a new password, proving they know the current one."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current_password):
        raise DomainError(_("Wrong password."), field="current_password")
    set_password(user, new_password)
    session.flush()
    record(session, actor=user, action="user.password_changed", subject=user)
    return user


def _check_profile(role: Role, country: str | None, timezone: str, locale: str | None) -> None:
    if country and not i18n.is_country_code(country):
        raise DomainError(_("Unknown country code %(code)s.", code=country), field="country")
    if role is Role.FOCAL_POINT and not country:
        raise DomainError(_("A focal point must belong to a country."), field="country")
    if not i18n.is_timezone(timezone):
        raise DomainError(_("Unknown timezone %(tz)s.", tz=timezone), field="timezone")
    if locale is not None and locale not in i18n.SUPPORTED_LOCALES:
        raise DomainError(_("Unsupported language %(code)s.", code=locale), field="locale")


def parse_role(value: str) -> Role:
    """The Role named by value, or a clear refusal listing the roles."""
    try:
        return Role(value)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise DomainError(
            _("Unknown role %(role)s; choose one of %(roles)s.", role=value, roles=roles),
            field="role",
        ) from None


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role | str = Role.PERSONNEL,
    country: str | None = None,
    password: str | None = None,
    organisation: str = "",
    timezone: str = "UTC",
    locale: str | None = None,
    actor: User | None = None,
    via: str = "web",
) -> User:
    """Create an account; without a password the person must set one through a reset link."""
    role = parse_role(role) if isinstance(role, str) else role
    email = normalise_email(email)
    country = country.strip().upper() if country else None
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    _check_profile(role, country, timezone, locale)
    if find_by_email(session, email) is not None:
        raise Conflict(_("An account with %(email)s already exists.", email=email), field="email")
    user = User(
        email=email,
        name=name,
        role=role,
        country=country,
        organisation=organisation.strip(),
        timezone=timezone,
        locale=locale,
    )
    if password is not None:
        set_password(user, password)
    session.add(user)
    try:
        # The unique index decides between two simultaneous sign-ups with one email.
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(
            _("An account with %(email)s already exists.", email=email), field="email"
        ) from None
    record(session, actor=actor or user, action="user.created", subject=user,
           after=snapshot(user), via=via)
    return user


def create_user_as(session: Session, actor: User, *, role: Role | str, country: str | None,
                   password: str | None = None, **fields: Any) -> User:
    """Create an account on someone's behalf: coordinators any role but admin; a focal
    point only personnel of their own country; an admin anyone."""
    role = parse_role(role) if isinstance(role, str) else role
    country = country.strip().upper() if country else None
    if actor.role is Role.FOCAL_POINT:
        if role is not Role.PERSONNEL or country != actor.country:
            raise Forbidden(_("A focal point creates accounts only for personnel of their own country."))
    elif actor.role is Role.COORDINATOR and role is Role.ADMIN:
        raise Forbidden(_("Only an administrator can create an administrator."))
    elif not actor.has_role(Role.COORDINATOR):
        raise Forbidden(_("You cannot create accounts."))
    user = create_user(session, role=role, country=country, password=password, actor=actor, **fields)
    if password is None:
        queue_mail(session, to=user.email, template="account_invitation", locale=user.locale,
                   user=user, inviter=actor,
                   url=external_url("accounts.reset_password", token=password_reset_token(user)))
    return user



def snapshot(user: User) -> dict[str, Any]:
    """The audited fields of an account (never the password hash)."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "country": user.country,
        "active": user.active,
    }


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active account whose email and password match, else None."""
    user = find_by_email(session, email)
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(_hash_method()), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def update_profile(
    session: Session,
    user: User,
    *,
    name: str,
    organisation: str,
    country: str | None,
    timezone: str,
    locale: str | None,
) -> User:
    """Change what a person may change about themselves."""
    country = country.strip().upper() if country else None
    if not name.strip():
        raise DomainError(_("A name is required."), field="name")
    # A focal point's country is their mandate, changed only by an admin.
    if user.role is Role.FOCAL_POINT and country != user.country:
        raise DomainError(
            _("Only an administrator can change a focal point's country."), field="country"
        )
    _check_profile(user.role, country, timezone, locale)
    user.name = name.strip()
    user.organisation = organisation.strip()
    user.country = country
    user.timezone = timezone
    user.locale = locale
    session.flush()
    return user


def change_role(
    session: Session, user: User, *, role: Role | str, country: str | None, actor: User
) -> User:
    """An admin sets a person's role (and, for a focal point, their country)."""
    role = parse_role(role) if isinstance(role, str) else role
    country = country.strip().upper() if country else None
    _check_profile(role, country, user.timezone, user.locale)
    if user.id == actor.id and role is not Role.ADMIN:
        raise DomainError(_("You cannot remove your own administrator role."), field="role")
    before = snapshot(user)
    user.role = role
    user.country = country
    session.flush()
    record(session, actor=actor, action="user.role_changed", subject=user,
           before=before, after=snapshot(user))
    return user


def list_users(session: Session) -> Sequence[User]:
    """Every account, by name."""
    return session.scalars(sa.select(User).order_by(User.name, User.id)).all()


# --- password reset: a signed, expiring link that dies once the password changes ---

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does, which makes every earlier link single-use.
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def password_reset_token(user: User) -> str:
    """A signed token naming the user and the password it may replace."""
    return _reset_serializer().dumps({"id": user.id, "fp": _password_fingerprint(user)})


def request_password_reset(session: Session, email: str, *, locale: str | None = None) -> None:
    """Mail a reset link to an account's address, or tell an address without a usable account so.

    Both cases read one row and queue one mail, and the caller answers alike: neither the
    answer nor its timing tells whether the address has an account.
    """
    email = normalise_email(email)
    user = find_by_email(session, email)
    if user is not None and user.active:
        queue_mail(
            session,
            to=user.email,
            template="password_reset",
            locale=user.locale,
            user=user,
            url=external_url("accounts.reset_password", token=password_reset_token(user)),
            minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
        )
    else:
        # The owner of the address learns that nobody can sign in with it (they may have
        # signed up with another one); nobody else learns anything.
        queue_mail(session, to=email, template="password_reset_no_account", locale=locale,
                   signup_url=external_url("accounts.signup"))


# --- sign-up: the same answer whether or not the address has an account ---

def _hash_signup_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_signup(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    country: str | None = None,
    organisation: str = "",
    timezone: str = "UTC",
    locale: str | None = None,
) -> None:
    """Start a sign-up: check the input, keep it, and mail the address.

    A new address gets a link that creates the account; an address with an account gets a
    mail saying someone tried to sign up with it. Both paths hash the password, read one
    user row, write one sign-up row and queue one mail, so the person signing up cannot tell
    the two apart, by the answer or by its time.
    """
    email = normalise_email(email)
    country = country.strip().upper() if country else None
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    _check_profile(Role.PERSONNEL, country, timezone, locale)
    check_password(password, email=email, name=name)
    max_age = current_app.config["SIGNUP_CONFIRM_MAX_AGE"]
    session.execute(sa.delete(SignupRequest).where(
        SignupRequest.created_at < utcnow() - timedelta(seconds=max_age)))
    token = secrets.token_urlsafe(32)
    session.add(SignupRequest(
        token_hash=_hash_signup_token(token), email=email, name=name,
        password_hash=generate_password_hash(password, method=_hash_method()), country=country,
        organisation=organisation.strip(), timezone=timezone, locale=locale,
    ))
    existing = find_by_email(session, email)
    if existing is None:
        queue_mail(session, to=email, template="signup_confirm", locale=locale, name=name,
                   url=external_url("accounts.confirm_signup", token=token), hours=max_age // 3600)
    else:
        queue_mail(session, to=existing.email, template="signup_existing_account",
                   locale=existing.locale or locale, user=existing,
                   login_url=external_url("accounts.login"),
                   reset_url=external_url("accounts.reset_request"))


def signup_request_for(session: Session, token: str) -> SignupRequest:
    """The unexpired sign-up a link's token belongs to."""
    max_age = timedelta(seconds=current_app.config["SIGNUP_CONFIRM_MAX_AGE"])
    row = session.scalar(sa.select(SignupRequest).where(
        SignupRequest.token_hash == _hash_signup_token(token)))
    if row is None or row.created_at < utcnow() - max_age:
        raise DomainError(_("This sign-up link is invalid or has expired. Sign up again."))
    return row


def confirm_signup(session: Session, token: str) -> User:
    """Create the account a sign-up link stands for; the link (and any other for the address) dies."""
    pending = signup_request_for(session, token)
    user = create_user(session, email=pending.email, name=pending.name, country=pending.country,
                       organisation=pending.organisation, timezone=pending.timezone,
                       locale=pending.locale)
    # The password was checked against the policy and hashed when the person chose it.
    user.password_hash = pending.password_hash
    session.execute(sa.delete(SignupRequest).where(SignupRequest.email == pending.email))
    session.flush()
    return user


def user_for_reset_token(session: Session, token: str) -> User:
    """The user a valid, unexpired, unused reset token belongs to."""
    invalid = DomainError(_("This reset link is invalid or has expired. Ask for a new one."))
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        raise invalid from None
    if not isinstance(data, dict):
        raise invalid
    user = session.get(User, data.get("id"))
    if user is None or not user.active or data.get("fp") != _password_fingerprint(user):
        raise invalid
    return user


def reset_password(session: Session, token: str, password: str) -> User:
    """Set a new password through a reset link; the link cannot be used again."""
    user = user_for_reset_token(session, token)
    set_password(user, password)
    session.flush()
    record(session, actor=user, action="user.password_reset", subject=user)
    return user
