"""A refused RSVP answer opens at its errors, the stored answer still shows, and declining keeps the names."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.conftest import csrf_token
from training.symposia import services
from training.symposia.models import Answer, Delegate, Invitation


def _answer(client, token, **data):
    data.setdefault("csrf_token", csrf_token(client, f"/rsvp/{token}"))
    return client.post(f"/rsvp/{token}", data=data)


def _summary(html: str) -> str:
    match = re.search(r'<div class="error-summary" id="errors" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(1)


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no {name} field"
    return match.group(1).strip()


def test_a_refused_answer_opens_at_a_summary_linking_to_the_field(client, session, symposium, invite):
    invitation, token = invite(symposium, delegates_allowed=2)
    assert _answer(client, token, answer="accepted", delegates="Sarah Mitchell").status_code == 302

    response = _answer(client, token, answer="accepted", delegates="A\nB\nC")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = _summary(html)
    assert "There is a problem" in summary
    assert '<a href="#delegates">' in summary and "You may name at most 2 delegates; you named 3." in summary
    assert 'id="delegates"' in html  # the field the link leads to
    # Posting again lands on the summary of the page that comes back, without JavaScript.
    assert f'action="/rsvp/{token}#errors"' in html
    # The summary sits in the answer form, below what stands: the stored answer.
    assert html.index("Current answer: accepted") < html.index('id="errors"') < html.index('name="answer"')


def test_a_refusal_by_the_service_shows_the_stored_answer_not_the_refused_one(
        client, session, make_symposium, invite):
    symposium = make_symposium(capacity=1)
    _first, first_token = invite(symposium, "a@google.example")
    _second, second_token = invite(symposium, "b@facebook.example")
    assert _answer(client, first_token, answer="accepted", delegates="A1").status_code == 302
    assert _answer(client, second_token, answer="declined", delegates="").status_code == 302

    response = _answer(client, second_token, answer="accepted", delegates="B1")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Current answer: declined" in html and "Current answer: accepted" not in html
    assert "The symposium is full" in _summary(html)


def test_an_answer_without_a_choice_links_to_the_first_option(client, session, symposium, invite):
    _invitation, token = invite(symposium)
    html = _answer(client, token, delegates="A").get_data(as_text=True)
    assert '<a href="#answer-0">' in _summary(html) and 'id="answer-0"' in html


def test_the_page_without_errors_has_no_summary(client, symposium, invite):
    _invitation, token = invite(symposium)
    html = client.get(f"/rsvp/{token}").get_data(as_text=True)
    assert 'id="errors"' not in html and f'action="/rsvp/{token}#errors"' in html


def test_declining_keeps_the_delegates_typed_without_counting_them(client, session, symposium, invite):
    invitation, token = invite(symposium)
    assert _answer(client, token, answer="accepted", delegates="Sarah Mitchell\nKevin Wu").status_code == 302
    assert services.accepted_delegates(session, symposium.id) == 2

    # The form still holds the names when the invitee declines.
    assert _answer(client, token, answer="declined", delegates="Sarah Mitchell\nKevin Wu").status_code == 302
    session.expire_all()
    declined = session.get(Invitation, invitation.id)
    assert declined.answer is Answer.DECLINED
    assert services.accepted_delegates(session, symposium.id) == 0
    assert declined.attending_delegates == []
    board = services.dashboard(session, symposium)
    assert board.accepted_delegates == 0 and "Kevin Wu" not in services.delegates_csv(board)

    # Back on the page, the names are still there to accept with.
    page = client.get(f"/rsvp/{token}").get_data(as_text=True)
    assert _textarea(page, "delegates") == "Sarah Mitchell\nKevin Wu"
    assert _answer(client, token, answer="accepted", delegates="Sarah Mitchell\nKevin Wu").status_code == 302
    assert services.accepted_delegates(session, symposium.id) == 2


def test_a_decline_is_not_refused_for_the_delegates_typed(client, session, symposium, invite):
    invitation, token = invite(symposium, delegates_allowed=2)
    response = _answer(client, token, answer="declined", delegates="A\nB\nC\nA")
    assert response.status_code == 302
    session.expire_all()
    declined = session.get(Invitation, invitation.id)
    assert declined.answer is Answer.DECLINED
    kept = session.scalars(sa.select(Delegate.name).where(Delegate.invitation_id == invitation.id)
                           .order_by(Delegate.position)).all()
    assert kept == ["A", "B"]  # within the limit, each once


def test_the_api_lists_no_delegates_for_a_declined_invitation(client, session, symposium, invite):
    _invitation, token = invite(symposium)
    assert _answer(client, token, answer="accepted", delegates="Sarah Mitchell").status_code == 302
    declined = {"response": "declined", "delegates": [], "note": ""}
    response = client.post(f"/api/v1/rsvp/{token}", json=declined)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["delegates"] == []
