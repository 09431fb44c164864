"""/api/v1 contact points: the hotline's directory, a contact point added, corrected or retired, its tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from flask_login import current_user

from training.accounts.models import MAX_EMAIL, MAX_NAME, MAX_ORGANISATION
from training.core.api import documents
from training.core.database import utcnow
from training.core.extensions import db
from training.core.schemas import CountryCode, Instant, Text
from training.core.uow import unit_of_work
from training.meetings import services
from training.meetings.api import blp, coordinators_only, seen_by_both_sides, utc
from training.meetings.models import (
    MAX_HOURS,
    MAX_LANGUAGES,
    MAX_NOTE,
    MAX_PHONE,
    ContactPoint,
    ContactResult,
)


class ContactInSchema(ma.Schema):
    side = CountryCode(required=True)
    name = Text(MAX_NAME, min_length=1, required=True)
    organisation = Text(MAX_ORGANISATION, load_default="")
    phone = Text(MAX_PHONE, load_default="")
    email = Text(MAX_EMAIL, load_default="")
    hours = Text(MAX_HOURS, load_default="24/7")
    languages = Text(MAX_LANGUAGES, load_default="")


class ContactPatchSchema(ma.Schema):
    side = CountryCode(load_default=None, metadata={"description": "Coordinators only"})
    name = Text(MAX_NAME, min_length=1, load_default=None)
    organisation = Text(MAX_ORGANISATION, load_default=None)
    phone = Text(MAX_PHONE, load_default=None)
    email = Text(MAX_EMAIL, load_default=None)
    hours = Text(MAX_HOURS, load_default=None)
    languages = Text(MAX_LANGUAGES, load_default=None)


class ContactOutSchema(ContactInSchema):
    id = ma.fields.Integer(required=True)
    last_tested_at = ma.fields.DateTime(required=True, allow_none=True)
    overdue = ma.fields.Boolean(required=True)
    retired_at = ma.fields.DateTime(required=True, allow_none=True)


class ContactListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ContactOutSchema), required=True)


class ContactTestInSchema(ma.Schema):
    method = ma.fields.String(required=True, validate=ma.validate.OneOf(list(services.METHODS)))
    result = ma.fields.String(required=True, validate=ma.validate.OneOf([r.value for r in ContactResult]))
    note = Text(MAX_NOTE, multiline=True, load_default="")
    tested_at = Instant(load_default=None, metadata={"description": "Default: now; without offset: UTC"})


class ContactTestOutSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    tested_at = ma.fields.DateTime(required=True)
    tested_by = ma.fields.String(required=True)
    method = ma.fields.String(required=True)
    result = ma.fields.String(required=True)
    note = ma.fields.String(required=True)


def _contact_out(point: ContactPoint, now: datetime) -> dict[str, Any]:
    return {
        "id": point.id,
        "side": point.side,
        "name": point.name,
        "organisation": point.organisation,
        "phone": point.phone,
        "email": point.email,
        "hours": point.hours,
        "languages": point.languages,
        "last_tested_at": point.last_tested_at,
        "overdue": not point.retired and services.is_overdue(point, now),
        "retired_at": point.retired_at,
    }


class DirectoryQuerySchema(ma.Schema):
    retired = ma.fields.Boolean(load_default=False, metadata={"description": "The retired contact points"})


@blp.route("/contact-points", methods=["GET"])
@seen_by_both_sides
@blp.arguments(DirectoryQuerySchema, location="query")
@blp.response(200, ContactListSchema)
@documents(401, 403, 422)
def list_contact_points(query: dict[str, Any]):
    """The hotline's directory: every side's contact points and whether each is overdue for a test;
    with ?retired=true, those retired."""
    now = utcnow()
    points = services.directory(db.session, viewer=current_user, retired=query["retired"])
    return {"items": [_contact_out(p, now) for p in points]}


@blp.route("/contact-points", methods=["POST"])
@coordinators_only
@blp.arguments(ContactInSchema)
@blp.response(201, ContactOutSchema)
@documents(400, 401, 403, 415, 422)
def add_contact_point(data: dict[str, Any]):
    """A new contact point on one side (coordinators)."""
    with unit_of_work():
        point = services.add_contact_point(
            db.session, services.ContactSpec(**data), actor=current_user, via="api"
        )
        out = _contact_out(point, utcnow())
    return out


@blp.route("/contact-points/<id:point_id>", methods=["PATCH"])
@seen_by_both_sides
@blp.arguments(ContactPatchSchema)
@blp.response(200, ContactOutSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def update_contact_point(data: dict[str, Any], point_id: int):
    """Correct a contact point (coordinators; the focal points of its side, who cannot change its side)."""
    point = services.get_contact_point(db.session, point_id, viewer=current_user)
    spec = services.ContactSpec(
        **{
            name: getattr(point, name) if data[name] is None else data[name]
            for name in ("side", "name", "organisation", "phone", "email", "hours", "languages")
        }
    )
    with unit_of_work():
        services.update_contact_point(db.session, point, spec, actor=current_user, via="api")
        out = _contact_out(point, utcnow())
    return out


@blp.route("/contact-points/<id:point_id>", methods=["DELETE"])
@coordinators_only
@blp.response(200, ContactOutSchema)
@documents(401, 403, 404, 409)
def retire_contact_point(point_id: int):
    """Retire a contact point that is no longer valid: it leaves the directory, its test log stays
    (coordinators)."""
    point = services.get_contact_point(db.session, point_id, viewer=current_user)
    with unit_of_work():
        services.retire_contact_point(db.session, point, actor=current_user, via="api")
        out = _contact_out(point, utcnow())
    return out


@blp.route("/contact-points/<id:point_id>/tests", methods=["POST"])
@seen_by_both_sides
@blp.arguments(ContactTestInSchema)
@blp.response(201, ContactTestOutSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def record_test(data: dict[str, Any], point_id: int):
    """Log a test of a contact point: how, the result, a note (coordinators and focal points)."""
    point = services.get_contact_point(db.session, point_id, viewer=current_user)
    with unit_of_work():
        test = services.record_test(
            db.session,
            point,
            method=data["method"],
            result=data["result"],
            note=data["note"],
            tested_at=utc(data["tested_at"]),
            actor=current_user,
            via="api",
        )
        out = {
            "id": test.id,
            "tested_at": test.tested_at,
            "tested_by": test.tested_by_name,
            "method": test.method,
            "result": test.result.value,
            "note": test.note,
        }
    return out
