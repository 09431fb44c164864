"""The RSVP page an invitee opens, and the coordinator's pages, through HTTP with CSRF on."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.symposia.conftest import last_link
from training import create_app
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.core.database import utcnow
from training.core.extensions import db
from training.symposia import services
from training.symposia.models import CAPACITY_MAX, Answer, Invitation, Symposium, SymposiumStatus


def _answer(client, token, **data):
    data.setdefault("csrf_token", csrf_token(client, f"/rsvp/{token}"))
    return client.post(f"/rsvp/{token}", data=data)


def _invitation(session, invitation_id):
    session.expire_all()
    return session.get(Invitation, invitation_id)


def test_opening_the_link_shows_the_invitation_and_changes_nothing(client, session, symposium, invite):
    invitation, token = invite(symposium)
    entries = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = client.get(f"/rsvp/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Cyber Counter-Terrorism Symposium" in html and "Beijing International Convention Center" in html
    assert "You may name up to 3 delegates." in html and "You have not answered yet." in html
    assert "Opening" in html  # the programme
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert _invitation(session, invitation.id).answer is None
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == entries


def test_an_invitee_accepts_names_delegates_and_changes_their_mind(client, session, symposium, invite):
    invitation, token = invite(symposium)
    response = _answer(client, token, answer="accepted", delegates="Sarah Mitchell\nKevin Wu\n",
                       note="Kevin needs step-free access.")
    assert response.status_code == 302
    page = client.get(f"/rsvp/{token}").get_data(as_text=True)
    assert "Your answer is recorded" in page and "Current answer: accepted" in page
    answered = _invitation(session, invitation.id)
    assert answered.answer is Answer.ACCEPTED and answered.note == "Kevin needs step-free access."
    assert services.accepted_delegates(session, symposium.id) == 2
    assert _answer(client, token, answer="declined", delegates="", note="").status_code == 302
    assert _invitation(session, invitation.id).answer is Answer.DECLINED
    assert services.accepted_delegates(session, symposium.id) == 0


def test_an_answer_without_the_csrf_token_is_refused(client, session, symposium, invite):
    invitation, token = invite(symposium)
    response = client.post(f"/rsvp/{token}", data={"answer": "accepted", "delegates": "A"})
    assert response.status_code == 400
    assert _invitation(session, invitation.id).answer is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer": "accepted", "delegates": "A\nB\nC\nD"}, "You may name at most 3 delegates; you named 4."),
        ({"answer": "maybe", "delegates": "A"}, "Not a valid choice"),
        ({"delegates": "A"}, "Choose accept, decline or tentative."),
        ({"answer": "accepted", "delegates": ""}, "Name at least one delegate."),
    ],
)
def test_bad_answers_get_a_clear_message_and_change_nothing(
        client, session, symposium, invite, data, message):
    invitation, token = invite(symposium)
    response = _answer(client, token, **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _invitation(session, invitation.id).answer is None


def test_a_full_symposium_refuses_the_answer_and_the_earlier_one_stands(
        client, session, make_symposium, invite):
    symposium = make_symposium(capacity=2)
    first, first_token = invite(symposium, "a@google.example")
    second, second_token = invite(symposium, "b@facebook.example")
    assert _answer(client, first_token, answer="accepted", delegates="A1\nA2").status_code == 302
    assert _answer(client, second_token, answer="tentative", delegates="B1").status_code == 302
    response = _answer(client, second_token, answer="accepted", delegates="B1")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The symposium is full: 0 of 2 places are left" in html and "Your earlier answer stands." in html
    assert "Current answer: tentative" in html
    assert _invitation(session, second.id).answer is Answer.TENTATIVE


def test_after_the_deadline_the_page_is_read_only_and_says_so(client, session, symposium, invite):
    invitation, token = invite(symposium)
    token_csrf = csrf_token(client, f"/rsvp/{token}")
    session.execute(sa.update(Symposium).values(rsvp_deadline=utcnow() - timedelta(minutes=1)))
    session.commit()
    html = client.get(f"/rsvp/{token}").get_data(as_text=True)
    assert "The deadline for answers has passed. This page is read-only now." in html
    assert 'name="answer"' not in html
    response = client.post(f"/rsvp/{token}", data={"csrf_token": token_csrf, "answer": "accepted",
                                                   "delegates": "A"})
    assert response.status_code == 400
    assert _invitation(session, invitation.id).answer is None


def test_unknown_revoked_and_malformed_links_get_the_same_plain_404(
        client, session, symposium, invite, coordinator):
    invitation, token = invite(symposium)
    services.revoke_invitation(session, symposium, invitation, actor=coordinator)
    session.commit()
    bodies = set()
    paths = (f"/rsvp/{token}", "/rsvp/" + "A" * 43, "/rsvp/not-a-token", "/rsvp/%00%ff", "/rsvp/" + "x" * 500)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        # The language switch names the page to come back to, and its form token is signed with
        # the second it was drawn in; everything else must be identical.
        body = re.sub(r'name="next" value="[^"]*"', "", response.get_data(as_text=True))
        bodies.add(re.sub(r'name="csrf_token" value="[^"]*"', "", body))
        assert client.post(path, data={"answer": "accepted"}).status_code in (400, 404)
    assert len(bodies) == 1
    assert "There is nothing here." in bodies.pop()


@pytest.mark.commits
def test_the_rsvp_page_is_rate_limited(database_url, smtp):
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                                     "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": False})
    with limited.app_context():
        client = limited.test_client()
        codes = [client.get("/rsvp/" + "B" * 43).status_code for _ in range(31)]
        db.session.remove()
        db.engine.dispose()
    assert codes[:30] == [404] * 30 and codes[30] == 429


# --- coordinator pages --------------------------------------------------------------------

def _routes(symposium_id: int, invitation_id: int, session_id: int) -> list[str]:
    base = f"/symposia/{symposium_id}"
    return ["/symposia/new", f"{base}/edit", f"{base}/publish", f"{base}/cancel", f"{base}/sessions",
            f"{base}/sessions/{session_id}/delete", f"{base}/invitations", f"{base}/invitations/import",
            f"{base}/invitations/{invitation_id}/revoke", f"{base}/invitations/{invitation_id}/resend"]


def _confirmation_pages(symposium_id: int, invitation_id: int, session_id: int) -> list[str]:
    base = f"/symposia/{symposium_id}"
    return [f"{base}/cancel", f"{base}/sessions/{session_id}/delete",
            f"{base}/invitations/{invitation_id}/revoke"]


@pytest.mark.parametrize("role", [Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR])
def test_only_coordinators_may_change_symposia(client, session, login, make_user, symposium, invite, role):
    invitation, _ = invite(symposium)
    programme = services.programme_of(session, symposium)
    token = csrf_token(client, "/login")
    login(make_user(role, country="US"))
    for path in _routes(symposium.id, invitation.id, programme[0].id):
        assert client.post(path, data={"csrf_token": token, "confirm": "yes"}).status_code == 403, path
    for path in _confirmation_pages(symposium.id, invitation.id, programme[0].id):
        assert client.get(path).status_code == 403, path
    for path in (f"/symposia/{symposium.id}", "/symposia/", f"/symposia/{symposium.id}/delegates.csv"):
        assert client.get(path).status_code == 403, path
    assert session.scalar(sa.select(Symposium.status)) is SymposiumStatus.PUBLISHED


def test_signed_out_visitors_are_sent_to_sign_in(client, symposium):
    response = client.get(f"/symposia/{symposium.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_symposium_form_refuses_a_capacity_beyond_what_the_api_accepts(client, session, login,
                                                                          coordinator):
    login(coordinator)
    day = (utcnow() + timedelta(days=40)).date()
    form = {"csrf_token": csrf_token(client, "/symposia/new"), "title": "Cyber Symposium",
            "city": "Beijing", "venue": "Diaoyutai", "timezone": "Asia/Shanghai", "capacity": "500000",
            "starts_at": f"{day}T09:00", "ends_at": f"{day}T17:00",
            "rsvp_deadline": f"{day - timedelta(days=10)}T18:00",
            "organiser_name": "Chen Jing", "organiser_email": "organiser@mps.example"}
    response = client.post("/symposia/new", data=form)
    assert response.status_code == 400
    errors = re.search(r'id="capacity-error">(.*?)</ul>', response.get_data(as_text=True), re.S)
    assert errors and f"{CAPACITY_MAX}" in errors.group(1)
    assert session.scalar(sa.select(sa.func.count()).select_from(Symposium)) == 0


def test_a_coordinator_creates_a_symposium_invites_and_publishes(
        client, session, login, coordinator, mailbox):
    login(coordinator)
    token = csrf_token(client, "/symposia/new")
    day = (utcnow() + timedelta(days=40)).date()
    form = {"csrf_token": token, "title": "Cyber Counter-Terrorism Symposium", "city": "Beijing",
            "venue": "Diaoyutai", "timezone": "Asia/Shanghai", "capacity": "20",
            "starts_at": f"{day}T09:00", "ends_at": f"{day + timedelta(days=1)}T17:00",
            "rsvp_deadline": f"{day - timedelta(days=10)}T18:00",
            "organiser_name": "Chen Jing", "organiser_email": "organiser@mps.example"}
    bad = client.post("/symposia/new", data=form | {"ends_at": f"{day - timedelta(days=1)}T17:00"})
    assert bad.status_code == 400 and "The symposium must end after it starts." in bad.get_data(as_text=True)
    response = client.post("/symposia/new", data=form)
    assert response.status_code == 302
    symposium = session.scalar(sa.select(Symposium))
    page = f"/symposia/{symposium.id}"

    added = client.post(f"{page}/invitations", data={
        "csrf_token": token, "name": "Sarah Mitchell", "email": "policy@google.example",
        "organisation": "Google", "delegates_allowed": "3"})
    assert added.status_code == 302
    duplicate = client.post(f"{page}/invitations", data={
        "csrf_token": token, "name": "Again", "email": "POLICY@google.example", "delegates_allowed": "1"})
    assert duplicate.status_code == 400
    assert "policy@google.example is already invited." in duplicate.get_data(as_text=True)

    csv_text = "David Chen,policy@facebook.example,Facebook,2\nbroken line\nLaura,policy@google.example,X,1\n"
    imported = client.post(f"{page}/invitations/import", data={
        "csrf_token": token, "text": "", "file": (io.BytesIO(csv_text.encode()), "invitees.csv")},
        content_type="multipart/form-data")
    html = imported.get_data(as_text=True)
    assert imported.status_code == 200
    assert "Line 1: Invited policy@facebook.example." in html
    assert "Line 2: Expected name, email, organisation, delegates allowed, language; found 1 value." in html
    assert "Line 3: policy@google.example is already invited." in html

    assert client.post(f"{page}/publish", data={"csrf_token": token}).status_code == 302
    session.expire_all()
    assert session.get(Symposium, symposium.id).status is SymposiumStatus.PUBLISHED
    from training.outbox.services import deliver_pending
    assert deliver_pending(session).sent == 2
    assert sorted(m["To"] for m in mailbox.messages) == ["policy@facebook.example", "policy@google.example"]

    google = session.scalar(sa.select(Invitation).where(Invitation.email == "policy@google.example"))
    # Delivered mail keeps no body in the outbox: the invitee's inbox has the link.
    delivered = mailbox.to(google.email)[-1].get_body(("plain",)).get_content()
    old = re.search(r"/rsvp/([A-Za-z0-9_-]+)", delivered).group(1)
    invitation_page = f"{page}/invitations/{google.id}"
    assert client.post(f"{invitation_page}/resend", data={"csrf_token": token}).status_code == 302
    new = last_link(session, google.email)
    assert client.get(f"/rsvp/{old}").status_code == 404 and client.get(f"/rsvp/{new}").status_code == 200
    revoked = client.post(f"{invitation_page}/revoke", data={"csrf_token": token, "confirm": "yes"})
    assert revoked.status_code == 302
    assert client.get(f"/rsvp/{new}").status_code == 404

    assert client.post(f"{page}/cancel", data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    session.expire_all()
    assert session.get(Symposium, symposium.id).status is SymposiumStatus.CANCELLED
    actions = session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.topic == f"symposium:{symposium.id}", AuditEntry.actor_id == coordinator.id)).all()
    assert {"symposium.created", "invitation.added", "symposium.published", "invitation.resent",
            "invitation.revoked", "symposium.cancelled"} <= set(actions)


def test_the_dashboard_counts_answers_and_organisations_and_exports_delegates(
        client, session, login, coordinator, symposium, invite):
    google, _ = invite(symposium, "a@google.example", organisation="Google")
    facebook, _ = invite(symposium, "b@facebook.example", organisation="Facebook")
    invite(symposium, "c@facebook.example", organisation="Facebook")
    services.answer_invitation(session, google, answer="accepted", delegates=["=HYPERLINK()", "Kevin Wu"],
                               note="Vegetarian")
    services.answer_invitation(session, facebook, answer="declined")
    session.commit()
    login(coordinator)
    html = client.get(f"/symposia/{symposium.id}").get_data(as_text=True)
    assert "2 <span class=\"of\">/ 10</span>" in html and "8 places left" in html
    assert "Vegetarian" in html and "Kevin Wu" in html
    board = services.dashboard(session, symposium)
    assert board.by_answer == {"accepted": 1, "declined": 1, "pending": 1}
    assert board.by_organisation == {"Facebook": {"declined": 1, "pending": 1}, "Google": {"accepted": 1}}
    export = client.get(f"/symposia/{symposium.id}/delegates.csv")
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = export.get_data(as_text=True).splitlines()
    assert rows[0].startswith("delegate,organisation,answer,invitee")
    assert rows[1].startswith("'=HYPERLINK(),Google,accepted")  # no formula reaches a spreadsheet
    assert rows[2].startswith("Kevin Wu,Google,accepted") and rows[2].endswith(",Vegetarian")


def test_the_dashboard_costs_the_same_queries_for_3_or_30_invitations(
        client, session, login, coordinator, symposium, invite, count_queries):
    for n in range(3):
        invitation, _ = invite(symposium, f"p{n}@example.org", organisation=f"Org {n}")
        services.answer_invitation(session, invitation, answer="accepted", delegates=[f"D{n}"])
    session.commit()
    login(coordinator)
    session.expire_all()
    with count_queries() as few:
        assert client.get(f"/symposia/{symposium.id}").status_code == 200
    for n in range(3, 30):
        invitation, _ = invite(symposium, f"p{n}@example.org", organisation=f"Org {n}")
        services.answer_invitation(session, invitation, answer="tentative", delegates=[f"D{n}"])
    session.commit()
    session.expire_all()
    with count_queries() as many:
        assert client.get(f"/symposia/{symposium.id}").status_code == 200
    assert many.count == few.count <= 8
