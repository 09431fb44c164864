"""A coordinator building a course is guided: the timezone follows the place, a checklist comes
before publishing, Seats is a tab, Mark completed waits for the last day, every mistake shows at once."""

from __future__ import annotations

import html as html_text
import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tests import factories
from tests.conftest import csrf_token
from training.accounts.tokens import issue_token
from training.core.database import utcnow
from training.courses import services
from training.courses.models import Course, CourseStatus, Instructor
from training.enrolment import services as enrolment


def _error_at(page: str, field: str) -> str:
    block = re.search(rf'id="{field}-error">(.*?)</ul>', page, re.S)
    return html_text.unescape(block.group(1)) if block else ""


def _courses(session) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(Course)) or 0


def _new_course_form(client, **overrides) -> dict[str, str]:
    # The coordinator's own timezone (Asia/Shanghai) is what the form starts with.
    data = {
        "csrf_token": csrf_token(client, "/courses/new"), "title": "Online fraud investigation",
        "description": "", "host_country": "US", "city": "Washington, DC", "venue": "",
        "timezone": "Asia/Shanghai", "starts_on": "2031-03-03", "ends_on": "2031-03-07",
        "capacity": "20", "language": "en", "enrolment_opens_at": "", "enrolment_closes_at": "",
    }
    data.update(overrides)
    return data


# --- the timezone follows the host country and city ------------------------------------------


def test_a_washington_course_is_not_saved_on_shanghai_time(login, coordinator, session):
    client = login(coordinator)
    response = client.post("/courses/new", data=_new_course_form(client))
    assert response.status_code == 400
    error = _error_at(response.get_data(as_text=True), "timezone")
    assert "Asia/Shanghai is not a timezone of United States" in error
    assert "America/New_York" in error
    assert _courses(session) == 0


