"""Erasing a person: their name and address leave every page, CSV, feed and queued mail, while
every seat counter, waitlist place, attendance total and audit entry stays exactly as it was."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from tests.clearance.conftest import PDF
from tests.conftest import csrf_token, sign_in
from tests.personal_data.conftest import EMAIL, NAME, ORGANISATION
from training.accounts import personal_data
from training.accounts.models import ApiToken, FeedToken, Role, User
from training.accounts.tokens import issue_token
from training.audit.models import AuditEntry
from training.clearance import services as clearance
from training.clearance.models import Document, Item
from training.courses.models import Course, CourseSession, SeatQuota
from training.enrolment import services as enrolment
from training.enrolment.models import Attendance, Enrolment
from training.enrolment.services.access import RosterScope
from training.outbox.models import OutboxMessage, OutboxStatus


def _counters(session, course_ids):
    session.expire_all()
    quotas = session.execute(sa.select(SeatQuota.course_id, SeatQuota.country, SeatQuota.confirmed)
                             .where(SeatQuota.course_id.in_(course_ids)).order_by(SeatQuota.id)).all()
    statuses = session.execute(sa.select(Enrolment.id, Enrolment.status).order_by(Enrolment.id)).all()
    positions = {}
    for course_id in course_ids:
        course = session.get(Course, course_id)
        for group in enrolment.course_roster(session, course, RosterScope(manage=True)):
            positions.update({row.enrolment.id: row.position for row in group.rows})
    present = session.scalar(sa.select(sa.func.count()).select_from(Attendance).where(Attendance.present))
    audit_total = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    return quotas, statuses, positions, present, audit_total


def _erase_by_the_page(app, admin, person):
    client = app.test_client()
    sign_in(client, admin)
    page = client.get(f"/admin/users/{person.id}/erase")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Erase {NAME}?" in text and "erased person #" in text and "cannot be undone" in text
    response = client.post(f"/admin/users/{person.id}/erase", data={
        "confirm": "yes", "csrf_token": csrf_token(client, f"/admin/users/{person.id}/erase")})
    assert response.status_code == 302
    return client


def _everything_shown(app, session, programme, second, symposium, admin, person):
    """Every page, CSV, feed and API answer where the person's name or address could appear."""
    coordinator = app.test_client()
    sign_in(coordinator, programme.coordinator)
    focal = app.test_client()
    sign_in(focal, programme.us_focal)
    teacher = app.test_client()
    sign_in(teacher, programme.instructor)
    chief = app.test_client()
    sign_in(chief, admin)
    token, _row = issue_token(session, programme.coordinator, name="test")
    session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    course = programme.course
    lecture = session.scalars(sa.select(CourseSession.id).where(CourseSession.course_id == course.id)).first()
    shown = {}
    for client, path in [
        (coordinator, f"/courses/{course.slug}/seats"), (coordinator, f"/courses/{course.slug}/roster"),
        (coordinator, f"/courses/{course.slug}/roster.csv"), (coordinator, f"/courses/{second.slug}/seats"),
        (coordinator, f"/courses/{second.slug}/roster.csv"),
        (coordinator, f"/symposia/{symposium.id}"), (coordinator, f"/symposia/{symposium.id}/delegates.csv"),
        (focal, "/country/rosters"), (teacher, f"/courses/{course.slug}/attendance"),
        (teacher, f"/courses/{course.slug}/sessions/{lecture}/attendance"),
        (chief, "/admin/users"), (chief, "/admin/audit"),
        (coordinator, f"/enrolments/{person.enrolment_id}/clearance"),
        (coordinator, f"/calendar/courses/{course.slug}.ics"), (coordinator, "/calendar/courses.ics"),
        (coordinator, f"/calendar/symposia/{symposium.slug}.ics"),
        (coordinator, f"/api/v1/courses/{course.id}/enrolments?per_page=100"),
        (coordinator, f"/api/v1/enrolments/{person.enrolment_id}"),
    ]:
        response = client.get(path, headers=bearer if path.startswith("/api/") else {})
        assert response.status_code == 200, path
        shown[path] = response.get_data(as_text=True)
    mails = session.scalars(sa.select(OutboxMessage)).all()
    for mail in mails:
        shown[f"mail #{mail.id} to {mail.recipient}"] = " ".join(
            filter(None, (mail.recipient, mail.subject, mail.body, mail.calendar_body)))
    return shown


def _leaks(shown, *needles):
    found = []
    for where, text in shown.items():
        for needle in needles:
            if re.search(re.escape(needle), text, re.IGNORECASE):
                found.append(f"{needle!r} in {where}")
    return found


def test_an_erased_person_is_in_no_page_csv_feed_or_queued_mail_and_no_counter_moves(
        app, session, programme, target, make_user):
    person, made, second, symposium = target
    admin = make_user(Role.ADMIN, None, name="Ada Admin")
    person.enrolment_id = made.id
    before = _counters(session, [programme.course.id, second.id])
    shown = _everything_shown(app, session, programme, second, symposium, admin, person)
    assert _leaks(shown, NAME, EMAIL), "the test must see the person before the erasure"
    audit_before = before[4]

    _erase_by_the_page(app, admin, person)

    after = _counters(session, [programme.course.id, second.id])
    assert after[:4] == before[:4]  # seats, statuses, waitlist places, attendance
    # Every entry stays; the token issued for the look-around, the export-free erasure and its
    # own entry are the only new ones.
    assert after[4] == audit_before + 2
    person = session.get(User, person.id)
    person.enrolment_id = made.id
    shown = _everything_shown(app, session, programme, second, symposium, admin, person)
    assert _leaks(shown, NAME, EMAIL, ORGANISATION, "zhao-lei-passport") == []
    assert f"erased person #{person.id}" in shown[f"/courses/{programme.course.slug}/seats"]
    assert f"erased person #{person.id}" in shown["/admin/audit"]
    assert person.email == f"erased-{person.id}@invalid" and person.organisation == ""
    assert not person.active and person.password_hash is None and person.is_erased
    assert session.scalar(sa.select(sa.func.count()).select_from(FeedToken)
                          .where(FeedToken.user_id == person.id)) == 0
    assert all(t.revoked_at is not None for t in session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == person.id)))
    documents = session.scalars(sa.select(Document).options(sa.orm.undefer(Document.content))).all()
    assert documents and all(d.content is None and d.filename == "" and d.purged_at for d in documents)
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == person.email, OutboxMessage.status == OutboxStatus.PENDING)) == 0
    audit_row = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user.erased")).one()
    assert audit_row.actor_id == admin.id and audit_row.subject_id == person.id
    assert NAME not in str(audit_row.after) and EMAIL not in str(audit_row.after)


