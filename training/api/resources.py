"""POST /api/v1/tokens: exchange an email and password for a bearer token."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from training.accounts.services import authenticate
from training.api.services import issue_token
from training.core.api import api_blueprint, documents
from training.core.extensions import db, limiter
from training.core.problems import problem
from training.core.schemas import Text

blp = api_blueprint("tokens", __name__, "Bearer tokens for programs.")


class TokenRequestSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    name = Text(100, load_default="", metadata={"description": "What the token is for"})


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "Shown once; keep it secret"})
    expires_at = ma.fields.AwareDateTime(required=True)


@blp.route("/tokens", methods=["POST"])
@limiter.limit("10/minute")
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@documents(400, 401, 415, 422, 429, secured=False)
def create_token(data: dict[str, str]):
    """Get a bearer token for your account (valid 30 days)."""
    user = authenticate(db.session, data["email"], data["password"])
    if user is None:
        return problem(401, _("Wrong email or password."), headers={"WWW-Authenticate": "Bearer"})
    token, row = issue_token(db.session, user, name=data["name"] or "API")
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at}
