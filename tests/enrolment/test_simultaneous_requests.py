"""One person's two simultaneous requests for the same course: one enrolment, one seat at most."""

from __future__ import annotations

import threading
import time as clock

import pytest
import sqlalchemy as sa

from training.accounts.models import User
from training.core.errors import Conflict
from training.core.extensions import db
from training.courses.models import Course
from training.enrolment import services
from training.enrolment.models import Enrolment, SeatQuota

# Each request runs in a thread of its own, on its own connection.
pytestmark = pytest.mark.commits


def _waiting_on_a_lock(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.scalar(sa.text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )))


@pytest.mark.postgresql_only
@pytest.mark.parametrize("seats", [2, 0], ids=["seats-free", "full"])
def test_a_second_request_that_waited_for_the_first_is_refused_and_keeps_no_seat(
    app, backend, session, make_course, make_user, seats
):
    """The second request's locking read began before the first committed: PostgreSQL shows it the
    quota rows as the first left them, but not the first's enrolment. The partial unique index
    refuses its enrolment, and the seat it had taken goes back with the rolled back request."""
    assert backend == "postgresql"
    holder = make_user()
    course = make_course(quotas={"US": 1 + seats}, capacity=1 + seats)
    if seats == 0:
        services.enrol(session, course, holder, actor=holder)  # the only seat: the person will wait
    person = make_user()
    session.commit()
    course_id, person_id = course.id, person.id
    enrolled, release = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def enrol(name: str) -> None:
        with app.test_request_context(method="POST"):
            try:
                someone = db.session.get(User, person_id)
                services.enrol(db.session, db.session.get(Course, course_id), someone, actor=someone)
                if name == "first":
                    enrolled.set()  # the quota rows locked and the enrolment written, not yet committed
                    release.wait(timeout=60)
                db.session.commit()
                outcome[name] = "enrolled"
            except Conflict as refusal:
                db.session.rollback()
                outcome[name] = refusal.message
            finally:
                db.session.remove()

    first = threading.Thread(target=enrol, args=("first",))
    first.start()
    assert enrolled.wait(timeout=60)
    second = threading.Thread(target=enrol, args=("second",))
    second.start()
    deadline = clock.monotonic() + 30
    while not _waiting_on_a_lock(db.engine):
        assert clock.monotonic() < deadline, "the second request did not wait for the first one's lock"
        clock.sleep(0.05)
    release.set()
    for thread in (first, second):
        thread.join(timeout=60)
    assert outcome["first"] == "enrolled"
    assert "already on this course" in outcome["second"]
    session.rollback()
    assert session.scalars(sa.select(Enrolment.status).where(
        Enrolment.course_id == course_id, Enrolment.user_id == person_id)).all() == (
        ["confirmed"] if seats else ["waitlisted"])
    # One seat held either way: the person's own, or (full) the holder's; none by the refused request.
    assert session.scalar(sa.select(SeatQuota.confirmed).where(SeatQuota.course_id == course_id)) == 1
