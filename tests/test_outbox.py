"""The mail outbox: queued with the change, delivered once over real SMTP, retried when down."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.servers import BIN, ROOT, free_port, server_env
from training.core.database import utcnow
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
