"""Withdrawing, rejecting and cancelling a course ask first: the button leads to a page that
names the consequence, only that page's form acts, and going back changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.enrolment.conftest import enrolment_of, quota, statuses
from training.accounts.models import Role
from training.core.database import utcnow
from training.core.errors import Forbidden
from training.courses.models import Course, CourseSession, CourseStatus
from training.enrolment import services
from training.enrolment.models import EnrolmentStatus


def _link(html: str, label: str, path: str) -> str:
    """The href of the link labelled label that leads to path (a confirmation page)."""
    for href, text in re.findall(r'<a class="[^"]*" href="([^"]+)">([^<]+)</a>', html):
        if text.strip() == label and href.split("?")[0] == path:
            return unescape(href)
    raise AssertionError(f"no {label!r} link to {path} in the page")


def _confirmation_form(html: str) -> str:
    return re.search(r'<form method="post" class="form" novalidate>(.*?)</form>', html, re.S).group(1)


def _form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the confirmation form, as the browser posts them."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", _confirmation_form(html)):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def _back_link(html: str) -> str:
    """Where the confirmation page's way back leads."""
    return unescape(re.search(r'<a class="button" href="([^"]+)">', _confirmation_form(html)).group(1))


def _seats(session, course):
    return statuses(session, course), quota(session, course, "US").confirmed


def _full_course_with_a_queue(make_course, make_user, session, seats=1, waiting=1):
    course = make_course(quotas={"US": seats})
    holders = [make_user(Role.PERSONNEL, "US", name=f"Holder {i}") for i in range(seats)]
    queue = [make_user(Role.PERSONNEL, "US", name=f"Waiting {i}") for i in range(waiting)]
    for person in holders + queue:
        services.enrol(session, course, person, actor=person)
    session.commit()
    return course, holders, queue


def test_withdrawing_from_my_courses_asks_first_and_names_who_gets_the_seat(
    client, session, make_course, make_user, login
):
    course, (holder,), (waiting,) = _full_course_with_a_queue(make_course, make_user, session)
    login(holder)
    enrolment = enrolment_of(session, course, holder)
    path = f"/enrolments/{enrolment.id}/withdraw"
    href = _link(client.get("/my/courses").get_data(as_text=True), "Withdraw", path)
    page = client.get(href)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Withdraw from “{course.title}”?" in html
    assert "The seat goes to the first person waiting from United States." in html
    assert "Keep my place" in html and _back_link(html) == "/my/courses"
    before = _seats(session, course)

    # Going back, or a post without the confirmation (a one-tap form elsewhere), changes nothing.
    assert client.get(_back_link(html)).status_code == 200
    again = client.post(path, data={"csrf_token": csrf_token(client, "/my/courses")})
    assert again.status_code == 200 and "Withdraw from" in again.get_data(as_text=True)
    assert _seats(session, course) == before == ({"confirmed": 1, "waitlisted": 1}, 1)

    done = client.post(path, data=_form_fields(html))
    assert done.status_code == 302 and done.headers["Location"] == "/my/courses"
    assert enrolment_of(session, course, holder).status is EnrolmentStatus.WITHDRAWN
    assert enrolment_of(session, course, waiting).status is EnrolmentStatus.CONFIRMED
    assert _seats(session, course) == ({"withdrawn": 1, "confirmed": 1}, 1)


def test_withdrawing_from_the_course_page_comes_back_to_it(client, session, make_course, make_user, login):
    course = make_course(quotas={"US": 2})
    person = make_user(Role.PERSONNEL, "US")
    services.enrol(session, course, person, actor=person)
    session.commit()
    login(person)
    enrolment = enrolment_of(session, course, person)
    href = _link(client.get(f"/courses/{course.slug}").get_data(as_text=True), "Withdraw",
                 f"/enrolments/{enrolment.id}/withdraw")
    html = client.get(href).get_data(as_text=True)
    assert "The seat of United States becomes free: nobody is waiting for it." in html
    assert _back_link(html) == f"/courses/{course.slug}"
    done = client.post(href.split("?")[0], data=_form_fields(html))
    assert done.headers["Location"] == f"/courses/{course.slug}"
    assert _seats(session, course) == ({"withdrawn": 1}, 0)


def test_a_focal_point_withdraws_one_of_their_people_from_the_country_roster(
    client, session, make_course, make_user, login
):
    course, (holder,), (waiting,) = _full_course_with_a_queue(make_course, make_user, session)
    login(make_user(Role.FOCAL_POINT, "US"))
    enrolment = enrolment_of(session, course, waiting)
    href = _link(client.get("/country/rosters").get_data(as_text=True), "Withdraw",
                 f"/enrolments/{enrolment.id}/withdraw")
    html = client.get(href).get_data(as_text=True)
    assert f"Withdraw {waiting.name} from “{course.title}”?" in html
    assert f"{waiting.name} leaves the waitlist of United States, where they are number 1." in html
    assert f"{waiting.name} is told by mail." in html and "Go back" in html
    before = _seats(session, course)
    client.post(href.split("?")[0], data={"csrf_token": csrf_token(client, "/country/rosters")})
    assert _seats(session, course) == before
    done = client.post(href.split("?")[0], data=_form_fields(html))
    assert done.headers["Location"] == "/country/rosters"
    assert enrolment_of(session, course, waiting).status is EnrolmentStatus.WITHDRAWN
    assert enrolment_of(session, course, holder).status is EnrolmentStatus.CONFIRMED


