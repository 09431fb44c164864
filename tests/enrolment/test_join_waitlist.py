"""When a country's seats are gone the course page says "Join the waitlist", as enrolling would do."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import csrf_token
from training.accounts.models import Role
from training.core.database import utcnow
from training.enrolment import services
from training.enrolment.models import EnrolmentStatus


def _button(html: str) -> str:
    start = html.index('action="/courses/')
    return html[start:html.index("</button>", start)].rsplit(">", 1)[-1]


def _enrol(client, course):
    page = f"/courses/{course.slug}"
    data = {"csrf_token": csrf_token(client, page), "next": page}
    return client.post(f"/courses/{course.slug}/enrol", data=data)


def test_the_sixteenth_us_officer_is_offered_the_waitlist_and_lands_on_it(
        client, session, make_course, make_user, login):
    course = make_course(quotas={"US": 1, "CN": 3})
    holder = make_user()
    services.enrol(session, course, holder, actor=holder)
    session.commit()
    late = make_user()
    login(late)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert _button(html) == "Join the waitlist"
    assert "The seats for United States are taken" in html
    assert _enrol(client, course).status_code == 302
    assert services.active_enrolment(session, course, late).status is EnrolmentStatus.WAITLISTED


def test_a_free_seat_is_offered_as_enrol_and_taken(client, session, make_course, make_user, login):
    course = make_course(quotas={"US": 1})
    person = make_user()
    login(person)
    html = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert _button(html) == "Enrol" and "are taken" not in html
    _enrol(client, course)
    assert services.active_enrolment(session, course, person).status is EnrolmentStatus.CONFIRMED


def test_after_the_release_date_another_countrys_free_seat_counts(
        client, session, make_course, make_user, login):
    course = make_course(quotas={"US": 1, "CN": 2}, seat_release_at=utcnow() - timedelta(hours=1))
    holder = make_user()
    services.enrol(session, course, holder, actor=holder)
    session.commit()
    person = make_user()
    login(person)
    assert _button(client.get(f"/courses/{course.slug}").get_data(as_text=True)) == "Enrol"
    _enrol(client, course)
    assert services.active_enrolment(session, course, person).status is EnrolmentStatus.CONFIRMED


def test_a_focal_point_whose_country_is_full_nominates_to_the_waitlist(
        client, session, make_course, make_user, login):
    course = make_course(quotas={"US": 1})
    holder = make_user()
    services.enrol(session, course, holder, actor=holder)
    session.commit()
    login(make_user(Role.FOCAL_POINT, "US"))
    html = client.get(f"/courses/{course.slug}/nominate").get_data(as_text=True)
    assert 'value="Nominate to the waitlist"' in html


def test_the_course_page_runs_the_same_queries_with_seats_free_or_gone(
        client, session, make_course, make_user, login, count_queries):
    course = make_course(quotas={"US": 1})
    login(make_user())
    path = f"/courses/{course.slug}"
    counts = []
    for _round in range(2):
        client.get(path)  # warm what is cached outside the database
        session.expunge_all()
        with count_queries() as counter:
            html = client.get(path).get_data(as_text=True)
        counts.append(counter.count)
        if not counts[1:]:
            assert _button(html) == "Enrol"
            holder = make_user()
            services.enrol(session, course, holder, actor=holder)
            session.commit()
    assert _button(html) == "Join the waitlist"
    assert counts[0] == counts[1], counts
