"""/api/v1 meetings: series, their occurrences and one-off changes, action items (hotline: contact_api)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user

from training.accounts.models import MAX_EMAIL, MAX_NAME, Role
from training.accounts.permissions import role_required
from training.core.api import api_blueprint, api_fields, documents
from training.core.errors import DomainError
from training.core.extensions import db
from training.core.schemas import CountryCode, Day, Instant, StrictInteger, Text, TimezoneName
from training.core.uow import unit_of_work
from training.core.urls import external_url
from training.meetings import services
from training.meetings.models import (
    MAX_ACTION,
    MAX_DURATION_MINUTES,
    MAX_PLACE,
    MAX_RULE,
    MAX_TITLE,
    MAX_URL,
    ActionItem,
    ActionStatus,
    MeetingSeries,
    OccurrenceStatus,
)

blp = api_blueprint(
    "api_meetings",
    __name__,
    "Meetings: recurring series, one-off changes, action items, the hotline's contact points.",
)

seen_by_both_sides = role_required(Role.COORDINATOR, Role.FOCAL_POINT)
coordinators_only = role_required(Role.COORDINATOR)


class ParticipantSchema(ma.Schema):
    email = Text(MAX_EMAIL, min_length=3, required=True)
    name = Text(MAX_NAME, load_default="")
    language = ma.fields.String(load_default="en", validate=ma.validate.OneOf(["en", "zh_Hans", "zh"]))


class SeriesInSchema(ma.Schema):
    title = Text(MAX_TITLE, min_length=1, required=True)
    title_zh = Text(MAX_TITLE, load_default="")
    sides = ma.fields.List(
        CountryCode(), load_default=lambda: ["CN", "US"], validate=ma.validate.Length(equal=2)
    )
    timezone = TimezoneName(required=True)
    starts_at = Instant(
        required=True,
        metadata={
            "description": "The first meeting's local start, no offset",
            "example": "2027-01-20T10:00:00",
        },
    )
    duration_minutes = StrictInteger(minimum=1, maximum=MAX_DURATION_MINUTES, required=True)
    rrule = Text(
        MAX_RULE, min_length=1, required=True, metadata={"example": "FREQ=MONTHLY;BYDAY=3WE;COUNT=12"}
    )
    location = Text(MAX_PLACE, load_default="")
    video_url = Text(MAX_URL, load_default="")
    participants = ma.fields.List(
        ma.fields.Nested(ParticipantSchema), load_default=list, validate=ma.validate.Length(max=200)
    )


class SeriesPatchSchema(ma.Schema):
    title = Text(MAX_TITLE, min_length=1, load_default=None)
    title_zh = Text(MAX_TITLE, load_default=None)
    location = Text(MAX_PLACE, load_default=None)
    video_url = Text(MAX_URL, load_default=None)
    timezone = TimezoneName(load_default=None, metadata={"description": "Only before the first meeting"})
    starts_at = Instant(
        load_default=None,
        metadata={"description": "The first meeting's local start, no offset; only before it"},
    )
    duration_minutes = StrictInteger(minimum=1, maximum=MAX_DURATION_MINUTES, load_default=None)
    rrule = Text(
        MAX_RULE, min_length=1, load_default=None, metadata={"description": "Only before the first meeting"}
    )


class SeriesOutSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    title_zh = ma.fields.String(required=True)
    sides = ma.fields.List(ma.fields.String(), required=True)
    timezone = ma.fields.String(required=True)
    starts_at = ma.fields.String(required=True, metadata={"description": "The first meeting's local start"})
    duration_minutes = ma.fields.Integer(required=True)
    rrule = ma.fields.String(required=True)
    location = ma.fields.String(required=True)
    video_url = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    sequence = ma.fields.Integer(required=True)
    calendar_url = ma.fields.String(required=True)
    participants = ma.fields.List(ma.fields.Nested(ParticipantSchema), required=True)


class WindowSchema(ma.Schema):
    from_ = Instant(data_key="from", load_default=None, metadata={"description": "Without offset: UTC"})
    to = Instant(load_default=None)


class OccurrenceSchema(ma.Schema):
    recurrence_id = ma.fields.String(required=True, metadata={"description": "The original local start"})
    starts_at = ma.fields.String(required=True)
    ends_at = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf([s.value for s in OccurrenceStatus]))
    location = ma.fields.String(required=True)


class OccurrencesSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OccurrenceSchema), required=True)


class OccurrenceChangeSchema(ma.Schema):
    starts_at = Instant(load_default=None, metadata={"description": "Without offset: the series' local time"})
    status = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(["cancelled", "scheduled"]),
        metadata={"description": "cancelled: this date only; scheduled: a cancelled meeting held after all"},
    )
    location = Text(MAX_PLACE, load_default=None)


class ActionInSchema(ma.Schema):
    what = Text(MAX_ACTION, min_length=1, required=True)
    side = CountryCode(required=True)
    owner_name = Text(MAX_NAME, min_length=1, required=True)
    owner_email = Text(MAX_EMAIL, load_default="")
    due_on = Day(required=True)


class ActionPatchSchema(ma.Schema):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf([s.value for s in ActionStatus]))
    what = Text(MAX_ACTION, min_length=1, load_default=None)
    side = CountryCode(load_default=None)
    owner_name = Text(MAX_NAME, min_length=1, load_default=None)
    owner_email = Text(MAX_EMAIL, load_default=None)
    due_on = Day(load_default=None)


class ActionOutSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    series_id = ma.fields.Integer(required=True)
    recurrence_id = ma.fields.String(required=True)
    what = ma.fields.String(required=True)
    side = ma.fields.String(required=True)
    owner_name = ma.fields.String(required=True)
    owner_email = ma.fields.String(required=True)
    due_on = ma.fields.Date(required=True)
    status = ma.fields.String(required=True)


def _series_out(series: MeetingSeries) -> dict[str, Any]:
    return {
        "id": series.id,
        "slug": series.slug,
        "title": series.title,
        "title_zh": series.title_zh,
        "sides": list(series.sides),
        "timezone": series.timezone,
        "starts_at": services.recurrence_key(series.first_start),
        "duration_minutes": series.duration_minutes,
        "rrule": series.rrule,
        "location": series.location,
        "video_url": series.video_url,
        "status": series.status.value,
        "sequence": series.sequence,
        "calendar_url": external_url("calendar.meeting_feed", slug=series.slug),
        "participants": [
            {"email": p.email, "name": p.name, "language": p.language} for p in series.participants
        ],
    }


def _occurrence_out(meeting: services.Meeting) -> dict[str, Any]:
    zone = ZoneInfo(meeting.series.timezone)
    return {
        "recurrence_id": meeting.key,
        "starts_at": meeting.starts_at.astimezone(zone).isoformat(),
        "ends_at": meeting.ends_at.astimezone(zone).isoformat(),
        "status": meeting.shown_status.value,
        "location": meeting.location,
    }


def _action_out(action: ActionItem) -> dict[str, Any]:
    return {
        "id": action.id,
        "series_id": action.series_id,
        "recurrence_id": services.recurrence_key(action.occurrence.recurrence_id),
        "what": action.what,
        "side": action.side,
        "owner_name": action.owner_name,
        "owner_email": action.owner_email,
        "due_on": action.due_on,
        "status": action.status.value,
    }


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo("UTC"))


@blp.route("/meetings", methods=["POST"])
@coordinators_only
@blp.arguments(SeriesInSchema)
@blp.response(201, SeriesOutSchema)
@documents(400, 401, 403, 415, 422)
def create_series(data: dict[str, Any]):
    """Create a series; every participant is sent it as a calendar invitation (coordinators)."""
    side_a, side_b = data["sides"]
    spec = services.SeriesSpec(
        title=data["title"],
        title_zh=data["title_zh"],
        side_a=side_a,
        side_b=side_b,
        timezone=data["timezone"],
        starts_at=data["starts_at"],
        duration_minutes=data["duration_minutes"],
        rrule=data["rrule"],
        location=data["location"],
        video_url=data["video_url"],
        participants=[services.ParticipantSpec(**p) for p in data["participants"]],
    )
    with unit_of_work(), api_fields({"side_a": "sides", "side_b": "sides"}):
        series = services.create_series(db.session, spec, actor=current_user, via="api")
        series_id = series.id
    return _series_out(services.get_series(db.session, series_id, viewer=current_user))


@blp.route("/meetings/<id:series_id>", methods=["GET"])
@seen_by_both_sides
@blp.response(200, SeriesOutSchema)
@documents(401, 403, 404)
def get_series(series_id: int):
    """One series (coordinators; the focal points of its two sides)."""
    return _series_out(services.get_series(db.session, series_id, viewer=current_user))


@blp.route("/meetings/<id:series_id>", methods=["PATCH"])
@coordinators_only
@blp.arguments(SeriesPatchSchema)
@blp.response(200, SeriesOutSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def update_series(data: dict[str, Any], series_id: int):
    """Change a series' title or place; before its first meeting, also its first start, duration,
    timezone or rule. Every participant is sent the series again (coordinators)."""
    series = services.get_series(db.session, series_id, viewer=current_user)
    details = [name for name in ("title", "title_zh", "location", "video_url") if data[name] is not None]
    clock = [name for name in SCHEDULE if data[name] is not None]
    if not details and not clock:
        raise DomainError(_("Give what to change: the title or place, or the schedule."), field="title")
    if details and clock:
        raise DomainError(
            _("Change the schedule and the title or place in two requests: each is sent to everyone."),
            field=clock[0],
        )
    with unit_of_work():
        if clock:
            services.reschedule_series(
                db.session,
                series,
                starts_at=_or(data["starts_at"], series.first_start),
                duration_minutes=_or(data["duration_minutes"], series.duration_minutes),
                timezone=_or(data["timezone"], series.timezone),
                rrule=_or(data["rrule"], series.rrule),
                actor=current_user,
                via="api",
            )
        elif details:
            services.update_series(
                db.session,
                series,
                **{
                    name: _or(data[name], getattr(series, name))
                    for name in ("title", "title_zh", "location", "video_url")
                },
                actor=current_user,
                via="api",
            )
    return _series_out(services.get_series(db.session, series_id, viewer=current_user))


SCHEDULE = ("starts_at", "duration_minutes", "timezone", "rrule")


def _or(value: Any, current: Any) -> Any:
    return current if value is None else value


@blp.route("/meetings/<id:series_id>/occurrences", methods=["GET"])
@seen_by_both_sides
@blp.arguments(WindowSchema, location="query")
@blp.response(200, OccurrencesSchema)
@documents(401, 403, 404, 422)
def occurrences(window: dict[str, Any], series_id: int):
    """The series' meetings that start within [from, to], as they stand (moved, cancelled)."""
    series = services.get_series(db.session, series_id, viewer=current_user)
    first, last = utc(window.get("from_")), utc(window.get("to"))
    return {"items": [_occurrence_out(m) for m in services.meetings_between(series, first, last)]}


