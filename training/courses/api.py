"""/api/v1 courses, their quotas and sessions, and the instructor directory."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask_login import current_user

from training.accounts.models import Role
from training.accounts.permissions import is_coordinator, role_required
from training.core.api import api_blueprint, api_fields, documents, paginate
from training.core.extensions import db
from training.core.localtime import wall_clock_slot
from training.core.schemas import (
    CountryCode,
    Day,
    Instant,
    PaginationArgsSchema,
    StrictBoolean,
    StrictInteger,
    Text,
    TimezoneName,
    page_of,
)
from training.core.uow import unit_of_work
from training.core.urls import external_url
from training.courses import services
from training.courses.models import (
    MAX_BIO,
    MAX_CANCEL_REASON,
    MAX_CAPACITY,
    MAX_CITY,
    MAX_DESCRIPTION,
    MAX_EMAIL,
    MAX_EXPERTISE,
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_ROOM,
    MAX_SESSION_NOTES,
    MAX_TITLE,
    MAX_VENUE,
    Course,
    CourseSession,
    CourseStatus,
    SessionKind,
)
from training.courses.seats import SeatSummary, seat_summaries

blp = api_blueprint("courses_api", __name__, "Courses, seat quotas, schedules and instructors.")

managers = role_required(Role.COORDINATOR)

# Services name the form's fields; the API's names differ for a session's times.
SESSION_FIELDS = {"day": "starts_at", "starts": "starts_at", "ends": "ends_at",
                  "instructors": "instructor_ids"}


# --- schemas -------------------------------------------------------------------------------

class QuotaSchema(ma.Schema):
    country = ma.fields.String(required=True, metadata={"example": "US"})
    seats = ma.fields.Integer(required=True)
    confirmed = ma.fields.Integer(required=True)
    waitlisted = ma.fields.Integer(required=True)
    available = ma.fields.Integer(required=True)


class CourseSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    host_country = ma.fields.String(required=True, metadata={"example": "CN"})
    city = ma.fields.String(required=True)
    venue = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True, metadata={"example": "Asia/Shanghai"})
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    capacity = ma.fields.Integer(required=True)
    enrolment_opens_at = ma.fields.DateTime(required=True, allow_none=True)
    enrolment_closes_at = ma.fields.DateTime(required=True, allow_none=True)
    requires_approval = ma.fields.Boolean(required=True)
    status = ma.fields.Enum(CourseStatus, by_value=True, required=True)
    quotas = ma.fields.List(ma.fields.Nested(QuotaSchema), required=True)
    calendar_url = ma.fields.String(
        required=True, allow_none=True,
        metadata={"description": "iCalendar feed of the sessions (not for drafts)"})


class CourseInSchema(ma.Schema):
    """A course as a coordinator writes it. Enrolment times without an offset are in the course's zone."""

    title = Text(MAX_TITLE, required=True)
    description = Text(MAX_DESCRIPTION, multiline=True, load_default="")
    host_country = CountryCode(required=True)
    city = Text(MAX_CITY, required=True)
    venue = Text(MAX_VENUE, load_default="")
    timezone = TimezoneName(required=True)
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    capacity = StrictInteger(minimum=1, maximum=MAX_CAPACITY, required=True)
    enrolment_opens_at = Instant(load_default=None, allow_none=True)
    enrolment_closes_at = Instant(load_default=None, allow_none=True)
    requires_approval = StrictBoolean(load_default=False)


class CoursePatchSchema(CourseInSchema):
    """Only the fields sent change."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class CourseFilterSchema(PaginationArgsSchema):
    status = ma.fields.Enum(CourseStatus, by_value=True, load_default=None)
    host_country = CountryCode(load_default=None)
    starts_from = Day(data_key="from", load_default=None,
                      metadata={"description": "Courses still running on or after this day"})
    until = Day(data_key="to", load_default=None,
                metadata={"description": "Courses that have begun by this day"})


class CancelSchema(ma.Schema):
    reason = Text(MAX_CANCEL_REASON, multiline=True, load_default="",
                  metadata={"description": "Told to everyone concerned"})


class InstructorRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class SessionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    course_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    kind = ma.fields.Enum(SessionKind, by_value=True, required=True)
    starts_at = ma.fields.DateTime(required=True, metadata={"description": "With the course's UTC offset"})
    ends_at = ma.fields.DateTime(required=True)
    room = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    cancelled = ma.fields.Boolean(required=True)
    instructors = ma.fields.List(ma.fields.Nested(InstructorRefSchema), required=True)


class SessionInSchema(ma.Schema):
    """A time without an offset is local to the course's timezone."""

    title = Text(MAX_TITLE, required=True)
    starts_at = Instant(required=True, metadata={"example": "2031-03-04T09:00:00"})
    ends_at = Instant(required=True, metadata={"example": "2031-03-04T12:00:00"})
    room = Text(MAX_ROOM, load_default="")
    instructor_ids = ma.fields.List(StrictInteger(minimum=1), load_default=list,
                                    validate=ma.validate.Length(max=50))
    kind = ma.fields.Enum(SessionKind, by_value=True, load_default=SessionKind.LECTURE)
    description = Text(MAX_SESSION_NOTES, multiline=True, load_default="")


