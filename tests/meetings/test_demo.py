"""The demo holds the monthly China–US working-level meeting, its changes and minutes, and the hotline."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from training.accounts.models import User
from training.core.database import utcnow
from training.demo import accounts
from training.demo import meetings as demo
from training.meetings import services
from training.meetings.models import ContactPoint, OccurrenceStatus
from training.outbox.models import OutboxMessage


def test_the_demo_series_has_minutes_items_a_moved_and_a_cancelled_meeting(session):
    today = date.today()
    accounts.load(session, today)
    series = demo.load(session, today)
    demo.load(session, today)  # twice: nothing is duplicated
    session.commit()
    series = services.reload(session, series)
    meetings = services.meetings_of(series)
    statuses = [m.status for m in meetings]
    assert statuses.count(OccurrenceStatus.MOVED) == 1 and statuses.count(OccurrenceStatus.CANCELLED) == 1
    assert {m.location for m in meetings} == {demo.BEIJING, demo.WASHINGTON}
    held = [m for m in meetings if m.row is not None and m.row.minutes_zh]
    assert len(held) == 3 and all(m.starts_at < utcnow() for m in held)
    open_items = services.open_actions(session, series, today)
    assert len(open_items) == 3 and open_items[0].due_on < today
    now = utcnow()
    coordinator = session.scalar(sa.select(User).where(User.email == "coordinator@demo.training"))
    current = services.directory(session, viewer=coordinator)
    assert [p.name for p in current if services.is_overdue(p, now)] == ["CNCERT/CC incident desk"]
    retired = services.directory(session, viewer=coordinator, retired=True)
    assert [(p.name, len(p.tests)) for p in retired] == [("Cyber Division night line", 2)]
    assert session.scalar(sa.select(sa.func.count()).select_from(ContactPoint)) == 5
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
