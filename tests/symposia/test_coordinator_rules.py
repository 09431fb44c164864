"""Only coordinators change symposia, whoever calls the services; CSV lists are bounded and fast."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.factories import BEIJING
from tests.symposia.conftest import fields
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.core.errors import DomainError, Forbidden
from training.outbox.models import OutboxMessage
from training.symposia import services
from training.symposia.models import Invitation, ProgrammeSession, Symposium, SymposiumStatus


def _counts(session) -> tuple[int, int, int, int]:
    session.expire_all()
    return tuple(session.scalar(sa.select(sa.func.count()).select_from(model))  # type: ignore[return-value]
                 for model in (Symposium, Invitation, OutboxMessage, AuditEntry))


@pytest.fixture(params=["personnel", "focal point", "instructor", "nobody"])
def outsider(request, make_user):
    """Someone who may not organise symposia: an account without the role, or no account."""
    roles = {"personnel": Role.PERSONNEL, "focal point": Role.FOCAL_POINT, "instructor": Role.INSTRUCTOR}
    return make_user(roles[request.param], country="US") if request.param in roles else None


def _changes(session, symposium, invitation):
    item = services.programme_of(session, symposium)[0]
    start = symposium.starts_at.astimezone(BEIJING).replace(tzinfo=None)
    return {
        "create": lambda actor: services.create_symposium(session, fields(), actor=actor),
        "update": lambda actor: services.update_symposium(session, symposium, fields(capacity=99),
                                                          actor=actor),
        "publish": lambda actor: services.publish_symposium(session, symposium, actor=actor),
        "cancel": lambda actor: services.cancel_symposium(session, symposium, actor=actor),
        "add session": lambda actor: services.add_programme_session(
            session, symposium, actor=actor, title="Panel", starts_at=start + timedelta(hours=2),
            ends_at=start + timedelta(hours=3)),
        "remove session": lambda actor: services.remove_programme_session(session, symposium, item,
                                                                          actor=actor),
        "invite": lambda actor: services.add_invitation(session, symposium, actor=actor, name="A",
                                                        email="a@apple.example"),
        "import": lambda actor: services.import_invitations(session, symposium, "B,b@apple.example\n",
                                                            actor=actor),
        "resend": lambda actor: services.resend_invitation(session, symposium, invitation, actor=actor),
        "revoke": lambda actor: services.revoke_invitation(session, symposium, invitation, actor=actor),
    }


@pytest.mark.parametrize("change", ["create", "update", "publish", "cancel", "add session", "remove session",
                                    "invite", "import", "resend", "revoke"])
def test_only_a_coordinator_changes_a_symposium_through_the_services(
        session, symposium, invite, outsider, change):
    invitation, _token = invite(symposium)
    before = _counts(session)
    programme = len(services.programme_of(session, symposium))
    with pytest.raises(Forbidden):
        _changes(session, symposium, invitation)[change](outsider)
    session.rollback()
    assert _counts(session) == before
    assert len(services.programme_of(session, symposium)) == programme
    assert session.get(Symposium, symposium.id).status is SymposiumStatus.PUBLISHED
    assert session.get(Invitation, invitation.id).revoked_at is None


def test_an_invitee_answers_with_their_link_and_no_account(session, symposium, invite):
    invitation, token = invite(symposium)
    services.answer_invitation(session, services.invitation_for_token(session, token), answer="accepted",
                               delegates=["Sarah Mitchell"])
    session.commit()
    assert session.get(Invitation, invitation.id).answer.value == "accepted"


def test_the_organiser_is_whoever_creates_the_symposium_unless_named(session, coordinator):
    symposium = services.create_symposium(session, fields(organiser_name=None, organiser_email=""),
                                          actor=coordinator)
    assert (symposium.organiser_name, symposium.organiser_email) == (coordinator.name, coordinator.email)


def _invitees(count: int) -> str:
    return "name,email,organisation,delegates,language\n" + "".join(
        f"Person {n},person{n}@org{n % 40}.example,Organisation {n % 40},{1 + n % 3},"
        f"{'zh' if n % 5 else 'en'}\n" for n in range(count))


def test_five_thousand_invitees_are_imported_at_once(session, make_symposium, coordinator):
    symposium = make_symposium(publish=False)
    report = services.import_invitations(session, symposium, _invitees(services.IMPORT_ROWS_MAX),
                                         actor=coordinator)
    session.commit()
    assert sum(line.ok for line in report) == len(report) == 5000
    assert session.scalar(sa.select(sa.func.count(Invitation.id))) == 5000
    assert session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action == "invitation.added")) == 5000


def test_a_list_past_five_thousand_lines_is_refused_whole(session, make_symposium, coordinator):
    symposium = make_symposium(publish=False)
    before = _counts(session)
    with pytest.raises(DomainError) as refused:
        services.import_invitations(session, symposium, _invitees(5001), actor=coordinator)
    session.rollback()
    assert "more than 5000 lines" in refused.value.message and refused.value.field == "text"
    assert _counts(session) == before


def test_a_value_too_long_for_csv_is_refused_naming_its_line(session, symposium, coordinator):
    before = _counts(session)
    text = "Ann,ann@apple.example\nBob,\"" + "x" * 200 * 1024 + "\",Apple\nCid,cid@apple.example\n"
    with pytest.raises(DomainError) as refused:
        services.import_invitations(session, symposium, text, actor=coordinator)
    session.rollback()
    assert refused.value.message == ("Line 2 has a value longer than 131072 characters; "
                                     "nothing was imported.")
    assert _counts(session) == before


def test_the_import_page_refuses_a_huge_field_without_an_error_page(
        client, session, login, coordinator, symposium):
    login(coordinator)
    token = csrf_token(client, f"/symposia/{symposium.id}")
    before = _counts(session)
    text = "Ann,ann@apple.example\nBob,\"" + "x" * 200 * 1024 + "\",Apple\n"
    response = client.post(f"/symposia/{symposium.id}/invitations/import", data={
        "csrf_token": token, "text": "", "file": (io.BytesIO(text.encode()), "invitees.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Line 2 has a value longer than 131072 characters; nothing was imported." in response.get_data(
        as_text=True)
    assert _counts(session) == before
    assert session.scalar(sa.select(sa.func.count(ProgrammeSession.id))) == 1


def test_a_symposium_with_three_mistakes_is_refused_with_all_three(session, coordinator):
    with pytest.raises(DomainError) as refusal:
        services.create_symposium(session, fields(title=" ", capacity=0, organiser_email="not an address"),
                                  actor=coordinator)
    assert refusal.value.field_errors.keys() == {"title", "capacity", "organiser_email"}
    assert session.scalar(sa.select(sa.func.count()).select_from(Symposium)) == 0
