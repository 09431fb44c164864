"""Cancelling a symposium, revoking an invitation and removing a programme item ask first: the
dashboard's button leads to a page naming the consequence, and only that page's form acts."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from tests.conftest import csrf_token
from training.outbox.models import OutboxMessage
from training.symposia import services
from training.symposia.models import Invitation, ProgrammeSession, Symposium, SymposiumStatus


def _confirmation_fields(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" class="form" novalidate>(.*?)</form>', html, re.S).group(1)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        value = re.search(r'value="([^"]*)"', tag)
        fields[re.search(r'name="([^"]+)"', tag).group(1)] = unescape(value.group(1)) if value else ""
    return fields


def _mails(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_cancelling_a_symposium_names_how_many_invitees_are_told(client, login, coordinator, session,
                                                                 symposium, invite):
    accepted, _ = invite(symposium)
    services.answer_invitation(session, accepted, answer="accepted", delegates=["Sarah Mitchell"])
    declined, _ = invite(symposium, email="policy@facebook.example", name="Tom Reed")
    services.answer_invitation(session, declined, answer="declined")
    invite(symposium, email="policy@apple.example", name="Ann Lee")
    session.commit()
    login(coordinator)
    dashboard = f"/symposia/{symposium.id}"
    path = f"{dashboard}/cancel"
    assert f'href="{path}"' in client.get(dashboard).get_data(as_text=True)
    html = client.get(path).get_data(as_text=True)
    assert f"Cancel “{symposium.title}”?" in html
    assert "2 invitees who have not declined are told by mail; it leaves their calendars." in html
    assert "Keep the symposium" in html
    mails = _mails(session)

    refused = client.post(path, data={"csrf_token": csrf_token(client, dashboard)})
    assert refused.status_code == 200
    session.expire_all()
    assert session.get(Symposium, symposium.id).status is SymposiumStatus.PUBLISHED
    assert _mails(session) == mails

    assert client.post(path, data=_confirmation_fields(html)).status_code == 302
    session.expire_all()
    assert session.get(Symposium, symposium.id).status is SymposiumStatus.CANCELLED
    assert _mails(session) == mails + 2


def test_revoking_an_invitation_names_the_delegates_who_stop_counting(client, login, coordinator, session,
                                                                      symposium, invite):
    invitation, _ = invite(symposium)
    services.answer_invitation(session, invitation, answer="accepted", delegates=["Sarah Mitchell", "Li Wei"])
    session.commit()
    login(coordinator)
    dashboard = f"/symposia/{symposium.id}"
    path = f"{dashboard}/invitations/{invitation.id}/revoke"
    assert f'href="{path}"' in client.get(dashboard).get_data(as_text=True)
    html = client.get(path).get_data(as_text=True)
    assert f"Revoke the invitation of Sarah Mitchell to “{symposium.title}”?" in html
    assert "The 2 delegates they named stop counting against the capacity." in html
    assert "Sarah Mitchell is told by mail; the symposium leaves their calendar." in html

    client.post(path, data={"csrf_token": csrf_token(client, dashboard)})
    session.expire_all()
    assert session.get(Invitation, invitation.id).revoked_at is None
    assert services.accepted_delegates(session, symposium.id) == 2

    done = client.post(path, data=_confirmation_fields(html))
    assert done.headers["Location"] == dashboard
    session.expire_all()
    assert session.get(Invitation, invitation.id).revoked_at is not None
    assert services.accepted_delegates(session, symposium.id) == 0


def test_removing_a_programme_item_asks_first(client, login, coordinator, session, symposium):
    item = session.scalars(
        sa.select(ProgrammeSession).where(ProgrammeSession.symposium_id == symposium.id)).one()
    login(coordinator)
    dashboard = f"/symposia/{symposium.id}"
    path = f"{dashboard}/sessions/{item.id}/delete"
    assert f'href="{path}"' in client.get(dashboard).get_data(as_text=True)
    html = client.get(path).get_data(as_text=True)
    assert f"Remove “Opening” from the programme of “{symposium.title}”?" in html
    assert "this cannot be undone" in html and "Keep it on the programme" in html

    client.post(path, data={"csrf_token": csrf_token(client, dashboard)})
    assert session.scalar(sa.select(sa.func.count()).select_from(ProgrammeSession)) == 1
    client.post(path, data=_confirmation_fields(html))
    assert session.scalar(sa.select(sa.func.count()).select_from(ProgrammeSession)) == 0
