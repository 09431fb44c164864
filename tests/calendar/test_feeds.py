"""What the feeds hold: stable UIDs, data-derived stamps, cancellations kept, safe text, correct format."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from tests.calendar.conftest import STAMP, local
from training.core.database import utcnow
from training.courses.models import CourseStatus


def events_of(response) -> list[icalendar.Event]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data).walk("VEVENT")


def test_course_list_shows_each_visible_course_as_an_all_day_event_ending_the_day_after(
    client, make_course
):
    make_course(slug="beijing", title="Cyber counter-terrorism", starts_on=date(2026, 3, 9),
                ends_on=date(2026, 3, 18))
    make_course(slug="past", title="Past course", status=CourseStatus.COMPLETED,
                starts_on=date(2025, 5, 5), ends_on=date(2025, 5, 9))
    make_course(slug="draft", title="Draft course", status=CourseStatus.DRAFT)

    events = events_of(client.get("/calendar/courses.ics"))

    by_summary = {str(e["SUMMARY"]): e for e in events}
    assert set(by_summary) == {"Cyber counter-terrorism", "Past course"}
    beijing = by_summary["Cyber counter-terrorism"]
    assert beijing.decoded("DTSTART") == date(2026, 3, 9)
    assert beijing.decoded("DTEND") == date(2026, 3, 19)  # exclusive: the 18th is the last day
    assert str(beijing["LOCATION"]) == "People's Public Security University, Beijing, China"
    assert str(beijing["URL"]) == "http://training.test/courses/beijing"


def test_a_draft_course_has_no_feed(client, make_course, make_session):
    draft = make_course(slug="secret-plans", status=CourseStatus.DRAFT)
    make_session(draft)

    assert client.get("/calendar/courses/secret-plans.ics").status_code == 404
    assert client.get("/calendar/courses/no-such-course.ics").status_code == 404
    assert b"secret-plans" not in client.get("/calendar/courses.ics").data


def test_course_feed_has_timed_sessions_with_zone_instructors_room_and_link(
    client, make_course, make_session, make_instructor
):
    course = make_course(slug="beijing", title="Cyber counter-terrorism")
    li = make_instructor("Li Na", organisation="People's Public Security University")
    wang = make_instructor("Wang Wei")
    make_session(course, title="Tracing funds", room="Hall B", instructors=[li, wang],
                 start=local("Asia/Shanghai", 2026, 3, 10, 14))

    response = client.get("/calendar/courses/beijing.ics")
    (event,) = events_of(response)

    assert b"DTSTART;TZID=Asia/Shanghai:20260310T140000\r\n" in response.data
    assert b"BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n" in response.data
    assert event.decoded("DTSTART") == datetime(2026, 3, 10, 6, tzinfo=UTC)
    # The calendar is named after the course: each block shows its session, not the course again.
    assert str(event["SUMMARY"]) == "Tracing funds"
    assert str(event["LOCATION"]).startswith("Hall B, People's Public Security University, Beijing")
    description = str(event["DESCRIPTION"])
    assert "Instructors: Li Na (People's Public Security University), Wang Wei" in description
    assert "http://training.test/courses/beijing" in description
    assert str(event["URL"]) == "http://training.test/courses/beijing"


def test_every_tzid_used_has_its_vtimezone(client, make_course, make_session, make_user, enrol, feed_path):
    person = make_user()
    for slug, zone in (("ny", "America/New_York"), ("bj", "Asia/Shanghai"), ("vie", "Europe/Vienna")):
        course = make_course(slug=slug, timezone=zone)
        make_session(course)
        enrol(person, course)

    calendar = icalendar.Calendar.from_ical(client.get(feed_path(person)).data)

    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [
        "America/New_York", "Asia/Shanghai", "Europe/Vienna"
    ]
    assert calendar.get_missing_tzids() == set()


def test_uid_comes_from_the_database_and_dtstamp_from_the_data(client, make_course, make_session):
    course = make_course(slug="bj")
    row = make_session(course)

    (event,) = events_of(client.get("/calendar/courses/bj.ics"))
    (listed,) = events_of(client.get("/calendar/courses.ics"))

    assert str(event["UID"]) == f"session-{row.id}@training.test"
    assert str(listed["UID"]) == f"course-{course.id}@training.test"
    assert event.decoded("DTSTAMP") == STAMP
    assert listed.decoded("DTSTAMP") == STAMP


def test_an_unchanged_feed_is_byte_identical_between_requests(client, make_course, make_session):
    course = make_course(slug="bj")
    make_session(course)
    make_session(course, start=local("Asia/Shanghai", 2026, 3, 11, 9), title="Day two")

    first = client.get("/calendar/courses/bj.ics")
    second = client.get("/calendar/courses/bj.ics")

    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Last-Modified"] == second.headers["Last-Modified"]


def test_a_cancelled_session_stays_in_the_feed_as_cancelled_with_a_higher_sequence(
    client, session, make_course, make_session
):
    course = make_course(slug="bj")
    row = make_session(course)
    (before,) = events_of(client.get("/calendar/courses/bj.ics"))

    # What the course services do on cancellation: flag it, raise its sequence.
    row.cancelled = True
    row.sequence += 1
    session.commit()
    (after,) = events_of(client.get("/calendar/courses/bj.ics"))

    assert str(before["STATUS"]) == "CONFIRMED"
    assert str(after["STATUS"]) == "CANCELLED"
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_a_cancelled_course_cancels_its_sessions_and_stays_at_least_thirty_days(
    client, session, make_course, make_session
):
    course = make_course(slug="bj", starts_on=date(2025, 3, 9), ends_on=date(2025, 3, 18))
    make_session(course, start=local("Asia/Shanghai", 2025, 3, 9, 9))
    (before,) = events_of(client.get("/calendar/courses/bj.ics"))

    course.status = CourseStatus.CANCELLED
    course.sequence += 1
    course.updated_at = utcnow() - timedelta(days=29)
    session.commit()
    (listed,) = events_of(client.get("/calendar/courses.ics"))
    (after,) = events_of(client.get("/calendar/courses/bj.ics"))

    assert str(listed["STATUS"]) == "CANCELLED"
    assert str(after["STATUS"]) == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]

    # Long after a cancellation of a course that is over, the list lets it go.
    course.updated_at = utcnow() - timedelta(days=31)
    session.commit()
    assert events_of(client.get("/calendar/courses.ics")) == []


def test_a_cancelled_course_still_to_come_stays_in_the_list(client, session, make_course):
    today = utcnow().date()
    course = make_course(slug="later", starts_on=today + timedelta(days=60),
                         ends_on=today + timedelta(days=70))
    course.status = CourseStatus.CANCELLED
    course.updated_at = utcnow() - timedelta(days=45)
    session.commit()

    (listed,) = events_of(client.get("/calendar/courses.ics"))

    assert str(listed["STATUS"]) == "CANCELLED"


def test_a_new_time_or_room_raises_the_sequence(client, session, make_course, make_session):
    course = make_course(slug="bj")
    row = make_session(course)
    (before,) = events_of(client.get("/calendar/courses/bj.ics"))

    row.starts_at += timedelta(hours=1)
    row.ends_at += timedelta(hours=1)
    row.room = "Hall C"
    row.sequence += 1
    session.commit()
    (after,) = events_of(client.get("/calendar/courses/bj.ics"))

    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(hours=1)
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")


def test_calendar_has_a_name_refresh_interval_and_ttl(client, make_course):
    make_course(slug="bj", title="Cyber counter-terrorism")

    text = client.get("/calendar/courses/bj.ics").data

    assert b"\r\nNAME:Cyber counter-terrorism\r\n" in text
    assert b"\r\nX-WR-CALNAME:Cyber counter-terrorism\r\n" in text
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in text
    assert b"\r\nX-WR-TIMEZONE:Asia/Shanghai\r\n" in text


def test_a_title_with_a_newline_cannot_inject_an_event(client, make_course, make_session):
    hostile = "Cyber\r\nBEGIN:VEVENT\nUID:evil@example.org\nSUMMARY:Injected\nEND:VEVENT\n;, \\"
    course = make_course(slug="bj", title=hostile, venue="Hall\nBEGIN:VALARM", description=hostile)
    make_session(course, title=hostile, room="Room\nEND:VCALENDAR")

    for path in ("/calendar/courses.ics", "/calendar/courses/bj.ics"):
        data = client.get(path).data
        lines = data.split(b"\r\n")
        assert sum(line == b"BEGIN:VEVENT" for line in lines) == 1
        assert sum(line == b"END:VCALENDAR" for line in lines) == 1
        assert not any(line.startswith(b"UID:evil") for line in lines)
        (event,) = events_of(client.get(path))
        assert str(event["SUMMARY"]).startswith("Cyber\nBEGIN:VEVENT\nUID:evil@example.org")
        assert str(event["SUMMARY"]).endswith(";, \\")


def test_lines_end_in_crlf_and_fold_at_75_octets_without_splitting_a_character(
    client, make_course, make_session
):
    title = "网络反恐调查与数字取证高级研修班：社交媒体情报分析、加密货币追踪与跨境协作" * 2
    course = make_course(slug="bj", title=title, description="é" * 200)
    make_session(course, title="Ünïcödé " * 20)

    data = client.get("/calendar/courses/bj.ics").data

    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a character split across lines would not decode
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Ünïcödé " * 20


@pytest.mark.parametrize("path", [
    "/calendar/courses/%00.ics", "/calendar/courses/..%2F..%2Fetc.ics",
    "/calendar/courses/" + "x" * 5000 + ".ics",
    "/calendar/feeds/" + "A" * 43 + ".ics", "/calendar/feeds/%F0%9F%98%80.ics", "/calendar/feeds/.ics",
    "/calendar/courses/bj.ics?download=%00",
])
def test_bad_input_is_never_a_server_error(client, make_course, path):
    make_course(slug="bj")
    assert client.get(path).status_code in (200, 404)


def test_download_link_offers_the_same_calendar_as_a_file(client, make_course):
    make_course(slug="bj")

    subscribed = client.get("/calendar/courses/bj.ics")
    downloaded = client.get("/calendar/courses/bj.ics?download=1")

    assert downloaded.data == subscribed.data
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="bj.ics"'
    assert "Content-Disposition" not in subscribed.headers


def test_a_course_feed_titles_each_event_by_its_session_and_names_the_course_once(
    client, make_course, make_session
):
    course = make_course(slug="bj", title="Cyber counter-terrorism investigation techniques")
    make_session(course, title="Opening")
    make_session(course, title="Tracing funds", start=datetime(2026, 3, 10, 6, tzinfo=UTC))

    data = client.get("/calendar/courses/bj.ics").data

    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Cyber counter-terrorism investigation techniques"
    assert sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT")) == ["Opening", "Tracing funds"]
