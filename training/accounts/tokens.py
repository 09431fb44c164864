"""Secrets that stand for a person: API bearer tokens and personal calendar feed tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import ApiToken, FeedToken, User
from training.audit.services import record
from training.core import versions
from training.core.database import utcnow
from training.core.errors import NotFound
from training.core.memo import FingerprintCache, app_cache

# --- API bearer tokens ---------------------------------------------------------------------

TOKEN_LIFETIME = timedelta(days=30)
# Only a token's hash is stored; a token is looked up by hash and compared in constant time.
_PREFIX = "trn_"


def hash_token(token: str) -> str:
    """The SHA-256 hex digest kept in place of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, *, name: str = "", lifetime: timedelta = TOKEN_LIFETIME
) -> tuple[str, ApiToken]:
    """A new bearer token (256 random bits) for user, and its stored record."""
    token = _PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), name=name.strip()[:100],
                   expires_at=utcnow() + lifetime, credentials_version=user.credentials_version)
    session.add(row)
    session.flush()
    record(session, actor=user, action="api_token.issued", subject=row,
           after={"name": row.name, "expires_at": row.expires_at.isoformat()})
    return token, row


def user_for_api_token(session: Session, token: str) -> User | None:
    """The active user a usable API token belongs to, else None (also once the user's password
    changed or they signed out everywhere since the token was issued)."""
    if not token.startswith(_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    found = session.execute(_TOKEN_WITH_USER, {"digest": digest}).first()
    if found is None:
        return None
    row, user = found
    if not hmac.compare_digest(row.token_hash, digest) or not row.is_usable(utcnow()):
        return None
    if not user.active or user.credentials_version != row.credentials_version:
        return None
    return user


# Every API request reads its token and its person: one query, its statement built once.
_TOKEN_WITH_USER = (
    sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == sa.bindparam("digest"))
)


def tokens_of(session: Session, user: User) -> Sequence[ApiToken]:
    """A user's tokens, newest first (hashes only; the tokens themselves are gone)."""
    return session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()


def own_token(session: Session, user: User, token_id: int) -> ApiToken:
    """One of user's own tokens; anyone else's is not found."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_("No such token."))
    return row


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of user's tokens; it stops working at once."""
    row = own_token(session, user, token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        record(session, actor=user, action="api_token.revoked", subject=row)
    return row


# The 43 characters of an unpadded base64url SHA-256 HMAC.
FEED_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


# --- personal calendar feed tokens ---------------------------------------------------------


def _token(user_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"calendar-feed:{user_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()



def feed_token(session: Session, user: User) -> str | None:
    """The token of user's personal feed URL, or None if they have none (yet)."""
    row = session.scalar(sa.select(FeedToken).where(FeedToken.user_id == user.id))
    if row is None:
        return None
    token = _token(user.id, row.nonce)
    # After the secret key changed, the stored hash no longer matches: that URL is dead.
    return token if hmac.compare_digest(hash_token(token), row.token_hash) else None


def replace_feed_token(session: Session, user: User, actor: User | None = None) -> str:
    """Give user a new personal feed token (256 bits); the previous URL stops working."""
    row = session.scalar(sa.select(FeedToken).where(FeedToken.user_id == user.id))
    replaced = row is not None
    if row is None:
        row = FeedToken(user_id=user.id)
        session.add(row)
    row.nonce = secrets.token_urlsafe(32)
    token = _token(user.id, row.nonce)
    row.token_hash = hash_token(token)
    row.created_at = datetime.now(UTC)
    session.flush()
    record(
        session, actor=actor or user,
        action="calendar.feed_token_replaced" if replaced else "calendar.feed_token_created",
        subject=user, topic=f"user:{user.id}",
    )
    return token


def user_for_feed_token(session: Session, token: str) -> User | None:
    """The active owner of a personal feed token, or None.

    The owner found is remembered in this process with their `owner` version, read in the same
    statement, for known_feed_owner.
    """
    if not FEED_TOKEN_PATTERN.fullmatch(token):
        return None
    token_hash = hash_token(token)
    row = session.execute(
        sa.select(User, versions.version_of(versions.OWNER, User.id), FeedToken.nonce)
        .join(FeedToken, FeedToken.user_id == User.id)
        .where(FeedToken.token_hash == token_hash, User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, owner_version, nonce = row
    # Made with another secret key: the profile no longer shows this address, so it opens nothing.
    if not hmac.compare_digest(_token(user.id, nonce), token):
        return None
    _known_feed_owners().put(token_hash, None, (user.id, owner_version))
    return user


def known_feed_owner(token: str) -> tuple[int, int] | None:
    """The person a feed token was last found to open in this process, and their `owner` version
    then, without reading the database; None if it was not found here before.

    Only as good as that version: replacing or erasing a token, and closing the account, raise
    it (accounts.models watches them). A reader who finds the person's `owner` version unchanged
    knows the token still opens their feed; any other version sends it back to
    user_for_feed_token.
    """
    if not FEED_TOKEN_PATTERN.fullmatch(token):
        return None
    known: tuple[int, int] | None = _known_feed_owners().latest(hash_token(token))
    return known


def _known_feed_owners() -> FingerprintCache:
    # About 200 bytes an entry: each worker remembers the few thousand calendars that poll it.
    return app_cache("accounts.feed_owners", size=4096)
