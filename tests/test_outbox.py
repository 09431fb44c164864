"""The mail outbox: queued with the change, delivered once over real SMTP, retried when down."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import PASSWORD, csrf_token
from tests.enrolment.conftest import build_course
from tests.servers import BIN, ROOT, free_port, server_env
from training.accounts.models import Role, User
from training.core.database import utcnow
from training.core.headers import attachment, header_value
from training.outbox.models import OutboxMessage, OutboxStatus
from training.outbox.services import deliver_pending, queue_mail


def _queue(session, n):
    for i in range(n):
        queue_mail(session, to=f"person{i}@example.org", template="password_reset",
                   user=type("U", (), {"name": f"P{i}"})(), url=f"http://x/{i}", minutes=60)


def test_mail_is_queued_only_when_the_transaction_commits(session, mailbox):
    _queue(session, 1)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    _queue(session, 1)
    session.commit()
    assert deliver_pending(session).sent == 1
    [message] = mailbox.messages
    assert message["To"] == "person0@example.org"
    assert message["Subject"] == "Reset your training password"
    assert "http://x/0" in message.get_content()
    # The link left with the mail; the database keeps no copy of it.
    stored = session.scalar(sa.select(OutboxMessage))
    assert stored.status is OutboxStatus.SENT and "http://x/0" not in stored.body


def test_smtp_outage_loses_nothing_and_backs_off(app, session, mailbox):
    _queue(session, 3)
    session.commit()
    real_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    report = deliver_pending(session)
    assert (report.sent, report.retried) == (0, 3)
    rows = session.scalars(sa.select(OutboxMessage)).all()
    assert all(m.status is OutboxStatus.PENDING and m.attempts == 1 and m.last_error for m in rows)
    assert all(m.next_attempt_at > utcnow() for m in rows)

    app.config["MAIL_PORT"] = real_port
    assert deliver_pending(session).sent == 0  # not due yet: backoff holds
    session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert deliver_pending(session).sent == 3
    assert sorted(m["To"] for m in mailbox.messages) == [f"person{i}@example.org" for i in range(3)]


def test_a_message_is_given_up_after_the_last_attempt(app, session, mailbox):
    _queue(session, 1)
    session.execute(sa.update(OutboxMessage).values(attempts=7))
    session.commit()
    app.config["MAIL_PORT"] = free_port()
    assert deliver_pending(session).failed == 1
    assert session.scalar(sa.select(OutboxMessage.status)) is OutboxStatus.FAILED


def test_a_dead_senders_claim_expires_and_the_message_is_retried(session, mailbox):
    _queue(session, 1)
    session.execute(sa.update(OutboxMessage).values(
        status=OutboxStatus.SENDING, claimed_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert deliver_pending(session).sent == 1
    assert len(mailbox.messages) == 1


@pytest.mark.commits
def test_two_send_commands_at_once_deliver_each_message_exactly_once(app: Flask, session, mailbox):
    total = 60
    _queue(session, total)
    session.commit()
    env = server_env(app.config["SQLALCHEMY_DATABASE_URI"],
                     MAIL_SERVER="127.0.0.1", MAIL_PORT=str(app.config["MAIL_PORT"]))
    senders = [
        subprocess.Popen([str(BIN / "flask"), "--app", "training", "outbox", "send"],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [sender.communicate(timeout=120) for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0], outputs
    sent = [int(re.search(r"sent (\d+)", out).group(1)) for out, _err in outputs]
    assert sum(sent) == total
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == sorted(f"person{i}@example.org" for i in range(total))  # none twice
    session.expire_all()
    assert session.scalar(
        sa.select(sa.func.count()).where(OutboxMessage.status == OutboxStatus.SENT)) == total


def test_outbox_send_command_reports_what_it_did(app, session, mailbox):
    _queue(session, 2)
    session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "sent 2" in result.output
    assert len(mailbox.messages) == 2


def test_a_carriage_return_in_a_name_does_not_stop_the_mail(app, client, session, mailbox, make_user):
    coordinator = make_user(role=Role.COORDINATOR, country=None)
    course = build_course(session, quotas={"US": 5}, requires_approval=True)
    hostile = "Eve\rBcc: victim@evil.example"
    signup = client.post("/signup", data={
        "csrf_token": csrf_token(client, "/signup"), "name": hostile,
        "email": "eve@example.org", "organisation": "Nowhere", "country": "US",
        "timezone": "UTC", "locale": "", "password": PASSWORD, "confirm": PASSWORD,
    })
    assert signup.status_code == 400  # the form refuses it now; an older account may still have it
    eve = make_user(email="eve@example.org", name="Eve")
    session.execute(sa.update(User).where(User.id == eve.id).values(name=hostile))
    session.commit()
    client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "email": "eve@example.org",
                                "password": PASSWORD})
    enrol = client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": csrf_token(client, "/")})
    assert enrol.status_code == 302
    _queue(session, 1)  # queued after the poisoned one: it must go out too
    session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    [to_coordinator] = mailbox.to(coordinator.email)
    assert "Eve Bcc: victim@evil.example" in to_coordinator["Subject"]
    assert "\r" not in to_coordinator["Subject"] and to_coordinator["Bcc"] is None
    assert mailbox.to("person0@example.org")
    assert all("victim@evil.example" not in str(m["To"]) for m in mailbox.messages)
    session.expire_all()
    assert set(session.scalars(sa.select(OutboxMessage.status))) == {OutboxStatus.SENT}


def test_a_message_that_cannot_be_built_fails_alone_and_the_rest_go_out(session, mailbox):
    _queue(session, 3)
    session.commit()
    poisoned = session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()[1]
    poisoned.calendar_method, poisoned.calendar_body = "REQUEST\r\nX", "BEGIN:VCALENDAR"
    session.commit()

    report = deliver_pending(session)

    assert (report.sent, report.failed) == (2, 1)
    assert sorted(m["To"] for m in mailbox.messages) == ["person0@example.org", "person2@example.org"]
    session.expire_all()
    failed = session.get_one(OutboxMessage, poisoned.id)
    assert failed.status is OutboxStatus.FAILED
    assert "not an iTIP method" in failed.last_error
    assert deliver_pending(session).failed == 0  # given up for good, not retried forever


def test_a_message_delivered_twice_carries_the_same_message_id(session, mailbox):
    _queue(session, 2)
    session.commit()
    assert deliver_pending(session).sent == 2
    # The server took the first message but its acknowledgement was lost: the row is
    # still due, and the sender delivers it again.
    first = session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).first()
    first.status, first.body = OutboxStatus.PENDING, "again"
    session.commit()
    assert deliver_pending(session).sent == 1

    copies = mailbox.to("person0@example.org")
    assert len(copies) == 2
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]
    assert copies[0]["Message-ID"] == first.message_id
    [other] = mailbox.to("person1@example.org")
    assert other["Message-ID"] != first.message_id
    assert re.fullmatch(r"<outbox\.[0-9a-f]{32}@training\.test>", first.message_id)


def test_a_download_filename_never_breaks_the_header_line():
    assert header_value("Eve\rBcc: x@evil.example\n\u2028end") == "Eve Bcc: x@evil.example end"
    assert attachment('a"\r\nb.csv') == 'attachment; filename="a_ b.csv"'
    assert attachment("北京.ics") == (
        "attachment; filename=\"__.ics\"; filename*=UTF-8''%E5%8C%97%E4%BA%AC.ics")


def test_mail_to_an_erased_persons_placeholder_is_kept_but_never_sent(app, session, mailbox):
    queue_mail(session, to="erased-12@invalid", template="password_reset_no_account",
               signup_url="http://example.org/signup")
    session.commit()
    deliver_pending(session)
    session.commit()
    message = session.scalars(sa.select(OutboxMessage)
                              .where(OutboxMessage.recipient == "erased-12@invalid")).one()
    assert message.status is OutboxStatus.FAILED and message.attempts == 0
    assert mailbox.to("erased-12@invalid") == []
