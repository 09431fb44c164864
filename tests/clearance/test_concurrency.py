"""Lapses racing enrolments and withdrawals against a real server never overbook a seat, never
leave one free while someone of that country waits, and promote in waitlist order.

Ten US seats: three holders missed a due date already, three more have an extension that ends
within the hour, two withdraw and two are cleared; five people wait. At one moment: three
`flask enrolment lapse-overdue --now <in two hours>` processes (cron running late, as of a moment
the extensions have passed), two withdrawals and twenty newcomers enrolling (each of those
requests also lapses what is overdue by the server's clock, under the same locks), against
gunicorn with four workers on PostgreSQL and a threaded server on SQLite. Only the commands see
the three extensions as overdue, so their lapses really race the requests. The figures (requests,
lapses by the commands and by requests, promotions, final counters) go to
test-artifacts/concurrency-figures.txt; run with `pytest -s` to see them.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.clearance.conftest import PDF
from tests.databases import BACKENDS, fresh_database
from tests.enrolment.conftest import build_course
from tests.enrolment.test_concurrency import _check_queue, _report, _seed_people, _sign_in_all
from tests.servers import BIN, ROOT, running_server, server_env
from training import create_app
from training.accounts import services as accounts
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.clearance import services as clearance
from training.clearance.models import Requirement
from training.core.database import utcnow
from training.core.extensions import db
from training.enrolment import services
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota

SEATS, OVERDUE, EXTENDED, WITHDRAWING, WAITING, NEWCOMERS, JOBS = 10, 3, 3, 2, 5, 20, 3
# The commands run as of this long after the extensions' end, which is an hour from the seeding.
EXTENSION, CLI_AHEAD = timedelta(hours=1), timedelta(hours=2)


def _seed(session):
    """The course, its holders (three overdue, three with an extension ending within the hour, the
    others cleared of the one requirement), five waiting."""
    coordinator = accounts.create_user(session, email="coordinator@example.gov", name="Coordinator",
                                       role=Role.COORDINATOR, country="CN", via="cli")
    holders = _seed_people(session, SEATS, "holder")
    waiting = _seed_people(session, WAITING, "waiting")
    newcomers = _seed_people(session, NEWCOMERS, "new")
    course = build_course(session, slug="lapse-race", quotas={"US": SEATS}, capacity=SEATS,
                          starts_on=(utcnow() + timedelta(days=20)).date())
    clearance.set_requirements(session, course, [clearance.RequirementSpec(
        key="nomination", kind="document", title="Nomination letter", due_days_before_start=30)],
        actor=coordinator)
    for person in holders + waiting:
        services.enrol(session, course, person, actor=person)
    session.flush()
    enrolments = {e.user_id: e for e in session.scalars(sa.select(Enrolment))}
    for person in holders[OVERDUE + EXTENDED:]:
        enrolment = enrolments[person.id]
        clearance.submit_document(session, enrolment, "nomination", filename="n.pdf", content=PDF,
                                  actor=person)
        clearance.decide(session, enrolment, "nomination", decision="accepted", actor=coordinator)
    for person in holders[OVERDUE:OVERDUE + EXTENDED]:
        clearance.extend_due(session, enrolments[person.id], "nomination", due_at=utcnow() + EXTENSION,
                             reason="Signature pending", actor=coordinator)
    # All of it happened weeks ago, in the same order: the due date (10 days ago) has passed.
    shift = timedelta(days=60)
    for requirement in session.scalars(sa.select(Requirement)):
        requirement.created_at -= shift
    for enrolment in enrolments.values():
        enrolment.requested_at -= shift
        if enrolment.decided_at is not None:
            enrolment.decided_at -= shift
        if enrolment.waitlisted_at is not None:
            enrolment.waitlisted_at -= shift
    session.commit()
    return course.id, holders, waiting, newcomers, enrolments


def _start_up_seconds(env) -> float:
    """How long a lapse-overdue command takes to reach the database (a rehearsal changes nothing)."""
    started = time.monotonic()
    subprocess.run([str(BIN / "flask"), "--app", "training", "enrolment", "lapse-overdue", "--dry-run"],
                   cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return time.monotonic() - started


def _fire_all(http_jobs, cli_jobs, cli_now):
    """Every HTTP POST and every CLI run at the same moment; the statuses and exit codes, and the seconds."""
    barrier = threading.Barrier(len(http_jobs))

    def post(job):
        client, url, data = job
        client.close()
        barrier.wait()
        return client.post(url, data=data, headers={"Connection": "close"},
                           allow_redirects=False, timeout=120).status_code

    def run(env):
        begun = time.monotonic()
        done = subprocess.run([str(BIN / "flask"), "--app", "training", "enrolment", "lapse-overdue",
                               "--now", cli_now],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        done.seconds = (round(begun - started, 2), round(time.monotonic() - started, 2))
        return done

    # Several commands starting at once share the machine's cores: each takes longer than one alone.
    head_start = _start_up_seconds(cli_jobs[0]) * 1.5
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(http_jobs) + len(cli_jobs)) as pool:
        # A command takes a moment to start (Python, the app): it gets that moment's head start,
        # so that its lapses and the requests' reach the database together.
        ran = [pool.submit(run, env) for env in cli_jobs]
        time.sleep(head_start)
        posted = [pool.submit(post, job) for job in http_jobs]
        codes = [f.result() for f in posted]
        runs = [f.result() for f in ran]
    return codes, runs, time.monotonic() - started


@pytest.mark.parametrize("backend", BACKENDS)
def test_lapses_racing_enrolments_and_withdrawals_keep_every_seat_exact_and_in_queue_order(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            course_id, holders, waiting, newcomers, enrolments = _seed(db.session)
            overdue_ids = [enrolments[p.id].id for p in holders[:OVERDUE + EXTENDED]]
            extended_ids = overdue_ids[OVERDUE:]
            leaving = [(p.email, enrolments[p.id].id)
                       for p in holders[OVERDUE + EXTENDED:OVERDUE + EXTENDED + WITHDRAWING]]
            cli_now = (utcnow() + CLI_AHEAD).isoformat()
            waiting_ids = [p.id for p in waiting]
            new_emails = [p.email for p in newcomers]
            new_ids = {p.id for p in newcomers}
            db.session.remove()
            db.engine.dispose()

        with running_server(url, workers=4 if backend == "postgresql" else 0) as base_url:
            leave_clients = _sign_in_all(base_url, [email for email, _ in leaving])
            new_clients = _sign_in_all(base_url, new_emails)
            # A withdrawal is the confirmation page's own post ("confirm": "yes"), as the page sends it.
            jobs = [(client, f"{base_url}/enrolments/{enrolment_id}/withdraw",
                     {"csrf_token": token, "confirm": "yes"})
                    for (client, token), (_, enrolment_id) in zip(leave_clients, leaving, strict=True)]
            jobs += [(client, f"{base_url}/courses/lapse-race/enrol", {"csrf_token": token})
                     for client, token in new_clients]
            raced_from = utcnow()
            codes, runs, seconds = _fire_all(jobs, [server_env(url)] * JOBS, cli_now)

        with app.app_context():
            rows = db.session.scalars(
                sa.select(Enrolment).where(Enrolment.course_id == course_id).order_by(Enrolment.id)).all()
            counts = Counter(e.status for e in rows)
            errors = sum(1 for code in codes if code >= 500) + sum(1 for r in runs if r.returncode)
            lapsed_by_cli = sum(int(r.stdout.strip().splitlines()[-1].split()[0]) for r in runs if r.stdout)
            audited = Counter(tuple(row) for row in db.session.execute(
                sa.select(AuditEntry.action, AuditEntry.via).where(
                    AuditEntry.topic == f"course:{course_id}", AuditEntry.occurred_at >= raced_from)))
            quota = db.session.scalars(sa.select(SeatQuota).where(SeatQuota.course_id == course_id)).one()
            _report("lapse-vs-enrol-vs-withdraw", backend, {
                "requests": len(jobs), "lapse_jobs": JOBS, "withdrawals": WITHDRAWING,
                "enrolments": NEWCOMERS, "confirmed": counts[EnrolmentStatus.CONFIRMED],
                "lapsed": counts[EnrolmentStatus.LAPSED], "lapsed_by_cli": lapsed_by_cli,
                "lapsed_by_requests": audited[("enrolment.lapsed", "web")],
                "promoted_by_cli": audited[("enrolment.promoted", "cli")],
                "promoted_by_requests": audited[("enrolment.promoted", "web")],
                "quota": f"{quota.confirmed}/{quota.seats}",
                "withdrawn": counts[EnrolmentStatus.WITHDRAWN],
                "waitlisted": counts[EnrolmentStatus.WAITLISTED], "errors": errors,
                "seconds": round(seconds, 2), "cli": [r.seconds for r in runs],
                "cli_out": [r.stdout.strip().splitlines()[-1] for r in runs if r.stdout],
            })
            assert errors == 0 and set(codes) == {302}, [r.stderr[-2000:] for r in runs if r.returncode]
            # The extensions end only by the commands' clock: the commands lapsed those three,
            # racing the requests, and gave their seats to whoever waited at that moment.
            assert lapsed_by_cli >= EXTENDED and audited[("enrolment.promoted", "cli")] >= 1
            assert counts == {
                EnrolmentStatus.CONFIRMED: SEATS,
                EnrolmentStatus.LAPSED: OVERDUE + EXTENDED,
                EnrolmentStatus.WITHDRAWN: WITHDRAWING,
                EnrolmentStatus.WAITLISTED: WAITING + NEWCOMERS - OVERDUE - EXTENDED - WITHDRAWING,
            }
            by_id = {e.id: e for e in rows}
            assert len(by_id) == SEATS + WAITING + NEWCOMERS
            assert all(by_id[i].status is EnrolmentStatus.LAPSED for i in overdue_ids)
            lapse_entries = db.session.execute(sa.select(AuditEntry.subject_id, AuditEntry.via).where(
                AuditEntry.action == "enrolment.lapsed")).all()
            assert {i for i, via in lapse_entries if via == "cli"} >= set(extended_ids)
            # Never overbooked, and no seat free while someone waits.
            assert quota.confirmed == quota.seats == SEATS
            assert quota.confirmed == sum(1 for e in rows if e.status is EnrolmentStatus.CONFIRMED)
            by_user = {e.user_id: e for e in rows}
            # Those already waiting got the first freed seats, then newcomers first come, first served.
            assert all(by_user[user_id].status is EnrolmentStatus.CONFIRMED for user_id in waiting_ids)
            new = sorted((e for e in rows if e.user_id in new_ids), key=lambda e: (e.requested_at, e.id))
            freed_for_newcomers = OVERDUE + EXTENDED + WITHDRAWING - WAITING
            assert [e.status for e in new] == (
                [EnrolmentStatus.CONFIRMED] * freed_for_newcomers
                + [EnrolmentStatus.WAITLISTED] * (NEWCOMERS - freed_for_newcomers))
            assert _check_queue(db.session, course_id) == new[freed_for_newcomers:]
            db.session.remove()
            db.engine.dispose()
