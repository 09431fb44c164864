"""/api/v1 symposia: creating and publishing them, invitations with their links, and RSVP answers."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from training.accounts.models import Role
from training.accounts.permissions import is_coordinator, role_required
from training.core.api import api_blueprint, api_fields, documents, paginate
from training.core.extensions import db, limiter
from training.core.schemas import Instant, PaginationArgsSchema, StrictInteger, Text, TimezoneName, page_of
from training.core.uow import unit_of_work
from training.core.urls import external_url
from training.symposia import services
from training.symposia.models import (
    CAPACITY_MAX,
    CITY_MAX,
    DELEGATES_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    NOTE_MAX,
    ORGANISATION_MAX,
    PERSON_NAME_MAX,
    TITLE_MAX,
    VENUE_MAX,
    Answer,
    Invitation,
    Symposium,
    SymposiumStatus,
)

blp = api_blueprint("symposia_api", __name__, "Symposia, invitations and RSVP answers.")

coordinators = role_required(Role.COORDINATOR)
ANSWER_KEYS = ("accepted", "tentative", "declined", "pending", "revoked")


# --- schemas -------------------------------------------------------------------------------

class ProgrammeItemSchema(ma.Schema):
    title = ma.fields.String(required=True)
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    room = ma.fields.String(required=True)
    speakers = ma.fields.String(required=True)


AnswersSchema = ma.Schema.from_dict(
    {key: ma.fields.Integer(required=True) for key in ANSWER_KEYS}, name="Answers")


class SymposiumSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    venue = ma.fields.String(required=True)
    city = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True)
    starts_at = ma.fields.DateTime(required=True, metadata={"description": "With the symposium's UTC offset"})
    ends_at = ma.fields.DateTime(required=True)
    rsvp_deadline = ma.fields.DateTime(required=True)
    capacity = ma.fields.Integer(required=True, metadata={"description": "Delegates"})
    organiser_name = ma.fields.String(required=True)
    organiser_email = ma.fields.String(required=True)
    status = ma.fields.Enum(SymposiumStatus, by_value=True, required=True)
    programme = ma.fields.List(ma.fields.Nested(ProgrammeItemSchema), required=True)
    calendar_url = ma.fields.String(required=True, allow_none=True)
    answers = ma.fields.Nested(AnswersSchema, required=True, allow_none=True,
                               metadata={"description": "Invitations per answer (coordinators only)"})
    accepted_delegates = ma.fields.Integer(required=True, allow_none=True,
                                           metadata={"description": "Coordinators only"})
    places_left = ma.fields.Integer(required=True, allow_none=True,
                                    metadata={"description": "Coordinators only"})


class SymposiumInSchema(ma.Schema):
    """Times without an offset are wall-clock times in the symposium's timezone."""

    title = Text(TITLE_MAX, required=True)
    description = Text(DESCRIPTION_MAX, multiline=True, load_default="")
    venue = Text(VENUE_MAX, load_default="")
    city = Text(CITY_MAX, required=True)
    timezone = TimezoneName(required=True)
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    rsvp_deadline = Instant(required=True)
    capacity = StrictInteger(minimum=1, maximum=CAPACITY_MAX, required=True)
    organiser_name = Text(PERSON_NAME_MAX, load_default=None, metadata={"description": "Default: you"})
    organiser_email = Text(EMAIL_MAX, load_default=None, metadata={"description": "Default: you"})


class DelegateSchema(ma.Schema):
    name = Text(PERSON_NAME_MAX, required=True)
    email = Text(EMAIL_MAX, load_default="")


class InvitationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    symposium_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    organisation = ma.fields.String(required=True)
    delegates_allowed = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(ANSWER_KEYS),
                              metadata={"enum": list(ANSWER_KEYS)})
    delegates = ma.fields.List(ma.fields.Nested(DelegateSchema), required=True)
    note = ma.fields.String(required=True)
    sent_at = ma.fields.DateTime(required=True, allow_none=True)
    answered_at = ma.fields.DateTime(required=True, allow_none=True)


class IssuedInvitationSchema(InvitationSchema):
    rsvp_url = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "The invitee's personal link, shown only now (only its hash is kept); "
                       "null while the symposium is a draft: the link is mailed when it is published"})


