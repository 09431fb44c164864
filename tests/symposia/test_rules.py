"""Symposium rules called without HTTP: links, answers within capacity, updates, reminders, CSV lists."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tests.symposia.conftest import fields
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, NotFound
from training.outbox.models import OutboxMessage
from training.symposia import services
from training.symposia.models import Answer, AnswerChannel, Invitation, Reminder


def _mails(session, email=None):
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if email:
        query = query.where(OutboxMessage.recipient == email)
    return session.scalars(query).all()


def test_a_link_has_256_random_bits_and_only_its_hash_is_stored(session, symposium, invite):
    invitation, token = invite(symposium)
    assert len(token) == 43  # token_urlsafe(32): 256 bits
    assert invitation.token_hash == services.hash_token(token) != token
    stored = session.execute(sa.text("SELECT * FROM invitations")).mappings().one()
    assert token not in {str(v) for v in stored.values()}
    assert services.invitation_for_token(session, token).id == invitation.id


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "a" * 42 + "!", "../../etc/passwd", "é" * 43])
def test_unknown_and_malformed_links_open_nothing(session, symposium, invite, token):
    invite(symposium)
    with pytest.raises(NotFound):
        services.invitation_for_token(session, token)


def test_resending_makes_the_old_link_dead_and_the_new_one_work(session, symposium, invite, coordinator):
    invitation, old = invite(symposium)
    services.resend_invitation(session, symposium, invitation, actor=coordinator)
    session.commit()
    new = services.invitation_for_token(session, services_token := _token(session, invitation))
    assert new.id == invitation.id and services_token != old
    with pytest.raises(NotFound):
        services.invitation_for_token(session, old)


def _token(session, invitation):
    from tests.symposia.conftest import last_link

    return last_link(session, invitation.email)


def test_revoking_kills_the_link_frees_places_and_cancels_the_calendar_event(
        session, symposium, invite, coordinator):
    invitation, token = invite(symposium)
    services.answer_invitation(session, invitation, answer="accepted", delegates=["A", "B"])
    session.commit()
    assert services.accepted_delegates(session, symposium.id) == 2
    services.revoke_invitation(session, symposium, invitation, actor=coordinator)
    session.commit()
    with pytest.raises(NotFound):
        services.invitation_for_token(session, token)
    assert services.accepted_delegates(session, symposium.id) == 0
    last = _mails(session, invitation.email)[-1]
    assert last.calendar_method == "CANCEL" and "METHOD:CANCEL" in last.calendar_body
    assert "/rsvp/" not in last.body


def test_an_answer_is_recorded_with_when_and_how(session, symposium, invite):
    invitation, token = invite(symposium)
    services.answer_invitation(session, invitation, answer="tentative", delegates=["Sarah Mitchell"],
                               note="Vegetarian")
    session.commit()
    assert invitation.answer is Answer.TENTATIVE and invitation.answered_via is AnswerChannel.LINK
    assert invitation.answered_at is not None and invitation.note == "Vegetarian"
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "invitation.answered")).one()
    assert entry.via == "link" and entry.topic == f"symposium:{symposium.id}"
    assert entry.after["answer"] == "tentative" and entry.before["answer"] is None


def test_an_answer_beyond_capacity_is_refused_and_the_earlier_answer_stands(
        session, make_symposium, invite):
    symposium = make_symposium(capacity=3)
    google, _ = invite(symposium, "policy@google.example", organisation="Google")
    facebook, _ = invite(symposium, "policy@facebook.example", organisation="Facebook")
    services.answer_invitation(session, google, answer="accepted", delegates=["G1", "G2"])
    services.answer_invitation(session, facebook, answer="tentative", delegates=["F1", "F2"])
    session.commit()
    with pytest.raises(Conflict, match="1 of 3 places are left") as refused:
        services.answer_invitation(session, facebook, answer="accepted", delegates=["F1", "F2"])
    assert refused.value.field == "delegates"
    session.rollback()
    facebook = session.scalars(sa.select(Invitation).where(Invitation.id == facebook.id)
                               .options(selectinload(Invitation.delegates))).one()
    assert facebook.answer is Answer.TENTATIVE and [d.name for d in facebook.delegates] == ["F1", "F2"]
    services.answer_invitation(session, facebook, answer="accepted", delegates=["F1"])
    session.commit()
    assert services.accepted_delegates(session, symposium.id) == 3
    # Google may re-confirm its own two: its places are its own.
    services.answer_invitation(session, google, answer="accepted", delegates=["G1", "G3"])


@pytest.mark.parametrize(
    ("answer", "delegates", "note", "field", "message"),
    [
        ("maybe", ["A"], "", "answer", "Choose accept, decline or tentative"),
        ("accepted", ["A", "B", "C", "D"], "", "delegates", "at most 3 delegates"),
        ("accepted", [], "", "delegates", "at least one delegate"),
        ("accepted", ["A", "A"], "", "delegates", "named once"),
        ("accepted", ["A"], "x" * 2001, "note", "too long"),
    ],
)
def test_bad_answers_are_refused_with_a_reason_and_change_nothing(
        session, symposium, invite, answer, delegates, note, field, message):
    invitation, _ = invite(symposium)
    with pytest.raises(DomainError, match=message) as refused:
        services.answer_invitation(session, invitation, answer=answer, delegates=delegates, note=note)
    assert refused.value.field == field
    session.rollback()
    assert session.get(Invitation, invitation.id).answer is None


def test_after_the_deadline_answers_are_closed(session, symposium, invite):
    invitation, _ = invite(symposium)
    later = symposium.rsvp_deadline + timedelta(minutes=1)
    assert services.answers_closed(symposium, later) == "The deadline for answers has passed."
    with pytest.raises(DomainError, match="deadline"):
        services.answer_invitation(session, invitation, answer="accepted", delegates=["A"], now=later)


def test_a_local_time_that_does_not_exist_or_happens_twice_is_refused(session, coordinator):
    skipped = fields(timezone="America/New_York", starts_at=datetime(2030, 3, 10, 2, 30),
                     ends_at=datetime(2030, 3, 11, 17, 0), rsvp_deadline=datetime(2030, 3, 1, 12, 0))
    with pytest.raises(DomainError, match="does not exist in America/New_York") as error:
        services.create_symposium(session, skipped, actor=coordinator)
    assert error.value.field == "starts_at"
    twice = fields(timezone="America/New_York", starts_at=datetime(2030, 11, 2, 9, 0),
                   ends_at=datetime(2030, 11, 3, 1, 30), rsvp_deadline=datetime(2030, 10, 1, 12, 0))
    with pytest.raises(DomainError, match="happens twice") as error:
        services.create_symposium(session, twice, actor=coordinator)
    assert error.value.field == "ends_at"


def test_invitations_wait_for_publishing_then_go_out_with_a_calendar_request(
        session, make_symposium, coordinator):
    symposium = make_symposium(publish=False)
    services.add_invitation(session, symposium, actor=coordinator, name="A", email="a@google.example")
    session.commit()
    assert _mails(session) == []
    assert services.publish_symposium(session, symposium, actor=coordinator) == 1
    session.commit()
    [mail] = _mails(session)
    assert mail.calendar_method == "REQUEST" and "/rsvp/" in mail.body
    assert f"UID:symposium-{symposium.id}@training.test" in mail.calendar_body
    assert mail.reply_to == "organiser@mps.example"


def test_moving_the_symposium_sends_an_update_to_everyone_who_has_not_declined(
        session, symposium, invite, coordinator):
    yes, _ = invite(symposium, "yes@google.example")
    no, _ = invite(symposium, "no@facebook.example")
    silent, _ = invite(symposium, "silent@baidu.example")
    services.answer_invitation(session, yes, answer="accepted", delegates=["Y"])
    services.answer_invitation(session, no, answer="declined")
    session.commit()
    before = len(_mails(session))
    services.update_symposium(session, symposium, fields(title="Renamed only"), actor=coordinator)
    session.commit()
    assert len(_mails(session)) == before and symposium.sequence == 0  # a new title is not a move
    moved = fields(venue="China National Convention Center")
    assert services.update_symposium(session, symposium, moved, actor=coordinator) == 2
    session.commit()
    updates = _mails(session)[before:]
    assert sorted(m.recipient for m in updates) == ["silent@baidu.example", "yes@google.example"]
    for mail in updates:
        assert "SEQUENCE:1" in mail.calendar_body and "China National Convention Center" in mail.calendar_body
        assert f"UID:symposium-{symposium.id}@training.test" in mail.calendar_body
    to_yes = next(m for m in updates if m.recipient == "yes@google.example")
    assert "PARTSTAT=ACCEPTED" in to_yes.calendar_body


def test_cancelling_sends_method_cancel_with_a_higher_sequence(session, symposium, invite, coordinator):
    invite(symposium, "a@google.example")
    declined, _ = invite(symposium, "b@facebook.example")
    services.answer_invitation(session, declined, answer="declined")
    session.commit()
    assert services.cancel_symposium(session, symposium, actor=coordinator) == 1
    session.commit()
    mail = _mails(session)[-1]
    assert mail.recipient == "a@google.example" and mail.calendar_method == "CANCEL"
    assert "STATUS:CANCELLED" in mail.calendar_body and "SEQUENCE:1" in mail.calendar_body


def test_capacity_cannot_go_below_the_delegates_already_accepted(session, symposium, invite, coordinator):
    invitation, _ = invite(symposium)
    services.answer_invitation(session, invitation, answer="accepted", delegates=["A", "B", "C"])
    session.commit()
    with pytest.raises(Conflict, match="3 delegates have already accepted") as error:
        services.update_symposium(session, symposium, fields(capacity=2), actor=coordinator)
    assert error.value.field == "capacity"


def test_a_pasted_list_takes_the_good_lines_and_reports_each_bad_one(session, symposium, invite, coordinator):
    invite(symposium, "policy@google.example")
    text = "\n".join([
        "name,email,organisation,delegates allowed",
        "David Chen,policy@facebook.example,Facebook,2",
        "Sarah Again,POLICY@google.example,Google,1",
        "No Email,,Nowhere,1",
        "Laura Bennett,crimes@microsoft.example,Microsoft,many",
        "Too,many,cells,1,zh,2",
        "Laura Bennett,crimes@microsoft.example,Microsoft",
        "Dup In File,crimes@microsoft.example,Microsoft,1",
        "Zero,zero@example.org,Zero,0",
    ])
    report = services.import_invitations(session, symposium, text, actor=coordinator)
    session.commit()
    outcome = {line.line: (line.ok, line.message) for line in report}
    assert outcome[2] == (True, "Invited policy@facebook.example.")
    assert outcome[3] == (False, "policy@google.example is already invited.")
    assert outcome[4][0] is False and "is not an email address" in outcome[4][1]
    assert outcome[5] == (False, "Delegates allowed must be a whole number, not many.")
    assert outcome[6] == (False, "Expected name, email, organisation, delegates allowed, language; "
                                 "found 6 values.")
    assert outcome[7] == (True, "Invited crimes@microsoft.example.")
    assert outcome[8] == (False, "crimes@microsoft.example is already invited.")
    assert outcome[9] == (False, "Delegates allowed must be between 1 and 50.")
    emails = session.scalars(sa.select(Invitation.email).order_by(Invitation.email)).all()
    assert emails == ["crimes@microsoft.example", "policy@facebook.example", "policy@google.example"]
    assert session.get(Invitation, 3).delegates_allowed == 1  # the default when the column is left out


def test_reminders_go_once_per_reminder_point_to_those_who_have_not_answered(
        session, symposium, invite):
    silent, _ = invite(symposium, "silent@baidu.example")
    answered, _ = invite(symposium, "answered@google.example")
    services.answer_invitation(session, answered, answer="declined")
    session.commit()
    deadline = symposium.rsvp_deadline
    assert services.send_reminders(session, (7, 2), now=deadline - timedelta(days=8)) == 0
    assert services.send_reminders(session, (7, 2), now=deadline - timedelta(days=6)) == 1
    assert services.send_reminders(session, (7, 2), now=deadline - timedelta(days=5)) == 0
    assert services.send_reminders(session, (7, 2), now=deadline - timedelta(days=1)) == 1
    assert services.send_reminders(session, (7, 2), now=deadline - timedelta(hours=1)) == 0
    assert services.send_reminders(session, (7, 2), now=deadline + timedelta(hours=1)) == 0
    session.commit()
    reminders = [m for m in _mails(session, "silent@baidu.example") if m.subject.startswith("Reminder")]
    assert len(reminders) == 2
    assert session.scalars(sa.select(Reminder.days_before).order_by(Reminder.days_before)).all() == [2, 7]
    # The reminder's link is the one that works now.
    assert services.invitation_for_token(session, _token(session, silent)).id == silent.id


def test_a_reminder_never_follows_hard_on_a_late_invitation(session, symposium, invite):
    invitation, _ = invite(symposium)
    invitation.sent_at = symposium.rsvp_deadline - timedelta(days=3)
    session.commit()
    now = symposium.rsvp_deadline - timedelta(days=2, hours=23)
    assert services.send_reminders(session, (7,), now=now) == 0


def test_every_coordinator_change_is_audited_under_the_symposium(session, symposium, invite, coordinator):
    invitation, _ = invite(symposium)
    services.resend_invitation(session, symposium, invitation, actor=coordinator)
    services.revoke_invitation(session, symposium, invitation, actor=coordinator)
    services.update_symposium(session, symposium, fields(city="Shanghai"), actor=coordinator)
    services.cancel_symposium(session, symposium, actor=coordinator)
    session.commit()
    actions = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.topic == f"symposium:{symposium.id}")
        .order_by(AuditEntry.id)).all()
    assert actions == ["symposium.created", "symposium.session_added", "symposium.published",
                       "invitation.added", "invitation.resent", "invitation.revoked", "symposium.updated",
                       "symposium.cancelled"]
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.actor_id == coordinator.id)).all()
    assert all("token" not in str(e.after) and "hash" not in str(e.after) for e in entries)


def test_a_symposium_ends_after_it_starts_and_answers_close_before_it(session, coordinator):
    with pytest.raises(DomainError) as error:
        services.create_symposium(session, fields(ends_at=datetime(2020, 1, 1)), actor=coordinator)
    assert error.value.field == "ends_at"
    with pytest.raises(DomainError) as error:
        services.create_symposium(session, fields(rsvp_deadline=utcnow() + timedelta(days=400)),
                                  actor=coordinator)
    assert error.value.field == "rsvp_deadline"


def test_a_draft_symposium_exists_only_for_those_who_run_symposia(
    session, make_symposium, make_user, coordinator
):
    draft = make_symposium(publish=False)
    assert services.get_symposium(session, draft.id, viewer=coordinator) is draft
    for role in (Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR):
        with pytest.raises(NotFound):
            services.get_symposium(session, draft.id, viewer=make_user(role=role, country="US"))
