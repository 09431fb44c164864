"""Clearance pages: the checklist, uploads, reviews, downloads, the requirements editor and the
clearance columns, with real CSRF tokens."""

from __future__ import annotations

import csv
import gc
import io
import re
import warnings
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests import factories
from tests.clearance.conftest import FOUR, HTML, PDF, PNG, fresh
from tests.conftest import csrf_token, sign_in
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.clearance import services
from training.clearance.models import Document, ItemState
from training.core.database import request_writes


def post(client, path, data, token_from, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from)}, **kwargs)


def upload(client, enrolment, key, content, filename="scan.pdf"):
    checklist = f"/enrolments/{enrolment.id}/clearance"
    return post(client, f"/enrolments/{enrolment.id}/requirements/{key}/document",
                {"file": (io.BytesIO(content), filename)}, checklist, content_type="multipart/form-data")


def field_error(html, field):
    block = re.search(rf'id="{field}-error">(.*?)</ul>', html, re.S)
    return block.group(1) if block else ""


def test_the_person_uploads_from_their_checklist_and_sees_its_state(client, session, programme, enrol):
    enrolment = enrol(programme)
    sign_in(client, enrolment.user)
    page = client.get(f"/enrolments/{enrolment.id}/clearance").get_data(as_text=True)
    assert "Passport copy" in page and "The page with the photo." in page and "0 of 4" in page
    response = upload(client, enrolment, "passport", PDF)
    assert response.status_code == 302
    page = client.get(f"/enrolments/{enrolment.id}/clearance").get_data(as_text=True)
    assert "submitted" in page and "scan.pdf" in page
    assert "Accept" not in page  # reviewing is for coordinators


def test_a_lying_empty_or_oversize_upload_is_refused_next_to_the_field_and_changes_nothing(
        app, client, session, programme, enrol):
    enrolment = enrol(programme)
    sign_in(client, enrolment.user)
    lie = upload(client, enrolment, "passport", HTML, filename="passport.pdf")
    assert lie.status_code == 422
    assert "not a PDF, JPEG or PNG" in field_error(lie.get_data(as_text=True), "file-passport")
    empty = upload(client, enrolment, "passport", b"")
    assert "empty" in field_error(empty.get_data(as_text=True), "file-passport")
    app.config["CLEARANCE_MAX_DOCUMENT_BYTES"] = 100
    big = upload(client, enrolment, "passport", PDF + b"0" * 200)
    assert big.status_code in (413, 422)
    assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_a_document_larger_than_other_requests_may_be_is_accepted_up_to_its_own_limit(
        client, session, programme, enrol):
    enrolment = enrol(programme)
    sign_in(client, enrolment.user)
    five_megabytes = PDF + b"0" * 5_000_000
    with warnings.catch_warnings():
        # The test client spools a body this large to a temporary file it never closes.
        warnings.simplefilter("ignore", ResourceWarning)
        assert upload(client, enrolment, "passport", five_megabytes).status_code == 302
        gc.collect()
    assert session.scalar(sa.select(Document.size)) == len(five_megabytes)


# The person, their focal point, the other country's focal point, the course's own instructor,
# another trainee of the same country on the course, a coordinator, an administrator, nobody.
READERS = ["person", "us_focal", "cn_focal", "instructor", "other", "coordinator", "admin", "anonymous"]
MAY_READ = {"person", "us_focal", "coordinator", "admin"}


def reader_of(programme, person, who, make_user):
    if who == "admin":
        return make_user(Role.ADMIN, None, name="Ada Admin")
    return person if who == "person" else getattr(programme, who, None)


@pytest.mark.parametrize("who", READERS)
def test_who_downloads_a_document_and_everyone_else_gets_a_404(app, session, programme, enrol, make_user,
                                                                who):
    enrolment = enrol(programme)
    person = enrolment.user
    services.submit_document(session, enrolment, "passport", filename="passport.pdf", content=PDF,
                             actor=person)
    session.commit()
    client = app.test_client()
    reader = reader_of(programme, person, who, make_user)
    if reader is not None:
        sign_in(client, reader)
    response = client.get(f"/enrolments/{enrolment.id}/requirements/passport/document")
    page = client.get(f"/enrolments/{enrolment.id}/clearance")
    reads = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "clearance.document_read")).all()
    if who in MAY_READ:
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Disposition"] == 'attachment; filename="passport.pdf"'
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype == "application/pdf"
        assert page.status_code == 200
        assert [entry.actor_id for entry in reads] == [reader.id]
    else:
        assert response.status_code == 404 and PDF not in response.data
        assert page.status_code == 404
        assert reads == []