class InviteeSchema(ma.Schema):
    name = Text(PERSON_NAME_MAX, required=True)
    email = Text(EMAIL_MAX, required=True)
    organisation = Text(ORGANISATION_MAX, load_default="")
    delegates_allowed = StrictInteger(minimum=1, maximum=DELEGATES_MAX, load_default=1)


class InvitationsInSchema(ma.Schema):
    invitations = ma.fields.List(ma.fields.Nested(InviteeSchema), required=True,
                                 validate=ma.validate.Length(min=1, max=200))


class IssuedInvitationsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(IssuedInvitationSchema), required=True)


class RsvpInSchema(ma.Schema):
    response = ma.fields.Enum(Answer, by_value=True, required=True)
    delegates = ma.fields.List(ma.fields.Nested(DelegateSchema), load_default=list,
                               validate=ma.validate.Length(max=DELEGATES_MAX))
    note = Text(NOTE_MAX, multiline=True, load_default="")


class RsvpSchema(ma.Schema):
    symposium = ma.fields.String(required=True, metadata={"description": "The symposium's title"})
    response = ma.fields.Enum(Answer, by_value=True, required=True)
    delegates = ma.fields.List(ma.fields.Nested(DelegateSchema), required=True)
    note = ma.fields.String(required=True)
    answered_at = ma.fields.DateTime(required=True)


InvitationPageSchema = page_of(InvitationSchema, "InvitationPage")


# --- what the API shows ----------------------------------------------------------------------

def symposium_out(symposium: Symposium) -> dict[str, Any]:
    zone = ZoneInfo(symposium.timezone)
    coordinator = is_coordinator(current_user)
    out = {name: getattr(symposium, name) for name in SymposiumSchema._declared_fields
           if name in SymposiumInSchema._declared_fields or name in ("id", "slug", "status")}
    out |= {name: getattr(symposium, name).astimezone(zone)
            for name in ("starts_at", "ends_at", "rsvp_deadline")}
    if coordinator:
        board = services.dashboard(db.session, symposium)
        programme = board.programme
        out |= {"answers": {key: board.by_answer.get(key, 0) for key in ANSWER_KEYS},
                "accepted_delegates": board.accepted_delegates, "places_left": board.places_left}
    else:
        programme = services.programme_of(db.session, symposium)
        out |= {"answers": None, "accepted_delegates": None, "places_left": None}
    out["programme"] = [{"title": item.title, "starts_at": item.starts_at.astimezone(zone),
                         "ends_at": item.ends_at.astimezone(zone), "room": item.room,
                         "speakers": item.speakers} for item in programme]
    visible = symposium.status is not SymposiumStatus.DRAFT
    out["calendar_url"] = external_url("calendar.symposium_feed", slug=symposium.slug) if visible else None
    return out


def invitation_out(invitation: Invitation) -> dict[str, Any]:
    """An invitation as the API shows it (its delegates must be loaded)."""
    return {
        "id": invitation.id, "symposium_id": invitation.symposium_id, "name": invitation.name,
        "email": invitation.email, "organisation": invitation.organisation,
        "delegates_allowed": invitation.delegates_allowed, "status": services.answer_key(invitation),
        "delegates": [{"name": d.name, "email": d.email} for d in invitation.attending_delegates],
        "note": invitation.note, "sent_at": invitation.sent_at, "answered_at": invitation.answered_at,
    }


def issued_out(invitation: Invitation) -> dict[str, Any]:
    """An invitation just made or sent again, with the link only this answer carries."""
    return invitation_out(invitation) | {"rsvp_url": invitation.issued_link}


def _symposium(symposium_id: int) -> Symposium:
    return services.get_symposium(db.session, symposium_id, viewer=current_user)


# --- symposia ------------------------------------------------------------------------------

@blp.route("/symposia", methods=["POST"])
@coordinators
@blp.arguments(SymposiumInSchema)
@blp.response(201, SymposiumSchema)
@documents(400, 401, 403, 415, 422)
def create_symposium(data: dict[str, Any]):
    """Create a symposium, as a draft: nothing is sent until it is published (coordinators)."""
    with unit_of_work():
        symposium = services.create_symposium(db.session, services.SymposiumFields(**data),
                                              actor=current_user, via="api")
    return symposium_out(symposium)


