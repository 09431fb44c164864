"""Two coordinators scheduling at the same moment never double-book an instructor or a room."""

from __future__ import annotations

import re
import threading
import time as clock
from datetime import date, time

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.courses.conftest import BEIJING_START
from tests.servers import running_server
from training.accounts.models import Role, User
from training.core.errors import Conflict
from training.core.extensions import db
from training.courses import services
from training.courses.models import Course, CourseSession, session_instructors

# Every booking runs in a thread or a server of its own, on its own connection.
pytestmark = pytest.mark.commits


def _schedule(app, course_id, actor_id, start, end, *, instructor_ids=(), room="", title="Lecture"):
    """Add one session in a transaction of its own, as one request would; return 'ok' or the refusal."""
    # A POST request context: on SQLite the transaction begins IMMEDIATE, as in production.
    with app.test_request_context(method="POST"):
        try:
            course = db.session.get(Course, course_id)
            services.add_session(
                db.session,
                course,
                actor=db.session.get(User, actor_id),
                day=BEIJING_START,
                starts=start,
                ends=end,
                title=title,
                room=room,
                instructor_ids=instructor_ids,
            )
            db.session.commit()
            return "ok"
        except Conflict as refusal:
            db.session.rollback()
            return refusal.message
        finally:
            db.session.remove()


def _race(app, *attempts):
    """Run the attempts at the same moment, each in its own thread, session and transaction."""
    barrier = threading.Barrier(len(attempts))
    results: list[str | None] = [None] * len(attempts)

    def run(index, kwargs):
        barrier.wait()
        results[index] = _schedule(app, **kwargs)

    threads = [threading.Thread(target=run, args=(i, kw)) for i, kw in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("resource", ["instructor", "room"])
def test_two_simultaneous_bookings_of_one_instructor_or_room_let_exactly_one_through(
    app, session, make_course, make_instructor, coordinator, resource
):
    first = make_course(title="Forensics course")
    second = make_course(title="Fraud course")
    li = make_instructor("Li Na")
    ids = {"instructor_ids": [li.id]} if resource == "instructor" else {"room": "Lab 2"}
    for round_number in range(5):
        start = time(8 + round_number)
        results = _race(
            app,
            {
                "course_id": first.id,
                "actor_id": coordinator.id,
                "start": start,
                "end": start.replace(minute=45),
                "title": f"A{round_number}",
                **ids,
            },
            {
                "course_id": second.id,
                "actor_id": coordinator.id,
                "start": start.replace(minute=30),
                "end": time(9 + round_number, 15),
                "title": f"B{round_number}",
                **ids,
            },
        )
        assert results.count("ok") == 1, results
        [refusal] = [r for r in results if r != "ok"]
        assert "already" in refusal and ("Forensics course" in refusal or "Fraud course" in refusal)
    session.rollback()  # end the test's own read transaction: see what the threads committed
    assert session.scalar(sa.select(sa.func.count()).select_from(CourseSession)) == 5


def _waiting_on_a_lock(engine) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        )


@pytest.mark.postgresql_only
@pytest.mark.parametrize("resource", ["instructor", "room"])
def test_on_postgresql_the_second_booking_waits_for_the_first_and_then_sees_it(
    app, backend, session, make_course, make_instructor, coordinator, resource
):
    """The lock is what makes the rule hold: without it the second check could not see the first booking."""
    assert backend == "postgresql"
    first, second = make_course(title="Forensics course"), make_course(title="Fraud course")
    li = make_instructor("Li Na")
    ids = {"instructor_ids": [li.id]} if resource == "instructor" else {"room": "Lab 2"}
    first_id, second_id, actor_id = first.id, second.id, coordinator.id
    booked, release = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def hold_first_booking():
        with app.app_context():
            services.add_session(
                db.session,
                db.session.get(Course, first_id),
                actor=db.session.get(User, actor_id),
                day=BEIJING_START,
                starts=time(9),
                ends=time(10),
                title="Held",
                **ids,
            )
            booked.set()  # checked and inserted, not yet committed
            release.wait(timeout=60)
            db.session.commit()
            db.session.remove()
            outcome["first"] = "ok"

    def second_booking():
        booked.wait(timeout=60)
        outcome["second"] = _schedule(app, second_id, actor_id, time(9, 30), time(10, 30), **ids)

    threads = [threading.Thread(target=hold_first_booking), threading.Thread(target=second_booking)]
    for thread in threads:
        thread.start()
    booked.wait(timeout=60)
    deadline = clock.monotonic() + 30
    while not _waiting_on_a_lock(db.engine):
        assert clock.monotonic() < deadline, "the second booking did not wait for the first one's lock"
        clock.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome["first"] == "ok"
    assert "“Held” in Forensics course" in outcome["second"]
    session.rollback()
    assert session.scalars(sa.select(CourseSession.title)).all() == ["Held"]


