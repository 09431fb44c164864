"""Simultaneous answers from many invitees never push accepted delegates past capacity."""

from __future__ import annotations

import re
import threading

import pytest
import requests
import sqlalchemy as sa

from tests.servers import running_server
from training.symposia import services
from training.symposia.models import Answer, Invitation

pytestmark = pytest.mark.commits

INVITEES = 16
CAPACITY = 7


def test_simultaneous_acceptances_never_exceed_capacity(app, session, make_symposium, invite):
    symposium = make_symposium(capacity=CAPACITY)
    tokens = []
    for n in range(INVITEES):
        invitation, token = invite(symposium, f"delegation{n}@example.org", organisation=f"Org {n}",
                                   delegates_allowed=2)
        services.answer_invitation(session, invitation, answer="tentative", delegates=[f"T{n}"])
        tokens.append(token)
    session.commit()

    with running_server(app.config["SQLALCHEMY_DATABASE_URI"], workers=4) as base_url:
        clients, forms = [], []
        for token in tokens:
            client = requests.Session()
            html = client.get(f"{base_url}/rsvp/{token}", timeout=30).text
            csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
            clients.append(client)
            forms.append({"csrf_token": csrf, "answer": "accepted", "delegates": "First\nSecond"})
        start = threading.Barrier(INVITEES)
        responses: list[requests.Response | None] = [None] * INVITEES

        def answer(i: int) -> None:
            # The connection kept alive from the form's page may be closed by the server (gunicorn
            # keeps an idle one for two seconds) just as the burst reuses it: each answer opens its own.
            clients[i].close()
            start.wait()
            responses[i] = clients[i].post(f"{base_url}/rsvp/{tokens[i]}", data=forms[i],
                                           headers={"Connection": "close"}, allow_redirects=False, timeout=60)

        threads = [threading.Thread(target=answer, args=(i,)) for i in range(INVITEES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    codes = [r.status_code for r in responses]
    assert set(codes) <= {302, 400}, codes
    refused = [r for r in responses if r.status_code == 400]
    assert all("The symposium is full" in r.text and "Your earlier answer stands." in r.text for r in refused)
    session.expire_all()
    assert services.accepted_delegates(session, symposium.id) == 2 * codes.count(302) == CAPACITY - 1
    answers = session.scalars(sa.select(Invitation.answer)).all()
    assert answers.count(Answer.ACCEPTED) == codes.count(302) == CAPACITY // 2
    assert answers.count(Answer.TENTATIVE) == INVITEES - CAPACITY // 2  # the refused kept their answer
