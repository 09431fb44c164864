"""Symposia in calendars: their own feed, and in the personal feed of those who accepted."""

from __future__ import annotations

import icalendar
import pytest

from tests.calendar.parsers import with_icaljs, with_libical, with_vobject
from training.symposia import services as symposia
from training.symposia.models import Answer


def events(client, path) -> dict[str, icalendar.Event]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


def test_symposium_feed_holds_the_symposium_and_its_programme(client, make_symposium):
    symposium = make_symposium(title="Cyber Counter-Terrorism Symposium")
    found = events(client, f"/calendar/symposia/{symposium.slug}.ics")
    main = found["Cyber Counter-Terrorism Symposium"]
    opening = found["Cyber Counter-Terrorism Symposium: Opening"]
    assert str(main["UID"]).startswith(f"symposium-{symposium.id}@")  # the invitation's UID
    assert main["DTSTART"].dt == symposium.starts_at and main["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert "Plenary hall" in str(opening["LOCATION"])


def test_symposium_times_agree_in_three_independent_parsers(client, make_symposium):
    symposium = make_symposium()
    body = client.get(f"/calendar/symposia/{symposium.slug}.ics").get_data(as_text=True)
    expected = symposium.starts_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for parse in (with_icaljs, with_vobject, with_libical):
        starts = {e["uid"]: e["start"] for e in parse(body)}
        assert starts[f"symposium-{symposium.id}@training.test"] == expected, parse.__name__


def test_draft_symposium_has_no_feed_and_cancelled_one_stays_cancelled(
    client, session, make_symposium, coordinator
):
    draft = make_symposium(publish=False, title="Draft symposium")
    assert client.get(f"/calendar/symposia/{draft.slug}.ics").status_code == 404
    published = make_symposium(title="Soon cancelled")
    symposia.cancel_symposium(session, published, actor=coordinator)
    session.commit()
    cancelled = events(client, f"/calendar/symposia/{published.slug}.ics")["Soon cancelled"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) >= 1


@pytest.mark.parametrize("answer, shown", [
    (Answer.ACCEPTED, True), (Answer.TENTATIVE, False), (Answer.DECLINED, False), (None, False),
])
def test_personal_feed_shows_a_symposium_only_once_accepted(
    answer, shown, client, session, make_user, make_symposium, invite, feed_path
):
    person = make_user(email="policy@google.example")
    symposium = make_symposium(title="Cyber Counter-Terrorism Symposium")
    invitation, _token = invite(symposium, email="policy@google.example")
    if answer is not None:
        symposia.answer_invitation(session, invitation, answer=answer, delegates=["Sarah Mitchell"])
        session.commit()
    found = events(client, feed_path(person))
    assert ("Cyber Counter-Terrorism Symposium" in found) is shown


def test_rsvp_page_offers_the_symposium_feed_and_a_one_off_download(client, make_symposium, invite):
    symposium = make_symposium()
    _invitation, token = invite(symposium)
    html = client.get(f"/rsvp/{token}").get_data(as_text=True)
    assert f"webcal://training.test/calendar/symposia/{symposium.slug}.ics" in html
    assert f"/calendar/symposia/{symposium.slug}.ics?download=1" in html


def test_my_courses_and_the_course_page_offer_their_feeds(login, make_user, make_course, client):
    course = make_course(title="Cyber")
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f"/calendar/courses/{course.slug}.ics" in page
    person = make_user()
    signed_in = login(person)
    assert "Create my calendar address" in signed_in.get("/my/courses").get_data(as_text=True)
