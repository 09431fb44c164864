"""The meeting pages: who may open them, the forms that act, refusals beside their fields, and a fixed
number of queries whatever the number of meetings."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.meetings.conftest import outbox
from training.meetings import services
from training.meetings.models import ActionItem, ContactPoint, MeetingSeries


def _page(series, key=None):
    return f"/meetings/{series.slug}" + (f"/{key}" if key else "")


def test_coordinators_and_the_sides_focal_points_open_a_series_and_its_meetings(
    client, login, people, washington
):
    for who in (people.coordinator, people.us_focal, people.cn_focal):
        login(who)
        for path in (
            "/meetings",
            _page(washington),
            _page(washington, "2027-01-20T10:00:00"),
            "/contact-points",
        ):
            assert client.get(path).status_code == 200, (who.email, path)
        client.post("/logout", data={"csrf_token": csrf_token(client, "/meetings")})


def test_others_are_refused(client, login, people, washington):
    assert client.get(_page(washington)).status_code == 302  # to the sign-in page
    login(people.personnel)
    for path in ("/meetings", _page(washington), "/contact-points", "/meetings/new"):
        assert client.get(path).status_code == 403, path


def test_a_focal_point_of_another_country_gets_404_for_a_series(client, login, people, washington):
    login(people.fr_focal)
    assert client.get("/meetings").status_code == 200
    assert client.get(_page(washington)).status_code == 404
    assert client.get(_page(washington, "2027-01-20T10:00:00")).status_code == 404


CHANGES = (
    "/edit",
    "/participants",
    "/participants/1/remove",
    "/cancel",
    "/2027-04-21T10:00:00/move",
    "/2027-04-21T10:00:00/place",
    "/2027-04-21T10:00:00/restore",
    "/2027-04-21T10:00:00/split",
    "/2027-04-21T10:00:00/minutes",
    "/2027-04-21T10:00:00/actions",
    "/2027-04-21T10:00:00/cancel",
)


@pytest.mark.parametrize("who", ["us_focal", "cn_focal", "personnel"])
def test_only_coordinators_create_or_change_series(client, login, people, washington, who):
    login(getattr(people, who))
    assert client.get("/meetings/new").status_code == 403
    token = csrf_token(client, "/profile")
    for path in CHANGES:
        assert client.post(_page(washington) + path, data={"csrf_token": token}).status_code == 403, path
    assert client.post("/meetings/new", data={"csrf_token": token}).status_code == 403
    for path in ("/participants/1/remove", "/cancel", "/2027-04-21T10:00:00/cancel"):
        assert client.get(_page(washington) + path).status_code == 403, path


def test_signed_out_visitors_are_sent_to_sign_in_everywhere(client, washington):
    for path in (
        "/meetings",
        "/meetings/new",
        _page(washington),
        "/contact-points",
        _page(washington, "2027-04-21T10:00:00"),
    ):
        assert client.get(path).status_code == 302, path
    for path in CHANGES:
        assert client.post(_page(washington) + path).status_code in (302, 400), path


def test_unknown_series_and_meetings_are_404(client, login, people, washington):
    login(people.coordinator)
    assert client.get("/meetings/no-such-series").status_code == 404
    for key in ("2027-01-21T10:00:00", "garbage", "2027-02-30T10:00:00", "9" * 300):
        assert client.get(_page(washington, key)).status_code == 404, key


def test_a_coordinator_creates_a_series_through_the_form(client, login, people, session):
    login(people.coordinator)
    token = csrf_token(client, "/meetings/new")
    response = client.post(
        "/meetings/new",
        data={
            "csrf_token": token,
            "title": "Hotline review",
            "side_a": "CN",
            "side_b": "US",
            "timezone": "Asia/Shanghai",
            "starts_at": "2027-02-03T10:00",
            "duration_minutes": "60",
            "pattern": "weekly",
            "interval": "2",
            "count": "6",
            "participants": "li.ming@mps.example, 李明, zh\nagent@fbi.example, Agent Smith",
        },
    )
    assert response.status_code == 302
    series = session.scalar(sa.select(MeetingSeries).where(MeetingSeries.title == "Hotline review"))
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=2;COUNT=6;BYDAY=WE"
    assert [m.recipient for m in outbox(session)] == ["li.ming@mps.example", "agent@fbi.example"]


def test_a_bad_form_shows_each_problem_beside_its_field_and_changes_nothing(client, login, people, session):
    login(people.coordinator)
    token = csrf_token(client, "/meetings/new")
    response = client.post(
        "/meetings/new",
        data={
            "csrf_token": token,
            "title": "Bad",
            "side_a": "US",
            "side_b": "US",
            "timezone": "America/New_York",
            "starts_at": "2027-03-14T02:30",
            "duration_minutes": "60",
            "pattern": "custom",
            "rrule": "FREQ=SECONDLY;COUNT=2",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="side_b-error"' in html and 'id="rrule-error"' in html
    assert "FREQ=SECONDLY is refused" in html
    assert session.scalar(sa.select(sa.func.count()).select_from(MeetingSeries)) == 0


@pytest.mark.parametrize("value", ["", "not a date", "2027-99-99T10:00", "99999-01-01T10:00"])
def test_malformed_dates_are_refused_not_500(client, login, people, washington, value):
    login(people.coordinator)
    page = _page(washington, "2027-04-21T10:00:00")
    response = client.post(page + "/move", data={"csrf_token": csrf_token(client, page), "starts_at": value})
    assert response.status_code == 422


def test_moving_a_meeting_from_its_page(client, login, people, washington, session):
    login(people.coordinator)
    page = _page(washington, "2027-04-21T10:00:00")
    response = client.post(
        page + "/move", data={"csrf_token": csrf_token(client, page), "starts_at": "2027-04-22T09:30"}
    )
    assert response.status_code == 302
    meeting = services.find_meeting(services.reload(session, washington), "2027-04-21T10:00:00")
    assert meeting.moved and meeting.starts_at.isoformat() == "2027-04-22T13:30:00+00:00"


def test_cancelling_a_meeting_asks_first_and_then_acts(client, login, people, washington, session):
    login(people.coordinator)
    page = _page(washington, "2027-05-19T10:00:00") + "/cancel"
    asked = client.post(page, data={"csrf_token": csrf_token(client, _page(washington))})
    assert asked.status_code == 200 and "this meeting only" in asked.get_data(as_text=True)
    assert not any(m.cancelled for m in services.meetings_of(services.reload(session, washington)))
    done = client.post(page, data={"csrf_token": csrf_token(client, page), "confirm": "yes"})
    assert done.status_code == 302
    assert sum(m.cancelled for m in services.meetings_of(services.reload(session, washington))) == 1


def test_minutes_in_chinese_are_shown_safely(client, login, people, washington, session):
    login(people.coordinator)
    page = _page(washington, "2027-01-20T10:00:00")
    client.post(
        page + "/minutes",
        data={
            "csrf_token": csrf_token(client, page),
            "agenda": "- 案件交流\n- 热线测试",
            "minutes_zh": "双方**同意**交换日志。<script>alert(1)</script>",
            "minutes_en": "",
        },
    )
    html = client.get(page).get_data(as_text=True)
    assert "<li>案件交流</li>" in html and "<strong>同意</strong>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_an_action_due_before_the_meeting_is_refused_beside_the_field(
    client, login, people, washington, session
):
    login(people.coordinator)
    page = _page(washington, "2027-02-17T10:00:00")
    response = client.post(
        page + "/actions",
        data={
            "csrf_token": csrf_token(client, page),
            "what": "Share logs",
            "side": "CN",
            "owner_name": "Wang Jun",
            "due_on": "2027-02-01",
        },
    )
    assert response.status_code == 422 and 'id="due_on-error"' in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 0


def test_a_focal_point_marks_their_sides_item_done(client, login, people, washington, session):
    item = services.add_action(
        session,
        washington,
        "2027-01-20T10:00:00",
        services.ActionSpec(what="Share logs", side="US", owner_name="Agent Smith", due_on=date(2027, 3, 1)),
        actor=people.coordinator,
    )
    session.commit()
    login(people.us_focal)
    page = _page(washington, "2027-01-20T10:00:00")
    response = client.post(
        f"/actions/{item.id}/status", data={"csrf_token": csrf_token(client, page), "status": "done"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ActionItem, item.id).status.value == "done"


def test_the_hotline_directory_shows_overdue_contact_points(client, login, people, session):
    login(people.coordinator)
    token = csrf_token(client, "/contact-points")
    response = client.post(
        "/contact-points",
        data={
            "csrf_token": token,
            "side": "US",
            "name": "FBI CyWatch",
            "phone": "+1 855 292 3937",
            "hours": "24/7",
        },
    )
    assert response.status_code == 302
    point = session.scalar(sa.select(ContactPoint))
    assert "overdue for a test" in client.get("/contact-points").get_data(as_text=True)
    client.post(
        f"/contact-points/{point.id}/tests",
        data={"csrf_token": token, "method": "phone", "result": "reached"},
    )
    html = client.get("/contact-points").get_data(as_text=True)
    assert "overdue for a test" not in html and "reached" in html


def test_a_contact_point_without_phone_or_email_is_refused(client, login, people, session):
    login(people.coordinator)
    response = client.post(
        "/contact-points",
        data={"csrf_token": csrf_token(client, "/contact-points"), "side": "US", "name": "Nobody"},
    )
    assert response.status_code == 422 and 'id="phone-error"' in response.get_data(as_text=True)


def test_focal_points_record_tests_but_do_not_add_contact_points(client, login, people, session):
    point = services.add_contact_point(
        session,
        services.ContactSpec(side="CN", name="MPS duty desk", phone="+86 10 6620 0000"),
        actor=people.coordinator,
    )
    session.commit()
    login(people.us_focal)
    token = csrf_token(client, "/contact-points")
    assert (
        client.post(
            "/contact-points",
            data={"csrf_token": token, "side": "US", "name": "X", "phone": "+1 202 000 0000"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/contact-points/{point.id}/tests",
            data={"csrf_token": token, "method": "phone", "result": "late"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/contact-points/999999/tests", data={"csrf_token": token, "method": "phone", "result": "late"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("page", ["series", "meeting", "directory"])
def test_pages_run_the_same_queries_for_few_and_many_meetings(
    client, login, people, make_series, session, count_queries, page
):
    login(people.coordinator)
    counts = []
    for weeks in (3, 200):
        series = make_series(rrule=f"FREQ=WEEKLY;COUNT={weeks}", starts_at=datetime(2027, 1, 6, 10))
        for n in range(min(weeks, 3)):
            key = services.meetings_of(series)[n].key
            services.add_action(
                session,
                series,
                key,
                services.ActionSpec(what=f"Item {n}", side="CN", owner_name="Wang", due_on=date(2027, 6, 1)),
                actor=people.coordinator,
            )
            services.write_minutes(
                session, series, key, agenda="x", minutes_en="y", minutes_zh="", actor=people.coordinator
            )
            services.add_contact_point(
                session,
                services.ContactSpec(side="US", name=f"Desk {weeks}-{n}", phone="+1 202 555 0100"),
                actor=people.coordinator,
            )
        session.commit()
        path = {
            "series": _page(series),
            "meeting": _page(series, services.meetings_of(services.reload(session, series))[2].key),
            "directory": "/contact-points",
        }[page]
        client.get(path)
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
