"""HTTP: a strong ETag from the content, a Last-Modified that never goes back, 304s, privacy headers."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from werkzeug.http import http_date, parse_date

from tests.calendar.conftest import STAMP, local
from training.enrolment.models import EnrolmentStatus


def test_etag_is_strong_and_if_none_match_gives_304(client, make_course, make_session):
    course = make_course(slug="bj")
    make_session(course)
    first = client.get("/calendar/courses/bj.ics")
    etag = first.headers["ETag"]

    again = client.get("/calendar/courses/bj.ics", headers={"If-None-Match": etag})

    assert not etag.startswith("W/")
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_if_modified_since_gives_304_until_the_data_changes(client, session, make_course, make_session):
    course = make_course(slug="bj")
    row = make_session(course)
    first = client.get("/calendar/courses/bj.ics")
    assert parse_date(first.headers["Last-Modified"]) == STAMP  # the data's time, not the clock's
    since = {"If-Modified-Since": first.headers["Last-Modified"]}

    assert client.get("/calendar/courses/bj.ics", headers=since).status_code == 304

    row.room = "Hall C"
    row.sequence += 1
    row.updated_at = STAMP + timedelta(days=2)
    session.commit()
    changed = client.get("/calendar/courses/bj.ics", headers=since)

    assert changed.status_code == 200
    assert b"Hall C" in changed.data
    assert parse_date(changed.headers["Last-Modified"]) == STAMP + timedelta(days=2)


def test_a_changed_feed_gets_a_new_etag(client, session, make_course, make_session):
    course = make_course(slug="bj")
    row = make_session(course)
    etag = client.get("/calendar/courses/bj.ics").headers["ETag"]

    row.title = "Renamed"
    session.commit()
    response = client.get("/calendar/courses/bj.ics", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_last_modified_moves_forward_when_the_newest_row_leaves_the_feed(
    client, session, make_course, make_session
):
    course = make_course(slug="bj")
    make_session(course)
    newest = make_session(course, start=local("Asia/Shanghai", 2026, 3, 11, 9),
                          updated_at=STAMP + timedelta(days=5))
    first = client.get("/calendar/courses/bj.ics")
    assert parse_date(first.headers["Last-Modified"]) == STAMP + timedelta(days=5)

    session.delete(newest)
    session.commit()
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    after = client.get("/calendar/courses/bj.ics", headers=since)

    assert after.status_code == 200
    assert parse_date(after.headers["Last-Modified"]) > parse_date(first.headers["Last-Modified"])


def test_last_modified_moves_forward_when_a_person_withdraws(
    client, session, make_user, make_course, make_session, enrol, feed_path
):
    person = make_user()
    course = make_course()
    make_session(course)
    enrolment = enrol(person, course)
    path = feed_path(person)
    first = client.get(path)

    enrolment.status = EnrolmentStatus.WITHDRAWN
    session.commit()
    after = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})

    assert after.status_code == 200
    assert b"BEGIN:VEVENT" not in after.data
    assert parse_date(after.headers["Last-Modified"]) > parse_date(first.headers["Last-Modified"])


def test_if_none_match_wins_over_if_modified_since(client, session, make_course, make_session):
    course = make_course(slug="bj")
    row = make_session(course)
    first = client.get("/calendar/courses/bj.ics")
    row.title = "Renamed, same time"
    session.commit()

    response = client.get("/calendar/courses/bj.ics", headers={
        "If-None-Match": first.headers["ETag"], "If-Modified-Since": http_date(STAMP + timedelta(days=365)),
    })

    assert response.status_code == 200


def test_private_feed_is_private_and_sends_no_referrer(client, make_user, feed_path):
    response = client.get(feed_path(make_user()))

    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/calendar/feeds/" + "A" * 43 + ".ics").headers["Referrer-Policy"] == "no-referrer"


def test_public_feeds_may_be_cached_by_anyone(client, make_course):
    make_course(slug="bj")
    for path in ("/calendar/courses.ics", "/calendar/courses/bj.ics"):
        cache_control = client.get(path).headers["Cache-Control"]
        assert "public" in cache_control and "private" not in cache_control


def test_head_answers_like_get_without_a_body(client, make_course):
    make_course(slug="bj")
    get = client.get("/calendar/courses/bj.ics")
    head = client.head("/calendar/courses/bj.ics")

    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


GZIP = {"Accept-Encoding": "gzip, deflate"}


def test_a_client_that_accepts_gzip_gets_the_same_feed_compressed(client, make_course, make_session):
    course = make_course(slug="bj")
    for day in range(10, 16):
        make_session(course, start=local("Asia/Shanghai", 2026, 3, day, 9))
    plain = client.get("/calendar/courses/bj.ics")
    compressed = client.get("/calendar/courses/bj.ics", headers=GZIP)

    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.data) == plain.data
    assert len(compressed.data) < len(plain.data) / 3
    # Two representations: each with its own strong ETag, and caches told to key on the encoding.
    assert compressed.headers["ETag"] != plain.headers["ETag"]
    assert not compressed.headers["ETag"].startswith("W/")
    for response in (plain, compressed):
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "public" in response.headers["Cache-Control"]
        assert "Set-Cookie" not in response.headers


def test_the_compressed_feed_answers_304_to_its_own_etag_and_follows_changes(
    client, session, make_course, make_session
):
    course = make_course(slug="bj")
    rows = [make_session(course, start=local("Asia/Shanghai", 2026, 3, day, 9)) for day in range(10, 16)]
    etag = client.get("/calendar/courses/bj.ics", headers=GZIP).headers["ETag"]

    unchanged = client.get("/calendar/courses/bj.ics", headers={**GZIP, "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == etag

    rows[0].title = "Moved to the lecture hall"
    rows[0].sequence += 1
    session.commit()
    changed = client.get("/calendar/courses/bj.ics", headers={**GZIP, "If-None-Match": etag})

    assert changed.status_code == 200
    assert b"Moved to the lecture hall" in gzip.decompress(changed.data)
    assert changed.headers["ETag"] != etag


def test_the_private_feed_is_compressed_and_stays_private(client, make_user, make_course, make_session,
                                                          enrol, feed_path):
    person = make_user()
    course = make_course(slug="bj")
    for day in range(10, 16):
        make_session(course, start=local("Asia/Shanghai", 2026, 3, day, 9))
    enrol(person, course, EnrolmentStatus.CONFIRMED)
    path = feed_path(person)
    plain = client.get(path)
    compressed = client.get(path, headers=GZIP)

    assert compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.data) == plain.data
    assert b"BEGIN:VEVENT" in plain.data
    assert "private" in compressed.headers["Cache-Control"]
    assert compressed.headers["Referrer-Policy"] == "no-referrer"


def test_a_small_feed_is_not_compressed(client):
    response = client.get("/calendar/courses.ics", headers=GZIP)

    assert response.status_code == 200
    assert len(response.data) < 1400
    assert "Content-Encoding" not in response.headers


def _without_date(response) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(name, value) for name, value in response.headers.items() if name != "Date"]


@pytest.mark.parametrize("encoding", [{}, GZIP], ids=["plain", "gzip"])
@pytest.mark.parametrize("private", [False, True], ids=["public", "personal"])
def test_a_poller_echoing_its_etag_gets_the_304_every_other_condition_gets(
    client, make_user, make_course, make_session, enrol, feed_path, encoding, private
):
    """Echoing the ETag as it was sent is answered without drawing the 200 first; the answer is the
    one the general path (a list of tags, here) gives, header for header."""
    person = make_user()
    course = make_course(slug="bj")
    for day in range(10, 16):
        make_session(course, start=local("Asia/Shanghai", 2026, 3, day, 9))
    enrol(person, course, EnrolmentStatus.CONFIRMED)
    path = feed_path(person) if private else "/calendar/courses/bj.ics"
    etag = client.get(path, headers=encoding).headers["ETag"]

    echoed = client.get(path, headers={**encoding, "If-None-Match": etag})
    listed = client.get(path, headers={**encoding, "If-None-Match": f'"elsewhere", {etag}'})

    assert echoed.status_code == listed.status_code == 304
    assert echoed.data == listed.data == b""
    assert _without_date(echoed) == _without_date(listed)
    assert parse_date(echoed.headers["Date"]) is not None
    assert "Content-Type" not in echoed.headers and "Last-Modified" not in echoed.headers
    # The other encoding's tag is another representation: the full answer.
    other = {} if encoding else GZIP
    assert client.get(path, headers={**other, "If-None-Match": etag}).status_code == 200
