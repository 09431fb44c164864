"""/api/v1 travel: an enrolment's logistics (the travel form) and a course's arrivals."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user, login_required

from training.core.api import api_blueprint, documents
from training.core.extensions import db
from training.core.schemas import Text
from training.core.uow import unit_of_work
from training.courses import services as courses
from training.enrolment.services import enrolment_for
from training.travel import services
from training.travel.models import (
    MAX_CARRIER,
    MAX_NAME,
    MAX_NEEDS,
    MAX_PASSPORT_NUMBER,
    MAX_PHONE,
    MAX_PLACE,
    TravelForm,
)
from training.travel.services import TravelSpec

blp = api_blueprint("api_travel", __name__, "Travel: passports, journeys, hotel nights and needs; arrivals.")


def _text(size: int, **kwargs: Any) -> Text:
    return Text(size, load_default="", **kwargs)


def _date(description: str = "") -> ma.fields.Date:
    metadata = {"description": description} if description else {}
    return ma.fields.Date(load_default=None, allow_none=True, metadata=metadata)


def _time() -> ma.fields.Time:
    return ma.fields.Time(load_default=None, allow_none=True, format="%H:%M",
                          metadata={"description": "Local time at the venue, HH:MM"})


class LogisticsSchema(ma.Schema):
    passport_name = _text(MAX_NAME, metadata={"description": "Full name as printed in the passport"})
    passport_number = _text(MAX_PASSPORT_NUMBER + 10)
    nationality = _text(2, metadata={"example": "US"})
    birth_date = _date()
    passport_issued_on = _date()
    passport_expires_on = _date("At least six months after the course ends")
    passport_issued_at = _text(MAX_PLACE)
    arrival_on = _date()
    arrival_time = _time()
    arrival_carrier = _text(MAX_CARRIER, metadata={"example": "UA 889"})
    arrival_place = _text(MAX_PLACE)
    departure_on = _date()
    departure_time = _time()
    departure_carrier = _text(MAX_CARRIER)
    departure_place = _text(MAX_PLACE)
    hotel = _text(MAX_PLACE)
    check_in_on = _date()
    check_out_on = _date()
    dietary_needs = _text(MAX_NEEDS, multiline=True)
    accessibility_needs = _text(MAX_NEEDS, multiline=True)
    emergency_name = _text(MAX_NAME)
    emergency_phone = _text(MAX_PHONE)


class LogisticsOutSchema(LogisticsSchema):
    enrolment_id = ma.fields.Integer(required=True)
    complete = ma.fields.Boolean(required=True)
    missing = ma.fields.List(ma.fields.String(), required=True)
    locked = ma.fields.Boolean(required=True)
    changed_after_lock = ma.fields.Boolean(required=True)
    updated_at = ma.fields.DateTime(allow_none=True)


class ArrivalSchema(ma.Schema):
    day = ma.fields.Date(required=True)
    time = ma.fields.Time(allow_none=True, format="%H:%M")
    name = ma.fields.String(required=True)
    country = ma.fields.String(required=True)
    carrier = ma.fields.String(required=True)
    place = ma.fields.String(required=True)
    hotel = ma.fields.String(required=True)


class ArrivalsSchema(ma.Schema):
    arrivals = ma.fields.List(ma.fields.Nested(ArrivalSchema), required=True)


def _out(enrolment_id: int, form: TravelForm | None) -> dict[str, Any]:
    values = {name: getattr(form, name) if form else None for name in TravelSpec.names()}
    # Text not given (no form yet, or deleted after the retention period) is "", as documented.
    for name, declared in LogisticsSchema._declared_fields.items():
        if isinstance(declared, ma.fields.String) and values.get(name) is None:
            values[name] = ""
    missing = services.missing_fields(form) if form else list(services.REQUIRED_FOR_COMPLETE)
    return {**values, "enrolment_id": enrolment_id, "complete": not missing, "missing": missing,
            "locked": bool(form and form.locked),
            "changed_after_lock": bool(form and form.changed_after_lock),
            "updated_at": form.updated_at if form else None}


@blp.route("/enrolments/<id:enrolment_id>/logistics", methods=["GET"])
@login_required
@blp.response(200, LogisticsOutSchema)
@documents(401, 404)
def logistics(enrolment_id: int):
    """The travel form (the person, their focal point, coordinators); every reading is audited."""
    enrolment = enrolment_for(db.session, enrolment_id)
    with unit_of_work():
        form = services.read_travel_form(db.session, enrolment, actor=current_user, via="api")
        out = _out(enrolment.id, form)
    return out


@blp.route("/enrolments/<id:enrolment_id>/logistics", methods=["PUT"])
@login_required
@blp.arguments(LogisticsSchema)
@blp.response(200, LogisticsOutSchema)
@documents(400, 401, 404, 409, 415, 422)
def put_logistics(data: dict[str, Any], enrolment_id: int):
    """Replace the travel form; fields left out are emptied. A change to a locked form is flagged."""
    enrolment = enrolment_for(db.session, enrolment_id)
    with unit_of_work():
        form = services.save_travel_form(db.session, enrolment, TravelSpec(**data), actor=current_user,
                                         via="api")
        out = _out(enrolment.id, form)
    return out


@blp.route("/courses/<id:course_id>/arrivals", methods=["GET"])
@login_required
@blp.response(200, ArrivalsSchema)
@documents(401, 403, 404)
def course_arrivals(course_id: int):
    """Who arrives when and where, by day and local time at the venue (coordinators)."""
    course = courses.get_course(db.session, course_id, viewer=current_user)
    days = services.arrivals(db.session, course, actor=current_user)
    return {"arrivals": [{"day": a.day, "time": a.at, "name": a.name, "country": a.country,
                          "carrier": a.carrier, "place": a.place, "hotel": a.hotel}
                         for _day, found in days for a in found]}
