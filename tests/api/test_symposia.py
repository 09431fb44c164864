"""The symposia API: creating and publishing, invitations with links shown once, RSVP answers."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.api.test_api_core import assert_problem
from training import create_app
from training.core.database import utcnow
from training.core.extensions import db
from training.outbox.models import OutboxMessage
from training.symposia.models import Invitation

BEIJING = ZoneInfo("Asia/Shanghai")


def symposium_body(**overrides):
    day = (utcnow() + timedelta(days=45)).astimezone(BEIJING).date()
    return {
        "title": "Cyber Counter-Terrorism Symposium",
        "city": "Beijing",
        "venue": "Beijing International Convention Center",
        "timezone": "Asia/Shanghai",
        "starts_at": f"{day}T09:00:00",
        "ends_at": f"{day + timedelta(days=1)}T17:00:00",
        "rsvp_deadline": f"{day - timedelta(days=15)}T18:00:00",
        "capacity": 3,
    } | overrides


def make_symposium(call, publish=True, **overrides):
    created = call("POST", "/symposia", "coordinator", symposium_body(**overrides))
    assert created.status_code == 201, created.json
    if publish:
        assert call("POST", f"/symposia/{created.json['id']}/publish", "coordinator").status_code == 200
    return created.json


def invite(call, symposium_id, *invitees):
    response = call("POST", f"/symposia/{symposium_id}/invitations", "coordinator", {"invitations": [
        {"name": name, "email": email, "organisation": org, "delegates_allowed": n}
        for name, email, org, n in invitees]})
    assert response.status_code == 201, response.json
    return response.json["items"]


def token_of(item):
    return item["rsvp_url"].rsplit("/", 1)[1]


def test_a_symposium_is_created_as_a_draft_in_its_own_timezone(call):
    created = make_symposium(call, publish=False)
    assert created["status"] == "draft" and created["organiser_email"] == "chen@mps.example"
    assert created["starts_at"].endswith("T09:00:00+08:00")
    assert created["answers"] == {"accepted": 0, "tentative": 0, "declined": 0, "pending": 0, "revoked": 0}
    assert_problem(call("GET", f"/symposia/{created['id']}"), 404)  # drafts are the coordinators'
    body = assert_problem(call("POST", "/symposia", "coordinator", symposium_body(
        rsvp_deadline=symposium_body()["ends_at"])), 422)
    assert "rsvp_deadline" in body["errors"]


def test_published_symposium_is_public_without_the_answers(call):
    symposium = make_symposium(call)
    public = call("GET", f"/symposia/{symposium['id']}")
    assert public.status_code == 200 and public.json["answers"] is None
    assert public.json["calendar_url"].endswith(f"/calendar/symposia/{symposium['slug']}.ics")


def test_invitation_links_are_shown_when_created_or_resent_and_never_listed(call, session):
    symposium = make_symposium(call)
    items = invite(call, symposium["id"], ("Sarah Mitchell", "policy@google.example", "Google", 2))
    assert items[0]["status"] == "pending" and items[0]["rsvp_url"].startswith("http://training.test/rsvp/")
    mail = session.scalars(sa.select(OutboxMessage.body).where(
        OutboxMessage.recipient == "policy@google.example")).one()
    assert items[0]["rsvp_url"] in mail
    listed = call("GET", f"/symposia/{symposium['id']}/invitations", "coordinator").json
    assert listed["total"] == 1 and "rsvp_url" not in listed["items"][0]
    stored = session.get(Invitation, items[0]["id"])
    assert token_of(items[0]) not in (stored.token_hash or "")
    resent = call("POST", f"/invitations/{items[0]['id']}/resend", "coordinator").json
    assert resent["rsvp_url"] != items[0]["rsvp_url"]
    # The old link is dead, the new one works.
    assert_problem(call("POST", f"/rsvp/{token_of(items[0])}", json={"response": "declined"}), 404)
    assert call("POST", f"/rsvp/{token_of(resent)}", json={"response": "declined"}).status_code == 200


def test_invitations_on_a_draft_get_their_link_by_mail_when_published(call):
    symposium = make_symposium(call, publish=False)
    items = invite(call, symposium["id"], ("Sarah Mitchell", "policy@google.example", "Google", 2))
    assert items[0]["rsvp_url"] is None and items[0]["sent_at"] is None
    assert_problem(call("POST", f"/invitations/{items[0]['id']}/resend", "coordinator"), 422)


def test_an_invitation_list_goes_in_whole_or_not_at_all(call):
    symposium = make_symposium(call)
    invite(call, symposium["id"], ("Sarah Mitchell", "policy@google.example", "Google", 2))
    body = assert_problem(call("POST", f"/symposia/{symposium['id']}/invitations", "coordinator", {
        "invitations": [{"name": "Tom", "email": "tom@meta.example"},
                        {"name": "Sarah", "email": "POLICY@google.example"}]}), 409)
    assert body["errors"] == {"invitations.1.email": ["policy@google.example is already invited."]}
    assert call("GET", f"/symposia/{symposium['id']}/invitations", "coordinator").json["total"] == 1
    bad = assert_problem(call("POST", f"/symposia/{symposium['id']}/invitations", "coordinator", {
        "invitations": [{"name": "Tom", "email": "not an address"}]}), 422)
    assert "invitations.0.email" in bad["errors"]


def test_rsvp_answers_within_capacity_and_a_refusal_leaves_the_earlier_answer(call, session):
    symposium = make_symposium(call, capacity=3)
    google, meta = invite(call, symposium["id"], ("Sarah Mitchell", "policy@google.example", "Google", 3),
                          ("Tom Baker", "policy@meta.example", "Meta", 3))
    accepted = call("POST", f"/rsvp/{token_of(google)}", json={
        "response": "accepted", "note": "Two engineers",
        "delegates": [{"name": "Sarah Mitchell", "email": "sarah@google.example"}, {"name": "Raj Patel"}]})
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["delegates"] == [{"name": "Sarah Mitchell", "email": "sarah@google.example"},
                                          {"name": "Raj Patel", "email": ""}]
    call("POST", f"/rsvp/{token_of(meta)}", json={"response": "tentative", "delegates": [{"name": "Tom"}]})
    full = assert_problem(call("POST", f"/rsvp/{token_of(meta)}", json={
        "response": "accepted", "delegates": [{"name": "Tom"}, {"name": "Ann"}]}), 409)
    assert "Your earlier answer stands" in full["detail"] and "delegates" in full["errors"]
    assert session.get(Invitation, meta["id"]).answer.value == "tentative"
    too_many = assert_problem(call("POST", f"/rsvp/{token_of(google)}", json={
        "response": "accepted", "delegates": [{"name": n} for n in "ABCD"]}), 422)
    assert "at most 3" in too_many["detail"]
    assert_problem(call("POST", f"/rsvp/{token_of(google)}", json={"response": "maybe"}), 422)
    board = call("GET", f"/symposia/{symposium['id']}", "coordinator").json
    assert board["answers"]["accepted"] == 1 and board["answers"]["tentative"] == 1
    assert (board["accepted_delegates"], board["places_left"]) == (2, 1)


def test_unknown_and_revoked_rsvp_tokens_are_a_plain_404(call, session, people):
    from training.symposia import services

    symposium = make_symposium(call)
    (item,) = invite(call, symposium["id"], ("Sarah Mitchell", "policy@google.example", "Google", 2))
    invitation, sym = services.invitation_by_id(session, item["id"])
    services.revoke_invitation(session, sym, invitation, actor=people["coordinator"])
    session.commit()
    revoked = assert_problem(call("POST", f"/rsvp/{token_of(item)}", json={"response": "declined"}), 404)
    unknown = assert_problem(call("POST", "/rsvp/" + "A" * 43, json={"response": "declined"}), 404)
    odd = assert_problem(call("POST", "/rsvp/short", json={"response": "declined"}), 404)
    assert revoked["detail"] == unknown["detail"] == odd["detail"] == "There is nothing here."


@pytest.mark.commits
def test_rsvp_is_rate_limited(call, database_url):
    symposium = make_symposium(call)
    (item,) = invite(call, symposium["id"], ("Sarah Mitchell", "policy@google.example", "Google", 2))
    limited_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                                         "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": False})
    limited = limited_app.test_client()
    try:
        statuses = [limited.post("/api/v1/rsvp/" + "B" * 43, json={"response": "declined"}).status_code
                    for _ in range(30)]
        # Guessing links from one address soon stops, and a real link waits too.
        last = limited.post(f"/api/v1/rsvp/{token_of(item)}", json={"response": "declined"})
    finally:
        with limited_app.app_context():
            db.engine.dispose()
    assert statuses == [404] * 30
    assert assert_problem(last, 429)["detail"] == "Too many requests. Wait a minute, then try again."


def test_invitation_list_runs_the_same_queries_for_2_and_40(call, count_queries):
    symposium = make_symposium(call, capacity=200)
    path = f"/symposia/{symposium['id']}/invitations?per_page=100"

    def listed() -> int:
        with count_queries() as counter:
            assert call("GET", path, "coordinator").status_code == 200
        return counter.count

    items = invite(call, symposium["id"], *[(f"P{n}", f"p{n}@x.example", "X", 2) for n in range(2)])
    call("POST", f"/rsvp/{token_of(items[0])}", json={"response": "accepted", "delegates": [{"name": "A"}]})
    small = listed()
    items = invite(call, symposium["id"], *[(f"P{n}", f"p{n}@x.example", "X", 2) for n in range(2, 40)])
    for item in items[:10]:
        call("POST", f"/rsvp/{token_of(item)}", json={"response": "accepted", "delegates": [{"name": "A"}]})
    assert listed() == small
