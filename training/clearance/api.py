"""/api/v1 clearance: a course's requirements, an enrolment's documents, decisions and extensions."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from flask_login import current_user, login_required
from flask_smorest.fields import Upload
from sqlalchemy.orm import Session

from training.accounts.models import Role
from training.accounts.permissions import role_required
from training.clearance import services
from training.clearance.models import (
    MAX_DUE_DAYS,
    MAX_INSTRUCTION,
    MAX_KEY,
    MAX_REASON,
    MAX_TITLE,
    ItemState,
    RequirementKind,
)
from training.clearance.services.requirements import RequirementSpec
from training.core.api import api_blueprint, documents
from training.core.extensions import db
from training.core.headers import attachment
from training.core.localtime import local_datetime_to_instant
from training.core.schemas import CountryCode, Instant, StrictInteger, Text
from training.core.uow import unit_of_work
from training.courses import services as courses
from training.enrolment.models import Enrolment
from training.enrolment.services import enrolment_for

blp = api_blueprint("api_clearance", __name__, "Clearance: requirements, documents, decisions, due dates.")

DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class RequirementSchema(ma.Schema):
    key = Text(MAX_KEY, min_length=1, required=True, metadata={"example": "passport"})
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf([k.value for k in RequirementKind]))
    title = Text(MAX_TITLE, min_length=1, required=True)
    title_zh = Text(MAX_TITLE, load_default="")
    instruction = Text(MAX_INSTRUCTION, multiline=True, load_default="")
    instruction_zh = Text(MAX_INSTRUCTION, multiline=True, load_default="")
    due_days_before_start = StrictInteger(maximum=MAX_DUE_DAYS, required=True)
    countries = ma.fields.List(CountryCode(), load_default=None, allow_none=True,
                               metadata={"description": "Only for these countries; null: everyone"})


class RequirementsSchema(ma.Schema):
    requirements = ma.fields.List(ma.fields.Nested(RequirementSchema), required=True)


class ItemSchema(ma.Schema):
    key = ma.fields.String(required=True)
    state = ma.fields.String(required=True, validate=ma.validate.OneOf([s.value for s in ItemState]))
    due_at = ma.fields.DateTime(required=True)
    reason = ma.fields.String(required=True, allow_none=True)


class DocumentSchema(ItemSchema):
    filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True, validate=ma.validate.OneOf(DOCUMENT_TYPES))
    size = ma.fields.Integer(required=True)
    sha256 = ma.fields.String(required=True)


class UploadSchema(ma.Schema):
    file = Upload(required=True, metadata={"description": "A PDF, JPEG or PNG, at most 10 MB by default"})


class DecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(list(services.DECISIONS)))
    reason = Text(MAX_REASON, multiline=True, load_default=None, allow_none=True,
                  metadata={"description": "Required to return; the person reads it"})


class ExtendSchema(ma.Schema):
    due_at = Instant(required=True, metadata={"description": "Without an offset: the course's local time"})
    reason = Text(MAX_REASON, multiline=True, min_length=1, required=True)


def _requirements_out(course_id: int) -> dict[str, Any]:
    return {"requirements": [
        {"key": r.key, "kind": r.kind.value, "title": r.title, "title_zh": r.title_zh,
         "instruction": r.instruction, "instruction_zh": r.instruction_zh,
         "due_days_before_start": r.due_days_before_start, "countries": r.countries or None}
        for r in services.requirements_of(db.session, course_id)]}


def _item_out(enrolment_id: int, key: str) -> dict[str, Any]:
    line = services.clearance_of(db.session, enrolment_for(db.session, enrolment_id)).line(key)
    assert line is not None
    return {"key": key, "state": line.state.value, "due_at": line.due_at, "reason": line.reason}


def clearance_details(enrolment: Enrolment, *, session: Session, viewer: Any, **_: Any) -> dict[str, Any]:
    """GET /enrolments/{id}'s clearance: for the person, their focal point and coordinators."""
    if not services.may_see(viewer, enrolment):
        return {"clearance": None}
    clearance = services.clearance_of(session, enrolment)
    return {"clearance": {
        "cleared_at": enrolment.cleared_at,
        "items": [{"key": line.requirement.key, "state": line.state.value, "due_at": line.due_at,
                   "reason": line.reason} for line in clearance.lines],
    }}