def test_copying_a_day_while_another_coordinator_books_the_same_instructor(
    app, session, make_course, make_instructor, add_session, coordinator
):
    course, other = make_course(title="Main course"), make_course(title="Other course", venue="Elsewhere")
    li = make_instructor("Li Na")
    add_session(course, BEIJING_START, "09:00", "10:00", instructors=[li])
    course_id, other_id, actor_id, li_id = course.id, other.id, coordinator.id, li.id
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def copy():
        barrier.wait()
        with app.test_request_context(method="POST"):
            try:
                services.copy_day(
                    db.session,
                    db.session.get(Course, course_id),
                    actor=db.session.get(User, actor_id),
                    from_day=BEIJING_START,
                    to_days=[date(2031, 3, 4), date(2031, 3, 5)],
                )
                db.session.commit()
                results["copy"] = "ok"
            except Conflict as refusal:
                db.session.rollback()
                results["copy"] = refusal.message
            finally:
                db.session.remove()

    def book():
        barrier.wait()
        results["book"] = _schedule_on(app, other_id, actor_id, li_id)

    threads = [threading.Thread(target=copy), threading.Thread(target=book)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert list(results.values()).count("ok") == 1, results
    session.rollback()
    taught = session.scalar(
        sa.select(sa.func.count())
        .select_from(CourseSession)
        .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
        .where(session_instructors.c.instructor_id == li_id)
    )
    # Day one, plus either both copies or the guest talk: never both.
    assert taught == (3 if results["copy"] == "ok" else 2)


def _schedule_on(app, course_id, actor_id, instructor_id):
    with app.test_request_context(method="POST"):
        try:
            services.add_session(
                db.session,
                db.session.get(Course, course_id),
                actor=db.session.get(User, actor_id),
                day=date(2031, 3, 5),
                starts=time(9, 30),
                ends=time(10, 30),
                title="Guest talk",
                instructor_ids=[instructor_id],
            )
            db.session.commit()
            return "ok"
        except Conflict as refusal:
            db.session.rollback()
            return refusal.message
        finally:
            db.session.remove()


def _signed_in_browser(base_url, email, schedule_path):
    """A requests session signed in through the login form, with the schedule editor's CSRF token."""
    browser = requests.Session()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', browser.get(f"{base_url}/login").text
    )
    response = browser.post(
        f"{base_url}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert response.status_code == 302
    page = browser.get(f"{base_url}{schedule_path}").text
    return browser, re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_two_coordinators_posting_to_a_real_server_at_once_book_the_instructor_once(
    database_url, session, make_course, make_instructor, make_user
):
    """Two gunicorn workers, two signed-in coordinators, one instructor, overlapping sessions."""
    first, second = (
        make_course(title="Forensics course"),
        make_course(title="Fraud course", venue="Elsewhere"),
    )
    li = make_instructor("Li Na")
    chen = make_user(role=Role.COORDINATOR, country="CN", email="chen@example.cn")
    wang = make_user(role=Role.COORDINATOR, country="CN", email="wang@example.cn")
    with running_server(database_url, workers=2) as base_url:
        posts = []
        for user, course, start in ((chen, first, "09:00"), (wang, second, "09:30")):
            browser, token = _signed_in_browser(base_url, user.email, f"/courses/{course.slug}/schedule")
            posts.append(
                (
                    browser,
                    f"{base_url}/courses/{course.slug}/sessions",
                    {
                        "csrf_token": token,
                        "day": BEIJING_START.isoformat(),
                        "starts": start,
                        "ends": "10:30",
                        "title": f"Lecture by {user.name}",
                        "kind": "lecture",
                        "room": "",
                        "instructors": str(li.id),
                    },
                )
            )
        barrier = threading.Barrier(2)
        statuses: list[tuple[int, str]] = []

        def post(browser, url, data):
            barrier.wait()
            response = browser.post(url, data=data, allow_redirects=False)
            statuses.append((response.status_code, response.text))

        threads = [threading.Thread(target=post, args=args) for args in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    codes = sorted(code for code, _text in statuses)
    assert codes == [302, 400], codes
    [refusal] = [text for code, text in statuses if code == 400]
    assert "Li Na already teaches" in refusal
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(CourseSession)) == 1
