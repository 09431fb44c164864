"""A personal feed shows exactly its owner's courses and teaching; its token is secret and replaceable."""

from __future__ import annotations

import hashlib
import re

import icalendar
import pytest
import sqlalchemy as sa

from tests.calendar.conftest import local
from tests.conftest import csrf_token
from training.accounts import personal_data, tokens
from training.accounts import services as accounts
from training.accounts.models import FeedToken, Role
from training.courses.models import CourseStatus
from training.enrolment.models import EnrolmentStatus


def summaries(client, path) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    return sorted(str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT"))


@pytest.mark.parametrize("status, shown", [
    (EnrolmentStatus.CONFIRMED, True),
    (EnrolmentStatus.COMPLETED, True),
    (EnrolmentStatus.PENDING, False),
    (EnrolmentStatus.WAITLISTED, False),
    (EnrolmentStatus.WITHDRAWN, False),
    (EnrolmentStatus.REJECTED, False),
])
def test_only_a_seat_on_the_course_puts_its_sessions_in_the_personal_feed(
    status, shown, client, make_user, make_course, make_session, enrol, feed_path
):
    person = make_user()
    course = make_course(title="Cyber")
    make_session(course, title="Day one")
    enrol(person, course, status)

    assert summaries(client, feed_path(person)) == (["Cyber: Day one"] if shown else [])


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_its_confirmed_courses_and_its_teaching_and_nothing_else(
    role, client, make_user, make_course, make_session, make_instructor, enrol, feed_path
):
    person = make_user(role, country="CN" if role is Role.FOCAL_POINT else "US")
    someone_else = make_user()
    attended = make_course(title="Attended")
    make_session(attended, title="Lecture")
    enrol(person, attended)
    taught = make_course(title="Taught")
    teacher = make_instructor("Teacher", user=person)
    make_session(taught, title="Mine", instructors=[teacher])
    make_session(taught, title="Colleague's", start=local("Asia/Shanghai", 2026, 3, 10, 9),
                 instructors=[make_instructor("Colleague")])
    others = make_course(title="Others")
    make_session(others, title="Not mine")
    enrol(someone_else, others)
    draft = make_course(title="Draft", status=CourseStatus.DRAFT)
    make_session(draft, title="Hidden", instructors=[teacher])
    enrol(person, draft)

    assert summaries(client, feed_path(person)) == ["Attended: Lecture", "Taught: Mine"]
    assert summaries(client, feed_path(someone_else)) == ["Others: Not mine"]


def test_a_session_taught_on_a_course_one_attends_appears_once(
    client, make_user, make_course, make_session, make_instructor, enrol, feed_path
):
    person = make_user(Role.INSTRUCTOR)
    course = make_course(title="Both")
    make_session(course, title="Taught and attended", instructors=[make_instructor("Me", user=person)])
    enrol(person, course)

    assert summaries(client, feed_path(person)) == ["Both: Taught and attended"]


def test_personal_feed_is_in_its_owners_language(
    client, make_user, make_course, make_session, enrol, feed_path
):
    person = make_user(locale="zh_Hans")
    course = make_course()
    make_session(course, instructors=[])
    enrol(person, course)

    (event,) = icalendar.Calendar.from_ical(client.get(feed_path(person)).data).walk("VEVENT")

    assert str(event["LOCATION"]).endswith("Beijing, 中国")


def test_token_has_256_bits_and_only_its_hash_is_stored(session, make_user):
    person = make_user()
    token = tokens.replace_feed_token(session, person)
    session.commit()

    row = session.scalar(sa.select(FeedToken))
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 43 base64url characters: 256 bits
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.nonce, row.token_hash)
    assert tokens.user_for_feed_token(session, token) == person