@blp.route("/meetings/<id:series_id>/occurrences/<recurrence_id>", methods=["PATCH"])
@coordinators_only
@blp.arguments(OccurrenceChangeSchema)
@blp.response(200, OccurrenceSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def change_occurrence(data: dict[str, Any], series_id: int, recurrence_id: str):
    """Move one meeting ({"starts_at"}), cancel it ({"status": "cancelled"}), hold a cancelled one after all
    ({"status": "scheduled"}) or place it ({"location"})."""
    series = services.get_series(db.session, series_id, viewer=current_user)
    services.find_meeting(series, recurrence_id)
    given = [name for name in ("starts_at", "status", "location") if data.get(name) is not None]
    if len(given) != 1:
        raise DomainError(_("Give one of starts_at, status or location."), field="starts_at")
    with unit_of_work():
        if data["status"] == "cancelled":
            meeting = services.cancel_meeting(
                db.session, series, recurrence_id, actor=current_user, via="api"
            )
        elif data["status"] == "scheduled":
            meeting = services.restore_meeting(
                db.session, series, recurrence_id, actor=current_user, via="api"
            )
        elif data["starts_at"] is not None:
            meeting = services.move_meeting(
                db.session, series, recurrence_id, starts_at=data["starts_at"], actor=current_user, via="api"
            )
        else:
            meeting = services.place_meeting(
                db.session, series, recurrence_id, location=data["location"], actor=current_user, via="api"
            )
        out = _occurrence_out(meeting)
    return out


@blp.route("/meetings/<id:series_id>/occurrences/<recurrence_id>/actions", methods=["POST"])
@coordinators_only
@blp.arguments(ActionInSchema)
@blp.response(201, ActionOutSchema)
@documents(400, 401, 403, 404, 415, 422)
def add_action(data: dict[str, Any], series_id: int, recurrence_id: str):
    """An action item agreed at a meeting (coordinators); due on or after the meeting's day."""
    series = services.get_series(db.session, series_id, viewer=current_user)
    with unit_of_work():
        action = services.add_action(
            db.session, series, recurrence_id, services.ActionSpec(**data), actor=current_user, via="api"
        )
        action_id = action.id
    action, _series = services.get_action(db.session, action_id, viewer=current_user)
    return _action_out(action)


@blp.route("/actions/<id:action_id>", methods=["PATCH"])
@seen_by_both_sides
@blp.arguments(ActionPatchSchema)
@blp.response(200, ActionOutSchema)
@documents(400, 401, 403, 404, 415, 422)
def update_action(data: dict[str, Any], action_id: int):
    """Change an item's status (coordinators, the owning side's focal points) or what it says, its owning
    side, owner or due date (coordinators)."""
    action, series = services.get_action(db.session, action_id, viewer=current_user)
    changes = {k: v for k, v in data.items() if k != "status" and v is not None}
    spec = None
    if changes:
        spec = services.ActionSpec(
            what=changes.get("what", action.what),
            side=changes.get("side", action.side),
            owner_name=changes.get("owner_name", action.owner_name),
            owner_email=changes.get("owner_email", action.owner_email),
            due_on=changes.get("due_on", action.due_on),
        )
    with unit_of_work():
        services.update_action(
            db.session, action, series, status=data["status"], spec=spec, actor=current_user, via="api"
        )
    action, _series = services.get_action(db.session, action_id, viewer=current_user)
    return _action_out(action)
