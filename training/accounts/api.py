"""/api/v1/tokens and /api/v1/users."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask_babel import gettext as _
from flask_login import current_user, login_required

from training.accounts import personal_data, services, tokens
from training.accounts.limits import SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_ADDRESS, submitted_account
from training.accounts.models import MAX_EMAIL, MAX_NAME, MAX_ORGANISATION, MAX_TIMEZONE, MAX_TOKEN_NAME, Role
from training.accounts.permissions import role_required
from training.core.api import api_blueprint, documents
from training.core.extensions import db, limiter
from training.core.problems import problem
from training.core.schemas import Text
from training.core.uow import unit_of_work

blp = api_blueprint("users", __name__, "Accounts.")
tokens_blp = api_blueprint("tokens", __name__, "Bearer tokens for programs.")


class UserSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.Email(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.Enum(Role, by_value=True, required=True)
    country = ma.fields.String(allow_none=True, required=True)
    organisation = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True)


class TokenRequestSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True,
                                validate=ma.validate.Length(min=1, max=services.MAX_PASSWORD_LENGTH))
    name = Text(MAX_TOKEN_NAME, load_default="", metadata={"description": "What the token is for"})


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "Shown once; keep it secret"})
    expires_at = ma.fields.AwareDateTime(required=True)


class UserCreateSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=MAX_EMAIL))
    name = Text(MAX_NAME, min_length=1, required=True)
    role = ma.fields.Enum(Role, by_value=True, load_default=Role.PERSONNEL)
    country = ma.fields.String(load_default=None, allow_none=True,
                               validate=ma.validate.Regexp(r"^[A-Za-z]{2}$"))
    organisation = Text(MAX_ORGANISATION, load_default="")
    timezone = Text(MAX_TIMEZONE, load_default="UTC")
    password = Text(services.MAX_PASSWORD_LENGTH, min_length=services.MIN_PASSWORD_LENGTH,
                    load_default=None, allow_none=True,
                    metadata={"description": "Omit to let the person set one by email"})


@blp.route("/users", methods=["POST"])
@role_required(Role.COORDINATOR, Role.FOCAL_POINT)
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@documents(400, 401, 403, 409, 415, 422)
def create_user(data: dict):
    """Create an account (a focal point: personnel of their own country only)."""
    with unit_of_work():
        user = services.create_user_as(db.session, current_user, via="api", **data)
    return user


@blp.route("/me/export", methods=["GET"])
@login_required
@blp.response(200, {"type": "object"}, description="Everything the system holds about you: the "
              "account, enrolments, clearance (document details, never the files), invitations, calendar, "
              "audit entries")
@documents(401)
def export_me():
    """Everything the system holds about the caller, as JSON (the export is audited)."""
    person = current_user._get_current_object()
    with unit_of_work():
        export = personal_data.export_person(db.session, person, actor=person, via="api")
    return Response(personal_data.export_json(export), mimetype="application/json",
                    headers={"Cache-Control": "private, no-store"})


@tokens_blp.route("/tokens", methods=["POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS)
@limiter.limit(SIGN_IN_PER_ACCOUNT, key_func=submitted_account)
@tokens_blp.arguments(TokenRequestSchema)
@tokens_blp.response(201, TokenSchema)
@documents(400, 401, 415, 422, 429, secured=False)
def create_token(data: dict[str, str]):
    """Get a bearer token for your account (valid 30 days)."""
    user = services.authenticate(db.session, data["email"], data["password"])
    if user is None:
        return problem(401, _("Wrong email or password."), headers={"WWW-Authenticate": "Bearer"})
    with unit_of_work():
        token, row = tokens.issue_token(db.session, user, name=data["name"] or "API")
    return {"token": token, "expires_at": row.expires_at}
