"""/api/v1 meetings: the same rules and roles as the pages, problem+json with the field for bad input."""

from __future__ import annotations

import pytest

from training.accounts.tokens import issue_token

SERIES = {
    "title": "China–US working-level meeting on cybercrime cases",
    "timezone": "America/New_York",
    "starts_at": "2027-01-20T10:00:00",
    "duration_minutes": 90,
    "rrule": "FREQ=MONTHLY;BYDAY=3WE;COUNT=12",
    "location": "FBI Headquarters, Washington",
    "participants": [
        {"email": "agent.smith@fbi.example", "name": "Agent Smith", "language": "en"},
        {"email": "wang.jun@mps.example", "name": "王军", "language": "zh_Hans"},
    ],
}


@pytest.fixture
def as_(client, session, people):
    def call(who, method, path, json=None):
        headers = {}
        if who is not None:
            token, _row = issue_token(session, getattr(people, who))
            session.commit()
            headers["Authorization"] = f"Bearer {token}"
        return client.open(f"/api/v1{path}", method=method, json=json, headers=headers)

    return call


@pytest.fixture
def created(as_):
    response = as_("coordinator", "POST", "/meetings", SERIES)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_coordinator_creates_a_series_and_gets_its_calendar_address(created, client):
    assert created["slug"].startswith("china-us-working-level-meeting-on-cybercrime-cases-")
    assert created["calendar_url"].endswith(f"/calendar/meetings/{created['slug']}.ics")
    assert created["rrule"] == "FREQ=MONTHLY;COUNT=12;BYDAY=3WE"
    assert client.get(f"/calendar/meetings/{created['slug']}.ics").status_code == 200


def test_occurrences_carry_offsets_and_follow_daylight_saving(as_, created):
    response = as_(
        "us_focal",
        "GET",
        f"/meetings/{created['id']}/occurrences?from=2027-02-01T00:00:00&to=2027-04-30T00:00:00",
    )
    items = response.get_json()["items"]
    assert [(i["recurrence_id"], i["starts_at"], i["status"]) for i in items] == [
        ("2027-02-17T10:00:00", "2027-02-17T10:00:00-05:00", "scheduled"),
        ("2027-03-17T10:00:00", "2027-03-17T10:00:00-04:00", "scheduled"),
        ("2027-04-21T10:00:00", "2027-04-21T10:00:00-04:00", "scheduled"),
    ]


def test_patch_moves_or_cancels_one_occurrence(as_, created):
    base = f"/meetings/{created['id']}/occurrences"
    moved = as_("coordinator", "PATCH", f"{base}/2027-03-17T10:00:00", {"starts_at": "2027-03-18T14:00:00"})
    assert moved.status_code == 200 and moved.get_json()["status"] == "moved"
    assert moved.get_json()["starts_at"] == "2027-03-18T14:00:00-04:00"
    cancelled = as_("coordinator", "PATCH", f"{base}/2027-04-21T10:00:00", {"status": "cancelled"})
    assert cancelled.get_json()["status"] == "cancelled"
    statuses = [i["status"] for i in as_("coordinator", "GET", base).get_json()["items"]]
    assert statuses.count("scheduled") == 10
    again = as_("coordinator", "PATCH", f"{base}/2027-04-21T10:00:00", {"status": "scheduled"})
    assert again.status_code == 200 and again.get_json()["status"] == "scheduled"
    twice = as_("coordinator", "PATCH", f"{base}/2027-04-21T10:00:00", {"status": "scheduled"})
    assert twice.status_code == 409


@pytest.mark.parametrize(
    "body, field",
    [
        ({**SERIES, "rrule": "FREQ=SECONDLY;COUNT=3"}, "rrule"),
        ({**SERIES, "rrule": "FREQ=WEEKLY"}, "rrule"),
        ({**SERIES, "rrule": "FREQ=DAILY;UNTIL=20990101"}, "rrule"),
        ({**SERIES, "starts_at": "2027-03-14T02:30:00", "rrule": "FREQ=YEARLY;COUNT=2"}, "starts_at"),
        ({**SERIES, "starts_at": "not a date"}, "starts_at"),
        ({**SERIES, "timezone": "Mars/Olympus"}, "timezone"),
        ({**SERIES, "duration_minutes": "90"}, "duration_minutes"),
        ({**SERIES, "participants": [{"email": "nobody"}]}, "participants"),
        ({**SERIES, "sides": ["US", "US"]}, "sides"),
    ],
)
def test_bad_series_get_problem_json_with_the_field(as_, body, field):
    response = as_("coordinator", "POST", "/meetings", body)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"], response.get_json()


