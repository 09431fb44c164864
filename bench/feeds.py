"""Benchmark of calendar feeds: a 1,000-session course feed built cold and warm, a 304, and a trivial page.

Run: .venv/bin/python bench/feeds.py [--sessions 1000] [--repeat 30]
(DATABASE_URL may point to PostgreSQL; by default a throw-away SQLite file is used.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training import create_app  # noqa: E402
from training.calendar import ical  # noqa: E402
from training.courses.models import (  # noqa: E402
    Course,
    CourseSession,
    CourseStatus,
    Instructor,
    session_instructors,
)
from training.extensions import db  # noqa: E402


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label:<44} median {statistics.median(times):8.2f} ms   "
          f"min {min(times):8.2f} ms   max {max(times):8.2f} ms   (n={len(times)})")


def seed(sessions: int, slug: str = "bench") -> str:
    course = Course(slug=slug, title="Benchmark course", host_country="US", city="Quantico",
                    timezone="America/New_York", starts_on=date(2026, 1, 5), ends_on=date(2026, 12, 18),
                    capacity=30, status=CourseStatus.PUBLISHED)
    db.session.add(course)
    instructors = [Instructor(name=f"Instructor {i}") for i in range(10)]
    db.session.add_all(instructors)
    db.session.flush()
    start = datetime(2026, 1, 5, 14, tzinfo=UTC)
    db.session.execute(sa.insert(CourseSession), [
        {"course_id": course.id, "title": f"Session {i}", "kind": "lecture", "room": f"Room {i % 7}",
         "description": "", "cancelled": i % 50 == 0, "sequence": 0,
         "starts_at": start + timedelta(hours=8 * i), "ends_at": start + timedelta(hours=8 * i + 2),
         "created_at": start, "updated_at": start}
        for i in range(sessions)
    ])
    ids = db.session.scalars(sa.select(CourseSession.id).where(CourseSession.course_id == course.id)).all()
    db.session.execute(sa.insert(session_instructors), [
        {"session_id": sid, "instructor_id": instructors[sid % 10].id} for sid in ids
    ])
    db.session.commit()
    return f"/calendar/courses/{slug}.ics"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.drop_all()
            db.create_all()
            path = seed(args.sessions)
            client = app.test_client()
            first = client.get(path)
            etag = first.headers["ETag"]
            print(f"{db.engine.dialect.name}: {args.sessions} sessions, feed of {len(first.data):,} bytes")

            def cold() -> None:
                ical._build_cached.cache_clear()
                ical.vtimezone.cache_clear()
                assert client.get(path).status_code == 200

            report("feed 200, built cold (no cache)", timed(cold, max(5, args.repeat // 3)))
            report("feed 200, same data (built once per process)",
                   timed(lambda: client.get(path), args.repeat))
            report("feed 304 (If-None-Match)",
                   timed(lambda: client.get(path, headers={"If-None-Match": etag}), args.repeat))
            small = seed(30, "typical")
            small_etag = client.get(small).headers["ETag"]
            report("30-session feed 200, same data", timed(lambda: client.get(small), args.repeat))
            report("30-session feed 304 (If-None-Match)",
                   timed(lambda: client.get(small, headers={"If-None-Match": small_etag}), args.repeat))
            report("trivial page (/healthz, one query)", timed(lambda: client.get("/healthz"), args.repeat))
            report("trivial page (/, a template)", timed(lambda: client.get("/"), args.repeat))
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
