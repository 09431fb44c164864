"""Feeds are built in a fixed number of queries, whatever the number of sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from training.core import ical
from training.courses.models import CourseSession, Instructor, session_instructors
from training.courses.services import InstructorDetails, update_instructor
from training.enrolment.models import Enrolment, EnrolmentStatus


@pytest.fixture
def course_with_sessions(session, make_course, make_user):
    """A course with n sessions of two instructors each, and a person confirmed on it."""

    def make(n: int):
        course = make_course(slug=f"big-{n}", ends_on=datetime(2027, 12, 31).date())
        person = make_user()
        instructors = [Instructor(name=f"Instructor {i}") for i in range(4)]
        session.add_all(instructors)
        session.flush()
        start = datetime(2026, 3, 9, 1, tzinfo=UTC)
        rows = [
            {"course_id": course.id, "title": f"Session {i}", "starts_at": start + timedelta(hours=6 * i),
             "ends_at": start + timedelta(hours=6 * i + 2), "room": "Room 301", "kind": "lecture",
             "description": "", "cancelled": False, "sequence": 0,
             "created_at": start, "updated_at": start}
            for i in range(n)
        ]
        session.execute(sa.insert(CourseSession), rows)
        ids = session.scalars(sa.select(CourseSession.id).where(CourseSession.course_id == course.id)).all()
        session.execute(sa.insert(session_instructors), [
            {"session_id": sid, "instructor_id": instructors[k].id}
            for sid in ids for k in (sid % 4, (sid + 1) % 4)
        ])
        session.add(Enrolment(course_id=course.id, user_id=person.id, country="US",
                              status=EnrolmentStatus.CONFIRMED))
        session.commit()
        return course, person

    return make


def queries_for(client, count_queries, path: str) -> tuple[int, bytes]:
    client.get(path)  # first request records the feed's state; count the steady one
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count, response.data


def test_course_feed_takes_the_same_queries_for_5_and_1000_sessions(
    client, count_queries, course_with_sessions
):
    small, _ = course_with_sessions(5)
    big, _ = course_with_sessions(1000)

    small_count, small_body = queries_for(client, count_queries, f"/calendar/courses/{small.slug}.ics")
    big_count, big_body = queries_for(client, count_queries, f"/calendar/courses/{big.slug}.ics")

    assert small_body.count(b"BEGIN:VEVENT") == 5
    assert big_body.count(b"BEGIN:VEVENT") == 1000
    assert small_count == big_count <= 2


def test_personal_feed_takes_the_same_queries_for_5_and_1000_sessions(
    client, count_queries, course_with_sessions, feed_path
):
    _, few = course_with_sessions(5)
    _, many = course_with_sessions(1000)

    for person in (few, many):
        client.get(feed_path(person))  # built, and its token looked up; then the date it was served with
    few_count, few_body = queries_for(client, count_queries, feed_path(few))
    many_count, many_body = queries_for(client, count_queries, feed_path(many))

    assert few_body.count(b"BEGIN:VEVENT") == 5
    assert many_body.count(b"BEGIN:VEVENT") == 1000
    # Unchanged, the feed kept under its data versions and its token known to the worker under
    # the person's own version: one read of those versions.
    assert few_count == many_count == 1


def test_building_a_personal_feed_takes_the_same_queries_for_5_and_1000_sessions(
    app, client, count_queries, course_with_sessions, feed_path
):
    _, few = course_with_sessions(5)
    _, many = course_with_sessions(1000)
    counts = []
    for person in (few, many):
        client.get(feed_path(person))  # records the feed's state
        app.extensions["fingerprint_caches"].clear()  # as in a worker that never built it
        with count_queries() as counter:
            assert client.get(feed_path(person)).status_code == 200
        counts.append(counter.count)

    # token, its person, owner version, the feed's scopes and their versions, course ids, those
    # courses, their sessions, symposia, meeting series, served state; a change to record it
    assert counts[0] == counts[1] <= 12


def test_course_list_takes_the_same_queries_for_1_and_50_courses(client, count_queries, make_course):
    make_course()
    one, _ = queries_for(client, count_queries, "/calendar/courses.ics")
    for _ in range(49):
        make_course()
    fifty, body = queries_for(client, count_queries, "/calendar/courses.ics")

    assert body.count(b"BEGIN:VEVENT") == 50
    assert one == fifty <= 2


def test_an_unchanged_course_feed_costs_one_query_and_its_304_the_same(
    client, count_queries, course_with_sessions
):
    course, _ = course_with_sessions(1000)
    path = f"/calendar/courses/{course.slug}.ics"
    etag = client.get(path).headers["ETag"]
    client.get(path)  # the state it was served with is known from now on

    with count_queries() as full:
        assert client.get(path).status_code == 200
    with count_queries() as revalidated:
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304

    assert full.count == revalidated.count == 1


def test_after_one_session_changes_only_its_event_is_written_again(
    client, session, course_with_sessions
):
    course, _ = course_with_sessions(1000)
    path = f"/calendar/courses/{course.slug}.ics"
    before = client.get(path)
    changed = session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == course.id).order_by(CourseSession.id)
    ).first()
    changed.title = "Moved to the lab"
    changed.sequence += 1
    session.commit()
    written = ical._vevent_bytes.cache_info().misses

    after = client.get(path)

    assert ical._vevent_bytes.cache_info().misses - written == 1
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.data.count(b"BEGIN:VEVENT") == 1000
    assert b"Moved to the lab" in after.data and b"Moved to the lab" not in before.data


def test_renaming_an_instructor_changes_the_feeds_that_name_them(
    client, session, make_course, make_session, coordinator
):
    course = make_course()
    instructor = Instructor(name="Wang Lei", organisation="PPSU")
    session.add(instructor)
    session.commit()
    make_session(course, instructors=[instructor])
    path = f"/calendar/courses/{course.slug}.ics"
    before = client.get(path)

    update_instructor(session, instructor, InstructorDetails(name="Wang Lei-Chen", organisation="PPSU"),
                      actor=coordinator)
    session.commit()
    after = client.get(path)

    assert b"Wang Lei (PPSU)" in before.data
    assert b"Wang Lei-Chen (PPSU)" in after.data
    assert after.headers["ETag"] != before.headers["ETag"]