def test_the_refused_form_lists_the_host_countrys_timezones_first(login, coordinator):
    client = login(coordinator)
    page = client.post("/courses/new", data=_new_course_form(client)).get_data(as_text=True)
    select = re.search(r'<select[^>]*name="timezone".*?</select>', page, re.S).group(0)
    first_group = re.search(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert first_group.group(1) == "Timezones of United States"
    assert 'value="America/New_York"' in first_group.group(2)
    assert 'value="Asia/Shanghai"' not in first_group.group(2)
    assert "data-country-zones=" in select


def test_a_course_in_a_city_that_names_a_zone_takes_it(login, coordinator, session):
    client = login(coordinator)
    response = client.post("/courses/new", data=_new_course_form(client, city="New York"))
    assert response.status_code == 302
    course = session.scalar(sa.select(Course))
    assert course.timezone == "America/New_York"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Times are on America/New York, the timezone of New York, United States." in page


def test_a_country_with_one_timezone_fills_the_untouched_default(login, coordinator, session):
    client = login(coordinator)
    response = client.post("/courses/new", data=_new_course_form(client, host_country="FR", city="Lyon"))
    assert response.status_code == 302
    assert session.scalar(sa.select(Course.timezone)) == "Europe/Paris"


def test_a_timezone_chosen_on_purpose_from_another_country_is_refused_and_named(login, coordinator, session):
    client = login(coordinator)
    response = client.post("/courses/new", data=_new_course_form(
        client, host_country="FR", city="Lyon", timezone="America/Chicago"))
    assert response.status_code == 400
    assert ("America/Chicago is not the timezone of France: choose Europe/Paris."
            in _error_at(response.get_data(as_text=True), "timezone"))
    assert _courses(session) == 0


def test_an_old_name_of_a_countrys_zone_fits_it(login, coordinator, session):
    client = login(coordinator)
    response = client.post("/courses/new", data=_new_course_form(client, timezone="US/Eastern"))
    assert response.status_code == 302
    assert session.scalar(sa.select(Course.timezone)) == "US/Eastern"


def test_the_api_still_takes_any_timezone(client, coordinator, session):
    token, _row = issue_token(session, coordinator)
    session.commit()
    response = client.post("/api/v1/courses", headers={"Authorization": f"Bearer {token}"}, json={
        "title": "Online fraud investigation", "host_country": "US", "city": "Washington, DC",
        "timezone": "Asia/Shanghai", "starts_on": "2031-03-03", "ends_on": "2031-03-07", "capacity": 20})
    assert response.status_code == 201
    assert session.scalar(sa.select(Course.timezone)) == "Asia/Shanghai"


# --- every mistake of a form at once -----------------------------------------------------------


def test_a_course_form_with_two_mistakes_shows_both_beside_their_fields(
        login, coordinator, session, make_course):
    course = make_course(capacity=20, publish=False)
    enrolment.set_quotas(session, course, {"US": 15}, actor=coordinator)
    session.commit()
    client = login(coordinator)
    path = f"/courses/{course.slug}/edit"
    response = client.post(path, data={
        "csrf_token": csrf_token(client, path), "title": course.title, "host_country": "CN",
        "city": "Beijing", "venue": "", "timezone": "Asia/Shanghai", "starts_on": "2031-03-03",
        "ends_on": "2031-03-12", "capacity": "10", "language": "en", "description": "",
        "enrolment_opens_at": "2031-02-20T09:00", "enrolment_closes_at": "2031-02-10T09:00"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "15 seats are already given out in country quotas" in _error_at(page, "capacity")
    assert "Enrolment must close after it opens." in _error_at(page, "enrolment_closes_at")
    session.expire_all()
    assert session.get(Course, course.id).capacity == 20


def test_the_api_lists_every_mistake_under_errors(client, coordinator, session, make_course):
    course = make_course(capacity=20, publish=False)
    enrolment.set_quotas(session, course, {"US": 15}, actor=coordinator)
    token, _row = issue_token(session, coordinator)
    session.commit()
    response = client.patch(f"/api/v1/courses/{course.id}", headers={"Authorization": f"Bearer {token}"},
                          json={"capacity": 10, "ends_on": "2031-06-30"})
    assert response.status_code == 422
    body = response.get_json()
    assert set(body["errors"]) == {"capacity", "ends_on"}
    assert body["errors"]["capacity"] == [
        "15 seats are already given out in country quotas; lower the quotas first."]
    assert "15 seats" in body["detail"] and "at most 92 days" in body["detail"]


# --- a checklist before publishing -------------------------------------------------------------


def _publish(client, course):
    path = f"/courses/{course.slug}"
    return client.post(f"{path}/publish", data={"csrf_token": csrf_token(client, path)},
                       follow_redirects=True)


def test_an_empty_draft_shows_what_it_lacks_and_is_not_published_from_the_page(
        login, coordinator, session, make_course):
    course = make_course(publish=False)
    client = login(coordinator)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "Ready to publish?" in page and "No country has seats yet." in page
    assert f'href="/courses/{course.slug}/seats">Set seats per country</a>' in page
    response = _publish(client, course)
    text = html_text.unescape(response.get_data(as_text=True))
    assert "The course is not ready to publish." in text
    assert "Give seats to at least one country." in text
    assert "Add the course's sessions to its schedule." in text
    assert "Name an instructor for each session." not in text.split("Ready to publish?")[0]
    session.expire_all()
    assert session.get(Course, course.id).status is CourseStatus.DRAFT


def test_a_course_with_seats_and_sessions_publishes_from_the_page(login, coordinator, session, make_course):
    course = make_course(publish=False)
    enrolment.set_quotas(session, course, {"US": 10, "CN": 5}, actor=coordinator)
    factories.scheduled_session(session, coordinator, course, date(2031, 3, 3), "09:00", "12:00", "Opening")
    client = login(coordinator)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "15 of 15 seats given to 2 countries." in page
    assert "1 session has no instructor." in page  # advised, not required
    response = _publish(client, course)
    assert "The course is published." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Course, course.id).status is CourseStatus.PUBLISHED


def test_readiness_says_what_a_draft_has_and_lacks(session, coordinator, make_course):
    course = make_course(publish=False, enrolment_opens_at=datetime(2031, 2, 1, 9),
                         enrolment_closes_at=datetime(2031, 3, 5, 9))
    lecturer = session.scalar(sa.select(Instructor)) or factories.instructor(session, coordinator, "Li Na")
    enrolment.set_quotas(session, course, {"US": 1}, actor=coordinator)
    factories.scheduled_session(session, coordinator, course, date(2031, 3, 3), "09:00", "12:00",
                                instructors=[lecturer])
    items = {item.key: item for item in services.course_readiness(session, course)}
    assert items["seats"].ready and items["seats"].state == "1 of 15 seats given to 1 country."
    assert items["sessions"].ready and items["instructors"].ready and not items["instructors"].essential
    assert not items["window"].ready and items["window"].essential
    assert items["window"].state == "Enrolment closes after the course has started."
    assert [item.key for item in services.missing_essentials(list(items.values()))] == ["window"]


def test_the_api_publishes_an_empty_draft_as_it_always_did(client, coordinator, session, make_course):
    course = make_course(publish=False)
    token, _row = issue_token(session, coordinator)
    session.commit()
    response = client.post(f"/api/v1/courses/{course.id}/publish",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    session.expire_all()
    assert session.get(Course, course.id).status is CourseStatus.PUBLISHED


# --- Seats as a tab; Mark completed from the last day ------------------------------------------


def test_seats_is_a_tab_of_the_course_for_coordinators(login, coordinator, make_user, make_course, client):
    course = make_course()
    tab = f'<a href="/courses/{course.slug}/seats"'
    assert tab not in client.get(f"/courses/{course.slug}").get_data(as_text=True)
    login(coordinator)
    assert tab in client.get(f"/courses/{course.slug}/week").get_data(as_text=True)
    seats_page = client.get(f"/courses/{course.slug}/seats").get_data(as_text=True)
    assert f'{tab} aria-current="page">Seats</a>' in seats_page


def test_mark_completed_is_offered_only_from_the_last_day(login, coordinator, session, make_course):
    upcoming = make_course()
    client = login(coordinator)
    page = client.get(f"/courses/{upcoming.slug}").get_data(as_text=True)
    assert "Mark completed" not in page
    assert "It can be marked completed from its last day, Wed, Mar 12, 2031." in page
    path = f"/courses/{upcoming.slug}"
    response = client.post(f"{path}/complete", data={"csrf_token": csrf_token(client, path)},
                           follow_redirects=True)
    assert "A course can be completed only from its last day on." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Course, upcoming.id).status is CourseStatus.PUBLISHED

    today = utcnow().date()
    ending = factories.course_rows(session, starts_on=today - timedelta(days=5),
                                   ends_on=today - timedelta(days=1))
    page = client.get(f"/courses/{ending.slug}").get_data(as_text=True)
    assert "Mark completed" in page


# --- plurals -----------------------------------------------------------------------------------


def test_a_quota_message_says_1_seat_and_3_seats(login, coordinator, make_course):
    course = make_course()
    client = login(coordinator)
    path = f"/courses/{course.slug}/seats"
    for seats, message in (("1", "United States now has 1 seat."), ("3", "United States now has 3 seats.")):
        response = client.post(path, data={"csrf_token": csrf_token(client, path), "country": "US",
                                           "seats": seats}, follow_redirects=True)
        assert message in response.get_data(as_text=True)
