"""/api/v1/me: the signed-in person, with the address of their personal calendar."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from training.accounts.api import UserSchema
from training.accounts.models import Role, User
from training.accounts.permissions import role_required
from training.calendar.services import personal_feed_url
from training.core.api import api_blueprint, documents
from training.core.extensions import db

blp = api_blueprint("me", __name__, "The signed-in user and their calendar.")


def _feed_url(user: User) -> str | None:
    return personal_feed_url(db.session, user)


class MeSchema(UserSchema):
    feed_url = ma.fields.Function(
        _feed_url, allow_none=True, required=True,
        metadata={"type": "string", "nullable": True, "description": "Personal iCalendar feed"},
    )


@blp.route("/me", methods=["GET"])
@role_required(*Role)
@blp.response(200, MeSchema)
@documents(401)
def me():
    """The user the token belongs to."""
    return current_user
