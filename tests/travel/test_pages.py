"""The travel pages and API: the form with CSRF, the role matrix by HTML and API, the host's lists
as pages and CSV with a fixed number of queries, and what the roster links to."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import csrf_token
from tests.travel.conftest import complete_spec
from training.accounts.models import Role
from training.accounts.tokens import issue_token
from training.enrolment import services as enrolment
from training.travel import services

API = "/api/v1"


@pytest.fixture
def as_user(session):
    def headers(user):
        if user is None:
            return {}
        token, _row = issue_token(session, user)
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


def filled(session, trip):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.coordinator)
    session.commit()


def who(trip, name):
    return {
        "anonymous": None,
        "traveller": trip.person,
        "us_focal": trip.us_focal,
        "cn_focal": trip.cn_focal,
        "instructor": trip.instructor,
        "other_trainee": trip.other_trainee,
        "coordinator": trip.coordinator,
    }[name]


READERS = {"traveller", "us_focal", "coordinator"}
EVERYONE = ("anonymous", "traveller", "us_focal", "cn_focal", "instructor", "other_trainee", "coordinator")


def test_a_participant_fills_in_the_form_on_its_page(client, session, trip, login):
    login(trip.person)
    path = f"/enrolments/{trip.traveller.id}/travel"
    page = client.get(path).get_data(as_text=True)
    assert "Passport, as printed" in page and "Emergency contact" in page
    spec = complete_spec(trip.course)
    data = {
        name: (value.isoformat() if hasattr(value, "isoformat") else value)
        for name, value in vars(spec).items()
    }
    data["arrival_time"], data["departure_time"] = "14:35", "11:50"
    response = client.post(path, data={**data, "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(path).get_data(as_text=True)
    assert "Your travel details are saved." in page and 'value="X12345678"' in page and "complete" in page


def test_a_mistake_on_the_page_is_shown_at_its_field(client, session, trip, login):
    login(trip.person)
    path = f"/enrolments/{trip.traveller.id}/travel"
    response = client.post(
        path, data={"passport_expires_on": "2027-06-01", "csrf_token": csrf_token(client, path)}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'id="passport_expires_on-error">(.*?)</ul>', html, re.S).group(1)
    assert "six months after the course ends" in error
    assert services.stored_form(session, trip.traveller) is None


def test_the_form_needs_its_csrf_token(client, session, trip, login):
    login(trip.person)
    response = client.post(f"/enrolments/{trip.traveller.id}/travel", data={"passport_name": "X"})
    assert response.status_code == 400 and services.stored_form(session, trip.traveller) is None


@pytest.mark.parametrize("name", EVERYONE)
def test_the_form_page_and_api_answer_only_its_readers(client, session, trip, login, as_user, name):
    filled(session, trip)
    user = who(trip, name)
    headers = as_user(user)
    if user is not None:
        login(user)
    page = client.get(f"/enrolments/{trip.traveller.id}/travel")
    api = client.get(f"{API}/enrolments/{trip.traveller.id}/logistics", headers=headers)
    put = client.put(
        f"{API}/enrolments/{trip.traveller.id}/logistics", headers=headers, json={"passport_name": "HACKED"}
    )
    if name in READERS:
        assert page.status_code == 200 and "X12345678" in page.get_data(as_text=True)
        assert api.status_code == 200 and api.get_json()["passport_number"] == "X12345678"
        assert put.status_code == 200 and put.get_json()["complete"] is False
    elif name == "anonymous":
        assert page.status_code == 302 and api.status_code == 401 and put.status_code == 401
    else:
        assert page.status_code == 404 and "X12345678" not in page.get_data(as_text=True)
        assert api.status_code == 404 and put.status_code == 404
        assert services.stored_form(session, trip.traveller).passport_name == "CARTER, JOHN MICHAEL"


def test_the_api_refuses_a_bad_form_with_problem_json_naming_the_field(client, session, trip, as_user):
    response = client.put(
        f"{API}/enrolments/{trip.traveller.id}/logistics",
        headers=as_user(trip.person),
        json={"departure_on": "2027-04-13", "arrival_on": "2027-04-15", "arrival_time": "25:99"},
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "arrival_time" in response.get_json()["errors"]
    response = client.put(
        f"{API}/enrolments/{trip.traveller.id}/logistics",
        headers=as_user(trip.person),
        json={"departure_on": "2027-04-13", "arrival_on": "2027-04-15"},
    )
    assert response.status_code == 422 and "departure_on" in response.get_json()["errors"]
    assert services.stored_form(session, trip.traveller) is None


LISTS = ["visas", "arrivals", "rooms", "needs"]


@pytest.mark.parametrize("name", EVERYONE)
def test_the_hosts_lists_are_for_coordinators(client, session, trip, login, as_user, name):
    filled(session, trip)
    user = who(trip, name)
    arrivals = client.get(f"{API}/courses/{trip.course.id}/arrivals", headers=as_user(user))
    if user is not None:
        login(user)
    answers = {
        path: client.get(f"/courses/{trip.course.slug}/travel/{path}").status_code
        for list_ in LISTS
        for path in (list_, f"{list_}.csv")
    }
    if name == "coordinator":
        assert set(answers.values()) == {200} and arrivals.status_code == 200
        assert arrivals.get_json()["arrivals"][0]["carrier"] == "UA 889"
    elif name == "anonymous":
        assert set(answers.values()) == {302} and arrivals.status_code == 401
    else:
        assert set(answers.values()) == {403} and arrivals.status_code == 403


def test_the_arrivals_list_groups_by_day_and_local_time(client, session, trip, login, make_user):
    filled(session, trip)
    early = enrolment.enrol(
        session,
        trip.course,
        make_user(Role.PERSONNEL, "US", name="Amy Early"),
        actor=trip.coordinator,
        override_window=True,
    )
    services.save_travel_form(
        session,
        enrolment.enrolment_for(session, early.id),
        complete_spec(trip.course, arrival_time="07:05", arrival_carrier="CA 818"),
        actor=trip.coordinator,
    )
    session.commit()
    login(trip.coordinator)
    html = client.get(f"/courses/{trip.course.slug}/travel/arrivals").get_data(as_text=True)
    assert html.index("CA 818") < html.index("UA 889") and "Sun, Apr 11, 2027" in html
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/courses/{trip.course.slug}/travel/arrivals.csv").get_data(as_text=True))
        )
    )
    assert rows[0][:3] == ["day", "time", "name"] and rows[1][:4] == [
        "2027-04-11",
        "07:05",
        "Amy Early",
        "US",
    ]


def test_a_csv_cell_that_starts_like_a_formula_stays_text(client, session, trip, login):
    services.save_travel_form(
        session, trip.traveller, complete_spec(trip.course, hotel='=HYPERLINK("x")'), actor=trip.coordinator
    )
    session.commit()
    login(trip.coordinator)
    text = client.get(f"/courses/{trip.course.slug}/travel/rooms.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_opening_the_visa_list_is_audited(client, session, trip, login):
    import sqlalchemy as sa

    from training.audit.models import AuditEntry

    filled(session, trip)
    login(trip.coordinator)
    assert "X12345678" in client.get(f"/courses/{trip.course.slug}/travel/visas").get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "travel.visa_list_read")) == 1


@pytest.mark.parametrize(
    "name, status", [("instructor", 200), ("coordinator", 200), ("traveller", 403), ("cn_focal", 403)]
)
def test_the_sessions_instructor_prints_its_sign_in_sheet(client, session, trip, login, name, status):
    login(who(trip, name))
    lecture = trip.course.sessions[0] if "sessions" in trip.course.__dict__ else None
    import sqlalchemy as sa

    from training.courses.models import CourseSession

    lecture = session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == trip.course.id)
    ).first()
    page = client.get(f"/courses/{trip.course.slug}/sessions/{lecture.id}/sign-in")
    assert page.status_code == status
    if status == 200:
        html = page.get_data(as_text=True)
        assert "John Carter" in html and "Wang Lei" in html and "Signature" in html


@pytest.mark.parametrize("list_", ["overview", *LISTS])
def test_each_list_runs_the_same_queries_for_one_and_twenty_people(
    client, session, trip, login, make_user, count_queries, list_
):
    filled(session, trip)
    login(trip.coordinator)
    path = f"/courses/{trip.course.slug}/travel" + ("" if list_ == "overview" else f"/{list_}")
    client.get(path)
    with count_queries() as one:
        assert client.get(path).status_code == 200
    for n in range(18):  # 15 US and 5 CN seat holders in all
        more = enrolment.enrol(
            session,
            trip.course,
            make_user(Role.PERSONNEL, "US" if n < 14 else "CN"),
            actor=trip.coordinator,
            override_window=True,
        )
        services.save_travel_form(
            session,
            enrolment.enrolment_for(session, more.id),
            complete_spec(trip.course),
            actor=trip.coordinator,
        )
    session.commit()
    client.get(path)  # as before the first count: the signed-in account loaded after the commit
    with count_queries() as twenty:
        assert client.get(path).status_code == 200
    assert twenty.count == one.count, [s[:90] for s in twenty.statements]


@pytest.mark.parametrize(
    "name, page, link",
    [
        ("traveller", "/my/courses", "/enrolments/{enrolment}/travel"),
        ("us_focal", "/courses/{slug}/roster", "/courses/{slug}/travel"),
        ("coordinator", "/courses/{slug}/seats", "/courses/{slug}/travel"),
        ("instructor", "/courses/{slug}/attendance", "/sign-in"),
    ],
)
def test_the_pages_people_start_from_lead_to_the_travel_pages(client, session, trip, login, name, page, link):
    login(who(trip, name))
    html = client.get(page.format(slug=trip.course.slug)).get_data(as_text=True)
    assert link.format(slug=trip.course.slug, enrolment=trip.traveller_id) in html
