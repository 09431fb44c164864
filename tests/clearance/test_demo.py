"""The clearance demo: the Beijing course's four requirements and US personnel at every stage."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests import factories
from tests.clearance.conftest import fresh
from training.accounts.models import User
from training.clearance import services
from training.clearance.models import ItemState
from training.demo import accounts, clearance, enrolment
from training.enrolment.models import Enrolment, EnrolmentStatus


def _enrolment_of(session, course, email):
    return session.scalars(sa.select(Enrolment).join(User, User.id == Enrolment.user_id)
                           .where(Enrolment.course_id == course.id, User.email == email)).one()


def test_the_demo_has_every_stage_and_its_overdue_nominee_lapses_to_the_first_waiting(app, session):
    today = date.today()
    accounts.load(session, today)
    # Like the demo's course: a Monday two to three weeks away.
    start = today + timedelta(days=14)
    start += timedelta(days=(7 - start.weekday()) % 7)
    beijing = factories.course_rows(session, slug="beijing-cybercrime", city="Beijing", capacity=15,
                                    starts_on=start, ends_on=start + timedelta(days=9))
    for _ in range(2):
        enrolment.load(session, today)
        clearance.load(session, today)
        session.commit()
    assert [r.key for r in services.requirements_of(session, beijing)] == [
        "passport", "nomination", "medical", "vetting"]
    emily = _enrolment_of(session, beijing, "emily.johnson@us.demo.training")
    michael = _enrolment_of(session, beijing, "michael.brown@us.demo.training")
    sarah = _enrolment_of(session, beijing, "sarah.davis@us.demo.training")
    trainee = _enrolment_of(session, beijing, "personnel@demo.training")
    assert emily.cleared_at is not None
    assert services.clearance_of(session, michael).line("passport").state is ItemState.RETURNED
    assert services.clearance_of(session, trainee).line("passport").state is ItemState.SUBMITTED
    first_waiting = session.scalars(
        sa.select(Enrolment).where(Enrolment.course_id == beijing.id,
                                   Enrolment.status == EnrolmentStatus.WAITLISTED)
        .order_by(Enrolment.waitlisted_at, Enrolment.id)).first()
    lapses = services.lapse_overdue(session)
    session.commit()
    assert [(lapse.enrolment.id, lapse.keys) for lapse in lapses] == [(sarah.id, ["nomination"])]
    assert [e.id for e in lapses[0].promoted] == [first_waiting.id]
    assert fresh(session, first_waiting).status is EnrolmentStatus.CONFIRMED