def test_a_coordinator_withdraws_from_the_roster_after_confirming(
    client, session, make_course, make_user, coordinator, login
):
    course, (holder,), (waiting,) = _full_course_with_a_queue(make_course, make_user, session)
    login(coordinator)
    seats_page = f"/courses/{course.slug}/seats"
    enrolment = enrolment_of(session, course, holder)
    href = _link(client.get(seats_page).get_data(as_text=True), "Withdraw",
                 f"/enrolments/{enrolment.id}/withdraw")
    html = client.get(href).get_data(as_text=True)
    assert f"Withdraw {holder.name} from “{course.title}”?" in html
    assert "The seat goes to the first person waiting from United States." in html
    done = client.post(href.split("?")[0], data=_form_fields(html))
    assert done.headers["Location"] == seats_page
    assert enrolment_of(session, course, waiting).status is EnrolmentStatus.CONFIRMED


def test_nobody_else_sees_the_withdrawal_page(client, session, make_course, make_user, login):
    course = make_course(quotas={"US": 2})
    person = make_user(Role.PERSONNEL, "US")
    services.enrol(session, course, person, actor=person)
    session.commit()
    login(make_user(Role.PERSONNEL, "US"))
    assert client.get(f"/enrolments/{enrolment_of(session, course, person).id}/withdraw").status_code == 403


def test_rejecting_asks_for_a_reason_on_the_confirmation_page(
    client, session, make_course, make_user, coordinator, login
):
    course, (holder,), (waiting,) = _full_course_with_a_queue(make_course, make_user, session)
    login(coordinator)
    seats_page = f"/courses/{course.slug}/seats"
    enrolment = enrolment_of(session, course, holder)
    path = f"/enrolments/{enrolment.id}/reject"
    href = _link(client.get(seats_page).get_data(as_text=True), "Reject", path)
    html = client.get(href).get_data(as_text=True)
    assert f"Reject {holder.name} on “{course.title}”?" in html
    assert "The seat goes to the first person waiting from United States." in html
    assert f"{holder.name} reads your reason by mail." in html
    assert 'name="reason"' in html and _back_link(html) == seats_page
    before = _seats(session, course)

    empty = client.post(path, data={**_form_fields(html), "reason": "  "})
    assert empty.status_code == 400
    assert re.search(r'id="reason-error">\s*<li>Give a reason: the person will read it.',
                     empty.get_data(as_text=True))
    unconfirmed = client.post(path, data={"csrf_token": csrf_token(client, seats_page), "reason": "No."})
    assert unconfirmed.status_code == 200
    assert _seats(session, course) == before

    done = client.post(path, data={**_form_fields(html), "reason": "Investigators only."})
    assert done.headers["Location"] == seats_page
    rejected = enrolment_of(session, course, holder)
    assert rejected.status is EnrolmentStatus.REJECTED and rejected.rejection_reason == "Investigators only."
    assert enrolment_of(session, course, waiting).status is EnrolmentStatus.CONFIRMED


def test_cancelling_a_course_names_who_is_told_and_needs_a_reason(
    client, session, make_course, make_user, coordinator, login
):
    course, _holders, _queue = _full_course_with_a_queue(make_course, make_user, session, seats=14, waiting=3)
    login(coordinator)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    path = f"/courses/{course.slug}/cancel"
    assert f'href="{path}"' in page and 'name="reason"' not in page  # no cancel form beside Publish
    html = client.get(path).get_data(as_text=True)
    assert f"Cancel “{course.title}”?" in html
    assert "14 confirmed participants and 3 people waiting are told by mail, with your reason." in html
    assert "17 people are told in all" in html
    assert "Keep the course" in html and _back_link(html) == f"/courses/{course.slug}"

    empty = client.post(path, data={**_form_fields(html), "reason": ""})
    assert empty.status_code == 400
    assert re.search(r'id="reason-error">\s*<li>Give a reason', empty.get_data(as_text=True))
    client.post(path, data={"csrf_token": csrf_token(client, path), "reason": "Venue closed"})
    session.expire_all()
    assert session.get(Course, course.id).status is CourseStatus.PUBLISHED
    assert _seats(session, course) == ({"confirmed": 14, "waitlisted": 3}, 14)

    done = client.post(path, data={**_form_fields(html), "reason": "Venue closed"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Course, course.id).status is CourseStatus.CANCELLED
    assert not session.scalars(sa.select(CourseSession.cancelled).where(
        CourseSession.course_id == course.id, ~CourseSession.cancelled)).all()


def test_after_the_release_date_the_page_says_the_seat_goes_to_another_country(
    session, make_course, make_user
):
    course = make_course(quotas={"US": 1, "CN": 1}, seat_release_at=utcnow() - timedelta(days=1))
    us_holder = make_user(Role.PERSONNEL, "US")
    cn_holder, cn_waiting = make_user(Role.PERSONNEL, "CN"), make_user(Role.PERSONNEL, "CN")
    for person in (us_holder, cn_holder, cn_waiting):
        services.enrol(session, course, person, actor=person)
    session.commit()
    leaving = enrolment_of(session, course, us_holder)
    outcome = services.withdrawal_outcome(session, leaving, actor=us_holder)
    assert (outcome.held_in, outcome.goes_to) == ("US", "CN")
    services.withdraw(session, leaving, actor=us_holder)
    session.commit()
    promoted = enrolment_of(session, course, cn_waiting)
    assert promoted.status is EnrolmentStatus.CONFIRMED and promoted.quota.country == "US"


def test_only_coordinators_read_what_a_rejection_would_do(session, make_course, make_user):
    course = make_course(quotas={"US": 1})
    person = make_user(Role.PERSONNEL, "US")
    enrolment = services.enrol(session, course, person, actor=person)
    session.commit()
    for actor in (person, make_user(Role.FOCAL_POINT, "US")):
        with pytest.raises(Forbidden):
            services.rejection_outcome(session, enrolment, actor=actor)
    with pytest.raises(Forbidden):
        services.withdrawal_outcome(session, enrolment, actor=make_user(Role.FOCAL_POINT, "CN"))
