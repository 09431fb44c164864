"""The demo courses: Beijing's ten days, the US reciprocal across a DST change, and a draft."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from training.core.localtime import next_transition
from training.courses import services
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, SessionKind
from training.demo import accounts, courses

TODAY = date(2026, 11, 25)


def _load(session):
    accounts.load(session, TODAY)
    courses.load(session, TODAY)
    session.commit()


def test_demo_courses_load_once_and_hold_together(session):
    _load(session)
    _load(session)  # idempotent
    by_title = {c.title: c for c in session.scalars(sa.select(Course))}
    assert len(by_title) == 3
    beijing, us, draft = (
        by_title[courses.BEIJING_TITLE],
        by_title[courses.US_TITLE],
        by_title[courses.DRAFT_TITLE],
    )
    assert (beijing.host_country, beijing.timezone, beijing.status) == (
        "CN",
        "Asia/Shanghai",
        CourseStatus.PUBLISHED,
    )
    assert (beijing.ends_on - beijing.starts_on).days == 9 and beijing.starts_on > TODAY
    assert "US law-enforcement personnel" in beijing.title
    assert draft.status is CourseStatus.DRAFT

    beijing = services.find_course(session, beijing.slug)
    days = services.schedule_by_day(beijing)
    assert len(days) == 10 and all(sessions for _day, sessions in days)
    assert len(beijing.sessions) == 34 and len(services.course_instructors(beijing)) >= 4
    assert days[0][1][0].kind is SessionKind.CEREMONY

    # The reciprocal course straddles New York's next daylight-saving change (14 March 2027).
    switch = next_transition("America/New_York", TODAY)
    assert switch == date(2027, 3, 14) and us.starts_on < switch <= us.ends_on
    us = services.find_course(session, us.slug)
    offsets = {s.starts_at.astimezone(ZoneInfo("America/New_York")).utcoffset() for s in us.sessions}
    assert len(offsets) == 2
    assert {
        s.starts_at.astimezone(ZoneInfo("America/New_York")).hour
        for s in us.sessions
        if s.title == "Online fraud schemes"
    } == {9}

    li = session.scalar(sa.select(Instructor).where(Instructor.name == "Li Na"))
    assert li.user_id == accounts.services.find_by_email(session, "instructor@demo.training").id
    assert session.scalar(sa.select(sa.func.count()).select_from(CourseSession)) == 34 + 17 + 1