def test_an_occurrence_id_that_is_not_an_occurrence_is_404(as_, created):
    for key in ("2027-03-18T10:00:00", "nope", "2027-02-31T10:00:00"):
        response = as_(
            "coordinator", "PATCH", f"/meetings/{created['id']}/occurrences/{key}", {"status": "cancelled"}
        )
        assert response.status_code == 404, key


def test_actions_are_added_and_updated_with_their_rules(as_, created):
    base = f"/meetings/{created['id']}/occurrences/2027-01-20T10:00:00/actions"
    early = as_(
        "coordinator",
        "POST",
        base,
        {"what": "Share logs", "side": "US", "owner_name": "Agent Smith", "due_on": "2027-01-19"},
    )
    assert early.status_code == 422 and "due_on" in early.get_json()["errors"]
    wrong_side = as_(
        "coordinator",
        "POST",
        base,
        {"what": "Share logs", "side": "FR", "owner_name": "X", "due_on": "2027-02-19"},
    )
    assert wrong_side.status_code == 422 and "side" in wrong_side.get_json()["errors"]
    made = as_(
        "coordinator",
        "POST",
        base,
        {
            "what": "Share logs",
            "side": "US",
            "owner_name": "Agent Smith",
            "owner_email": "agent.smith@fbi.example",
            "due_on": "2027-02-19",
        },
    )
    assert made.status_code == 201
    action = made.get_json()
    assert as_("cn_focal", "PATCH", f"/actions/{action['id']}", {"status": "done"}).status_code == 403
    done = as_("us_focal", "PATCH", f"/actions/{action['id']}", {"status": "done"})
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    assert as_("fr_focal", "PATCH", f"/actions/{action['id']}", {"status": "open"}).status_code == 404
    assert as_("coordinator", "PATCH", "/actions/999999", {"status": "open"}).status_code == 404


def test_roles_on_every_endpoint(as_, created):
    series = f"/meetings/{created['id']}"
    assert as_(None, "GET", series).status_code == 401
    assert as_("personnel", "GET", series).status_code == 403
    assert as_("fr_focal", "GET", series).status_code == 404
    assert as_("us_focal", "GET", series).status_code == 200
    assert as_("us_focal", "POST", "/meetings", SERIES).status_code == 403
    assert (
        as_(
            "us_focal", "PATCH", f"{series}/occurrences/2027-03-17T10:00:00", {"status": "cancelled"}
        ).status_code
        == 403
    )
    assert as_("personnel", "GET", "/contact-points").status_code == 403
    assert (
        as_(
            "us_focal", "POST", "/contact-points", {"side": "US", "name": "X", "phone": "+1 202 555 0100"}
        ).status_code
        == 403
    )


def test_contact_points_and_their_tests(as_):
    made = as_(
        "coordinator",
        "POST",
        "/contact-points",
        {"side": "CN", "name": "MPS cyber duty desk", "phone": "+86 10 6620 0000", "languages": "zh, en"},
    )
    assert made.status_code == 201 and made.get_json()["overdue"] is True
    point = made.get_json()["id"]
    assert (
        as_("coordinator", "POST", "/contact-points", {"side": "CN", "name": "No way to reach"}).status_code
        == 422
    )
    tested = as_(
        "us_focal", "POST", f"/contact-points/{point}/tests", {"method": "phone", "result": "reached"}
    )
    assert tested.status_code == 201 and tested.get_json()["tested_by"] == "Una Focal"
    future = as_(
        "us_focal",
        "POST",
        f"/contact-points/{point}/tests",
        {"method": "phone", "result": "reached", "tested_at": "2999-01-01T00:00:00"},
    )
    assert future.status_code == 422 and "tested_at" in future.get_json()["errors"]
    listed = as_("cn_focal", "GET", "/contact-points").get_json()["items"]
    assert [(p["name"], p["overdue"]) for p in listed] == [("MPS cyber duty desk", False)]
    assert (
        as_(
            "coordinator", "POST", "/contact-points/424242/tests", {"method": "phone", "result": "reached"}
        ).status_code
        == 404
    )