class SessionPatchSchema(SessionInSchema):
    """Only the fields sent change."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class InstructorSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    organisation = ma.fields.String(required=True)
    expertise = ma.fields.String(required=True)
    bio = ma.fields.String(required=True)
    email = ma.fields.String(required=True, allow_none=True,
                             metadata={"description": "Shown to coordinators only"})
    sessions = ma.fields.Integer(required=True, metadata={"description": "Sessions taught"})


class InstructorInSchema(ma.Schema):
    name = Text(MAX_NAME, required=True)
    organisation = Text(MAX_ORGANISATION, load_default="")
    expertise = Text(MAX_EXPERTISE, load_default="")
    bio = Text(MAX_BIO, multiline=True, load_default="")
    email = Text(MAX_EMAIL, load_default="", metadata={"description": "For instructors without an account"})
    account_email = Text(MAX_EMAIL, load_default="", metadata={"description": "Links an existing account"})


CoursePageSchema = page_of(CourseSchema, "CoursePage")
SessionPageSchema = page_of(SessionSchema, "SessionPage")
InstructorPageSchema = page_of(InstructorSchema, "InstructorPage")


# --- what the API shows ----------------------------------------------------------------------

def quotas_out(summary: SeatSummary) -> list[dict[str, Any]]:
    return [{"country": q.country, "seats": q.seats, "confirmed": q.confirmed,
             "waitlisted": q.waitlisted, "available": q.available} for q in summary.quotas]


def course_out(course: Course, summary: SeatSummary) -> dict[str, Any]:
    fields = {name: getattr(course, name) for name in CourseSchema._declared_fields
              if name not in ("quotas", "calendar_url")}
    visible = course.status is not CourseStatus.DRAFT
    return fields | {
        "quotas": quotas_out(summary),
        "calendar_url": external_url("calendar.course_feed", slug=course.slug) if visible else None,
    }


def courses_out(courses: list[Course]) -> list[dict[str, Any]]:
    """Courses with their quotas (one query for all of them)."""
    summaries = seat_summaries(db.session, [c.id for c in courses])
    return [course_out(c, summaries[c.id]) for c in courses]


def session_out(course_session: CourseSession, course: Course) -> dict[str, Any]:
    zone = ZoneInfo(course.timezone)
    return {
        "id": course_session.id, "course_id": course.id, "title": course_session.title,
        "kind": course_session.kind, "starts_at": course_session.starts_at.astimezone(zone),
        "ends_at": course_session.ends_at.astimezone(zone), "room": course_session.room,
        "description": course_session.description, "cancelled": course_session.cancelled,
        "instructors": [{"id": i.id, "name": i.name} for i in course_session.instructors],
    }


def _course(course_id: int) -> Course:
    return services.get_course(db.session, course_id, viewer=current_user)


def _details(data: dict[str, Any], course: Course | None = None) -> services.CourseDetails:
    """The course's details with data applied over what it has now."""
    current: dict[str, Any] = {}
    if course is not None:
        current = {name: getattr(course, name) for name in CourseInSchema._declared_fields}
        current["language"] = course.language
    return services.CourseDetails(**(current | data))


# --- courses -------------------------------------------------------------------------------

@blp.route("/courses", methods=["GET"])
@blp.arguments(CourseFilterSchema, location="query")
@blp.response(200, CoursePageSchema)
@documents(422)
def list_courses(args: dict[str, Any]):
    """Courses (drafts only for coordinators), soonest first; no token needed."""
    query = services.courses_query(current_user, status=args["status"], host_country=args["host_country"],
                                   starts_from=args["starts_from"], until=args["until"])
    result = paginate(db.session, query, args)
    result["items"] = courses_out(result["items"])
    return result


@blp.route("/courses/<id:course_id>", methods=["GET"])
@blp.response(200, CourseSchema)
@documents(404)
def get_course(course_id: int):
    """One course with its quotas; no token needed unless it is a draft."""
    return courses_out([_course(course_id)])[0]


@blp.route("/courses", methods=["POST"])
@managers
@blp.arguments(CourseInSchema)
@blp.response(201, CourseSchema)
@documents(400, 401, 403, 409, 415, 422)
def create_course(data: dict[str, Any]):
    """Create a course, as a draft (coordinators)."""
    with unit_of_work():
        course = services.create_course(db.session, _details(data), actor=current_user, via="api")
    return courses_out([course])[0]


@blp.route("/courses/<id:course_id>", methods=["PATCH"])
@managers
@blp.arguments(CoursePatchSchema)
@blp.response(200, CourseSchema)
@documents(400, 401, 403, 404, 415, 422)
def update_course(data: dict[str, Any], course_id: int):
    """Change some of a course's details (coordinators)."""
    course = _course(course_id)
    with unit_of_work():
        services.update_course(db.session, course, _details(data, course), actor=current_user, via="api")
    return courses_out([course])[0]


