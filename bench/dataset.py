"""The benchmark's data set: a realistic database of courses, people and enrolments at a chosen size.

What every size holds (the scenarios' own objects):

- 40 upcoming published courses of 10 days x 5 sessions, 30 seats each (15 US, 15 CN);
  the catalogue lists them, the course page shows them, the enrol scenario fills them;
- a course of 500 confirmed people (the roster scenario);
- a course of 1,000 sessions, and 20 more like it that no request has ever built (the cold feed);
- one person confirmed on three upcoming courses, with a personal feed address;
- 3,000 people with no enrolment, each with a signed-in session, who enrol during the run
  in the first 10 upcoming courses.

What grows with the size: the history. Past, completed courses of 10 days x 5 sessions with
30 people each, and the people who took them, until the database holds the requested number
of enrolments besides the 500 of the roster course.

Rows go in through SQLAlchemy Core in batches; the counters the services keep (seats
confirmed per quota) are written consistent with the enrolments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, session
from flask_wtf.csrf import generate_csrf

from training.accounts.models import Role, User
from training.accounts.tokens import issue_token, replace_feed_token
from training.core.extensions import db
from training.core.search import search_key
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, session_instructors
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota

UPCOMING_COURSES = 40
SEATS_PER_COUNTRY = 15
ROSTER_PEOPLE = 500
FEED_SESSIONS = 1_000
COLD_FEEDS = 20
# Enough for each of the enrol scenario's rounds to outlast its duration (run.py checks it): each
# request enrols someone new, and a round that runs out of people would cap the figure.
ENROLLING_PEOPLE = 9_000
ENROL_COURSES = 10
PAST_COURSE_PEOPLE = 30
COUNTRIES = ("US", "CN")
# Not a real password: benchmark accounts are signed in through crafted session cookies.
UNUSABLE_PASSWORD = "!"
BATCH = 5_000


@dataclass
class Manifest:
    """What the load scripts need to know about the loaded data."""

    enrolments: int
    upcoming_slugs: list[str] = field(default_factory=list)
    roster_slug: str = ""
    feed_slug: str = ""
    cold_feed_slugs: list[str] = field(default_factory=list)
    feed_session_id: int = 0
    personal_feed_path: str = ""
    coordinator_cookie: str = ""
    # A trainee enrolled on three upcoming courses (the personal feed's owner), signed in.
    reader_cookie: str = ""
    # The coordinator's bearer token, and the roster course's id, for the API's enrolment list.
    coordinator_token: str = ""
    roster_course_id: int = 0
    # (session cookie, CSRF token, course slug) for each enrol request, each pair distinct.
    enrol_requests: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _insert(table: sa.Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start:start + BATCH])


def _ids(column: sa.Column, where: sa.ColumnElement[bool]) -> list[int]:
    return list(db.session.scalars(sa.select(column).where(where).order_by(column)))


def _people(prefix: str, count: int, now: datetime) -> list[int]:
    _insert(User.__table__, [
        {"email": f"{prefix}{n}@bench.example", "name": f"{prefix.title()} Person {n}",
         "password_hash": UNUSABLE_PASSWORD, "role": Role.PERSONNEL.value, "country": COUNTRIES[n % 2],
         "organisation": "Benchmark Police Department", "timezone": "UTC", "active": True,
         "created_at": now}
        for n in range(count)
    ])
    return _ids(User.id, User.email.like(f"{prefix}%@bench.example"))


def _courses(prefix: str, count: int, first_day: date, status: CourseStatus, days: int, capacity: int,
             now: datetime) -> list[int]:
    """count courses of days days: upcoming ones a fortnight apart from first_day, past ones
    ending before it, up to ten years back (several ran in the same weeks)."""

    def starts_on(n: int) -> date:
        if status is CourseStatus.PUBLISHED:
            return first_day + timedelta(days=14 * n)
        return first_day - timedelta(days=days + 7 * (n % 520))

    _insert(Course.__table__, [
        {"slug": f"{prefix}-{n}", "title": f"{prefix.replace('-', ' ').title()} course {n}",
         "description": "Investigation techniques, evidence handling and cross-border cooperation.",
         "title_zh": "", "description_zh": "", "host_country": COUNTRIES[n % 2],
         "city": ("Beijing", "Quantico")[n % 2], "venue": "Training Academy",
         "timezone": ("Asia/Shanghai", "America/New_York")[n % 2], "language": "en",
         "starts_on": starts_on(n), "ends_on": starts_on(n) + timedelta(days=days - 1),
         "capacity": capacity, "requires_approval": False, "completion_percent": 80,
         "status": status.value, "sequence": 0, "created_at": now, "updated_at": now,
         "search_key": search_key(f"{prefix.replace('-', ' ').title()} course {n}",
                                  "Investigation techniques, evidence handling and cross-border cooperation.",
                                  ("Beijing", "Quantico")[n % 2], "Training Academy")}
        for n in range(count)
    ])
    return _ids(Course.id, Course.slug.like(f"{prefix}-%"))


def _schedules(
    course_ids: list[int], days: int, per_day: int, instructor_ids: list[int], now: datetime
) -> None:
    """per_day sessions on each of days days, in each course's own timezone, with an instructor each."""
    courses = db.session.execute(
        sa.select(Course.id, Course.starts_on, Course.timezone).where(Course.id.in_(course_ids))
    ).all()
    rows = []
    for course_id, starts_on, timezone in courses:
        zone = ZoneInfo(timezone)
        for day in range(days):
            for slot in range(per_day):
                start = datetime.combine(starts_on + timedelta(days=day), time(8 + 2 * slot), zone)
                rows.append({
                    "course_id": course_id, "title": f"Module {day + 1}.{slot + 1}",
                    "kind": "lecture", "room": f"Room {slot + 1}",
                    "description": "Case studies and practical exercises.",
                    "starts_at": start.astimezone(UTC),
                    "ends_at": (start + timedelta(minutes=100)).astimezone(UTC),
                    "cancelled": False, "sequence": 0, "created_at": now, "updated_at": now,
                })
    _insert(CourseSession.__table__, rows)
    session_ids = _ids(CourseSession.id, CourseSession.course_id.in_(course_ids))
    _insert(session_instructors, [
        {"session_id": sid, "instructor_id": instructor_ids[sid % len(instructor_ids)]} for sid in session_ids
    ])


