"""The enrolment pages through real form posts with CSRF: quotas, enrolling, nominating,
rejecting, my courses, rosters and CSV, attendance, certificates and the course-page panel."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import render_template_string

from tests.conftest import csrf_token, sign_in
from tests.enrolment.conftest import enrolment_of, quota, statuses
from training.accounts.models import Role, User
from training.audit.models import AuditEntry
from training.core.database import utcnow
from training.courses.models import CourseSession
from training.enrolment import services
from training.enrolment.models import EnrolmentStatus, SeatQuota


def post(client, path, data=None, token_from="/my/courses"):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_from)})


def field_error(html, field):
    block = re.search(rf'id="{field}-error">(.*?)</ul>', html, re.S)
    return block.group(1) if block else ""


def test_coordinator_sets_quotas_with_country_names_and_sees_the_audit_trail(
    client, session, make_course, coordinator, login
):
    course = make_course(capacity=20)
    login(coordinator)
    page = client.get(f"/courses/{course.slug}/seats").get_data(as_text=True)
    assert '<option value="US">United States</option>' in page
    response = post(client, f"/courses/{course.slug}/seats", {"country": "US", "seats": "15"},
                    f"/courses/{course.slug}/seats")
    assert response.status_code == 302
    page = client.get(f"/courses/{course.slug}/seats").get_data(as_text=True)
    assert "United States now has 15 seats." in page
    assert "quota.set" in page and "Chen Coordinator" in page
    assert quota(session, course, "US").seats == 15


def test_bad_quota_input_gets_a_message_at_the_field_and_changes_nothing(
    client, session, make_course, coordinator, login
):
    course = make_course(capacity=20, quotas={"US": 15})
    login(coordinator)
    cases = [
        ({"country": "CN", "seats": "many"}, "whole number"),
        ({"country": "CN", "seats": "-3"}, "0 upwards"),
        ({"country": "CN", "seats": "6"}, "would add up to 21 seats, but the course has 20"),
        ({"country": "ZZ", "seats": "1"}, "Not a valid choice"),
        ({"country": "CN", "seats": ""}, "Give a number of seats."),
    ]
    for data, message in cases:
        response = post(client, f"/courses/{course.slug}/seats", data, f"/courses/{course.slug}/seats")
        html = response.get_data(as_text=True)
        assert response.status_code == 400, data
        field = "country" if data["country"] == "ZZ" else "seats"
        assert message in field_error(html, field), (data, field_error(html, field))
    assert {q.country: q.seats for q in services.quotas_of(session, course)} == {"US": 15}
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "quota.set")) == 0


def test_personnel_enrol_from_the_course_panel_and_see_their_waitlist_position(
    app, client, session, make_course, make_user, login
):
    course = make_course(quotas={"US": 1})
    first, second = make_user(), make_user()
    services.enrol(session, course, first, actor=first)
    session.commit()
    login(second)
    response = post(client, f"/courses/{course.slug}/enrol", {"next": "/my/courses"})
    assert response.status_code == 302 and response.headers["Location"] == "/my/courses"
    page = client.get("/my/courses").get_data(as_text=True)
    assert "you are number 1 on the waitlist" in page
    assert "Number 1 on the waitlist for United States." in page
    again = post(client, f"/courses/{course.slug}/enrol")
    assert again.status_code == 302
    assert "already on this course" in client.get("/my/courses").get_data(as_text=True)
    assert statuses(session, course) == {"confirmed": 1, "waitlisted": 1}


def test_course_panel_shows_seats_per_country_and_the_viewers_status(
    app, session, make_course, make_user
):
    from flask_login import login_user

    course = make_course(quotas={"US": 1, "CN": 3}, seat_release_at=utcnow() + timedelta(days=2))
    holder, waiting, chinese = make_user(), make_user(), make_user(country="CN")
    for person in (holder, waiting):
        services.enrol(session, course, person, actor=person)
    session.commit()

    def panel_for(user):
        with app.test_request_context("/courses/x"):
            if user is not None:
                login_user(user)
            html = render_template_string('{% include "enrolment/_course_panel.html" %}', course=course)
            return html

    anonymous = panel_for(None)
    assert "United States" in anonymous and "China" in anonymous and "Sign in to enrol" in anonymous
    assert "go to the other countries' waitlists" in anonymous
    mine = panel_for(waiting)
    assert "You are number 1 on your country's waitlist." in mine and "Withdraw" in mine
    assert ">Enrol<" in panel_for(chinese)
    focal = panel_for(make_user(Role.FOCAL_POINT, "GB"))
    assert "no seats for personnel of United Kingdom" in focal and "Nominate someone" in focal


def test_self_enrolment_outside_the_window_is_refused_with_a_message(
    client, session, make_course, make_user, login
):
    course = make_course(quotas={"US": 3}, enrolment_closes_at=utcnow() - timedelta(days=1))
    login(make_user())
    post(client, f"/courses/{course.slug}/enrol")
    assert "Enrolment closed on" in client.get("/my/courses").get_data(as_text=True)
    assert statuses(session, course) == {}


def test_focal_point_nominates_a_new_person_who_is_invited_to_set_a_password(
    client, session, make_course, make_user, login
):
    course = make_course(quotas={"US": 3})
    login(make_user(Role.FOCAL_POINT, "US"))
    path = f"/courses/{course.slug}/nominate"
    page = client.get(path).get_data(as_text=True)
    assert 'name="country"' not in page  # their own country only
    response = post(client, path, {"email": "rookie@example.gov", "name": "Rookie Agent"}, path)
    assert response.status_code == 302
    rookie = session.scalar(sa.select(User).where(User.email == "rookie@example.gov"))
    assert rookie.country == "US" and rookie.password_hash is None
    assert enrolment_of(session, course, rookie).status is EnrolmentStatus.CONFIRMED


def test_nominating_a_foreign_person_or_nobody_is_refused_at_the_field(
    client, session, make_course, make_user, login
):
    course = make_course(quotas={"US": 3, "CN": 3})
    chinese = make_user(Role.PERSONNEL, "CN")
    login(make_user(Role.FOCAL_POINT, "US"))
    path = f"/courses/{course.slug}/nominate"
    foreign = post(client, path, {"email": chinese.email}, path)
    assert foreign.status_code == 400
    assert "not among the personnel of United States" in field_error(foreign.get_data(as_text=True), "email")
    nameless = post(client, path, {"email": "ghost@example.gov"}, path)
    assert nameless.status_code == 400
    assert "give the person&#39;s name" in field_error(nameless.get_data(as_text=True), "name")
    malformed = post(client, path, {"email": "not-an-email"}, path)
    assert malformed.status_code == 400
    assert statuses(session, course) == {}
    assert session.scalar(sa.select(User).where(User.email == "ghost@example.gov")) is None


def test_coordinator_overrides_a_closed_window_only_when_asked(
    client, session, make_course, make_user, coordinator, login
):
    course = make_course(quotas={"US": 3}, enrolment_closes_at=utcnow() - timedelta(days=1))
    person = make_user()
    login(coordinator)
    path = f"/courses/{course.slug}/nominate"
    refused = post(client, path, {"email": person.email}, path)
    assert refused.status_code == 400
    assert "override" in field_error(refused.get_data(as_text=True), "override_window")
    accepted = post(client, path, {"email": person.email, "override_window": "y"}, path)
    assert accepted.status_code == 302
    assert enrolment_of(session, course, person).status is EnrolmentStatus.CONFIRMED


def test_coordinator_approves_and_rejects_with_a_reason_from_the_roster(
    client, session, make_course, make_user, coordinator, login
):
    course = make_course(quotas={"US": 3}, requires_approval=True)
    a, b = make_user(name="Alice Able"), make_user(name="Bob Baker")
    for person in (a, b):
        services.enrol(session, course, person, actor=person)
    session.commit()
    login(coordinator)
    seats = f"/courses/{course.slug}/seats"
    assert "Alice Able" in client.get(seats).get_data(as_text=True)
    approve = post(client, f"/enrolments/{enrolment_of(session, course, a).id}/approve", {}, seats)
    assert approve.status_code == 302
    reject_path = f"/enrolments/{enrolment_of(session, course, b).id}/reject"
    empty = post(client, reject_path, {"reason": "", "confirm": "yes"}, reject_path)
    assert empty.status_code == 400 and "Give a reason" in empty.get_data(as_text=True)
    done = post(client, reject_path, {"reason": "Course is for investigators only.", "confirm": "yes"},
                reject_path)
    assert done.status_code == 302
    assert enrolment_of(session, course, a).status is EnrolmentStatus.CONFIRMED
    rejected = enrolment_of(session, course, b)
    assert rejected.status is EnrolmentStatus.REJECTED
    assert rejected.rejection_reason == "Course is for investigators only."


def test_person_sees_the_rejection_reason_and_withdraws_from_my_courses(
    client, session, make_course, make_user, coordinator, login
):
    course = make_course(quotas={"US": 1})
    person, waiting = make_user(), make_user()
    other = make_course(quotas={"US": 1})
    rejected = services.enrol(session, other, person, actor=person)
    services.reject(session, rejected, actor=coordinator, reason="Duplicate nomination.")
    services.enrol(session, course, person, actor=person)
    services.enrol(session, course, waiting, actor=waiting)
    session.commit()
    login(person)
    page = client.get("/my/courses").get_data(as_text=True)
    assert "Reason: Duplicate nomination." in page
    response = post(client, f"/enrolments/{enrolment_of(session, course, person).id}/withdraw",
                    {"confirm": "yes"})
    assert response.status_code == 302
    assert enrolment_of(session, course, waiting).status is EnrolmentStatus.CONFIRMED
    second = post(client, f"/enrolments/{enrolment_of(session, course, person).id}/withdraw",
                  {"confirm": "yes"})
    assert second.status_code == 302
    assert "this one is withdrawn" in client.get("/my/courses").get_data(as_text=True)


def test_buttons_without_a_csrf_token_are_refused(client, session, make_course, make_user, login):
    course = make_course(quotas={"US": 3})
    login(make_user())
    assert client.post(f"/courses/{course.slug}/enrol").status_code == 400
    assert statuses(session, course) == {}


def test_unknown_courses_and_enrolments_answer_404(client, make_user, login):
    login(make_user(Role.COORDINATOR, "CN"))
    assert client.get("/courses/no-such-course/seats").status_code == 404
    assert client.get("/enrolments/99999/reject").status_code == 404
    assert client.get("/courses/no-such-course/roster.csv").status_code == 404


def test_roster_csv_lists_every_enrolment_with_status_and_position(
    client, session, make_course, make_user, coordinator, login
):
    course = make_course(quotas={"US": 1})
    people = [make_user(name=name) for name in ("Ann", "=cmd|' /C calc'!A0", "Cy")]
    for person in people:
        services.enrol(session, course, person, actor=person)
    session.commit()
    login(coordinator)
    response = client.get(f"/courses/{course.slug}/roster.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["name"], r["status"], r["waitlist_position"]) for r in rows] == [
        ("Ann", "confirmed", ""), ("'=cmd|' /C calc'!A0", "waitlisted", "1"), ("Cy", "waitlisted", "2")]
    assert {r["country_name"] for r in rows} == {"United States"}


def test_instructor_takes_attendance_and_the_certificate_verifies_publicly(
    app, client, session, make_course, make_user, login
):
    teacher = make_user(Role.INSTRUCTOR, "CN")
    course = make_course(quotas={"US": 2}, sessions=1, instructor=teacher, completion_percent=100)
    person = make_user(name="Grace Grad")
    enrolment = services.enrol(session, course, person, actor=person)
    session.commit()
    course_session = session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == course.id)).one()
    login(teacher)
    path = f"/courses/{course.slug}/sessions/{course_session.id}/attendance"
    assert "Grace Grad" in client.get(path).get_data(as_text=True)
    bad = post(client, path, {"present": "abc"}, path)
    assert bad.status_code == 400
    response = post(client, path, {"present": str(enrolment.id)}, path)
    assert response.status_code == 302
    done = enrolment_of(session, course, person)
    assert done.status is EnrolmentStatus.COMPLETED
    with app.app_context():  # each client in its own context, as in a server
        anonymous = app.test_client()
        valid = anonymous.get(f"/certificates/{done.certificate_code}")
        assert valid.status_code == 200 and "Grace Grad" in valid.get_data(as_text=True)
        assert anonymous.get("/certificates/NOPE-NOPE").status_code == 404
    with app.app_context():
        owner = app.test_client()
        sign_in(owner, person)
        certificate = owner.get(f"/enrolments/{done.id}/certificate").get_data(as_text=True)
        assert done.certificate_code in certificate and "Certificate of completion" in certificate


def test_reciprocity_page_shows_the_balance_between_host_countries(
    client, session, make_course, make_user, login
):
    beijing = make_course(host_country="CN", quotas={"US": 15})
    make_course(host_country="US", city="Quantico", timezone="America/New_York", quotas={"CN": 12})
    person = make_user()
    services.enrol(session, beijing, person, actor=person)
    session.commit()
    login(make_user())
    page = client.get("/reciprocity").get_data(as_text=True)
    assert "China ⇄ United States" in page
    assert "China → United States" in page and "United States → China" in page


def test_seat_quota_rows_match_their_confirmed_enrolments(session, make_course, make_user, coordinator):
    course = make_course(quotas={"US": 2})
    people = [make_user() for _ in range(4)]
    for person in people:
        services.enrol(session, course, person, actor=person)
    services.withdraw(session, enrolment_of(session, course, people[0]), actor=people[0])
    services.reject(session, enrolment_of(session, course, people[1]), actor=coordinator, reason="r")
    session.commit()
    confirmed = statuses(session, course).get("confirmed", 0)
    counter = session.scalar(sa.select(SeatQuota.confirmed).where(SeatQuota.course_id == course.id))
    assert counter == confirmed == 2



def test_roster_csv_keeps_emails_that_start_like_a_formula_as_text(
    client, session, make_course, make_user, coordinator, login
):
    course = make_course(quotas={"US": 4})
    starts = ("=", "+", "-", "@")
    for n, start in enumerate(starts):
        person = make_user(name=f"Person {n}")
        person.email = f"{start}HYPERLINK(x{n})@example.org"
        session.commit()
        services.enrol(session, course, person, actor=person)
    session.commit()
    expected = {f"'{start}HYPERLINK(x{n})@example.org" for n, start in enumerate(starts)}
    text = services.roster_csv(session, course, services.RosterScope(manage=True)).text
    assert {row["email"] for row in csv.DictReader(io.StringIO(text))} == expected
    login(coordinator)
    response = client.get(f"/courses/{course.slug}/roster.csv")
    assert {row["email"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))} == expected


def test_the_roster_draws_one_action_form_whose_buttons_name_their_enrolment(
    client, session, make_course, make_user, coordinator, login
):
    course = make_course(quotas={"US": 5}, requires_approval=True)
    people = [make_user(name=f"Person {n}") for n in range(4)]
    for person in people:
        services.enrol(session, course, person, actor=person)
    session.commit()
    login(coordinator)
    roster = f"/courses/{course.slug}/roster"
    html = client.get(roster).get_data(as_text=True)
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    # One form and one token for the whole roster, however many rows.
    assert main.count('name="csrf_token"') == 1 and main.count('method="post"') == 1
    second = enrolment_of(session, course, people[1])
    action = re.search(rf'form="roster-actions" formaction="([^"]+/{second.id}/approve)"', html).group(1)
    form = re.search(r'<form id="roster-actions"[^>]*>(.*?)</form>', html, re.S).group(1)
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form))
    assert client.post(action, data=fields).status_code == 302  # what a browser sends for that button
    assert enrolment_of(session, course, people[1]).status is EnrolmentStatus.CONFIRMED
    assert enrolment_of(session, course, people[0]).status is EnrolmentStatus.PENDING
    assert f'/enrolments/{second.id}/withdraw?next=' in html


def test_the_roster_shows_when_each_request_came_on_the_venues_clock(
    client, session, make_course, make_user, coordinator, login
):
    course = make_course(quotas={"US": 5})
    person = make_user(name="Early Riser")
    services.enrol(session, course, person, actor=person)
    # 2026-12-05 01:30 UTC is already 09:30 on Saturday in Beijing, still Friday in Washington.
    enrolment_of(session, course, person).requested_at = utcnow().replace(
        year=2026, month=12, day=5, hour=1, minute=30, second=0, microsecond=0)
    course.timezone = "Asia/Shanghai"
    session.commit()
    login(coordinator)
    html = client.get(f"/courses/{course.slug}/roster").get_data(as_text=True)
    assert "Requested <small class=\"meta\">China Time</small>" in html
    row = re.search(r"<tr>\s*<td>Early Riser.*?</tr>", html, re.S).group(0)
    assert "Dec 5, 2026 9:30\u202fAM" in row