def test_a_guessed_document_address_is_a_404_like_any_other(client, session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    services.submit_document(session, enrolment, "passport", filename="passport.pdf", content=PDF,
                             actor=person)
    session.commit()
    sign_in(client, person)
    for path in (f"/enrolments/{enrolment.id + 1000}/requirements/passport/document",
                 f"/enrolments/{enrolment.id}/requirements/visa/document",
                 f"/enrolments/{enrolment.id}/requirements/photo/document"):
        assert client.get(path).status_code == 404, path


def test_a_coordinator_reviews_accepts_returns_records_and_extends(client, session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    for key in ("passport", "nomination"):
        services.submit_document(session, enrolment, key, filename=f"{key}.png", content=PNG, actor=person)
    session.commit()
    sign_in(client, programme.coordinator)
    checklist = f"/enrolments/{enrolment.id}/clearance"
    page = client.get(checklist).get_data(as_text=True)
    assert "Accept" in page and "Record as done" in page and "Extend the due date" in page
    base = f"/enrolments/{enrolment.id}/requirements"
    assert post(client, f"{base}/passport/decision", {"decision": "accepted"}, checklist).status_code == 302
    refused = post(client, f"{base}/nomination/decision", {"decision": "returned", "reason": ""}, checklist)
    assert refused.status_code == 422
    assert "Give a reason" in field_error(refused.get_data(as_text=True), "reason-nomination")
    assert post(client, f"{base}/nomination/decision", {"decision": "returned", "reason": "Unsigned."},
                checklist).status_code == 302
    assert post(client, f"{base}/vetting/decision", {"decision": "accepted"}, checklist).status_code == 302
    bad = post(client, f"{base}/photo/extend", {"due_at": "2020-01-01T09:00", "reason": "Late"}, checklist)
    assert "future" in field_error(bad.get_data(as_text=True), "due-photo")
    day = services.clearance_of(session, fresh(session, enrolment)).line("photo").due_at.date()
    later = f"{day.replace(year=day.year + 1).isoformat()}T18:00"
    assert post(client, f"{base}/photo/extend", {"due_at": later, "reason": "Photographer ill."},
                checklist).status_code == 302
    clearance = services.clearance_of(session, fresh(session, enrolment))
    assert [line.state for line in clearance.lines] == [
        ItemState.ACCEPTED, ItemState.RETURNED, ItemState.MISSING, ItemState.ACCEPTED]
    assert clearance.line("photo").item.extension_reason == "Photographer ill."
    page = client.get(checklist).get_data(as_text=True)
    assert "Unsigned." in page and "Photographer ill." in page and "2 of 4" in page


@pytest.mark.parametrize("who", ["person", "us_focal"])
def test_neither_the_person_nor_their_focal_point_can_decide(app, session, programme, enrol, who):
    enrolment = enrol(programme)
    actor = enrolment.user if who == "person" else programme.us_focal
    client = app.test_client()
    sign_in(client, actor)
    checklist = f"/enrolments/{enrolment.id}/clearance"
    response = post(client, f"/enrolments/{enrolment.id}/requirements/vetting/decision",
                    {"decision": "accepted"}, checklist)
    assert response.status_code == 403
    line = services.clearance_of(session, fresh(session, enrolment)).line("vetting")
    assert line.state is ItemState.MISSING


def test_the_requirements_editor_adds_changes_removes_and_copies(client, session, programme, make_user):
    sign_in(client, programme.coordinator)
    path = f"/courses/{programme.course.slug}/requirements"
    page = client.get(path).get_data(as_text=True)
    assert "Passport copy" in page and "Vetting cleared" in page
    added = post(client, path, {"key": "medical", "kind": "document", "title": "Medical certificate",
                                "title_zh": "体检证明", "due_days_before_start": "20",
                                "countries": "us, cn"}, path)
    assert added.status_code == 302
    bad = post(client, path, {"key": "visa", "kind": "document", "title": "Visa",
                              "due_days_before_start": "400"}, path)
    assert bad.status_code == 422
    assert "365" in field_error(bad.get_data(as_text=True), "due_days_before_start")
    changed = post(client, path, {"key": "photo", "kind": "document", "title": "Passport photo",
                                  "due_days_before_start": "25"}, path)
    assert changed.status_code == 302
    assert post(client, f"{path}/remove", {"key": "nomination"}, path).status_code == 302
    requirements = services.requirements_of(session, programme.course)
    assert [(r.key, r.title, r.due_days_before_start, r.countries) for r in requirements] == [
        ("passport", "Passport copy", 45, None), ("photo", "Passport photo", 25, None),
        ("vetting", "Vetting cleared", 30, ["US"]), ("medical", "Medical certificate", 20, ["CN", "US"])]
    other = factories.course_rows(session, quotas={"US": 1})
    other_path = f"/courses/{other.slug}/requirements"
    assert post(client, f"{other_path}/copy", {"source": programme.course.id}, other_path).status_code == 302
    assert len(services.requirements_of(session, other)) == 4


def test_only_coordinators_open_the_requirements_editor(client, session, programme):
    sign_in(client, programme.us_focal)
    assert client.get(f"/courses/{programme.course.slug}/requirements").status_code == 403


def test_the_roster_country_roster_and_my_courses_show_clearance_progress(app, session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    services.submit_document(session, enrolment, "passport", filename="p.pdf", content=PDF, actor=person)
    services.decide(session, enrolment, "passport", decision="accepted", actor=programme.coordinator)
    session.commit()
    progress = services.clearance_of(session, fresh(session, enrolment)).summary()
    assert progress.startswith("1 of 4, Nomination letter due in ")
    for user, path in ((programme.coordinator, f"/courses/{programme.course.slug}/seats"),
                       (programme.us_focal, "/country/rosters"),
                       (person, "/my/courses")):
        client = app.test_client()
        sign_in(client, user)
        page = client.get(path).get_data(as_text=True)
        assert progress in page, path
        assert f"/enrolments/{enrolment.id}/clearance" in page, path
    client = app.test_client()
    sign_in(client, programme.instructor)
    assert progress not in client.get(f"/courses/{programme.course.slug}/roster").get_data(as_text=True)


def test_pages_with_clearance_run_the_same_queries_for_2_and_12_people(app, session, programme, enrol,
                                                                      make_user, count_queries):
    services.set_requirements(session, programme.course, FOUR, actor=programme.coordinator)
    session.execute(sa.text("UPDATE seat_quotas SET seats = 20"))
    session.execute(sa.text("UPDATE courses SET capacity = 60"))
    session.commit()
    seats = f"/courses/{programme.course.slug}/seats"
    pages = {programme.coordinator: [seats, "/country/rosters?country=US"],
             programme.us_focal: ["/country/rosters"]}
    clients = {}
    for user in pages:
        clients[user] = app.test_client()
        sign_in(clients[user], user)

    made = []

    def measure(people):
        for _ in range(people):
            made.append(enrol(programme))
            enrolment = made[-1]
            services.submit_document(session, enrolment, "passport", filename="p.pdf", content=PDF,
                                     actor=enrolment.user)
            session.commit()
        counts = {}
        for user, paths in pages.items():
            for path in paths:
                with count_queries() as counter:
                    assert clients[user].get(path).status_code == 200
                counts[path + user.role.value] = counter.count
        return counts

    first = measure(2)
    assert first == measure(10)
    checklist = f"/enrolments/{made[0].id}/clearance"
    with count_queries() as counter:
        assert clients[programme.coordinator].get(checklist).status_code == 200
    assert counter.count <= 10, counter.statements


@pytest.mark.parametrize(("path", "writes"), [
    ("/enrolments/7/requirements/passport/document", True),
    ("/api/v1/enrolments/7/requirements/passport/document", True),
    ("/enrolments/7/clearance", False),
])
def test_a_document_read_begins_as_a_writing_request(app, path, writes):
    """The read writes its audit entry: on SQLite a transaction begun as a plain read could fail at
    that write when another writer got in first, so the read takes the write lock from the start."""
    with app.test_request_context(path, method="GET"):
        assert request_writes() is writes


def test_the_roster_csv_has_a_clearance_column_escaped_like_every_cell(app, session, programme, enrol):
    cleared = enrol(programme)
    person = cleared.user
    for key in ("passport", "nomination", "photo"):
        services.submit_document(session, cleared, key, filename=f"{key}.pdf", content=PDF, actor=person)
        services.decide(session, cleared, key, decision="accepted", actor=programme.coordinator)
    services.record_check(session, cleared, "vetting", actor=programme.coordinator)
    halfway = enrol(programme)
    halfway_email = halfway.user.email
    services.submit_document(session, halfway, "passport", filename="p.pdf", content=PDF, actor=halfway.user)
    services.decide(session, halfway, "passport", decision="accepted", actor=programme.coordinator)
    chinese = enrol(programme, "CN")
    chinese_email = chinese.user.email
    chinese.user.name = "=HYPERLINK(\"http://evil.example\")"
    emails = (person.email, halfway_email, chinese_email)
    session.commit()
    client = app.test_client()
    sign_in(client, programme.coordinator)
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/courses/{programme.course.slug}/roster.csv").get_data(as_text=True))))
    by_email = {row["email"]: row for row in rows}
    day = fresh(session, cleared).cleared_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    # Vetting is asked of US personnel only: the Chinese trainee has three requirements.
    assert [by_email[e]["clearance"] for e in emails] == [f"cleared {day}", "1 of 4", "0 of 3"]
    assert by_email[chinese_email]["name"].startswith("'=")


def test_document_sizes_and_upload_times_read_in_the_readers_language(app, session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    services.submit_document(session, enrolment, "passport", filename="scan.pdf", content=PDF, actor=person)
    session.commit()
    client = app.test_client()
    sign_in(client, person)
    page = client.get(f"/enrolments/{enrolment.id}/clearance").get_data(as_text=True)
    assert f"{len(PDF)} bytes, uploaded " in page and "China Standard Time" in page
    assert "at most 10 MB" in page
    client.set_cookie("locale", "zh_Hans")
    page = client.get(f"/enrolments/{enrolment.id}/clearance").get_data(as_text=True)
    assert f"{len(PDF)}字节" in page and "中国标准时间" in page
    assert "Bytes" not in page
