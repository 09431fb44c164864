"""A person's export: everything held about them as JSON, for themselves (page and API) and for an
administrator; never a document's bytes, a token or a feed secret; every export audited."""

from __future__ import annotations

import json

import flask
import pytest
import sqlalchemy as sa

from tests.clearance.conftest import PDF
from tests.conftest import sign_in
from tests.personal_data.conftest import EMAIL, NAME
from training.accounts.models import FeedToken, Role
from training.accounts.tokens import issue_token
from training.audit.models import AuditEntry
from training.core.database import request_writes


def _audit_of_exports(session):
    return session.execute(sa.select(AuditEntry.actor_id, AuditEntry.subject_id, AuditEntry.via)
                           .where(AuditEntry.action == "user.exported").order_by(AuditEntry.id)).all()


def test_a_person_downloads_everything_held_about_them(app, session, target):
    person, made, _second, symposium = target
    client = app.test_client()
    sign_in(client, person)
    assert "/profile/export.json" in client.get("/profile").get_data(as_text=True)
    response = client.get("/profile/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="person-{person.id}-export.json"'
    assert response.headers["Cache-Control"] == "private, no-store"
    export = json.loads(response.get_data(as_text=True))
    assert export["account"]["name"] == NAME and export["account"]["email"] == EMAIL
    assert {e["course"]["id"] for e in export["enrolments"]} == {made.course_id, _second.id}
    waiting = next(e for e in export["enrolments"] if e["course"]["id"] == _second.id)
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
    confirmed = next(e for e in export["enrolments"] if e["course"]["id"] == made.course_id)
    assert [a["present"] for a in confirmed["attendance"]] == [True]
    items = {i["key"]: i for i in export["clearance"][0]["items"]}
    assert items["nomination"]["state"] == "returned" and "Unsigned" in items["nomination"]["reason"]
    document = items["passport"]["documents"][0]
    assert document["filename"] == "zhao-lei-passport.pdf" and document["size"] == len(PDF)
    assert export["invitations"][0]["symposium"]["id"] == symposium.id
    assert [d["name"] for d in export["invitations"][0]["delegates"]] == [NAME, "Wang Fang"]
    assert export["calendar"]["personal_feed"] is True
    assert export["account"]["api_tokens"][0]["name"] == "agency sync"
    sentences = [e["said"] for e in export["audit"]["entries"]]
    assert any("submitted zhao-lei-passport.pdf" in s for s in sentences)
    text = response.get_data(as_text=True)
    # Never the file, a token, a password hash or the feed's secret.
    token = session.scalar(sa.select(FeedToken).where(FeedToken.user_id == person.id))
    for secret in (PDF.decode("latin-1")[:20], token.token_hash, token.nonce, person.password_hash):
        assert secret not in text
    assert _audit_of_exports(session) == [(person.id, person.id, "web")]


def test_the_api_exports_the_caller_and_nobody_else(app, session, target):
    person = target[0]
    token, _row = issue_token(session, person, name="export")
    session.commit()
    client = app.test_client()
    assert client.get("/api/v1/me/export").status_code == 401
    response = client.get("/api/v1/me/export", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["account"]["email"] == EMAIL
    assert _audit_of_exports(session) == [(person.id, person.id, "api")]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_an_admin_exports_anyone_from_people_and_nobody_else_can(app, session, target, make_user, role):
    person = target[0]
    viewer = make_user(role, "US")
    client = app.test_client()
    sign_in(client, viewer)
    response = client.get(f"/admin/users/{person.id}/export.json")
    if role is Role.ADMIN:
        assert f"/admin/users/{person.id}/export.json" in client.get("/admin/users").get_data(as_text=True)
        assert response.status_code == 200 and response.get_json()["account"]["name"] == NAME
        assert _audit_of_exports(session) == [(viewer.id, person.id, "web")]
        trail = client.get("/admin/audit").get_data(as_text=True)
        assert f"{viewer.name} exported the personal data of {NAME}." in trail
    else:
        assert response.status_code == 403 and _audit_of_exports(session) == []


@pytest.mark.parametrize("path", ["/profile/export.json", "/admin/users/7/export.json", "/api/v1/me/export"])
def test_an_export_begins_as_a_writing_request(app, path):
    """Its audit entry is a write: on SQLite the transaction takes the write lock from the start."""
    with app.test_request_context(path, method="GET"):
        assert flask.request.method == "GET"
        assert request_writes() is True


def test_people_and_the_erase_confirmation_run_the_same_queries_for_3_and_30_people(
        app, session, make_user, count_queries):
    admin = make_user(Role.ADMIN, None)
    person = make_user(Role.PERSONNEL, "US")
    client = app.test_client()
    sign_in(client, admin)

    def measure():
        session.expire_all()  # each run starts from the database, as a request in production does
        counts = []
        for path in ("/admin/users", f"/admin/users/{person.id}/erase"):
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            counts.append(counter.count)
        return counts

    first = measure()
    for _ in range(27):
        make_user(Role.PERSONNEL, "CN")
    assert measure() == first


def test_a_visitor_signed_out_is_sent_to_sign_in_for_an_export(client):
    response = client.get("/profile/export.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
