"""The pages people use: catalogue, course page, week grid, schedule editor, instructors, my teaching."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, sign_in
from tests.courses.conftest import BEIJING_START
from training.accounts.models import Role
from training.courses import services
from training.courses.models import Course, CourseSession, CourseStatus, Instructor


def _error_at(html: str, field: str) -> str:
    block = re.search(rf'id="{field}-error">(.*?)</ul>', html, re.S)
    return block.group(1) if block else ""


def _count(session, model):
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model))


# --- catalogue -------------------------------------------------------------------------


def test_home_page_is_the_catalogue_of_published_courses(client, make_course, coordinator, session):
    make_course(title="Cybercrime investigation in Beijing")
    make_course(publish=False, title="Secret draft")
    called_off = make_course(title="Called off course")
    services.cancel_course(session, called_off, actor=coordinator)
    session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Cybercrime investigation in Beijing" in html and "Secret draft" not in html
    assert re.search(r'class="is-cancelled".*Called off course.*cancelled', html, re.S)
    assert "Beijing, China" in html and "15 places" in html and "10 days" in html


def test_catalogue_filters_by_country_month_and_text(client, make_course):
    make_course(title="Cybercrime investigation")
    make_course(
        title="Online fraud",
        host_country="US",
        city="Washington",
        timezone="America/New_York",
        starts_on=date(2031, 5, 5),
        ends_on=date(2031, 5, 9),
    )

    def titles(query):
        html = client.get(f"/?{query}").get_data(as_text=True)
        return re.findall(r'class="course-title"[^>]*>([^<]+)<', html)

    assert titles("country=US") == ["Online fraud"]
    assert titles("month=2031-03") == ["Cybercrime investigation"]
    assert titles("q=fraud") == ["Online fraud"]
    assert titles("country=CN&month=2031-05") == []
    assert "No upcoming course matches these filters." in client.get("/?q=nothing").get_data(as_text=True)


@pytest.mark.parametrize("query", ["month=garbage", "month=2031-13", "country=XX", "q=" + "x" * 300])
def test_bad_catalogue_filters_are_shown_at_the_field_not_a_500(client, make_course, query):
    make_course()
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    field = query.split("=")[0]
    assert _error_at(response.get_data(as_text=True), field)


def test_signed_in_people_see_a_welcome_line_on_the_catalogue(login, make_user):
    client = login(make_user(name="John Carter", country="US"))
    html = client.get("/").get_data(as_text=True)
    assert "Signed in as John Carter" in html and "United States" in html


# --- course page and week grid ---------------------------------------------------------


@pytest.fixture
def beijing(make_course, make_instructor, add_session, session, coordinator):
    course = make_course(title="Cybercrime investigation")
    li = make_instructor("Li Na", organisation="People's Public Security University")
    add_session(
        course, BEIJING_START, "09:00", "10:30", title="Opening lecture", instructors=[li], room="Hall A"
    )
    dropped = add_session(course, BEIJING_START, "14:00", "15:00", title="Dropped talk")
    services.cancel_session(session, dropped, course, actor=coordinator)
    session.commit()
    return course


def test_course_page_shows_the_schedule_day_by_day_in_local_time(client, beijing):
    html = client.get(f"/courses/{beijing.slug}").get_data(as_text=True)
    assert "Day 1 · Mon, Mar 3, 2031" in html and "Day 10 · Wed, Mar 12, 2031" in html
    assert "9:00\u202fAM–10:30\u202fAM" in html and "UTC+8" in html
    assert "Li Na" in html and "People&#39;s Public Security University" in html
    assert re.search(r'<tr class="kind-lecture cancelled">.*?Dropped talk', html, re.S)
    assert "Your time" not in html  # anonymous visitors see the course's own zone


def test_course_page_puts_the_readers_own_time_beside_the_local_time(login, make_user, beijing):
    client = login(make_user(timezone="America/New_York"))
    html = client.get(f"/courses/{beijing.slug}").get_data(as_text=True)
    assert "Your time (Eastern Time)" in html
    # 09:00 in Beijing on Monday is 20:00 on Sunday in New York.
    assert "8:00\u202fPM–9:30\u202fPM" in html and "Sun, Mar 2" in html and "UTC\u22125" in html


def test_the_course_page_follows_every_change_to_its_schedule(client, beijing, session, coordinator):
    page = f"/courses/{beijing.slug}"
    assert "Opening lecture" in client.get(page).get_data(as_text=True)  # drawn, and kept
    opening = session.scalar(sa.select(CourseSession).where(CourseSession.title == "Opening lecture"))
    li = session.scalar(sa.select(Instructor).where(Instructor.name == "Li Na"))

    services.update_session(session, opening, beijing, actor=coordinator, day=BEIJING_START,
                            starts=time(9), ends=time(10, 30), title="Welcome address",
                            room="Hall A", instructor_ids=[li.id])
    session.commit()
    renamed = client.get(page).get_data(as_text=True)
    services.update_instructor(session, li, services.InstructorDetails(name="Li Na-Wang"), actor=coordinator)
    session.commit()
    after_rename = client.get(page).get_data(as_text=True)
    services.add_session(session, beijing, actor=coordinator, day=date(2031, 3, 4),
                         starts=time(9), ends=time(10), title="Field visit")
    session.commit()
    added = client.get(page).get_data(as_text=True)

    assert "Welcome address" in renamed and "Opening lecture" not in renamed
    assert "Li Na-Wang" in after_rename
    assert "Field visit" in added


def test_readers_in_other_timezones_and_languages_each_see_their_own_schedule(client, make_user, beijing):
    page = f"/courses/{beijing.slug}"

    def read_as(**profile: str) -> str:
        sign_in(client, make_user(**profile))
        html = client.get(page).get_data(as_text=True)
        assert client.post("/logout", data={"csrf_token": csrf_token(client, page)}).status_code == 302
        return html

    in_new_york = read_as(timezone="America/New_York")
    in_london = read_as(timezone="Europe/London")
    in_chinese = read_as(timezone="Asia/Shanghai", locale="zh_Hans")

    assert "Your time (Eastern Time)" in in_new_york and "UTC\u22125" in in_new_york
    assert "Your time (British Time)" in in_london and "1:00\u202fAM–2:30\u202fAM" in in_london
    assert "Your time" not in in_chinese and "每日课表" in in_chinese


def test_week_grid_reads_like_a_calendar(client, beijing):
    response = client.get(f"/courses/{beijing.slug}/week")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Week 1 of 2" in html and "Mon, Mar 3" in html and "Sun, Mar 9" in html
    # Positions sit in the page's nonce'd <style>, keyed by the block's class.
    block = re.search(r'class="wg-session (wg-s\d+) kind-lecture"', html)
    assert block and f".week-grid .{block.group(1)} {{ grid-column: 2; grid-row: 6 / 12;" in html
    assert re.search(r'class="wg-session wg-s\d+ kind-lecture cancelled"', html)
    assert client.get(f"/courses/{beijing.slug}/week?week=2").status_code == 200
    assert client.get(f"/courses/{beijing.slug}/week?week=banana").status_code == 200


def test_drafts_are_hidden_from_people_who_do_not_manage_courses(client, login, make_user, make_course):
    draft = make_course(publish=False)
    assert client.get(f"/courses/{draft.slug}").status_code == 404
    assert client.get(f"/courses/{draft.slug}/week").status_code == 404
    assert client.get("/courses/no-such-course").status_code == 404
    manager = login(make_user(role=Role.COORDINATOR, country="CN"))
    assert "Publish" in manager.get(f"/courses/{draft.slug}").get_data(as_text=True)


# --- coordinators at work --------------------------------------------------------------


def _course_form(client, path, **overrides):
    data = {
        "csrf_token": csrf_token(client, path),
        "title": "Cybercrime investigation",
        "description": "",
        "host_country": "CN",
        "city": "Beijing",
        "venue": "PPSU",
        "timezone": "Asia/Shanghai",
        "starts_on": "2031-03-03",
        "ends_on": "2031-03-12",
        "capacity": "15",
        "language": "en",
        "enrolment_opens_at": "",
        "enrolment_closes_at": "",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_a_course_then_lands_in_the_schedule_editor(login, coordinator, session):
    client = login(coordinator)
    response = client.post("/courses/new", data=_course_form(client, "/courses/new"))
    assert response.status_code == 302
    course = session.scalar(sa.select(Course))
    assert response.headers["Location"] == f"/courses/{course.slug}/schedule"
    assert course.status is CourseStatus.DRAFT and course.created_by_id == coordinator.id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ends_on", "2031-03-01", "The course cannot end before it starts."),
        ("ends_on", "not a date", "Not a valid date value."),
        ("capacity", "-5", "Number must be between 1 and 100000."),
        ("capacity", "many", "Not a valid integer value."),
        ("host_country", "XX", "Not a valid choice."),
        ("timezone", "Mars/Olympus", "Not a valid choice."),
        ("title", "", "This field is required."),
        ("enrolment_opens_at", "2031-03-09T02:30", None),
    ],
)
def test_course_form_refuses_bad_input_at_the_field_and_creates_nothing(
    login, coordinator, session, field, value, message
):
    client = login(coordinator)
    overrides = {field: value}
    if field == "enrolment_opens_at":  # 02:30 on 9 March 2031 does not exist in New York
        overrides["timezone"] = "America/New_York"
        message = "02:30 on Sun, Mar 9, 2031 does not exist in America/New_York"
    response = client.post("/courses/new", data=_course_form(client, "/courses/new", **overrides))
    assert response.status_code == 400
    assert message in _error_at(response.get_data(as_text=True), field)
    assert _count(session, Course) == 0


def _session_form(client, course, **overrides):
    data = {
        "csrf_token": csrf_token(client, f"/courses/{course.slug}/schedule"),
        "day": "2031-03-03",
        "starts": "09:00",
        "ends": "10:30",
        "title": "Lecture",
        "kind": "lecture",
        "room": "Hall A",
        "description": "",
    }
    data.update(overrides)
    return data


def test_coordinator_adds_a_session_in_the_editor(login, coordinator, beijing, session):
    client = login(coordinator)
    li = session.scalar(sa.select(Instructor))
    response = client.post(
        f"/courses/{beijing.slug}/sessions",
        data=_session_form(client, beijing, day="2031-03-04", instructors=[str(li.id)]),
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Lecture” added." in html
    assert _count(session, CourseSession) == 3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts": "11:00", "ends": "10:00"}, "ends", "A session must end after it starts"),
        ({"day": "2031-04-01"}, "day", "Not a valid choice."),
        ({"day": "garbage"}, "day", "Not a valid choice."),
        ({"starts": "25:99"}, "starts", "Not a valid time value."),
        ({"kind": "party"}, "kind", "Not a valid choice."),
        ({"instructors": ["abc"]}, "instructors", "Invalid choice(s)"),
        ({"instructors": ["99999"]}, "instructors", "is not a valid choice"),
        ({"room": "Hall A"}, "room", "Hall A is already taken by “Opening lecture”"),
        ({"title": "  "}, "title", "This field is required."),
    ],
)
def test_session_form_refuses_bad_input_at_the_field(
    login, coordinator, beijing, session, overrides, field, message
):
    client = login(coordinator)
    response = client.post(
        f"/courses/{beijing.slug}/sessions", data=_session_form(client, beijing, **overrides)
    )
    assert response.status_code == 400
    assert message in _error_at(response.get_data(as_text=True), field)
    assert _count(session, CourseSession) == 2


def test_an_instructor_clash_is_named_beside_the_instructors(login, coordinator, beijing, session):
    client = login(coordinator)
    li = session.scalar(sa.select(Instructor))
    response = client.post(
        f"/courses/{beijing.slug}/sessions",
        data=_session_form(client, beijing, starts="10:00", ends="11:00", room="", instructors=[str(li.id)]),
    )
    assert response.status_code == 400
    error = _error_at(response.get_data(as_text=True), "instructors")
    assert "Li Na already teaches “Opening lecture” in Cybercrime investigation on Mon, Mar 3, 2031" in error


def test_a_time_in_the_dst_gap_is_named_beside_the_start(login, coordinator, washington_course, session):
    client = login(coordinator)
    response = client.post(
        f"/courses/{washington_course.slug}/sessions",
        data=_session_form(client, washington_course, day="2031-03-09", starts="02:00", ends="04:00"),
    )
    assert response.status_code == 400
    assert "02:00 on Sun, Mar 9, 2031 does not exist in America/New_York" in _error_at(
        response.get_data(as_text=True), "starts"
    )


def test_coordinator_copies_day_one_to_the_other_weekdays_in_one_action(login, coordinator, beijing, session):
    client = login(coordinator)
    targets = [
        "2031-03-04",
        "2031-03-05",
        "2031-03-06",
        "2031-03-07",
        "2031-03-10",
        "2031-03-11",
        "2031-03-12",
    ]
    response = client.post(
        f"/courses/{beijing.slug}/copy-day",
        data={
            "csrf_token": csrf_token(client, f"/courses/{beijing.slug}/schedule"),
            "from_day": "2031-03-03",
            "to_days": targets,
        },
    )
    assert response.status_code == 302
    assert "7 sessions copied to 7 days." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _count(session, CourseSession) == 9  # the cancelled talk is not copied


def test_copy_day_without_targets_is_refused_at_the_field(login, coordinator, beijing):
    client = login(coordinator)
    response = client.post(
        f"/courses/{beijing.slug}/copy-day",
        data={
            "csrf_token": csrf_token(client, f"/courses/{beijing.slug}/schedule"),
            "from_day": "2031-03-03",
        },
    )
    assert response.status_code == 400
    assert _error_at(response.get_data(as_text=True), "to_days")


def test_coordinator_reschedules_and_cancels_a_session(login, coordinator, beijing, session):
    client = login(coordinator)
    lecture = session.scalar(sa.select(CourseSession).where(CourseSession.title == "Opening lecture"))
    path = f"/courses/{beijing.slug}/sessions/{lecture.id}/edit"
    form = client.get(path).get_data(as_text=True)
    assert 'value="09:00"' in form and 'value="Opening lecture"' in form
    response = client.post(
        path,
        data=_session_form(
            client, beijing, starts="10:00", ends="11:30", title="Opening lecture", instructors=[]
        ),
    )
    assert response.status_code == 302
    response = client.post(
        f"/courses/{beijing.slug}/sessions/{lecture.id}/cancel",
        data={"csrf_token": csrf_token(client, f"/courses/{beijing.slug}/schedule"), "confirm": "yes"},
    )
    assert response.status_code == 302
    session.expire_all()
    lecture = session.get(CourseSession, lecture.id)
    assert lecture.cancelled and lecture.sequence == 2
    html = client.get(f"/courses/{beijing.slug}").get_data(as_text=True)
    assert re.search(r'<tr class="kind-lecture cancelled">\s*<td class="nowrap time">10:00', html)
    assert client.get(f"/courses/{beijing.slug}/sessions/99999/edit").status_code == 404


def test_coordinator_publishes_then_cancels_a_course_with_a_reason(login, coordinator, make_course, session):
    course = make_course(publish=False)
    client = login(coordinator)
    token = csrf_token(client, f"/courses/{course.slug}")
    assert client.post(f"/courses/{course.slug}/publish", data={"csrf_token": token}).status_code == 302
    assert (
        client.post(
            f"/courses/{course.slug}/cancel",
            data={"csrf_token": token, "reason": "Venue closed", "confirm": "yes"},
        ).status_code
        == 302
    )
    session.expire_all()
    assert session.get(Course, course.id).status is CourseStatus.CANCELLED
    response = client.post(
        f"/courses/{course.slug}/publish", data={"csrf_token": token}, follow_redirects=True
    )
    assert "A cancelled course cannot become published." in response.get_data(as_text=True)


def test_coordinator_edits_course_details(login, coordinator, beijing, session):
    client = login(coordinator)
    path = f"/courses/{beijing.slug}/edit"
    response = client.post(path, data=_course_form(client, path, title="Renamed course", capacity="20"))
    assert response.status_code == 302
    session.expire_all()
    course = session.get(Course, beijing.id)
    assert (course.title, course.capacity, course.slug) == ("Renamed course", 20, beijing.slug)
    response = client.post(path, data=_course_form(client, path, starts_on="2031-03-04"))
    assert response.status_code == 400
    assert "“Opening lecture” on Mon, Mar 3, 2031 would fall outside the course" in _error_at(
        response.get_data(as_text=True), "starts_on"
    )


# --- instructors -----------------------------------------------------------------------


def test_coordinator_builds_the_instructor_directory(login, coordinator, make_user, session, client):
    account = make_user(role=Role.INSTRUCTOR, email="li.na@example.cn")
    client = login(coordinator)
    data = {
        "csrf_token": csrf_token(client, "/instructors/new"),
        "name": "Li Na",
        "organisation": "PPSU",
        "expertise": "Digital forensics",
        "bio": "Professor.",
        "email": "",
        "account_email": account.email,
    }
    response = client.post("/instructors/new", data=data)
    assert response.status_code == 302
    li = session.scalar(sa.select(Instructor))
    assert li.user_id == account.id
    data.update(name="Someone else", csrf_token=csrf_token(client, "/instructors/new"))
    response = client.post("/instructors/new", data=data)
    assert response.status_code == 400
    assert "already linked to Li Na" in _error_at(response.get_data(as_text=True), "account_email")
    html = client.get("/instructors").get_data(as_text=True)
    assert "Li Na" in html and "Digital forensics" in html
    response = client.post(
        f"/instructors/{li.id}/delete",
        data={"csrf_token": csrf_token(client, "/instructors"), "confirm": "yes"},
    )
    assert response.status_code == 302 and _count(session, Instructor) == 0


def test_instructor_page_lists_what_they_teach(client, beijing, session):
    li = session.scalar(sa.select(Instructor))
    html = client.get(f"/instructors/{li.id}").get_data(as_text=True)
    assert "Opening lecture" in html and "Cybercrime investigation" in html
    assert client.get("/instructors/99999").status_code == 404


def test_an_instructor_with_an_account_sees_my_teaching(
    login, make_user, make_instructor, make_course, add_session
):
    account = make_user(role=Role.INSTRUCTOR, email="li.na@example.cn", timezone="Asia/Shanghai")
    li = make_instructor("Li Na", account_email=account.email)
    draft = make_course(publish=False, title="Draft course")
    add_session(draft, BEIJING_START, "09:00", "10:00", title="Draft lecture", instructors=[li])
    client = login(account)
    html = client.get("/my/teaching").get_data(as_text=True)
    assert "Draft lecture" in html and "Draft course" in html
    assert 'href="/my/teaching"' in html  # in the navigation


def test_my_teaching_explains_when_no_directory_entry_is_linked(login, make_user):
    client = login(make_user(role=Role.INSTRUCTOR))
    assert "not linked to an instructor" in client.get("/my/teaching").get_data(as_text=True)
