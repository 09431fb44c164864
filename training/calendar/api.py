"""/api/v1/me: the signed-in person, with the address of their personal calendar."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user

from training.accounts.api import UserSchema
from training.accounts.models import Role
from training.accounts.permissions import role_required
from training.accounts.tokens import replace_feed_token
from training.calendar.services import personal_feed_url
from training.core.api import api_blueprint, documents
from training.core.extensions import db
from training.core.uow import unit_of_work

blp = api_blueprint("me", __name__, "The signed-in user and their calendar.")


class FeedSchema(ma.Schema):
    feed_url = ma.fields.String(
        required=True,
        metadata={"description": "Personal iCalendar feed: your courses, teaching and symposia"},
    )


class MeSchema(UserSchema, FeedSchema):
    pass


@blp.route("/me", methods=["GET"])
@role_required(*Role)
@blp.response(200, MeSchema)
@documents(401)
def me():
    """The user the token belongs to, with their personal feed (its address is made on first use)."""
    with unit_of_work():
        feed_url = personal_feed_url(db.session, current_user, create=True)
    person = {name: getattr(current_user, name) for name in UserSchema._declared_fields}
    return person | {"feed_url": feed_url}


@blp.route("/me/feed-token", methods=["POST"])
@role_required(*Role)
@blp.response(201, FeedSchema)
@documents(401)
def replace_feed():
    """Give your personal feed a new address; the old one stops working at once."""
    with unit_of_work():
        replace_feed_token(db.session, current_user)
        feed_url = personal_feed_url(db.session, current_user)
    return {"feed_url": feed_url}