def _quotas(course_ids: list[int], seats: int, confirmed: int) -> dict[tuple[int, str], int]:
    _insert(SeatQuota.__table__, [
        {"course_id": cid, "country": country, "seats": seats, "confirmed": confirmed}
        for cid in course_ids for country in COUNTRIES
    ])
    return {
        (cid, country): qid for qid, cid, country in db.session.execute(
            sa.select(SeatQuota.id, SeatQuota.course_id, SeatQuota.country)
            .where(SeatQuota.course_id.in_(course_ids))
        )
    }


def _seat_holders(course_ids: list[int], people: list[int], per_course: int,
                  quota_ids: dict[tuple[int, str], int], status: EnrolmentStatus, now: datetime) -> int:
    """per_course people on each course, half from each country, holding a seat in their own quota.

    people alternate US, CN (by their position); person k of course c is taken so that nobody
    is on one course twice while people are reused across courses.
    """
    us, cn = people[0::2], people[1::2]
    rows = []
    for c, course_id in enumerate(course_ids):
        for k in range(per_course):
            country = COUNTRIES[k % 2]
            pool = us if country == "US" else cn
            person = pool[(c * (per_course // 2) + k // 2) % len(pool)]
            rows.append({
                "course_id": course_id, "user_id": person, "country": country,
                "quota_id": quota_ids[(course_id, country)], "status": status.value,
                "requested_at": now, "decided_at": now,
                "completed_at": now if status is EnrolmentStatus.COMPLETED else None,
            })
    _insert(Enrolment.__table__, rows)
    return len(rows)


def signed_in(app: Flask, user_id: int) -> tuple[str, str]:
    """A session cookie of user_id signed in, and the CSRF token that goes with it."""
    # A fresh application context: Flask-WTF keeps the token of the first request on g.
    with app.app_context(), app.test_request_context():
        # Flask-Login's id of a person: their id and session version (a new account's is 1).
        session["_user_id"] = f"{user_id}:1"
        session["_fresh"] = True
        token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return cookie, token


def load(app: Flask, enrolments: int) -> Manifest:
    """Fill the (empty, migrated) database of app; return what the scenarios need."""
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    manifest = Manifest(enrolments=enrolments)
    with app.app_context():
        coordinator = User(email="coordinator@bench.example", name="Bench Coordinator",
                           password_hash=UNUSABLE_PASSWORD, role=Role.COORDINATOR, country="US")
        db.session.add(coordinator)
        _insert(Instructor.__table__, [
            {"name": f"Instructor {n}", "organisation": "Training Academy", "expertise": "", "bio": "",
             "email": "", "created_at": now} for n in range(20)
        ])
        instructors = _ids(Instructor.id, Instructor.name.like("Instructor %"))

        # History: completed courses of PAST_COURSE_PEOPLE each, and the people who took them.
        past_courses = enrolments // PAST_COURSE_PEOPLE
        alumni_count = min(past_courses * PAST_COURSE_PEOPLE, max(1_000, enrolments // 10))
        alumni = _people("alumnus", max(2, alumni_count), now)
        past = _courses("past", past_courses, today - timedelta(days=30), CourseStatus.COMPLETED, 10, 30, now)
        _schedules(past, 10, 5, instructors, now)
        seats = _quotas(past, PAST_COURSE_PEOPLE // 2, PAST_COURSE_PEOPLE // 2)
        _seat_holders(past, alumni, PAST_COURSE_PEOPLE, seats, EnrolmentStatus.COMPLETED, now)
        remainder = enrolments - past_courses * PAST_COURSE_PEOPLE

        # The upcoming catalogue; the enrol scenario fills its seats.
        upcoming = _courses("course", UPCOMING_COURSES, today + timedelta(days=30), CourseStatus.PUBLISHED,
                            10, 2 * SEATS_PER_COUNTRY, now)
        _schedules(upcoming, 10, 5, instructors, now)
        _quotas(upcoming, SEATS_PER_COUNTRY, 0)
        if remainder:  # the few enrolments that do not fill a past course wait for approval
            _insert(Enrolment.__table__, [
                {"course_id": upcoming[n % len(upcoming)], "user_id": alumni[n % len(alumni)],
                 "country": COUNTRIES[n % len(alumni) % 2], "quota_id": None,
                 "status": EnrolmentStatus.PENDING.value, "requested_at": now}
                for n in range(remainder)
            ])

        # The 500-person course of the roster scenario.
        roster_course = _courses("roster", 1, today + timedelta(days=60), CourseStatus.PUBLISHED, 10,
                                 ROSTER_PEOPLE, now)
        _schedules(roster_course, 10, 5, instructors, now)
        roster_people = _people("trainee", ROSTER_PEOPLE, now)
        seats = _quotas(roster_course, ROSTER_PEOPLE // 2, ROSTER_PEOPLE // 2)
        _seat_holders(roster_course, roster_people, ROSTER_PEOPLE, seats, EnrolmentStatus.CONFIRMED, now)

        # The 1,000-session feed, and more like it that are only ever built cold.
        feeds = _courses("feed", 1 + COLD_FEEDS, today + timedelta(days=7), CourseStatus.PUBLISHED,
                         FEED_SESSIONS // 5, 30, now)
        _schedules(feeds, FEED_SESSIONS // 5, 5, instructors, now)
        _quotas(feeds, SEATS_PER_COUNTRY, 0)

        # One person's own calendar: three upcoming courses.
        follower = _people("follower", 1, now)[0]
        _insert(Enrolment.__table__, [
            {"course_id": course_id, "user_id": follower, "country": "US",
             "quota_id": db.session.scalar(sa.select(SeatQuota.id).where(
                 SeatQuota.course_id == course_id, SeatQuota.country == "US")),
             "status": EnrolmentStatus.CONFIRMED.value, "requested_at": now, "decided_at": now}
            for course_id in upcoming[:3]
        ])
        db.session.execute(
            sa.update(SeatQuota).where(SeatQuota.course_id.in_(upcoming[:3]), SeatQuota.country == "US")
            .values(confirmed=1)
        )
        token = replace_feed_token(db.session, db.session.get_one(User, follower))

        enrolling = _people("newcomer", ENROLLING_PEOPLE, now)
        db.session.commit()

        slugs = dict(db.session.execute(sa.select(Course.id, Course.slug)).all())
        manifest.upcoming_slugs = [slugs[c] for c in upcoming]
        manifest.roster_slug = slugs[roster_course[0]]
        manifest.feed_slug = slugs[feeds[0]]
        manifest.cold_feed_slugs = [slugs[c] for c in feeds[1:]]
        manifest.feed_session_id = db.session.scalar(
            sa.select(sa.func.min(CourseSession.id)).where(CourseSession.course_id == feeds[0]))
        manifest.personal_feed_path = f"/calendar/feeds/{token}.ics"
        manifest.coordinator_cookie = signed_in(app, coordinator.id)[0]
        manifest.reader_cookie = signed_in(app, follower)[0]
        manifest.coordinator_token = issue_token(db.session, db.session.get_one(User, coordinator.id),
                                                 name="bench")[0]
        manifest.roster_course_id = roster_course[0]
        # Person n enrols in course n mod 10: distinct pairs, and popular courses whose seats run
        # out within the run, so that requests both take seats and join waitlists.
        for n, person in enumerate(enrolling):
            cookie, csrf = signed_in(app, person)
            manifest.enrol_requests.append((cookie, csrf, manifest.upcoming_slugs[n % ENROL_COURSES]))
        # What autovacuum would have done by the time a real database held this much, done
        # now rather than in the middle of a measurement.
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        manifest.counts = {
            table: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
            for table in ("users", "courses", "course_sessions", "enrolments")
        }
        db.session.remove()
    return manifest
