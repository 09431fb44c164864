"""The demo data speaks Chinese too: Chinese titles, and invitees who read Chinese."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from training.courses.models import Course
from training.demo.cli import LOADERS
from training.demo.i18n import COURSES_IN_CHINESE, DEMO_RSVP_TOKEN_ZH
from training.symposia.models import Invitation, Symposium

TODAY = date(2026, 11, 25)


def test_the_demo_has_chinese_titles_and_a_chinese_rsvp_link(session: Session, client: FlaskClient) -> None:
    for _ in range(2):  # idempotent
        for load in LOADERS:
            load(session, TODAY)
        session.commit()
    titles = dict(session.execute(sa.select(Course.title, Course.title_zh)).all())
    assert titles == {title: zh for title, (zh, _description) in COURSES_IN_CHINESE.items()}
    assert session.scalar(sa.select(Symposium.title_zh)) == "中美打击网络恐怖主义研讨会"
    chinese = set(session.scalars(sa.select(Invitation.email).where(Invitation.locale == "zh_Hans")))
    assert "incident@cncert.example" in chinese and "public-policy@google.example" not in chinese
    page = client.get(f"/rsvp/{DEMO_RSVP_TOKEN_ZH}").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page and "中美打击网络恐怖主义研讨会" in page and "您的回复" in page
