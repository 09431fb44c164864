"""The audit trail reads as sentences with names, in the reader's language, for the same queries
whatever it holds."""

from __future__ import annotations

import html
import re
from datetime import time

import sqlalchemy as sa

from tests.conftest import sign_in
from training.accounts.models import Role
from training.courses import services as courses
from training.courses.models import CourseSession
from training.enrolment import services


def _trail(page: str) -> list[str]:
    """Each entry's sentence and its changes, as text."""
    rows = re.findall(r'<p class="audit-sentence">(.*?)</p>\s*(?:<ul class="audit-changes">(.*?)</ul>)?',
                      page, re.S)
    return [html.unescape(" ".join((sentence + " " + re.sub(r"<[^>]+>", " ", changes)).split()))
            for sentence, changes in rows]


def _move_the_lecture(session, coordinator, course) -> None:
    lecture = session.scalar(sa.select(CourseSession).where(CourseSession.course_id == course.id))
    courses.update_session(session, lecture, course, actor=coordinator, day=course.starts_on,
                           starts=time(10), ends=time(12), title="Opening")
    session.commit()


def test_the_trail_says_who_confirmed_whom_and_what_moved(
        session, client, coordinator, make_user, make_course):
    course = make_course(quotas={"US": 2}, sessions=1)
    person = make_user(Role.PERSONNEL, "US", name="Zhao Lei")
    services.nominate_person(session, course, person, actor=coordinator)
    session.commit()
    _move_the_lecture(session, coordinator, course)
    sign_in(client, coordinator)
    page = client.get(f"/courses/{course.slug}/seats").get_data(as_text=True)
    trail = _trail(page)
    moved = ("Chen Coordinator moved the session “Opening”. "
             "Title: Day 1 lecture → Opening Starts: 9:00 AM → 10:00 AM")
    assert moved in trail
    assert "Chen Coordinator confirmed Zhao Lei (United States seat)." in trail
    assert "CourseSession" not in " ".join(trail)
    # The recorded data is still there, folded away.
    assert "<summary>Recorded data</summary>" in page and "enrolment.confirmed" in page


def test_a_chinese_reader_reads_the_trail_in_chinese(session, client, coordinator, make_user, make_course):
    course = make_course(quotas={"US": 2})
    person = make_user(Role.PERSONNEL, "US", name="Zhao Lei")
    services.nominate_person(session, course, person, actor=coordinator)
    session.commit()
    sign_in(client, coordinator)
    client.set_cookie("locale", "zh_Hans")
    trail = _trail(client.get(f"/courses/{course.slug}/seats").get_data(as_text=True))
    assert "Chen Coordinator 确认了 Zhao Lei（美国席位）。" in trail


def test_a_person_enrolling_themselves_is_named_once(session, client, coordinator, make_user, make_course):
    course = make_course(quotas={"US": 2})
    person = make_user(Role.PERSONNEL, "US", name="Zhao Lei")
    services.enrol(session, course, person, actor=person)
    session.commit()
    sign_in(client, coordinator)
    trail = _trail(client.get(f"/courses/{course.slug}/seats").get_data(as_text=True))
    assert "Zhao Lei enrolled (United States seat)." in trail


def test_the_trail_costs_the_same_queries_for_a_few_entries_or_many_kinds(
        session, client, coordinator, make_user, make_course, count_queries):
    course = make_course(quotas={"US": 30, "CN": 30}, sessions=2, capacity=60)
    services.nominate_person(session, course, make_user(Role.PERSONNEL, "US"), actor=coordinator)
    session.commit()
    sign_in(client, coordinator)
    path = f"/courses/{course.slug}/seats"
    session.expire_all()
    with count_queries() as few:
        assert client.get(path).status_code == 200
    for n in range(20):
        person = make_user(Role.PERSONNEL, "CN" if n % 2 else "US")
        services.nominate_person(session, course, person, actor=coordinator)
    services.set_quotas(session, course, {"US": 25, "CN": 25}, actor=coordinator)
    session.commit()
    _move_the_lecture(session, coordinator, course)
    session.expire_all()
    with count_queries() as many:
        page = client.get(path).get_data(as_text=True)
    assert len(_trail(page)) > 20
    assert many.count == few.count, "\n".join(s[:150] for s in [*few.statements, "--", *many.statements])
