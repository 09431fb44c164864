"""Rosters and the reciprocity page run a fixed number of queries whatever the number of
enrolments (counted with 5 and with 500), and enrolling a fixed few. Run with `pytest -s` to
see the counts."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from tests.conftest import csrf_token, sign_in
from training.accounts.models import Role, User
from training.core.database import utcnow
from training.enrolment import services
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota

CYCLE = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.PENDING,
         EnrolmentStatus.WITHDRAWN, EnrolmentStatus.COMPLETED, EnrolmentStatus.REJECTED)


def _add_enrolments(session, courses, n: int, serial: itertools.count) -> None:
    """n enrolments spread over courses, countries and every status, with consistent counters."""
    session.commit()  # a fresh transaction: the requests in between have written
    users = []
    for _ in range(n):
        i = next(serial)
        users.append(User(email=f"p{i}@example.gov", name=f"Person {i}", role=Role.PERSONNEL,
                          country="US" if i % 2 else "CN", organisation="Agency"))
    session.add_all(users)
    session.flush()
    quotas = {(q.course_id, q.country): q for q in session.scalars(sa.select(SeatQuota))}
    now = utcnow()
    for index, user in enumerate(users):
        course = courses[index % len(courses)]
        status = CYCLE[index % len(CYCLE)]
        quota = quotas[(course.id, user.country)]
        holds = status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED)
        if holds:
            quota.confirmed += 1
        session.add(Enrolment(
            course_id=course.id, user_id=user.id, country=user.country, status=status, requested_at=now,
            quota_id=quota.id if holds else None,
            waitlisted_at=now if status is EnrolmentStatus.WAITLISTED else None,
            rejection_reason="No." if status is EnrolmentStatus.REJECTED else None,
            certificate_code=f"C-{user.id}" if status is EnrolmentStatus.COMPLETED else None,
        ))
    session.commit()


def test_rosters_and_reciprocity_run_the_same_queries_for_5_and_500_enrolments(
    app, session, make_course, make_user, count_queries, capsys
):
    courses = [
        make_course(host_country="CN", quotas={"US": 400, "CN": 400}, capacity=800),
        make_course(host_country="US", city="Quantico", timezone="America/New_York",
                    quotas={"US": 400, "CN": 400}, capacity=800),
    ]
    coordinator = make_user(Role.COORDINATOR, "CN")
    focal = make_user(Role.FOCAL_POINT, "US")
    slug = courses[0].slug
    pages = {
        coordinator: [f"/courses/{slug}/seats", f"/courses/{slug}/roster", f"/courses/{slug}/roster.csv",
                      "/country/rosters?country=US", "/reciprocity", "/seats"],
        focal: [f"/courses/{slug}/roster", "/country/rosters"],
    }
    clients = {}
    for user in pages:
        with app.app_context():
            client = app.test_client()
            sign_in(client, user)
        clients[user] = client

    def measure() -> dict[str, int]:
        counts = {}
        for user, paths in pages.items():
            for path in paths:
                with app.app_context(), count_queries() as counter:
                    response = clients[user].get(path)
                assert response.status_code == 200, path
                counts[f"{user.role.value} {path}"] = counter.count
        return counts

    serial = itertools.count()
    _add_enrolments(session, courses, 5, serial)
    small = measure()
    small_kept = measure()  # the roster drawn above, reused
    _add_enrolments(session, courses, 495, serial)
    assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 500
    large = measure()
    large_kept = measure()
    with capsys.disabled():
        print()
        for page in small:
            print(f"  {page:<55} 5 enrolments: {small[page]:>2} queries · 500 enrolments: {large[page]:>2}")
    assert small == large
    assert small_kept == large_kept


def test_seat_summaries_for_the_catalogue_take_one_query(session, make_course, make_user, count_queries):
    courses = [make_course(quotas={"US": 3, "CN": 2}) for _ in range(4)]
    for course in courses:
        person = make_user()
        services.enrol(session, course, person, actor=person)
    session.commit()
    ids = [c.id for c in courses]
    with count_queries() as counter:
        summaries = services.seat_summaries(session, ids)
    assert counter.count == 1
    assert [summaries[i].confirmed for i in ids] == [1, 1, 1, 1]
    assert [summaries[i].available for i in ids] == [4, 4, 4, 4]


def test_enrolling_from_the_course_page_runs_eight_statements_for_a_seat_and_seven_for_the_waitlist(
    client, session, make_course, make_user, login, count_queries
):
    """The person and the course, one locking read (that also asks whether they are on it already),
    the seat's counter (not asked again once the locked read shows the quota full), the enrolment
    (returning its waitlist place), its audit entry, its mail, and the data versions at the commit."""
    course = make_course(quotas={"US": 1})
    path, course_id = f"/courses/{course.slug}/enrol", course.id
    counts, messages = [], []
    for _person in range(3):
        login(make_user())
        token = csrf_token(client, "/my/courses")
        session.expunge_all()
        with count_queries() as counter:
            response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302
        counts.append(counter.count)
        messages.append(client.get("/my/courses").get_data(as_text=True))
        client.post("/logout", data={"csrf_token": csrf_token(client, "/my/courses")})
    assert "You have a seat on" in messages[0]
    assert "you are number 1 on the waitlist" in messages[1]
    assert "you are number 2 on the waitlist" in messages[2]
    assert counts == [8, 7, 7], "\n".join(s[:120] for s in counter.statements)
    assert session.scalar(sa.select(SeatQuota.confirmed).where(SeatQuota.course_id == course_id)) == 1