def test_profile_shows_the_feed_address_and_replacing_it_kills_the_old_one_at_once(client, login, make_user):
    person = make_user()
    login(person)
    page = client.get("/profile").get_data(as_text=True)
    assert "Create my calendar address" in page

    client.post("/calendar/feed-token", data={"csrf_token": csrf_token(client, "/profile")})
    page = client.get("/profile").get_data(as_text=True)
    old = re.search(r'value="http://training.test(/calendar/feeds/[^"]+\.ics)"', page).group(1)
    assert f'href="webcal://training.test{old}"' in page
    assert f'href="http://training.test{old}?download=1"' in page
    assert client.get(old).status_code == 200

    # Replacing an address asks first: a post without the confirmation changes nothing.
    response = client.post("/calendar/feed-token", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 200 and "Replace your calendar address?" in response.get_data(as_text=True)
    assert client.get(old).status_code == 200
    response = client.post("/calendar/feed-token",
                           data={"csrf_token": csrf_token(client, "/profile"), "confirm": "yes"})
    assert response.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    new = re.search(r'value="http://training.test(/calendar/feeds/[^"]+\.ics)"', page).group(1)

    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_replace_its_own_feed_address(role, client, session, login, make_user):
    person = make_user(role, country="CN" if role is Role.FOCAL_POINT else "US")
    other = make_user()
    others_token = tokens.replace_feed_token(session, other)
    session.commit()
    login(person)

    response = client.post("/calendar/feed-token", data={"csrf_token": csrf_token(client, "/profile")})

    assert response.status_code == 302
    assert tokens.feed_token(session, person) is not None
    assert tokens.feed_token(session, other) == others_token


def test_replacing_needs_a_signed_in_person_and_a_csrf_token(client, session, login, make_user):
    assert client.post("/calendar/feed-token").status_code in (302, 400)
    person = make_user()
    login(person)

    assert client.post("/calendar/feed-token").status_code == 400
    assert tokens.feed_token(session, person) is None


def test_a_deactivated_account_has_no_feed(client, session, make_user, feed_path):
    person = make_user()
    path = feed_path(person)
    person.active = False
    session.commit()

    assert client.get(path).status_code == 404


def test_a_new_secret_key_retires_every_address(app, client, session, make_user, monkeypatch):
    person = make_user()
    token = tokens.replace_feed_token(session, person)
    session.commit()

    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")

    # The profile shows no address, and the old one opens nothing, until its owner makes a new one.
    assert tokens.feed_token(session, person) is None
    assert tokens.user_for_feed_token(session, token) is None
    assert client.get(f"/calendar/feeds/{token}.ics").status_code == 404
    new = tokens.replace_feed_token(session, person)
    session.commit()
    assert tokens.user_for_feed_token(session, new) == person and tokens.feed_token(session, person) == new


def test_a_long_course_title_is_shortened_before_the_session_in_the_personal_feed(
    client, make_user, make_course, make_session, enrol, feed_path
):
    person = make_user()
    course = make_course(title="Cyber counter-terrorism investigation techniques, advanced")
    make_session(course, title="Tracing funds")
    enrol(person, course, EnrolmentStatus.CONFIRMED)

    assert summaries(client, feed_path(person)) == ["Cyber counter-terrorism…: Tracing funds"]


def test_a_chinese_course_title_is_cut_by_its_width_before_the_session(
    client, make_user, make_course, make_session, enrol, feed_path
):
    person = make_user()
    course = make_course(title="网络反恐调查与数字取证高级研修班")
    make_session(course, title="开班仪式")
    enrol(person, course, EnrolmentStatus.CONFIRMED)

    # 11 characters of two columns each, and the ellipsis, fit the label's 24 columns.
    assert summaries(client, feed_path(person)) == ["网络反恐调查与数字取证…: 开班仪式"]


def _replace(session, person):
    tokens.replace_feed_token(session, person)


def _erase(session, person):
    personal_data.erase_person(session, person, actor=None, via="cli")


def _close(session, person):
    person.active = False


def _new_password(session, person):
    accounts.set_password(person, "a brand new passphrase for 2027")


# Each way a feed token dies, for the tests that a dead one is never served.
EVERY_TOKEN_DEATH = pytest.mark.parametrize("change", [_replace, _erase, _close, _new_password],
                                            ids=["replaced", "erased", "closed", "new password"])


@EVERY_TOKEN_DEATH
def test_a_worker_that_knows_a_token_stops_serving_it_once_it_is_dead(change, client, session, subscriber,
                                                                      count_queries):
    person, path = subscriber
    for _ in range(3):  # looked up, built and kept; then served from what this worker knows
        assert client.get(path).status_code == 200
    with count_queries() as kept:
        assert client.get(path).status_code == 200
    assert len(kept.statements) == 1 and "data_versions" in kept.statements[0]

    change(session, person)
    session.commit()

    assert client.get(path).status_code == 404


def test_a_known_token_of_another_person_opens_only_their_feed(
    client, session, make_user, make_course, make_session, enrol, feed_path
):
    first, second = make_user(name="Ann Lee"), make_user(name="Bo Chen")
    course = make_course(slug="bj")
    make_session(course)
    enrol(first, course)
    first_path, second_path = feed_path(first), feed_path(second)
    for _ in range(2):
        first_feed = client.get(first_path).get_data(as_text=True)
        second_feed = client.get(second_path).get_data(as_text=True)

    assert "Ann Lee" in first_feed and "Bo Chen" not in first_feed
    assert "Bo Chen" in second_feed and "Ann Lee" not in second_feed
    assert client.get("/calendar/feeds/" + "B" * 43 + ".ics").status_code == 404
