"""Demo personal data: someone who left the joint workshop and asked to be forgotten, so that the
roster, People and the audit log show an erased person as every page shows one."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts import personal_data
from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.courses.models import Course
from training.demo.enrolment import MIXED_SLUG
from training.enrolment import services as enrolment

LEAVER = ("guo.ming@cn.demo.training", "Guo Ming", "Ministry of Public Security")


def load(session: Session, today: date) -> None:
    """Guo Ming enrolled on the workshop, withdrew and was erased; nothing is done twice."""
    coordinator = accounts.find_by_email(session, "coordinator@demo.training")
    workshop = session.scalar(sa.select(Course).where(Course.slug == MIXED_SLUG))
    already = session.scalar(sa.select(sa.func.count()).select_from(User).where(User.erased_at.is_not(None)))
    if coordinator is None or workshop is None or already:
        return
    email, name, organisation = LEAVER
    person = accounts.find_by_email(session, email) or accounts.create_user(
        session, email=email, name=name, role=Role.PERSONNEL, country="CN", organisation=organisation,
        timezone="Asia/Shanghai", locale="zh_Hans", via="cli")
    made = enrolment.enrol(session, workshop, person, actor=coordinator, override_window=True, via="cli")
    enrolment.withdraw(session, made, actor=person, via="cli")
    personal_data.erase_person(session, person, actor=None, via="cli")
    session.flush()
