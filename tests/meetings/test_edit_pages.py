"""The correction pages and their API: a contact point edited or retired after a confirmation, an action
item edited, a series not begun rescheduled; who may, who is refused, refusals beside their fields, and a
fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.meetings.test_api import SERIES
from training.accounts.tokens import issue_token
from training.meetings import services
from training.meetings.models import ActionItem, ContactPoint, ContactTest, MeetingSeries


@pytest.fixture
def points(session, people):
    """One contact point on each side, the US one tested."""
    us = services.add_contact_point(
        session,
        services.ContactSpec(side="US", name="FBI CyWatch", organisation="FBI", phone="+1 855 292 3937"),
        actor=people.coordinator,
    )
    cn = services.add_contact_point(
        session,
        services.ContactSpec(side="CN", name="MPS cyber duty desk", phone="+86 10 6620 0000"),
        actor=people.coordinator,
    )
    services.record_test(session, us, method="phone", result="reached", actor=people.us_focal)
    session.commit()
    return {"US": us, "CN": cn}


@pytest.fixture
def item(session, people, washington):
    made = services.add_action(
        session,
        services.reload(session, washington),
        "2027-02-17T10:00:00",
        services.ActionSpec(
            what="Share the logs", side="US", owner_name="Agent Smith", due_on=date(2027, 3, 1)
        ),
        actor=people.coordinator,
    )
    session.commit()
    return made


@pytest.fixture
def api(client, session, people):
    def call(who, method, path, json=None):
        token, _row = issue_token(session, getattr(people, who))
        session.commit()
        return client.open(
            f"/api/v1{path}", method=method, json=json, headers={"Authorization": f"Bearer {token}"}
        )

    return call


def _signed_out(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})


# --- a contact point edited ----------------------------------------------------------------


def test_who_opens_a_contact_points_edit_page(client, login, people, points):
    us = f"/contact-points/{points['US'].id}/edit"
    assert client.get(us).status_code == 302  # to the sign-in page
    expected = {"coordinator": 200, "us_focal": 200, "cn_focal": 403, "fr_focal": 403, "personnel": 403}
    for who, status in expected.items():
        login(getattr(people, who))
        assert client.get(us).status_code == status, who
        _signed_out(client)
    login(people.coordinator)
    assert client.get("/contact-points/424242/edit").status_code == 404


def test_a_focal_point_corrects_their_sides_contact_point_but_not_its_side(
    client, login, people, points, session
):
    login(people.us_focal)
    page = f"/contact-points/{points['US'].id}/edit"
    html = client.get(page).get_data(as_text=True)
    assert 'name="side"' not in html and "+1 855 292 3937" in html
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "side": "CN",  # ignored: not theirs to change
            "name": "FBI CyWatch",
            "organisation": "FBI",
            "phone": "+1 855 292 3938",
            "hours": "24/7",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    point = session.get(ContactPoint, points["US"].id)
    assert (point.side, point.phone) == ("US", "+1 855 292 3938")
    directory = client.get("/contact-points").get_data(as_text=True)
    assert f"/contact-points/{points['US'].id}/edit" in directory
    assert f"/contact-points/{points['CN'].id}/edit" not in directory  # the other side's
    assert "/retire" not in directory  # coordinators retire


def test_a_bad_correction_is_shown_beside_its_field_and_changes_nothing(
    client, login, people, points, session
):
    login(people.coordinator)
    page = f"/contact-points/{points['US'].id}/edit"
    response = client.post(
        page,
        data={"csrf_token": csrf_token(client, page), "side": "US", "name": "FBI CyWatch", "phone": "call"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="phone-error"' in html
    session.expire_all()
    assert session.get(ContactPoint, points["US"].id).phone == "+1 855 292 3937"


# --- a contact point retired -------------------------------------------------------------


def test_retiring_asks_first_then_keeps_the_log_under_retired_contact_points(
    client, login, people, points, session
):
    page = f"/contact-points/{points['US'].id}/retire"
    login(people.us_focal)
    assert client.get(page).status_code == 403
    assert client.post(page, data={"csrf_token": csrf_token(client, "/contact-points")}).status_code == 403
    _signed_out(client)
    login(people.coordinator)
    asked = client.get(page)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Retire the contact point FBI CyWatch?" in text
    assert "Its test log stays" in text
    one_tap = client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert one_tap.status_code == 200 and session.get(ContactPoint, points["US"].id).retired_at is None
    done = client.post(page, data={"csrf_token": csrf_token(client, page), "confirm": "yes"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(ContactPoint, points["US"].id).retired
    assert session.scalar(sa.select(sa.func.count()).select_from(ContactTest)) == 1
    html = client.get("/contact-points").get_data(as_text=True)
    retired = html.split("Retired contact points", 1)[1]
    assert "FBI CyWatch" in retired and "1 test" in retired
    assert client.get(page).status_code == 404  # nothing left to retire
    assert client.get(f"/contact-points/{points['US'].id}/edit").status_code == 404


# --- the contact points API --------------------------------------------------------------


def test_the_api_corrects_and_retires_contact_points_by_the_same_rules(api, points):
    us, cn = points["US"].id, points["CN"].id
    assert (
        api("us_focal", "PATCH", f"/contact-points/{us}", {"hours": "Mon–Fri"}).get_json()["hours"]
        == "Mon–Fri"
    )
    assert api("cn_focal", "PATCH", f"/contact-points/{us}", {"hours": "x"}).status_code == 403
    handed = api("us_focal", "PATCH", f"/contact-points/{us}", {"side": "CN"})
    assert handed.status_code == 422 and "side" in handed.get_json()["errors"]
    for body, field in (({"phone": "call me"}, "phone"), ({"name": ""}, "name"), ({"email": 7}, "email")):
        refused = api("coordinator", "PATCH", f"/contact-points/{cn}", body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], body
        assert refused.mimetype == "application/problem+json"
    assert api("coordinator", "PATCH", "/contact-points/424242", {"hours": "x"}).status_code == 404
    assert api("personnel", "DELETE", f"/contact-points/{us}").status_code == 403
    assert api("us_focal", "DELETE", f"/contact-points/{us}").status_code == 403
    retired = api("coordinator", "DELETE", f"/contact-points/{us}")
    assert retired.status_code == 200 and retired.get_json()["retired_at"]
    assert api("coordinator", "DELETE", f"/contact-points/{us}").status_code == 409
    assert api("coordinator", "PATCH", f"/contact-points/{us}", {"hours": "x"}).status_code == 409
    tested = api("us_focal", "POST", f"/contact-points/{us}/tests", {"method": "phone", "result": "reached"})
    assert tested.status_code == 409
    assert [p["id"] for p in api("cn_focal", "GET", "/contact-points").get_json()["items"]] == [cn]
    kept = api("cn_focal", "GET", "/contact-points?retired=true").get_json()["items"]
    assert [(p["id"], p["overdue"]) for p in kept] == [(us, False)]
    assert api("cn_focal", "GET", "/contact-points?retired=perhaps").status_code == 422


# --- an action item edited -----------------------------------------------------------------


def test_only_coordinators_open_an_action_items_edit_page(client, login, people, item, washington):
    page = f"/actions/{item.id}/edit"
    assert client.get(page).status_code == 302
    for who in ("us_focal", "cn_focal", "personnel"):
        login(getattr(people, who))
        assert client.get(page).status_code == 403, who
        _signed_out(client)
    login(people.coordinator)
    assert client.get(page).status_code == 200
    assert client.get("/actions/424242/edit").status_code == 404
    meeting = client.get(f"/meetings/{washington.slug}/2027-02-17T10:00:00")
    assert page in meeting.get_data(as_text=True)


def test_a_coordinator_changes_an_items_text_owner_side_and_due_date(client, login, people, item, session):
    login(people.coordinator)
    page = f"/actions/{item.id}/edit"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "what": "Share the server logs",
            "side": "CN",
            "owner_name": "Wang Jun",
            "owner_email": "wang.jun@mps.example",
            "due_on": "2027-04-01",
            "status": "open",
        },
    )
    assert response.status_code == 302 and response.location.endswith(f"#action-{item.id}")
    session.expire_all()
    edited = session.get(ActionItem, item.id)
    assert (edited.what, edited.side, edited.owner_name, edited.due_on) == (
        "Share the server logs",
        "CN",
        "Wang Jun",
        date(2027, 4, 1),
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"due_on": "2027-02-16"}, "due_on"),  # before the meeting
        ({"due_on": "not a date"}, "due_on"),
        ({"side": "FR"}, "side"),
        ({"what": ""}, "what"),
        ({"owner_email": "nobody"}, "owner_email"),
    ],
)
def test_a_bad_item_edit_is_shown_beside_its_field_and_changes_nothing(
    client, login, people, item, session, change, field
):
    login(people.coordinator)
    page = f"/actions/{item.id}/edit"
    data = {
        "csrf_token": csrf_token(client, page),
        "what": "Share the logs",
        "side": "US",
        "owner_name": "Agent Smith",
        "due_on": "2027-03-01",
        "status": "open",
        **change,
    }
    response = client.post(page, data=data)
    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(ActionItem, item.id).due_on == date(2027, 3, 1)


def test_the_api_changes_an_items_owning_side(api, item):
    moved = api("coordinator", "PATCH", f"/actions/{item.id}", {"side": "CN", "owner_name": "Wang Jun"})
    assert moved.status_code == 200 and moved.get_json()["side"] == "CN"
    refused = api("coordinator", "PATCH", f"/actions/{item.id}", {"side": "FR"})
    assert refused.status_code == 422 and "side" in refused.get_json()["errors"]
    assert api("cn_focal", "PATCH", f"/actions/{item.id}", {"what": "Other"}).status_code == 403


# --- a series not begun rescheduled -------------------------------------------------------


def test_a_coordinator_reschedules_a_series_not_begun_from_its_page(
    client, login, people, washington, session
):
    login(people.coordinator)
    page = f"/meetings/{washington.slug}"
    assert "Change the schedule" in client.get(page).get_data(as_text=True)
    bad = client.post(
        page + "/schedule",
        data={
            "csrf_token": csrf_token(client, page),
            "timezone": "America/New_York",
            "starts_at": "2027-03-14T02:30",
            "duration_minutes": "60",
            "pattern": "custom",
            "rrule": "FREQ=MONTHLY;BYDAY=2SU;COUNT=6",
        },
    )
    assert bad.status_code == 422 and 'id="starts_at-error"' in bad.get_data(as_text=True)
    done = client.post(
        page + "/schedule",
        data={
            "csrf_token": csrf_token(client, page),
            "timezone": "Asia/Shanghai",
            "starts_at": "2027-01-13T10:00",
            "duration_minutes": "60",
            "pattern": "monthly_weekday",
            "count": "6",
        },
    )
    assert done.status_code == 302
    series = session.get(MeetingSeries, washington.id)
    session.refresh(series)
    assert (series.timezone, series.rrule, series.sequence) == (
        "Asia/Shanghai",
        "FREQ=MONTHLY;COUNT=6;BYDAY=2WE",
        1,
    )


def test_the_schedule_form_is_for_coordinators_and_series_not_begun(client, login, people, make_series):
    begun = make_series(starts_at=datetime(2026, 1, 21, 10), rrule="FREQ=MONTHLY;BYDAY=3WE;COUNT=24")
    login(people.coordinator)
    assert "Change the schedule" not in client.get(f"/meetings/{begun.slug}").get_data(as_text=True)
    refused = client.post(
        f"/meetings/{begun.slug}/schedule",
        data={
            "csrf_token": csrf_token(client, f"/meetings/{begun.slug}"),
            "timezone": "America/New_York",
            "starts_at": "2027-01-20T09:00",
            "duration_minutes": "60",
            "pattern": "custom",
            "rrule": "FREQ=MONTHLY;BYDAY=3WE;COUNT=12",
        },
    )
    assert refused.status_code == 422 and "This series has begun" in refused.get_data(as_text=True)
    _signed_out(client)
    login(people.us_focal)
    page = f"/meetings/{begun.slug}"
    assert client.post(page + "/schedule", data={"csrf_token": csrf_token(client, page)}).status_code == 403


def test_the_api_reschedules_a_series_not_begun(api):
    made = api("coordinator", "POST", "/meetings", SERIES).get_json()
    path = f"/meetings/{made['id']}"
    assert api("us_focal", "PATCH", path, {"duration_minutes": 60}).status_code == 403
    moved = api("coordinator", "PATCH", path, {"starts_at": "2027-01-20T09:00:00", "duration_minutes": 60})
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["starts_at"], moved.get_json()["sequence"]) == ("2027-01-20T09:00:00", 1)
    for body, field in (
        ({"rrule": "FREQ=SECONDLY;COUNT=2"}, "rrule"),
        ({"duration_minutes": "60"}, "duration_minutes"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"starts_at": "2027-02-30T10:00:00"}, "starts_at"),
        ({"title": "New", "duration_minutes": 30}, "duration_minutes"),
    ):
        refused = api("coordinator", "PATCH", path, body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (
            body,
            refused.get_json(),
        )
    renamed = api("coordinator", "PATCH", path, {"title": "Hotline review"})
    assert renamed.get_json()["title"] == "Hotline review" and renamed.get_json()["sequence"] == 2
    assert api("coordinator", "PATCH", "/meetings/424242", {"title": "x"}).status_code == 404


# --- a fixed number of queries ------------------------------------------------------------


@pytest.mark.parametrize("page", ["edit-contact", "retire-contact", "edit-action"])
def test_the_correction_pages_run_the_same_queries_for_few_and_many_rows(
    client, login, people, make_series, session, count_queries, page
):
    login(people.coordinator)
    counts = []
    for many in (2, 60):
        series = make_series(rrule=f"FREQ=WEEKLY;COUNT={many}", starts_at=datetime(2027, 1, 6, 10))
        point = services.add_contact_point(
            session,
            services.ContactSpec(side="US", name=f"Desk {many}", phone="+1 202 555 0100"),
            actor=people.coordinator,
        )
        for n in range(many):
            services.record_test(session, point, method="phone", result="reached", actor=people.coordinator)
            key = services.meetings_of(series)[n].key
            action = services.add_action(
                session,
                series,
                key,
                services.ActionSpec(what=f"Item {n}", side="CN", owner_name="Wang", due_on=date(2029, 1, 1)),
                actor=people.coordinator,
            )
        session.commit()
        path = {
            "edit-contact": f"/contact-points/{point.id}/edit",
            "retire-contact": f"/contact-points/{point.id}/retire",
            "edit-action": f"/actions/{action.id}/edit",
        }[page]
        client.get(path)
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# --- bad input never answers 500 ------------------------------------------------------------


@pytest.mark.parametrize("number", (2**31, 2**63, 2**64))
def test_ids_beyond_the_database_range_are_simply_not_found(client, login, api, people, number):
    login(people.coordinator)
    for path in (
        f"/contact-points/{number}/edit",
        f"/contact-points/{number}/retire",
        f"/actions/{number}/edit",
    ):
        assert client.get(path).status_code == 404, path
    for method, path in (
        ("PATCH", f"/contact-points/{number}"),
        ("DELETE", f"/contact-points/{number}"),
        ("PATCH", f"/meetings/{number}"),
    ):
        assert (
            api("coordinator", method, path, {"hours": "x"} if method == "PATCH" else None).status_code == 404
        )


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/meetings/{series}", {"duration_minutes": True}, "duration_minutes"),
        ("/meetings/{series}", {"starts_at": "9" * 500}, "starts_at"),
        ("/meetings/{series}", {"rrule": ["FREQ=WEEKLY"]}, "rrule"),
        ("/meetings/{series}", {"rrule": "X" * 5000}, "rrule"),
        ("/meetings/{series}", {"title": None}, "title"),
        ("/contact-points/{point}", {"phone": 5}, "phone"),
        ("/contact-points/{point}", {"name": "N" * 10_000}, "name"),
        ("/contact-points/{point}", {"side": "ZZ"}, "side"),
        ("/actions/{item}", {"side": 5}, "side"),
        ("/actions/{item}", {"due_on": "2027-13-01"}, "due_on"),
    ],
)
def test_wrong_types_and_huge_values_get_problem_json_at_their_field(
    api, washington, points, item, session, path, body, field
):
    target = path.format(series=washington.id, point=points["US"].id, item=item.id)
    response = api("coordinator", "PATCH", target, body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    session.expire_all()
    assert session.get(MeetingSeries, washington.id).sequence == 0
    assert session.get(ContactPoint, points["US"].id).phone == "+1 855 292 3937"