@blp.route("/courses/<id:course_id>/publish", methods=["POST"])
@managers
@blp.response(200, CourseSchema)
@documents(401, 403, 404, 422)
def publish_course(course_id: int):
    """Publish a draft: it appears in the catalogue (coordinators)."""
    course = _course(course_id)
    with unit_of_work():
        services.publish_course(db.session, course, actor=current_user, via="api")
    return courses_out([course])[0]


@blp.route("/courses/<id:course_id>/cancel", methods=["POST"])
@managers
@blp.arguments(CancelSchema, required=False)
@blp.response(200, CourseSchema)
@documents(400, 401, 403, 404, 415, 422)
def cancel_course(data: dict[str, Any], course_id: int):
    """Cancel a course; it stays visible as cancelled and everyone concerned is told (coordinators)."""
    course = _course(course_id)
    with unit_of_work():
        services.cancel_course(db.session, course, actor=current_user, reason=data.get("reason", ""),
                               via="api")
    return courses_out([course])[0]


# --- sessions ------------------------------------------------------------------------------

@blp.route("/courses/<id:course_id>/sessions", methods=["GET"])
@blp.arguments(PaginationArgsSchema, location="query")
@blp.response(200, SessionPageSchema)
@documents(404, 422)
def list_sessions(args: dict[str, int], course_id: int):
    """The course's schedule in time order, cancelled sessions included; no token needed."""
    course = _course(course_id)
    result = paginate(db.session, services.sessions_query(course), args)
    result["items"] = [session_out(s, course) for s in result["items"]]
    return result


def _session_now(session_id: int) -> dict[str, Any]:
    """The session as it stands after the commit."""
    return session_out(*services.get_session(db.session, session_id, viewer=current_user))


def _slot(course: Course, data: dict[str, Any]) -> dict[str, Any]:
    day, starts, ends = wall_clock_slot(data.pop("starts_at"), data.pop("ends_at"), course.timezone)
    return data | {"day": day, "starts": starts, "ends": ends}


@blp.route("/courses/<id:course_id>/sessions", methods=["POST"])
@managers
@blp.arguments(SessionInSchema)
@blp.response(201, SessionSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def add_session(data: dict[str, Any], course_id: int):
    """Schedule a session; an instructor or room already taken at that time is a 409 naming the clash."""
    course = _course(course_id)
    with unit_of_work(), api_fields(SESSION_FIELDS):
        added = services.add_session(db.session, course, actor=current_user, via="api",
                                     **_slot(course, data))
        added_id = added.id
    return _session_now(added_id)


@blp.route("/sessions/<id:session_id>", methods=["PATCH"])
@managers
@blp.arguments(SessionPatchSchema)
@blp.response(200, SessionSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def update_session(data: dict[str, Any], session_id: int):
    """Change some of a session's details; people concerned hear of a new time or room (coordinators)."""
    course_session, course = services.get_session(db.session, session_id, viewer=current_user)
    zone = ZoneInfo(course.timezone)
    current = {
        "title": course_session.title, "kind": course_session.kind, "room": course_session.room,
        "description": course_session.description,
        "starts_at": course_session.starts_at.astimezone(zone),
        "ends_at": course_session.ends_at.astimezone(zone),
        "instructor_ids": [i.id for i in course_session.instructors],
    }
    with unit_of_work(), api_fields(SESSION_FIELDS):
        services.update_session(db.session, course_session, course, actor=current_user, via="api",
                                **_slot(course, current | data))
    return _session_now(session_id)


@blp.route("/sessions/<id:session_id>", methods=["DELETE"])
@managers
@blp.response(200, SessionSchema)
@documents(401, 403, 404, 422)
def cancel_session(session_id: int):
    """Cancel a session: it stays in the schedule as cancelled (coordinators)."""
    course_session, course = services.get_session(db.session, session_id, viewer=current_user)
    with unit_of_work():
        services.cancel_session(db.session, course_session, course, actor=current_user, via="api")
    return _session_now(session_id)


# --- instructors ---------------------------------------------------------------------------

def instructor_out(instructor: Any, sessions: int) -> dict[str, Any]:
    return {
        "id": instructor.id, "name": instructor.name, "organisation": instructor.organisation,
        "expertise": instructor.expertise, "bio": instructor.bio, "sessions": sessions,
        "email": instructor.email if is_coordinator(current_user) else None,
    }


@blp.route("/instructors", methods=["GET"])
@blp.arguments(PaginationArgsSchema, location="query")
@blp.response(200, InstructorPageSchema)
@documents(422)
def list_instructors(args: dict[str, int]):
    """The instructor directory with how many sessions each teaches; no token needed."""
    result = paginate(db.session, services.instructor_directory_query(current_user), args, scalars=False)
    result["items"] = [instructor_out(i, n) for i, n in result["items"]]
    return result


@blp.route("/instructors", methods=["POST"])
@managers
@blp.arguments(InstructorInSchema)
@blp.response(201, InstructorSchema)
@documents(400, 401, 403, 409, 415, 422)
def create_instructor(data: dict[str, Any]):
    """Add someone to the instructor directory (coordinators)."""
    with unit_of_work():
        person = services.create_instructor(db.session, services.InstructorDetails(**data),
                                            actor=current_user, via="api")
    return instructor_out(person, 0)
