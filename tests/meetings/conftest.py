"""Fixtures for meetings: a coordinator, the two sides' focal points, and series made through the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import Role, User
from training.meetings import services
from training.meetings.models import MeetingSeries
from training.outbox.models import OutboxMessage

# 10:00 on the third Wednesday, in Washington: 2027 crosses both daylight-saving changes
# (14 March and 7 November), so the UTC hour changes while the wall clock does not.
WASHINGTON_RULE = "FREQ=MONTHLY;BYDAY=3WE;COUNT=12"
WASHINGTON_FIRST = datetime(2027, 1, 20, 10, 0)
BEIJING_FIRST = datetime(2027, 1, 20, 10, 0)


@dataclass
class People:
    coordinator: User
    us_focal: User
    cn_focal: User
    fr_focal: User  # a focal point of a country that is no side of the series
    personnel: User


@pytest.fixture
def people(make_user: Callable[..., User]) -> People:
    return People(
        coordinator=make_user(Role.COORDINATOR, "CN", name="Chen Coordinator"),
        us_focal=make_user(Role.FOCAL_POINT, "US", name="Una Focal"),
        cn_focal=make_user(Role.FOCAL_POINT, "CN", name="Cao Focal"),
        fr_focal=make_user(Role.FOCAL_POINT, "FR", name="Fleur Focal"),
        personnel=make_user(Role.PERSONNEL, "US", name="Pat Personnel"),
    )


PARTICIPANTS = (
    services.ParticipantSpec("agent.smith@fbi.example", "Agent Smith", "en"),
    services.ParticipantSpec("wang.jun@mps.example", "王军", "zh_Hans"),
)


def spec(**overrides: Any) -> services.SeriesSpec:
    values: dict[str, Any] = dict(
        title="China–US working-level meeting on cybercrime cases",
        title_zh="中美打击网络犯罪案件工作层会晤",
        timezone="America/New_York",
        starts_at=WASHINGTON_FIRST,
        duration_minutes=90,
        rrule=WASHINGTON_RULE,
        side_a="CN",
        side_b="US",
        location="FBI Headquarters, Washington",
        video_url="https://video.example/cyber",
        participants=PARTICIPANTS,
    )
    values.update(overrides)
    return services.SeriesSpec(**values)


@pytest.fixture
def make_series(session: Session, people: People) -> Callable[..., MeetingSeries]:
    def make(**overrides: Any) -> MeetingSeries:
        series = services.create_series(session, spec(**overrides), actor=people.coordinator)
        session.commit()
        return services.get_series(session, series.id, viewer=people.coordinator)

    return make


@pytest.fixture
def washington(make_series: Callable[..., MeetingSeries]) -> MeetingSeries:
    return make_series()


def outbox(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
