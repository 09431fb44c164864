"""`flask meetings remind`, a person's export and erasure, and how the audit trail reads meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from tests.meetings.conftest import outbox
from training.accounts.signals import person_erasing, person_export_wanted
from training.audit.readable import readable
from training.audit.services import trail
from training.meetings import services
from training.meetings.models import ActionItem, Participant


def _item(session, people, series, what, due, email="wang.jun@mps.example"):
    return services.add_action(
        session,
        series,
        "2027-01-20T10:00:00",
        services.ActionSpec(what=what, side="CN", owner_name="王军", owner_email=email, due_on=due),
        actor=people.coordinator,
    )


def test_remind_mails_owners_before_the_due_date_once_and_overdue_items_daily(
    app, session, people, washington
):
    _item(session, people, washington, "Share the server logs", date(2027, 3, 3))
    _item(session, people, washington, "Name a second contact point", date(2027, 2, 20))
    _item(session, people, washington, "Far away", date(2027, 9, 1))
    done = _item(session, people, washington, "Already done", date(2027, 2, 1))
    services.update_action(session, done, washington, status="done", actor=people.coordinator)
    session.commit()
    before = len(outbox(session))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["meetings", "remind", "--now", "2027-03-01T08:00:00+00:00"])
    assert "1 due soon, 1 overdue" in first.output
    again = runner.invoke(args=["meetings", "remind", "--now", "2027-03-01T20:00:00+00:00"])
    assert "0 due soon, 0 overdue" in again.output
    next_day = runner.invoke(args=["meetings", "remind", "--now", "2027-03-02T08:00:00+00:00"])
    assert "0 due soon, 1 overdue" in next_day.output
    mails = outbox(session)[before:]
    assert {m.recipient for m in mails} >= {"wang.jun@mps.example"}
    overdue = next(m for m in mails if "Name a second" in m.subject)
    assert "逾期" in overdue.subject or "Overdue" in overdue.subject


def test_remind_tells_coordinators_of_contact_points_untested_too_long(app, session, people):
    point = services.add_contact_point(
        session,
        services.ContactSpec(side="US", name="FBI CyWatch", phone="+1 855 292 3937"),
        actor=people.coordinator,
    )
    services.record_test(
        session,
        point,
        method="phone",
        result="reached",
        actor=people.coordinator,
        tested_at=datetime(2027, 1, 1, tzinfo=UTC),
        now=datetime(2027, 1, 1, 1, tzinfo=UTC),
    )
    session.commit()
    runner = app.test_cli_runner()
    assert "0 mails" in runner.invoke(args=["meetings", "remind", "--now", "2027-01-20T00:00:00"]).output
    late = runner.invoke(args=["meetings", "remind", "--now", "2027-02-15T00:00:00"])
    assert "1 mails about untested contact points" in late.output
    mail = outbox(session)[-1]
    assert mail.recipient == people.coordinator.email and "FBI CyWatch" in mail.body


def test_a_bad_now_is_refused_with_a_message(app):
    result = app.test_cli_runner().invoke(args=["meetings", "remind", "--now", "tomorrow"])
    assert result.exit_code != 0 and "ISO 8601" in result.output


def test_export_lists_participations_and_owned_items_and_erasure_removes_them(
    session, people, washington, make_user
):
    wang = make_user(email="wang.jun@mps.example", name="王军", country="CN")
    _item(session, people, services.reload(session, washington), "Share the logs", date(2027, 3, 1))
    session.commit()
    [(_receiver, export)] = [
        r
        for r in person_export_wanted.send(wang, session=session)
        if r[0].__module__.startswith("training.meetings")
    ]
    assert [p["email"] for p in export["meeting_participations"]] == ["wang.jun@mps.example"]
    assert [a["what"] for a in export["meeting_action_items"]] == ["Share the logs"]

    person_erasing.send(wang, session=session, actor=None, via="cli")
    session.commit()
    assert (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Participant)
            .where(Participant.email == "wang.jun@mps.example")
        )
        == 0
    )
    item = session.scalar(sa.select(ActionItem))
    assert item.owner_name == "—" and item.owner_email == "" and item.what == "Share the logs"


def test_the_trail_reads_as_sentences(session, people, washington):
    services.cancel_meeting(
        session,
        washington,
        "2027-04-21T10:00:00",
        actor=people.coordinator,
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    session.commit()
    entries = list(reversed(trail(session, services.topic(washington))))
    sentences = [r.sentence for r in readable(session, entries)]
    assert sentences[0] == (
        "Chen Coordinator created the meeting series “China–US working-level meeting on cybercrime cases”."
    )
    assert sentences[-1] == (
        "Chen Coordinator cancelled the meeting of Wed, Apr 21, 2027 10:00\u202fAM of "
        "“China–US working-level meeting on cybercrime cases”."
    )
