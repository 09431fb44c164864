"""A meeting series' data version follows its meetings; its participants' own feeds follow who takes part."""

from __future__ import annotations

from datetime import UTC, datetime

from training.accounts.models import Role
from training.core import versions
from training.core.versions import OWNER, SERIES
from training.meetings import services

BEFORE_ALL = datetime(2026, 12, 1, tzinfo=UTC)


def test_moving_one_meeting_raises_its_series(session, people, washington):
    before = versions.version(session, SERIES, washington.id)

    services.move_meeting(session, washington, "2027-03-17T10:00:00", starts_at=datetime(2027, 3, 18, 14),
                          actor=people.coordinator, now=BEFORE_ALL)
    session.commit()

    assert versions.version(session, SERIES, washington.id) == before + 1


def test_a_new_participant_raises_their_own_feed(session, people, washington, make_user):
    agent = make_user(Role.PERSONNEL, "US", email="new.agent@fbi.example")
    before = versions.versions(session, [(SERIES, washington.id), (OWNER, agent.id)])

    newcomer = services.ParticipantSpec("New.Agent@fbi.example", "New Agent", "en")
    series = services.reload(session, washington)
    services.add_participants(session, series, [newcomer], actor=people.coordinator)
    session.commit()

    after = versions.versions(session, [(SERIES, washington.id), (OWNER, agent.id)])
    assert after == (before[0] + 1, before[1] + 1)
