"""Personal RSVP links: a secret token per invitation, of which only the hash is kept."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from training.core.errors import NotFound
from training.core.urls import external_url
from training.symposia.models import Invitation, SymposiumStatus

# 32 bytes from secrets: 256 bits, 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def hash_token(token: str) -> str:
    """What the database keeps of a token: its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(invitation: Invitation) -> str:
    """Give the invitation a new secret link; every earlier link stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation.token_hash = hash_token(token)
    invitation.issued_link = external_url("rsvp.respond", token=token)
    return invitation.issued_link


def invitation_for_token(session: Session, token: str) -> Invitation:
    """The live invitation a token opens, with its symposium; NotFound for any other token, alike."""
    gone = NotFound(_("There is nothing here."))
    if not _TOKEN_SHAPE.match(token or ""):
        raise gone
    digest = hash_token(token)
    invitation = session.scalar(
        sa.select(Invitation)
        .where(Invitation.token_hash == digest)
        .options(selectinload(Invitation.symposium), selectinload(Invitation.delegates))
    )
    # The lookup is by hash, so nothing about the token leaks through timing; comparing
    # again in constant time keeps that true whatever the database's index does.
    if (
        invitation is None
        or invitation.token_hash is None
        or not hmac.compare_digest(invitation.token_hash, digest)
        or invitation.is_revoked
        or invitation.symposium.status is SymposiumStatus.DRAFT
    ):
        raise gone
    return invitation
