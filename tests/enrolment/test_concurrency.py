"""Simultaneous enrolments and withdrawals against a real server never overbook a seat.

Each request is a real browser-like form POST (own signed-in session, CSRF token) sent from
its own thread to a server process: gunicorn with four workers on PostgreSQL, a threaded
server on SQLite. Run with `pytest -s` to see the figures.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from config import TestingConfig
from tests.conftest import PASSWORD
from tests.databases import BACKENDS, fresh_database
from tests.enrolment.conftest import build_course
from tests.servers import running_server
from training import create_app
from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.core.extensions import db
from training.enrolment import services
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota

REQUESTS = 60
SEATS = 10
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _seed_people(session, n: int, prefix: str) -> list[User]:
    # One hash shared by everyone, by the suite's cheap method (the servers run in testing mode):
    # the claims are about the burst, and sixty scrypt checks while signing in only slow the test.
    password_hash = generate_password_hash(PASSWORD, method=TestingConfig.PASSWORD_HASH_METHOD)
    people = []
    for i in range(n):
        person = accounts.create_user(session, email=f"{prefix}{i}@example.gov", name=f"Agent {prefix}{i}",
                                      role=Role.PERSONNEL, country="US", via="cli")
        person.password_hash = password_hash
        people.append(person)
    session.flush()
    return people


def _signed_in(base_url: str, email: str) -> tuple[requests.Session, str]:
    """A client session signed in through the login form, and its CSRF token."""
    client = requests.Session()
    token = TOKEN.search(client.get(f"{base_url}/login", timeout=30).text).group(1)
    credentials = {"email": email, "password": PASSWORD, "csrf_token": token}
    response = client.post(f"{base_url}/login", data=credentials, allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:500]
    token = TOKEN.search(client.get(f"{base_url}/my/courses", timeout=30).text).group(1)
    return client, token


def _fire(jobs: list[tuple[requests.Session, str, str]]) -> tuple[list[int], float]:
    """POST every (client, url, token) at the same moment; return the statuses and the seconds."""
    barrier = threading.Barrier(len(jobs))

    def post(job: tuple[requests.Session, str, str]) -> int:
        client, url, token = job
        # A kept-alive connection from signing in may be closed by the server just as the
        # burst reuses it; every request of the burst opens its own connection instead.
        client.close()
        barrier.wait()
        return client.post(url, data={"csrf_token": token, "confirm": "yes"}, headers={"Connection": "close"},
                           allow_redirects=False, timeout=120).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        codes = list(pool.map(post, jobs))
    return codes, time.monotonic() - started


def _sign_in_all(base_url: str, emails: list[str]) -> list[tuple[requests.Session, str]]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda email: _signed_in(base_url, email), emails))


def _check_queue(session, course_id: int) -> list[Enrolment]:
    """The waitlist in queue order; positions must run 1, 2, 3 ... without a gap."""
    waiting = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.course_id == course_id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        .order_by(Enrolment.waitlisted_at, Enrolment.id)
    ).all()
    positions = [services.waitlist_position(session, e) for e in waiting]
    assert positions == list(range(1, len(waiting) + 1))
    return list(waiting)


def _report(name: str, backend: str, figures: dict[str, object]) -> None:
    line = f"[{name} · {backend}] " + ", ".join(f"{k}={v}" for k, v in figures.items())
    print("\n" + line)
    path = Path(__file__).resolve().parents[2] / "test-artifacts" / "concurrency-figures.txt"
    path.parent.mkdir(exist_ok=True)
    with path.open("a") as out:
        out.write(line + "\n")


@pytest.mark.parametrize("backend", BACKENDS)
def test_sixty_simultaneous_enrolments_fill_ten_seats_exactly_and_queue_the_rest_in_order(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            people = _seed_people(db.session, REQUESTS, "rush")
            course = build_course(db.session, slug="rush", quotas={"US": SEATS, "CN": 5}, capacity=SEATS + 5)
            emails, course_id = [p.email for p in people], course.id
            db.session.commit()
            db.engine.dispose()

        with running_server(url, workers=4 if backend == "postgresql" else 0) as base_url:
            clients = _sign_in_all(base_url, emails)
            jobs = [(client, f"{base_url}/courses/rush/enrol", token) for client, token in clients]
            codes, seconds = _fire(jobs)

        with app.app_context():
            enrolments = db.session.scalars(
                sa.select(Enrolment).where(Enrolment.course_id == course_id).order_by(Enrolment.id)
            ).all()
            counts = Counter(e.status for e in enrolments)
            errors = sum(1 for code in codes if code >= 500)
            _report("enrol", backend, {
                "requests": REQUESTS, "confirmed": counts[EnrolmentStatus.CONFIRMED],
                "waitlisted": counts[EnrolmentStatus.WAITLISTED], "errors": errors,
                "statuses": dict(Counter(codes)), "seconds": round(seconds, 2),
            })
            assert errors == 0 and set(codes) == {302}
            assert len(enrolments) == REQUESTS
            assert len({e.user_id for e in enrolments}) == REQUESTS  # nobody twice
            assert counts == {EnrolmentStatus.CONFIRMED: SEATS, EnrolmentStatus.WAITLISTED: REQUESTS - SEATS}
            quota = db.session.scalars(sa.select(SeatQuota).where(SeatQuota.course_id == course_id,
                                                                  SeatQuota.country == "US")).one()
            assert quota.confirmed == SEATS
            # Arrival order is the order the server served them under the lock: the first ten
            # got the seats, and the waitlist runs in the same order.
            assert [e.status for e in enrolments] == (
                [EnrolmentStatus.CONFIRMED] * SEATS + [EnrolmentStatus.WAITLISTED] * (REQUESTS - SEATS)
            )
            assert [e.requested_at for e in enrolments] == sorted(e.requested_at for e in enrolments)
            assert _check_queue(db.session, course_id) == enrolments[SEATS:]
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_withdrawals_racing_enrolments_hand_every_freed_seat_to_the_queue_in_order(backend, tmp_path):
    holders_n, waiting_n, newcomers_n = SEATS, 5, 40
    with fresh_database(backend, tmp_path) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            holders = _seed_people(db.session, holders_n, "holder")
            waiting = _seed_people(db.session, waiting_n, "waiting")
            newcomers = _seed_people(db.session, newcomers_n, "new")
            course = build_course(db.session, slug="race", quotas={"US": SEATS}, capacity=SEATS)
            for person in holders + waiting:
                services.enrol(db.session, course, person, actor=person)
                db.session.commit()
            course_id = course.id
            holder_enrolments = {
                e.user_id: e.id for e in db.session.scalars(
                    sa.select(Enrolment).where(Enrolment.status == EnrolmentStatus.CONFIRMED))
            }
            holder_emails = [(p.email, holder_enrolments[p.id]) for p in holders]
            waiting_ids = [p.id for p in waiting]
            new_emails = [p.email for p in newcomers]
            db.session.commit()
            db.engine.dispose()

        with running_server(url, workers=4 if backend == "postgresql" else 0) as base_url:
            holder_clients = _sign_in_all(base_url, [email for email, _ in holder_emails])
            new_clients = _sign_in_all(base_url, new_emails)
            jobs = [(client, f"{base_url}/enrolments/{enrolment_id}/withdraw", token)
                    for (client, token), (_, enrolment_id) in zip(holder_clients, holder_emails, strict=True)]
            jobs += [(client, f"{base_url}/courses/race/enrol", token) for client, token in new_clients]
            codes, seconds = _fire(jobs)

        with app.app_context():
            enrolments = db.session.scalars(
                sa.select(Enrolment).where(Enrolment.course_id == course_id).order_by(Enrolment.id)
            ).all()
            counts = Counter(e.status for e in enrolments)
            errors = sum(1 for code in codes if code >= 500)
            _report("withdraw-vs-enrol", backend, {
                "requests": len(jobs), "withdrawals": holders_n, "enrolments": newcomers_n,
                "confirmed": counts[EnrolmentStatus.CONFIRMED],
                "waitlisted": counts[EnrolmentStatus.WAITLISTED],
                "withdrawn": counts[EnrolmentStatus.WITHDRAWN], "errors": errors,
                "seconds": round(seconds, 2),
            })
            assert errors == 0 and set(codes) == {302}
            assert counts == {
                EnrolmentStatus.CONFIRMED: SEATS,
                EnrolmentStatus.WITHDRAWN: holders_n,
                EnrolmentStatus.WAITLISTED: waiting_n + newcomers_n - holders_n,
            }
            quota = db.session.scalars(sa.select(SeatQuota).where(SeatQuota.course_id == course_id)).one()
            assert quota.confirmed == SEATS
            by_user = {e.user_id: e for e in enrolments}
            # Those who were already waiting got the first freed seats ...
            assert all(by_user[user_id].status is EnrolmentStatus.CONFIRMED for user_id in waiting_ids)
            # ... and the newcomers were served first come, first served.
            earlier = set(holder_enrolments) | set(waiting_ids)
            new = [e for e in enrolments if e.user_id not in earlier]
            assert [e.status for e in new] == (
                [EnrolmentStatus.CONFIRMED] * (holders_n - waiting_n)
                + [EnrolmentStatus.WAITLISTED] * (newcomers_n - holders_n + waiting_n)
            )
            assert _check_queue(db.session, course_id) == new[holders_n - waiting_n:]
            db.session.remove()
            db.engine.dispose()
