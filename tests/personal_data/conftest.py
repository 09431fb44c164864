"""Fixtures for a person's data: the clearance programme (a Beijing course with four requirements)
and Zhao Lei, who has something in every feature."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.clearance import conftest as clearance_fixtures
from tests.clearance.conftest import PDF
from training.accounts.models import Role
from training.accounts.tokens import issue_token, replace_feed_token
from training.clearance import services as clearance
from training.courses.models import CourseSession
from training.enrolment import services as enrolment
from training.symposia import services as symposia

# The clearance tests' programme (a Beijing course asking for four things) and their enrol().
programme = clearance_fixtures.programme
enrol = clearance_fixtures.enrol

NAME = "Zhao Lei"
EMAIL = "zhao.lei@mps.example.cn"
ORGANISATION = "Cyber Security Bureau 7"



@pytest.fixture
def target(session, programme, make_user, enrol):
    """Zhao Lei, confirmed on the Beijing course with documents, a returned one, attendance, a
    waitlist place on a second course, an invitation with delegates, a feed link, a token and mail."""
    person = make_user(Role.PERSONNEL, "US", name=NAME, email=EMAIL, organisation=ORGANISATION)
    made = enrol(programme, person=person)
    others = [enrol(programme) for _ in range(2)]  # the second US seat, then the waitlist
    clearance.submit_document(session, made, "passport", filename="zhao-lei-passport.pdf", content=PDF,
                              actor=person)
    clearance.submit_document(session, made, "nomination", filename="nomination.pdf", content=PDF,
                              actor=person)
    clearance.decide(session, made, "nomination", decision="returned",
                     reason=f"Unsigned; {NAME} must sign it.", actor=programme.coordinator)
    lecture = session.scalars(sa.select(CourseSession).where(
        CourseSession.course_id == programme.course.id).order_by(CourseSession.id)).first()
    enrolment.mark_attendance(session, lecture, [made.id, others[0].id], actor=programme.instructor)
    # A second course where Zhao Lei waits between two others.
    second = factories.course_rows(session, quotas={"US": 1})
    for who in (make_user(Role.PERSONNEL, "US"), person, make_user(Role.PERSONNEL, "US"),
                make_user(Role.PERSONNEL, "US")):
        enrolment.enrol(session, second, who, actor=programme.coordinator, override_window=True)
    symposium = factories.symposium(session, programme.coordinator)
    invitation = symposia.add_invitation(session, symposium, actor=programme.coordinator, name=NAME,
                                         email=EMAIL, organisation=ORGANISATION, delegates_allowed=2)
    symposia.answer_invitation(session, invitation, answer="accepted",
                               delegates=[NAME, "Wang Fang"], note=f"{NAME} needs a halal meal.")
    replace_feed_token(session, person)
    issue_token(session, person, name="agency sync")
    session.commit()
    return person, made, second, symposium
