"""The courses API: catalogue reads, creating and changing courses, quotas, sessions, instructors."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.api.test_api_core import assert_problem
from training.audit.models import AuditEntry
from training.courses.models import Course, CourseSession, CourseStatus
from training.enrolment.models import Enrolment

NEW_COURSE = {
    "title": "Cybercrime investigation, Beijing",
    "description": "Ten days on tracing online fraud.",
    "host_country": "cn",
    "city": "Beijing",
    "venue": "People's Public Security University",
    "timezone": "Asia/Shanghai",
    "starts_on": "2031-03-03",
    "ends_on": "2031-03-12",
    "capacity": 20,
    "enrolment_opens_at": "2031-01-05T09:00:00",
    "enrolment_closes_at": "2031-02-20T17:00:00+00:00",
    "requires_approval": True,
}
COURSE_FIELDS = {"id", "slug", "title", "description", "host_country", "city", "venue", "timezone",
                 "starts_on", "ends_on", "capacity", "enrolment_opens_at", "enrolment_closes_at",
                 "requires_approval", "status", "quotas", "calendar_url"}


def test_coordinator_creates_a_draft_course_with_local_enrolment_times(call, session):
    response = call("POST", "/courses", "coordinator", NEW_COURSE)
    assert response.status_code == 201, response.json
    course = response.json
    assert set(course) == COURSE_FIELDS
    assert course["status"] == "draft" and course["host_country"] == "CN"
    assert course["slug"] == "cybercrime-investigation-beijing-2031"
    # 09:00 in Beijing is 01:00 UTC; a time with an offset is taken as given.
    assert course["enrolment_opens_at"] == "2031-01-05T01:00:00+00:00"
    assert course["enrolment_closes_at"] == "2031-02-20T17:00:00+00:00"
    assert course["quotas"] == [] and course["calendar_url"] is None
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "course.created"))
    assert entry.via == "api"


def test_course_rules_answer_422_naming_the_field(call):
    def refused(**fields):
        return assert_problem(call("POST", "/courses", "coordinator", NEW_COURSE | fields), 422)["errors"]

    assert refused(ends_on="2031-03-01") == {"ends_on": ["The course cannot end before it starts."]}
    assert "timezone" in refused(timezone="Mars/Base")
    assert "capacity" in refused(capacity="20")
    assert "title" in refused(title="a\x00b")  # PostgreSQL cannot store NUL
    assert "title" in refused(title="x" * 201)
    assert "starts_on" in refused(starts_on="9999-12-31", ends_on="9999-12-31")


def test_a_local_time_skipped_by_daylight_saving_is_refused(call):
    body = assert_problem(call("POST", "/courses", "coordinator", dict(
        NEW_COURSE, timezone="America/New_York", host_country="US", starts_on="2031-03-10",
        ends_on="2031-03-20", enrolment_opens_at="2031-03-09T02:30:00")), 422)
    assert "enrolment_opens_at" in body["errors"]
    assert "does not exist" in body["detail"]


def test_publish_patch_and_cancel(call, make_course, session):
    course = make_course(publish=False)
    published = call("POST", f"/courses/{course.id}/publish", "coordinator")
    assert published.status_code == 200 and published.json["status"] == "published"
    assert published.json["calendar_url"] == f"http://training.test/calendar/courses/{course.slug}.ics"
    assert_problem(call("POST", f"/courses/{course.id}/publish", "coordinator"), 422)
    patched = call("PATCH", f"/courses/{course.id}", "coordinator", {"city": "Shanghai", "capacity": 25})
    assert patched.status_code == 200
    assert (patched.json["city"], patched.json["capacity"], patched.json["venue"]) == (
        "Shanghai", 25, "People's Public Security University")
    cancelled = call("POST", f"/courses/{course.id}/cancel", "coordinator", {"reason": "Venue closed"})
    assert cancelled.json["status"] == "cancelled"
    assert_problem(call("PATCH", f"/courses/{course.id}", "coordinator", {"city": "Xi'an"}), 422)
    assert session.get(Course, course.id).status is CourseStatus.CANCELLED


def test_course_list_filters_paginates_and_hides_drafts(call, make_course):
    early = make_course(starts_on=date(2031, 1, 5), ends_on=date(2031, 1, 9))
    make_course(starts_on=date(2031, 6, 1), ends_on=date(2031, 6, 9), host_country="US",
                city="Washington", timezone="America/New_York")
    draft = make_course(publish=False, starts_on=date(2031, 2, 1), ends_on=date(2031, 2, 3))
    everyone = call("GET", "/courses").json
    assert everyone["total"] == 2 and draft.id not in [c["id"] for c in everyone["items"]]
    assert call("GET", "/courses", "coordinator").json["total"] == 3
    assert call("GET", "/courses?status=draft").json["total"] == 0
    assert [c["host_country"] for c in call("GET", "/courses?host_country=us").json["items"]] == ["US"]
    window = call("GET", "/courses?from=2031-01-08&to=2031-01-31").json["items"]
    assert [c["id"] for c in window] == [early.id]
    page = call("GET", "/courses?per_page=1&page=2").json
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 1, 2, 1)
    assert page["items"][0]["quotas"] == [
        {"country": "US", "seats": 15, "confirmed": 0, "waitlisted": 0, "available": 15}]
    assert_problem(call("GET", "/courses?per_page=1000"), 422)
    assert_problem(call("GET", "/courses?from=yesterday"), 422)


def test_drafts_are_not_found_except_by_coordinators(call, make_course):
    draft = make_course(publish=False)
    for who in ("anonymous", "personnel-us", "focal-us", "instructor"):
        assert_problem(call("GET", f"/courses/{draft.id}", who), 404)
        assert_problem(call("GET", f"/courses/{draft.id}/sessions", who), 404)
    assert call("GET", f"/courses/{draft.id}", "admin").status_code == 200
    assert_problem(call("GET", "/courses/2147483648"), 404)  # beyond any id: simply not found


def test_quotas_are_replaced_and_never_exceed_capacity(call, make_course, session):
    course = make_course(quotas={})
    response = call("PUT", f"/courses/{course.id}/quotas", "coordinator", {"US": 15, "cn": 5})
    assert response.status_code == 200
    assert response.json["quotas"] == [
        {"country": "CN", "seats": 5, "confirmed": 0, "waitlisted": 0, "available": 5},
        {"country": "US", "seats": 15, "confirmed": 0, "waitlisted": 0, "available": 15},
    ]
    body = assert_problem(call("PUT", f"/courses/{course.id}/quotas", "coordinator", {"US": 21}), 422)
    assert body["errors"] == {"seats": ["The quotas would add up to 21 seats, but the course has 20."]}
    assert "country" in assert_problem(
        call("PUT", f"/courses/{course.id}/quotas", "coordinator", {"XX": 1}), 422)["errors"]
    assert "US" in assert_problem(
        call("PUT", f"/courses/{course.id}/quotas", "coordinator", {"US": -1}), 422)["errors"]
    assert_problem(call("PUT", f"/courses/{course.id}/quotas", "coordinator", {"US": True}), 422)
    assert call("GET", f"/courses/{course.id}").json["quotas"][1]["seats"] == 15


def test_raising_a_quota_promotes_the_waitlist(call, make_course, session):
    course = make_course(quotas={"US": 1})
    call("POST", f"/courses/{course.id}/enrolments", "personnel-us", {})
    call("POST", f"/courses/{course.id}/enrolments", "focal-us", {})
    assert call("GET", f"/courses/{course.id}").json["quotas"][0]["waitlisted"] == 1
    response = call("PUT", f"/courses/{course.id}/quotas", "coordinator", {"US": 2})
    assert response.json["quotas"][0] == {"country": "US", "seats": 2, "confirmed": 2, "waitlisted": 0,
                                          "available": 0}


def test_sessions_are_entered_in_local_time_and_clashes_name_the_other_session(call, make_course, teacher):
    course = make_course()
    day = course.starts_on.isoformat()
    created = call("POST", f"/courses/{course.id}/sessions", "coordinator", {
        "title": "Tracing cryptocurrency", "starts_at": f"{day}T09:00:00", "ends_at": f"{day}T12:00:00",
        "room": "Lab 2", "instructor_ids": [teacher.id]})
    assert created.status_code == 201, created.json
    assert created.json["starts_at"] == f"{day}T09:00:00+08:00"
    assert created.json["instructors"] == [{"id": teacher.id, "name": "Zhou Instructor"}]
    # The same instant written in UTC clashes with it, naming it.
    clash = assert_problem(call("POST", f"/courses/{course.id}/sessions", "coordinator", {
        "title": "Another", "starts_at": f"{day}T02:00:00Z", "ends_at": f"{day}T03:00:00Z",
        "instructor_ids": [teacher.id]}), 409)
    assert "Tracing cryptocurrency" in clash["detail"] and "instructor_ids" in clash["errors"]
    outside = assert_problem(call("POST", f"/courses/{course.id}/sessions", "coordinator", {
        "title": "Too early", "starts_at": "2020-01-01T09:00:00", "ends_at": "2020-01-01T10:00:00"}), 422)
    assert "starts_at" in outside["errors"]
    overnight = assert_problem(call("POST", f"/courses/{course.id}/sessions", "coordinator", {
        "title": "Night", "starts_at": f"{day}T22:00:00", "ends_at": f"{day}T01:00:00"}), 422)
    assert "ends_at" in overnight["errors"]

    session_id = created.json["id"]
    moved = call("PATCH", f"/sessions/{session_id}", "coordinator", {"starts_at": f"{day}T10:00:00"})
    assert moved.status_code == 200
    assert (moved.json["starts_at"], moved.json["ends_at"], moved.json["room"]) == (
        f"{day}T10:00:00+08:00", f"{day}T12:00:00+08:00", "Lab 2")
    cancelled = call("DELETE", f"/sessions/{session_id}", "coordinator")
    assert cancelled.status_code == 200 and cancelled.json["cancelled"] is True
    assert_problem(call("DELETE", f"/sessions/{session_id}", "coordinator"), 422)
    listed = call("GET", f"/courses/{course.id}/sessions").json
    assert listed["total"] == 1 and listed["items"][0]["cancelled"] is True


def test_instructors_directory_and_creation(call, teacher):
    created = call("POST", "/instructors", "coordinator", {"name": "Maria Lopez", "organisation": "FBI",
                                                            "email": "maria@fbi.example"})
    assert created.status_code == 201 and created.json["email"] == "maria@fbi.example"
    public = call("GET", "/instructors").json
    assert [i["name"] for i in public["items"]] == ["Maria Lopez", "Zhou Instructor"]
    assert all(i["email"] is None for i in public["items"])  # addresses are for coordinators
    assert call("GET", "/instructors", "coordinator").json["items"][0]["email"] == "maria@fbi.example"
    duplicate = assert_problem(call("POST", "/instructors", "coordinator", {
        "name": "Again", "account_email": "teacher@cn.example"}), 409)
    assert "account_email" in duplicate["errors"]


def test_course_list_runs_the_same_queries_for_3_and_40_courses(call, make_course, count_queries,
                                                                   session, people):
    def list_all() -> int:
        with count_queries() as counter:
            response = call("GET", "/courses?per_page=100", "coordinator")
        assert response.status_code == 200
        return counter.count, response.json["total"]

    for _ in range(3):
        make_course()
    call.headers("coordinator")  # the token exists before counting
    small, total = list_all()
    assert total == 3
    for _ in range(37):
        make_course(quotas={"US": 5, "CN": 5})
    large, total = list_all()
    assert total == 40 and large == small
    print(f"\nGET /courses: {small} queries for 3 courses, {large} for 40")


def test_session_and_instructor_lists_run_fixed_queries(call, make_course, teacher, count_queries, session):
    course = make_course()

    def counted(path: str) -> int:
        with count_queries() as counter:
            assert call("GET", path).status_code == 200
        return counter.count

    def add(first: int, last: int) -> None:
        for i in range(first, last):
            day = (course.starts_on + timedelta(days=i % 9)).isoformat()
            hour = 8 + i // 9
            assert call("POST", f"/courses/{course.id}/sessions", "coordinator", {
                "title": f"S{i}", "starts_at": f"{day}T{hour:02d}:00:00",
                "ends_at": f"{day}T{hour:02d}:30:00",
                "instructor_ids": [teacher.id] if i % 2 else []}).status_code == 201

    add(0, 2)
    small = counted(f"/courses/{course.id}/sessions?per_page=100")
    small_directory = counted("/instructors")
    add(2, 32)
    for n in range(10):
        call("POST", "/instructors", "coordinator", {"name": f"Instructor {n}"})
    assert counted(f"/courses/{course.id}/sessions?per_page=100") == small
    assert counted("/instructors?per_page=100") == small_directory
    assert session.scalar(sa.select(sa.func.count()).select_from(CourseSession)) == 32
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0
