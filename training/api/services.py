"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.api.models import ApiToken
from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import NotFound

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


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a usable token belongs to, else None (also once the user's password
    changed or they signed out everywhere since the token was issued)."""
    if not token.startswith(_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest) or not row.is_usable(utcnow()):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or user.credentials_version != row.credentials_version:
        return None
    return user


def tokens_of(session: Session, user: User) -> Sequence[ApiToken]:
    """A user's tokens, newest first (hashes only; the tokens themselves are gone)."""
    return session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of user's tokens; it stops working at once."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_("No such token."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        record(session, actor=user, action="api_token.revoked", subject=row)
    return row