@blp.route("/courses/<id:course_id>/requirements", methods=["GET"])
@blp.response(200, RequirementsSchema)
@documents(404)
def get_requirements(course_id: int):
    """What the course asks of its participants before it starts."""
    viewer = current_user if current_user.is_authenticated else None
    course = courses.get_course(db.session, course_id, viewer=viewer)
    return _requirements_out(course.id)


@blp.route("/courses/<id:course_id>/requirements", methods=["PUT"])
@role_required(Role.COORDINATOR)
@blp.arguments(RequirementsSchema)
@blp.response(200, RequirementsSchema)
@documents(400, 401, 403, 404, 415, 422)
def put_requirements(data: dict[str, Any], course_id: int):
    """Replace the course's requirements, matched by key (coordinators)."""
    course = courses.get_course(db.session, course_id, viewer=current_user)
    with unit_of_work():
        services.set_requirements(db.session, course, [RequirementSpec(**r) for r in data["requirements"]],
                                  actor=current_user, via="api")
    return _requirements_out(course_id)


@blp.route("/enrolments/<id:enrolment_id>/requirements/<key>/document", methods=["POST"])
@login_required
@blp.arguments(UploadSchema, location="files")
@blp.response(201, DocumentSchema)
@documents(400, 401, 403, 404, 409, 413, 415, 422)
def upload_document(files: dict[str, Any], enrolment_id: int, key: str):
    """Upload the document a requirement asks for (the person or their country's focal point)."""
    upload = files["file"]
    with upload.stream:
        content, filename = upload.read(), upload.filename or ""
    with unit_of_work():
        document = services.submit_document(db.session, enrolment_for(db.session, enrolment_id), key,
                                            filename=filename, content=content, actor=current_user,
                                            via="api")
        stored = {"filename": document.filename, "content_type": document.content_type,
                  "size": document.size, "sha256": document.sha256}
    return {**_item_out(enrolment_id, key), **stored}


@blp.route("/enrolments/<id:enrolment_id>/requirements/<key>/document", methods=["GET"])
@login_required
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/octet-stream",
              description="The document as an attachment, in its sniffed type (PDF, JPEG or PNG)")
@documents(401, 404)
def download_document(enrolment_id: int, key: str):
    """The newest document of a requirement, as an attachment (the person, their focal point and
    coordinators; anyone else gets 404). Every read is audited."""
    with unit_of_work():
        document = services.read_document(db.session, enrolment_for(db.session, enrolment_id), key,
                                          actor=current_user, via="api")
        content, filename, content_type = document.content, document.filename, document.content_type
    return Response(content, mimetype=content_type, headers={
        "Content-Disposition": attachment(filename), "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


@blp.route("/enrolments/<id:enrolment_id>/requirements/<key>/decision", methods=["POST"])
@role_required(Role.COORDINATOR)
@blp.arguments(DecisionSchema)
@blp.response(200, ItemSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def decide(data: dict[str, Any], enrolment_id: int, key: str):
    """Accept or return (with a reason) what was submitted, or record a check (coordinators)."""
    with unit_of_work():
        services.decide(db.session, enrolment_for(db.session, enrolment_id), key, decision=data["decision"],
                        reason=data["reason"], actor=current_user, via="api")
    return _item_out(enrolment_id, key)


@blp.route("/enrolments/<id:enrolment_id>/requirements/<key>/extend", methods=["POST"])
@role_required(Role.COORDINATOR)
@blp.arguments(ExtendSchema)
@blp.response(200, ItemSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def extend(data: dict[str, Any], enrolment_id: int, key: str):
    """Give one person a later due date for one requirement, with a reason (coordinators; audited)."""
    enrolment = enrolment_for(db.session, enrolment_id)
    with unit_of_work():
        due_at = local_datetime_to_instant(data["due_at"], enrolment.course.timezone, field="due_at")
        services.extend_due(db.session, enrolment, key, due_at=due_at, reason=data["reason"],
                            actor=current_user, via="api")
    return _item_out(enrolment_id, key)