def test_an_erased_person_cannot_sign_in_and_their_old_session_is_over(app, session, target, make_user):
    person = target[0]
    mine = app.test_client()
    sign_in(mine, person)
    assert mine.get("/profile").status_code == 200
    personal_data.erase_person(session, person, actor=make_user(Role.ADMIN, None))
    session.commit()
    assert mine.get("/profile").status_code == 302  # signed out: to the login page
    retry = app.test_client()
    for email in (EMAIL, person.email):
        page = retry.post("/login", data={"email": email, "password": "correct horse battery staple",
                                          "csrf_token": csrf_token(retry, "/login")})
        assert page.status_code != 302 and retry.get("/profile").status_code == 302


def test_the_command_erases_by_address_after_asking(app, session, target):
    person = target[0]
    refused = app.test_cli_runner().invoke(args=["users", "erase", EMAIL], input="n\n")
    assert refused.exit_code == 1 and "Erase Zhao Lei" in refused.output
    session.expire_all()
    assert session.get(User, person.id).name == NAME
    done = app.test_cli_runner().invoke(args=["users", "erase", EMAIL, "--yes"])
    assert done.exit_code == 0, done.output
    assert f"now erased person #{person.id} <erased-{person.id}@invalid>" in done.output
    again = app.test_cli_runner().invoke(args=["users", "erase", EMAIL, "--yes"])
    assert again.exit_code == 1 and "No account has the address" in again.output


def test_an_admin_cannot_erase_themself_nor_the_last_admin(app, session, make_user):
    admin = make_user(Role.ADMIN, None, name="Ada Admin")
    client = app.test_client()
    sign_in(client, admin)
    assert f"/admin/users/{admin.id}/erase" not in client.get("/admin/users").get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}/erase", data={
        "confirm": "yes", "csrf_token": csrf_token(client, "/admin/users")}, follow_redirects=True)
    assert "You cannot erase your own account" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, admin.id).name == "Ada Admin"
    cli = app.test_cli_runner().invoke(args=["users", "erase", admin.email, "--yes"])
    assert cli.exit_code == 1 and "last administrator" in cli.output


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FOCAL_POINT, Role.PERSONNEL, None])
def test_only_an_admin_reaches_export_and_erase(app, session, make_user, role):
    person = make_user(Role.PERSONNEL, "US", name="Kept Person")
    client = app.test_client()
    if role is not None:
        sign_in(client, make_user(role, "US"))
    for path in (f"/admin/users/{person.id}/erase", f"/admin/users/{person.id}/export.json"):
        response = client.get(path)
        assert response.status_code == (403 if role else 302), path
    assert client.post(f"/admin/users/{person.id}/erase", data={"confirm": "yes"}).status_code in (
        400, 403, 302)
    session.expire_all()
    assert session.get(User, person.id).name == "Kept Person"


def test_unknown_people_are_404(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.ADMIN, None))
    assert client.get("/admin/users/999999/erase").status_code == 404
    assert client.get("/admin/users/999999/export.json").status_code == 404


def test_a_chinese_name_is_found_in_recorded_values_and_mail_and_replaced(session, programme, make_user):
    person = make_user(Role.PERSONNEL, "CN", name="赵磊", email="zhaolei@mps.example.cn")
    made = enrolment.enrol(session, programme.course, person, actor=programme.coordinator,
                           override_window=True)
    clearance.submit_document(session, made, "passport", filename="赵磊-护照.pdf", content=PDF, actor=person)
    clearance.decide(session, made, "passport", decision="returned", reason="赵磊的护照复印件不清楚。",
                     actor=programme.coordinator)
    session.commit()
    personal_data.erase_person(session, person, actor=make_user(Role.ADMIN, None))
    session.commit()
    session.expire_all()
    recorded = [json.dumps([e.before, e.after], ensure_ascii=False)
                for e in session.scalars(sa.select(AuditEntry))]
    assert not [text for text in recorded if "赵磊" in text or "zhaolei@" in text]
    assert any(f"erased person #{person.id}" in text for text in recorded)
    texts = [f"{m.recipient} {m.subject} {m.body}" for m in session.scalars(sa.select(OutboxMessage))]
    assert not [text for text in texts if "赵磊" in text or "zhaolei@" in text]
    reason = session.scalar(sa.select(Item.reason).where(Item.enrolment_id == made.id))
    assert reason == f"erased person #{person.id}的护照复印件不清楚。"


def test_a_latin_name_is_replaced_as_a_whole_word_only():
    erasure = personal_data.Erasure(7, "Li", "li@example.org")
    assert erasure.scrub("Li wrote to Lisa (li@example.org); LI agreed.") == (
        "erased person #7 wrote to Lisa (erased-7@invalid); erased person #7 agreed.")
