"""Every page that lists courses, sessions or instructors runs a fixed number of SQL queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from training.courses.models import Course, CourseSession, CourseStatus, Instructor, SessionKind

START = date(2031, 3, 3)


def _grow(session, big: Course, main: Instructor, have: int, want: int) -> None:
    """Bring the catalogue, the big course's schedule and the directory to `want` rows each."""
    for n in range(have, want):
        session.add(Course(
            slug=f"course-{n}", title=f"Course {n}", host_country="CN" if n % 2 else "US", city="Beijing",
            timezone="Asia/Shanghai", starts_on=START + timedelta(days=n % 60),
            ends_on=START + timedelta(days=n % 60 + 4), capacity=15, status=CourseStatus.PUBLISHED))
        colleague = Instructor(name=f"Colleague {n:03d}", organisation="PPSU", expertise="Forensics")
        # Every session sits in the first week, one quarter hour each, so the grid shows them all.
        starts = datetime(2031, 3, 3, 0, 0, tzinfo=UTC) + timedelta(days=n % 7, minutes=15 * (n // 7))
        session.add(CourseSession(
            course=big, title=f"Session {n}", kind=list(SessionKind)[n % len(SessionKind)], starts_at=starts,
            ends_at=starts + timedelta(minutes=15), room=f"Room {n}", instructors=[main, colleague],
            cancelled=n % 10 == 0))
    session.commit()


@pytest.mark.parametrize("reader", ["visitor", "visitor with a session", "signed-in"])
def test_listing_pages_run_the_same_queries_for_5_and_200_rows(app, client, login, make_user, session,
                                                              count_queries, reader):
    """A visitor without cookies gets kept whole pages; one whose session holds a form token
    (after any page with a form) and a signed-in reader get pages drawn around kept parts."""
    if reader == "signed-in":
        login(make_user(timezone="America/New_York"))
    big = Course(slug="big-course", title="Big course", host_country="CN", city="Beijing",
                 timezone="Asia/Shanghai", starts_on=START, ends_on=START + timedelta(days=9), capacity=15,
                 status=CourseStatus.PUBLISHED)
    main = Instructor(name="Li Na")
    session.add_all([big, main])
    session.commit()
    pages = {
        "catalogue": "/",
        "course page": "/courses/big-course",
        "week grid": "/courses/big-course/week",
        "instructor directory": "/instructors",
        "instructor page": f"/instructors/{main.id}",
    }
    counts: dict[str, list[int]] = {name: [] for name in pages}
    have = 0
    for rows in (5, 200):
        _grow(session, big, main, have, rows)
        have = rows
        for name, path in pages.items():
            if reader == "visitor":
                client = app.test_client()
            elif reader == "visitor with a session":
                client.get("/login")  # its form's token is kept in the session
                assert client.get_cookie("session") is not None
            client.get(path)  # warm caches that are not the database's
            session.expunge_all()  # the request must load everything it shows itself
            with count_queries() as counter:
                response = client.get(path)
            assert response.status_code == 200, path
            assert f"Session {rows - 1}" in response.get_data(as_text=True) or name in (
                "catalogue", "instructor directory")
            counts[name].append(counter.count)
    print("\nqueries (5 rows, 200 rows):", counts)
    for name, (five, two_hundred) in counts.items():
        assert five == two_hundred, (name, counts)
        assert two_hundred <= 5, (name, counts)
