"""People who sign in: their role, country, language and timezone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.core import versions
from training.core.database import UTCDateTime, enum_column, utcnow
from training.core.extensions import db


class Role(StrEnum):
    """What a person may do; admin may do everything."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    FOCAL_POINT = "focal-point"
    INSTRUCTOR = "instructor"
    PERSONNEL = "personnel"

    @property
    def label(self) -> str:
        """The role's name in the reader's language."""
        return str(_ROLE_LABELS[self])


_ROLE_LABELS = {
    Role.ADMIN: _l("administrator"),
    Role.COORDINATOR: _l("coordinator"),
    Role.FOCAL_POINT: _l("focal point"),
    Role.INSTRUCTOR: _l("instructor"),
    Role.PERSONNEL: _l("personnel"),
}





# The longest text each field holds: the columns below, and the forms and API schemas that
# refuse longer input at the field before the database would.
MAX_EMAIL = 254  # the longest address SMTP delivers (RFC 5321)
MAX_NAME = 120
MAX_ORGANISATION = 200
MAX_TIMEZONE = 64
MAX_TOKEN_NAME = 100


class User(UserMixin, db.Model):
    """An account. A person nominated but not yet signed up has no password."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role != 'focal-point' OR country IS NOT NULL", name="focal_point_has_country"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(MAX_EMAIL), unique=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.PERSONNEL)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    organisation: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION), default="")
    timezone: Mapped[str] = mapped_column(sa.String(MAX_TIMEZONE), default="UTC")
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Signed cookies live in the browser, out of the server's reach: a browser session (and a
    # remember-me cookie) names the version it was signed in under, and raising the version
    # ends every one of them. Raised at sign-out, "sign out everywhere" and a new password.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The same for API tokens, which a sign-out in a browser leaves alone: raised by "sign out
    # everywhere" and a new password only.
    credentials_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # When the account was erased: its name, email and organisation were replaced, and it can
    # never sign in again; its enrolments keep their statuses under "erased person #id".
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def get_id(self) -> str:
        """Flask-Login's id for the session and remember-me cookies: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot sign in
        return self.active

    def has_role(self, *roles: Role) -> bool:
        """Whether this person holds one of roles; admin holds every role."""
        return self.role is Role.ADMIN or self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    """One bearer token of one user; the token itself is shown once and never stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_TOKEN_NAME), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The user's credentials_version when issued: a new password or "sign out everywhere" ends it.
    credentials_version: Mapped[int] = mapped_column(default=1, server_default="1")

    user: Mapped[User] = relationship(lazy="raise")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class FeedToken(db.Model):
    """The secret in one person's personal feed URL.

    The token itself is an HMAC of nonce under the application's secret key, so the
    profile can show the URL again while the database alone holds nothing that
    opens the feed: lookups go by token_hash (SHA-256 of the token). A new nonce
    replaces the token and the old URL stops working at once.
    """

    __tablename__ = "calendar_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class SignupRequest(db.Model):
    """A sign-up waiting for its owner to follow the link mailed to the address.

    Kept for every sign-up, also for an address that already has an account (whose owner
    gets a different mail and no link), so that both requests do the same work.
    """

    __tablename__ = "signup_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(MAX_EMAIL), index=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    organisation: Mapped[str] = mapped_column(sa.String(MAX_ORGANISATION), default="")
    timezone: Mapped[str] = mapped_column(sa.String(MAX_TIMEZONE), default="UTC")
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# --- data versions (training.core.versions) ------------------------------------------------

# A person's own feed is titled with their name, written in their language, and holds the
# invitations and meetings addressed to their email; signing in changes none of these. Closing
# the account (active) ends the feed, which workers that remember its token must learn at once.
_FEED_FIELDS = ("name", "email", "locale", "active")


def _user_scopes(user: User, _connection: sa.Connection) -> list[versions.Scope]:
    # Any change to the account: a page kept for a signed-in reader stands for its session being
    # alive (session_version, active) and for what it shows of them (name, role, language...).
    scopes: list[versions.Scope] = [(versions.PERSON, user.id)]
    state = sa.inspect(user)
    session = sa.orm.object_session(user)
    new = session is not None and user in session.new
    if new or any(state.attrs[field].history.has_changes() for field in _FEED_FIELDS):
        scopes.append((versions.OWNER, user.id))
    return scopes


def owners_by_email(connection: sa.Connection, emails: list[str]) -> list[versions.Scope]:
    """The own-feed scopes of the people with these addresses (invitations and meetings go by email)."""
    wanted = sorted({e.strip().lower() for e in emails if e})
    if not wanted:
        return []
    return [(versions.OWNER, user_id) for user_id in connection.scalars(
        sa.select(User.id).where(User.email.in_(wanted)))]


def _feed_token_scopes(token: FeedToken, _connection: sa.Connection) -> list[versions.Scope]:
    # A token created, replaced or erased: a worker that remembers the old one stops trusting it.
    return [(versions.OWNER, token.user_id)]


versions.watch(User, _user_scopes)
versions.watch(FeedToken, _feed_token_scopes)