@blp.route("/symposia/<id:symposium_id>", methods=["GET"])
@blp.response(200, SymposiumSchema)
@documents(404)
def get_symposium(symposium_id: int):
    """A symposium and its programme; coordinators also see the answers so far. No token needed
    once it is published."""
    return symposium_out(_symposium(symposium_id))


@blp.route("/symposia/<id:symposium_id>/publish", methods=["POST"])
@coordinators
@blp.response(200, SymposiumSchema)
@documents(401, 403, 404, 422)
def publish_symposium(symposium_id: int):
    """Publish a draft and mail every invitation not sent yet, each with its link (coordinators)."""
    symposium = _symposium(symposium_id)
    with unit_of_work():
        services.publish_symposium(db.session, symposium, actor=current_user, via="api")
    return symposium_out(symposium)


# --- invitations ---------------------------------------------------------------------------

@blp.route("/symposia/<id:symposium_id>/invitations", methods=["POST"])
@coordinators
@blp.arguments(InvitationsInSchema)
@blp.response(201, IssuedInvitationsSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def add_invitations(data: dict[str, Any], symposium_id: int):
    """Invite people, all or none: on a published symposium each is mailed at once, and the
    answer carries each personal link, which is never shown again (coordinators)."""
    symposium = _symposium(symposium_id)
    made = []
    with unit_of_work():
        for number, invitee in enumerate(data["invitations"]):
            fields = {"name": "name", "email": "email", "organisation": "organisation",
                      "delegates_allowed": "delegates_allowed"}
            with api_fields({k: f"invitations.{number}.{v}" for k, v in fields.items()}):
                invitation = services.add_invitation(db.session, symposium, actor=current_user, via="api",
                                                     **invitee)
            set_committed_value(invitation, "delegates", [])  # new: nobody named yet
            made.append(issued_out(invitation))
    return {"items": made}


@blp.route("/symposia/<id:symposium_id>/invitations", methods=["GET"])
@coordinators
@blp.arguments(PaginationArgsSchema, location="query")
@blp.response(200, InvitationPageSchema)
@documents(401, 403, 404, 422)
def list_invitations(args: dict[str, int], symposium_id: int):
    """Every invitation with its answer and delegates, in the order they were made (coordinators)."""
    symposium = _symposium(symposium_id)
    result = paginate(db.session, services.invitations_query(symposium), args)
    result["items"] = [invitation_out(i) for i in result["items"]]
    return result


@blp.route("/invitations/<id:invitation_id>/resend", methods=["POST"])
@coordinators
@blp.response(200, IssuedInvitationSchema)
@documents(401, 403, 404, 422)
def resend_invitation(invitation_id: int):
    """Mail the invitation again with a new link (shown in this answer); the old link stops
    working (coordinators)."""
    invitation, symposium = services.invitation_by_id(db.session, invitation_id)
    with unit_of_work():
        services.resend_invitation(db.session, symposium, invitation, actor=current_user)
        out = issued_out(invitation)
    return out


# --- answers -------------------------------------------------------------------------------

@blp.route("/rsvp/<token>", methods=["POST"])
@limiter.limit("30/minute")
@blp.arguments(RsvpInSchema)
@blp.response(200, RsvpSchema)
@documents(400, 404, 409, 415, 422, 429)
def rsvp(data: dict[str, Any], token: str):
    """Answer an invitation with its personal token: accepted, declined or tentative, naming
    delegates. No bearer token: the link is the key. When the symposium is full the earlier
    answer stands (409)."""
    invitation = services.invitation_for_token(db.session, token)
    with unit_of_work(), api_fields({"answer": "response"}):
        services.answer_invitation(db.session, invitation, answer=data["response"], note=data["note"],
                                   delegates=[(d["name"], d["email"]) for d in data["delegates"]])
        out = {"symposium": invitation.symposium.title, "response": invitation.answer,
               "delegates": [{"name": d.name, "email": d.email} for d in invitation.attending_delegates],
               "note": invitation.note, "answered_at": invitation.answered_at}
    return out

