"""/api/v1/me and /api/v1/users."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from training.accounts import services
from training.accounts.models import Role
from training.accounts.permissions import role_required
from training.core.api import api_blueprint, documents
from training.core.extensions import db
from training.core.schemas import Text

blp = api_blueprint("users", __name__, "The signed-in user and accounts.")


class UserSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.Email(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.Enum(Role, by_value=True, required=True)
    country = ma.fields.String(allow_none=True, required=True)
    organisation = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True)


class MeSchema(UserSchema):
    feed_url = ma.fields.Function(
        services.feed_url_of, allow_none=True, required=True,
        metadata={"type": "string", "nullable": True, "description": "Personal iCalendar feed"},
    )


class UserCreateSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    name = Text(120, min_length=1, required=True)
    role = ma.fields.Enum(Role, by_value=True, load_default=Role.PERSONNEL)
    country = ma.fields.String(load_default=None, allow_none=True,
                               validate=ma.validate.Regexp(r"^[A-Za-z]{2}$"))
    organisation = Text(200, load_default="")
    timezone = Text(64, load_default="UTC")
    password = Text(200, min_length=services.MIN_PASSWORD_LENGTH, load_default=None, allow_none=True,
                    metadata={"description": "Omit to let the person set one by email"})


@blp.route("/me", methods=["GET"])
@role_required(*Role)
@blp.response(200, MeSchema)
@documents(401)
def me():
    """The user the token belongs to."""
    return current_user


@blp.route("/users", methods=["POST"])
@role_required(Role.COORDINATOR, Role.FOCAL_POINT)
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@documents(400, 401, 403, 409, 415, 422)
def create_user(data: dict):
    """Create an account (a focal point: personnel of their own country only)."""
    user = services.create_user_as(db.session, current_user, via="api", **data)
    db.session.commit()
    return user
