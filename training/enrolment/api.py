"""/api/v1 enrolments: enrolling and nominating, rosters, approving, rejecting, withdrawing."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user, login_required

from training.accounts.models import Role, User
from training.accounts.permissions import role_required
from training.core.api import api_blueprint, documents, paginate
from training.core.errors import DomainError
from training.core.extensions import db
from training.core.memo import app_cache
from training.core.schemas import (
    CountryCode,
    MappingSchema,
    PaginationArgsSchema,
    StrictBoolean,
    StrictInteger,
    Text,
    page_of,
)
from training.core.uow import unit_of_work
from training.courses import services as courses
from training.courses.api import QuotaSchema, quotas_out
from training.courses.models import MAX_CAPACITY
from training.enrolment import services
from training.enrolment.models import MAX_REASON_LENGTH, Enrolment, EnrolmentStatus
from training.enrolment.signals import enrolment_details_wanted

blp = api_blueprint("enrolment_api", __name__, "Enrolments, nominations and rosters.")


class QuotasInSchema(MappingSchema):
    """Seats per country code, e.g. {"US": 15, "CN": 5}; countries left out get none."""

    class Meta(MappingSchema.Meta):
        keys = Text(2)
        values = StrictInteger(maximum=MAX_CAPACITY)


class QuotasSchema(ma.Schema):
    quotas = ma.fields.List(ma.fields.Nested(QuotaSchema), required=True)


class PersonSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    organisation = ma.fields.String(required=True)


class EnrolmentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    course_id = ma.fields.Integer(required=True)
    user_id = ma.fields.Integer(required=True)
    country = ma.fields.String(required=True, metadata={"description": "Whose seats the person is in"})
    status = ma.fields.Enum(EnrolmentStatus, by_value=True, required=True)
    waitlist_position = ma.fields.Integer(required=True, allow_none=True,
                                          metadata={"description": "1 = next in line; only when waitlisted"})
    created_at = ma.fields.DateTime(required=True)
    person = ma.fields.Nested(PersonSchema, required=True)
    rejection_reason = ma.fields.String(required=True, allow_none=True)


class ClearanceItemSchema(ma.Schema):
    key = ma.fields.String(required=True, metadata={"description": "The requirement's key"})
    state = ma.fields.String(required=True, validate=ma.validate.OneOf(
        ["missing", "submitted", "accepted", "returned"]))
    due_at = ma.fields.DateTime(required=True)
    reason = ma.fields.String(required=True, allow_none=True,
                              metadata={"description": "Why it was returned"})


class ClearanceSchema(ma.Schema):
    cleared_at = ma.fields.DateTime(required=True, allow_none=True,
                                    metadata={"description": "When every requirement was accepted"})
    items = ma.fields.List(ma.fields.Nested(ClearanceItemSchema), required=True)


class EnrolmentDetailSchema(EnrolmentSchema):
    clearance = ma.fields.Nested(
        ClearanceSchema, required=True, allow_none=True,
        metadata={"description": "The requirements of the course that apply to the person, for the "
                                 "person, their focal point and coordinators; null for others"})


class EnrolInSchema(ma.Schema):
    """{} enrols oneself; a user_id nominates that person."""

    user_id = StrictInteger(minimum=1, load_default=None, allow_none=True)
    override_window = StrictBoolean(load_default=False,
                                    metadata={"description": "Coordinators: enrol outside the window"})


class RosterArgsSchema(PaginationArgsSchema):
    status = ma.fields.Enum(EnrolmentStatus, by_value=True, load_default=None)
    country = CountryCode(load_default=None)


class RejectSchema(ma.Schema):
    reason = Text(MAX_REASON_LENGTH, multiline=True, required=True,
                  metadata={"description": "The person reads it"})


EnrolmentPageSchema = page_of(EnrolmentSchema, "EnrolmentPage")


def enrolment_out(enrolment: Enrolment, position: int | None) -> dict[str, Any]:
    """An enrolment as the API shows it; its user must be loaded."""
    person = enrolment.user
    return {
        "id": enrolment.id, "course_id": enrolment.course_id, "user_id": enrolment.user_id,
        "country": enrolment.country, "status": enrolment.status,
        "waitlist_position": position if enrolment.status is EnrolmentStatus.WAITLISTED else None,
        "created_at": enrolment.requested_at, "rejection_reason": enrolment.rejection_reason,
        "person": {"id": person.id, "name": person.name, "email": person.email,
                   "organisation": person.organisation},
    }


def _reloaded(enrolment_id: int) -> dict[str, Any]:
    """The enrolment as it stands after the commit."""
    enrolment, position = services.enrolment_seen_by(db.session, enrolment_id, current_user)
    return enrolment_out(enrolment, position)


@blp.route("/courses/<id:course_id>/enrolments", methods=["POST"])
@login_required
@blp.arguments(EnrolInSchema)
@blp.response(201, EnrolmentSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def enrol(data: dict[str, Any], course_id: int):
    """Enrol yourself ({}), or nominate someone ({"user_id"}: focal points for their country,
    coordinators for anyone): confirmed while seats remain, else waitlisted; pending when the
    course needs approval."""
    course = courses.get_course(db.session, course_id, viewer=current_user)
    user_id = data["user_id"]
    with unit_of_work():
        if user_id is None or user_id == current_user.id:
            enrolment = services.enrol(db.session, course, current_user, actor=current_user,
                                       override_window=data["override_window"], via="api")
        else:
            person = db.session.get(User, user_id)
            if person is None:
                raise DomainError(_("There is no account with this id."), field="user_id")
            enrolment = services.nominate_person(db.session, course, person, actor=current_user,
                                                 override_window=data["override_window"], via="api")
        enrolment_id = enrolment.id
    return _reloaded(enrolment_id)


@blp.route("/courses/<id:course_id>/enrolments", methods=["GET"])
@login_required
@blp.arguments(RosterArgsSchema, location="query")
@blp.response(200, EnrolmentPageSchema)
@documents(401, 403, 404, 422)
def roster(args: dict[str, Any], course_id: int):
    """The course's roster: coordinators see everyone, a focal point their country's people,
    an instructor of the course those holding a seat."""
    course, version = services.course_with_roster_version(db.session, course_id, current_user)
    scope = services.roster_scope(db.session, course, current_user)
    # A page is written once per roster version and reused: it shows the people's seats and
    # positions (seats) and their names, emails and organisations (roster), nothing else, and
    # is kept under the reader's scope, so nobody reads a page written for a wider one.
    written = app_cache("enrolment.api_roster_pages", size=64)
    key = (course.id, scope, args["status"], args["country"], args["page"], args["per_page"])
    body = written.get(key, version)
    if body is None:
        query = services.roster_query(course, scope, status=args["status"], country=args["country"])
        result = paginate(db.session, query, args, scalars=False)
        result["items"] = [enrolment_out(e, position) for e, position in result["items"]]
        body = jsonify(EnrolmentPageSchema().dump(result)).get_data()
        written.put(key, version, body)
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


@blp.route("/me/enrolments", methods=["GET"])
@role_required(*Role)
@blp.arguments(PaginationArgsSchema, location="query")
@blp.response(200, EnrolmentPageSchema)
@documents(401, 422)
def my_enrolments(args: dict[str, int]):
    """Your own enrolments, newest first, with your place on each waitlist."""
    result = paginate(db.session, services.my_enrolments_query(current_user), args, scalars=False)
    for enrolment, _position in result["items"]:
        # The person is the caller: no query needed to show them.
        sa.orm.attributes.set_committed_value(enrolment, "user", current_user._get_current_object())
    result["items"] = [enrolment_out(e, position) for e, position in result["items"]]
    return result


@blp.route("/enrolments/<id:enrolment_id>", methods=["GET"])
@login_required
@blp.response(200, EnrolmentDetailSchema)
@documents(401, 403, 404)
def get_enrolment(enrolment_id: int):
    """One enrolment: for its person, and for those whose roster shows it, with its clearance."""
    enrolment, position = services.enrolment_seen_by(db.session, enrolment_id, current_user)
    details: dict[str, Any] = {"clearance": None}
    for _receiver, extra in enrolment_details_wanted.send(enrolment, session=db.session, viewer=current_user):
        details.update(extra or {})
    return {**enrolment_out(enrolment, position), **details}


@blp.route("/enrolments/<id:enrolment_id>/approve", methods=["POST"])
@role_required(Role.COORDINATOR)
@blp.response(200, EnrolmentSchema)
@documents(401, 403, 404, 409, 422)
def approve(enrolment_id: int):
    """Approve a pending request: confirmed if a seat is free, else waitlisted (coordinators)."""
    with unit_of_work():
        services.approve(db.session, services.enrolment_for(db.session, enrolment_id), actor=current_user,
                         via="api")
    return _reloaded(enrolment_id)


@blp.route("/enrolments/<id:enrolment_id>/reject", methods=["POST"])
@role_required(Role.COORDINATOR)
@blp.arguments(RejectSchema)
@blp.response(200, EnrolmentSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def reject(data: dict[str, str], enrolment_id: int):
    """Reject a request or take back a seat, with a reason the person reads (coordinators)."""
    with unit_of_work():
        services.reject(db.session, services.enrolment_for(db.session, enrolment_id), actor=current_user,
                        reason=data["reason"], via="api")
    return _reloaded(enrolment_id)


@blp.route("/enrolments/<id:enrolment_id>/withdraw", methods=["POST"])
@login_required
@blp.response(200, EnrolmentSchema)
@documents(401, 403, 404, 409, 422)
def withdraw(enrolment_id: int):
    """Leave the course (yourself, your country's focal point or a coordinator); a freed seat
    goes to the head of the waitlist at once."""
    with unit_of_work():
        services.withdraw(db.session, services.enrolment_for(db.session, enrolment_id), actor=current_user,
                          via="api")
    return _reloaded(enrolment_id)


@blp.route("/courses/<id:course_id>/quotas", methods=["PUT"])
@role_required(Role.COORDINATOR)
@blp.arguments(QuotasInSchema)
@blp.response(200, QuotasSchema)
@documents(400, 401, 403, 404, 415, 422)
def set_quotas(seats: dict[str, int], course_id: int):
    """Replace the seats per country; a raised quota promotes from its waitlist (coordinators)."""
    course = courses.get_course(db.session, course_id, viewer=current_user)
    with unit_of_work():
        services.set_quotas(db.session, course, seats, actor=current_user, via="api")
    return {"quotas": quotas_out(services.seat_summaries(db.session, [course.id])[course.id])}
