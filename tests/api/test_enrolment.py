"""The enrolments API: enrolling, nominating, rosters, approving, rejecting, withdrawing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.api.test_api_core import assert_problem
from training.accounts.models import Role
from training.accounts.tokens import replace_feed_token
from training.core.database import utcnow
from training.enrolment.models import Enrolment, EnrolmentStatus

ENROLMENT_FIELDS = {"id", "course_id", "user_id", "country", "status", "waitlist_position", "created_at",
                    "person", "rejection_reason"}


def test_personnel_enrol_themselves_and_the_sixteenth_us_enrolment_is_waitlisted(call, make_course,
                                                                                 make_user, bearer):
    course = make_course()
    response = call("POST", f"/courses/{course.id}/enrolments", "personnel-us", {})
    assert response.status_code == 201, response.json
    assert set(response.json) >= ENROLMENT_FIELDS
    assert response.json["status"] == "confirmed" and response.json["country"] == "US"
    assert response.json["waitlist_position"] is None
    for _ in range(14):
        other = make_user(Role.PERSONNEL, "US", password=None)
        assert call.client.post(f"/api/v1/courses/{course.id}/enrolments", json={},
                                headers=bearer(other)).json["status"] == "confirmed"
    sixteenth = call("POST", f"/courses/{course.id}/enrolments", "focal-us", {})
    assert sixteenth.json["status"] == "waitlisted" and sixteenth.json["waitlist_position"] == 1
    again = assert_problem(call("POST", f"/courses/{course.id}/enrolments", "personnel-us", {}), 409)
    assert again["detail"] == "Alice Walker is already on this course."


def test_rule_violations_are_422(call, make_course):
    course = make_course()
    no_seats = assert_problem(call("POST", f"/courses/{course.id}/enrolments", "personnel-cn", {}), 422)
    assert no_seats["detail"] == "This course has no seats for personnel of China."
    closed = make_course(enrolment_opens_at=utcnow() - timedelta(days=5),
                         enrolment_closes_at=utcnow() - timedelta(days=1))
    body = assert_problem(call("POST", f"/courses/{closed.id}/enrolments", "personnel-us", {}), 422)
    assert body["detail"].startswith("Enrolment closed on")
    overridden = call("POST", f"/courses/{closed.id}/enrolments", "coordinator", {
        "user_id": call.people["personnel-us"].id, "override_window": True})
    assert overridden.status_code == 201 and overridden.json["status"] == "confirmed"
    assert_problem(call("POST", f"/courses/{course.id}/enrolments", "coordinator", {"user_id": 999_999}), 422)


def test_focal_point_nominates_only_their_own_countrys_people(call, make_course, session):
    course = make_course()
    alice, li = call.people["personnel-us"], call.people["personnel-cn"]
    refused = assert_problem(call("POST", f"/courses/{course.id}/enrolments", "focal-cn",
                                  {"user_id": alice.id}), 403)
    assert alice.email not in refused["detail"]  # nothing about another country's people
    assert_problem(call("POST", f"/courses/{course.id}/enrolments", "personnel-cn", {"user_id": li.id}),
                   422)  # oneself, but no Chinese seats
    assert_problem(call("POST", f"/courses/{course.id}/enrolments", "personnel-cn", {"user_id": alice.id}),
                   403)
    nominated = call("POST", f"/courses/{course.id}/enrolments", "focal-us", {"user_id": alice.id})
    assert nominated.status_code == 201 and nominated.json["user_id"] == alice.id
    row = session.get(Enrolment, nominated.json["id"])
    assert row.nominated_by_id == call.people["focal-us"].id


def test_approval_and_rejection(call, make_course, session):
    course = make_course(requires_approval=True)
    pending = call("POST", f"/courses/{course.id}/enrolments", "personnel-us", {}).json
    assert pending["status"] == "pending"
    approved = call("POST", f"/enrolments/{pending['id']}/approve", "coordinator")
    assert approved.status_code == 200 and approved.json["status"] == "confirmed"
    assert_problem(call("POST", f"/enrolments/{pending['id']}/approve", "coordinator"), 409)
    body = assert_problem(call("POST", f"/enrolments/{pending['id']}/reject", "coordinator", {"reason": " "}),
                          422)
    assert "reason" in body["errors"]
    rejected = call("POST", f"/enrolments/{pending['id']}/reject", "coordinator", {"reason": "Wrong unit."})
    assert rejected.json["status"] == "rejected" and rejected.json["rejection_reason"] == "Wrong unit."
    seen = call("GET", f"/enrolments/{pending['id']}", "personnel-us").json
    assert seen["status"] == "rejected" and seen["rejection_reason"] == "Wrong unit."


def test_withdrawing_frees_the_seat_for_the_head_of_the_waitlist(call, make_course, session):
    course = make_course(quotas={"US": 1})
    first = call("POST", f"/courses/{course.id}/enrolments", "personnel-us", {}).json
    second = call("POST", f"/courses/{course.id}/enrolments", "focal-us", {}).json
    assert second["status"] == "waitlisted"
    withdrawn = call("POST", f"/enrolments/{first['id']}/withdraw", "personnel-us")
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert call("GET", f"/enrolments/{second['id']}", "focal-us").json["status"] == "confirmed"
    assert_problem(call("POST", f"/enrolments/{first['id']}/withdraw", "personnel-us"), 409)


def test_rosters_are_scoped_like_the_html_pages(call, make_course, people, session, teacher, make_user):
    course = make_course(quotas={"US": 2, "CN": 2})
    call("POST", f"/courses/{course.id}/enrolments", "personnel-us", {})
    call("POST", f"/courses/{course.id}/enrolments", "personnel-cn", {})
    call("POST", f"/courses/{course.id}/enrolments", "focal-us", {})
    another_american = make_user(Role.PERSONNEL, "US", password=None)
    call("POST", f"/courses/{course.id}/enrolments", "coordinator", {"user_id": another_american.id})
    everyone = call("GET", f"/courses/{course.id}/enrolments", "coordinator").json
    assert everyone["total"] == 4
    waiting = call("GET", f"/courses/{course.id}/enrolments?status=waitlisted", "coordinator").json
    assert [e["waitlist_position"] for e in waiting["items"]] == [1]
    us_only = call("GET", f"/courses/{course.id}/enrolments", "focal-us").json
    assert {e["country"] for e in us_only["items"]} == {"US"} and us_only["total"] == 3
    assert call("GET", f"/courses/{course.id}/enrolments?country=CN", "focal-us").json["total"] == 0
    cn = call("GET", f"/courses/{course.id}/enrolments?country=cn", "coordinator").json
    assert [e["person"]["name"] for e in cn["items"]] == ["Li Na"]
    assert_problem(call("GET", f"/courses/{course.id}/enrolments", "personnel-us"), 403)
    assert_problem(call("GET", f"/courses/{course.id}/enrolments", "instructor"), 403)  # not teaching it
    day = course.starts_on.isoformat()
    call("POST", f"/courses/{course.id}/sessions", "coordinator", {
        "title": "Opening", "starts_at": f"{day}T09:00:00", "ends_at": f"{day}T10:00:00",
        "instructor_ids": [teacher.id]})
    taught = call("GET", f"/courses/{course.id}/enrolments", "instructor").json
    assert taught["total"] == 3 and {e["status"] for e in taught["items"]} == {"confirmed"}
    assert_problem(call("GET", f"/courses/{course.id}/enrolments"), 401)


def test_me_enrolments_and_feed_url(call, make_course, session, people):
    course = make_course()
    call("POST", f"/courses/{course.id}/enrolments", "personnel-us", {})
    mine = call("GET", "/me/enrolments", "personnel-us").json
    assert mine["total"] == 1 and mine["items"][0]["course_id"] == course.id
    token = replace_feed_token(session, people["personnel-us"])
    session.commit()
    assert call("GET", "/me", "personnel-us").json["feed_url"] == f"http://training.test/calendar/feeds/{token}.ics"


def test_me_gives_a_working_feed_url_from_the_first_call(call, client, people, session):
    feed_url = call("GET", "/me", "personnel-us").json["feed_url"]

    assert feed_url.startswith("http://training.test/calendar/feeds/")
    assert call("GET", "/me", "personnel-us").json["feed_url"] == feed_url  # made once, then kept
    feed = client.get(feed_url.removeprefix("http://training.test"))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"


def test_a_program_replaces_the_feed_address_and_the_old_one_stops_working(call, client, people):
    old = call("GET", "/me", "personnel-us").json["feed_url"]

    replaced = call("POST", "/me/feed-token", "personnel-us")

    assert replaced.status_code == 201
    new = replaced.json["feed_url"]
    assert new != old and call("GET", "/me", "personnel-us").json["feed_url"] == new
    assert client.get(old.removeprefix("http://training.test")).status_code == 404
    assert client.get(new.removeprefix("http://training.test")).status_code == 200
    assert call("POST", "/me/feed-token").status_code == 401


def test_roster_runs_the_same_queries_for_4_and_60_enrolments(call, make_course, make_user, bearer,
                                                               count_queries, session):
    course = make_course(quotas={"US": 10, "CN": 10}, capacity=20)

    def enrol(n: int, country: str) -> None:
        for _ in range(n):
            person = make_user(Role.PERSONNEL, country, password=None)
            assert call("POST", f"/courses/{course.id}/enrolments", "coordinator",
                        {"user_id": person.id}).status_code == 201

    path = f"/courses/{course.id}/enrolments?per_page=100"

    def roster() -> int:
        with count_queries() as counter:
            response = call("GET", path, "coordinator")
        assert response.status_code == 200
        return counter.count

    enrol(2, "US")
    enrol(2, "CN")
    small = roster()
    enrol(28, "US")  # 18 of them waitlisted
    enrol(28, "CN")
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(
        Enrolment.status == EnrolmentStatus.WAITLISTED)) == 40
    assert roster() == small
    page = call("GET", f"/courses/{course.id}/enrolments?status=waitlisted&country=US&per_page=5&page=2",
                "coordinator").json
    assert [e["waitlist_position"] for e in page["items"]] == [6, 7, 8, 9, 10]
    print(f"\nGET /courses/<id>/enrolments: {small} queries for 4 and for 60 enrolments")
