"""/api/v1 clearance: requirements, documents with the role matrix, decisions, extensions, and
the clearance of GET /enrolments/{id}."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tests.clearance.conftest import HTML, PDF, fresh
from tests.clearance.test_views import MAY_READ, reader_of
from training.accounts.tokens import issue_token
from training.audit.models import AuditEntry
from training.clearance import services
from training.clearance.models import Document

API = "/api/v1"


@pytest.fixture
def as_user(session):
    def headers(user):
        if user is None:
            return {}
        token, _row = issue_token(session, user)
        session.commit()
        return {"Authorization": f"Bearer {token}"}
    return headers


def test_coordinators_put_requirements_and_anyone_reads_them(client, session, programme, as_user):
    path = f"{API}/courses/{programme.course.id}/requirements"
    body = {"requirements": [
        {"key": "passport", "kind": "document", "title": "Passport copy", "due_days_before_start": 45,
         "countries": None},
        {"key": "vetting", "kind": "check", "title": "Vetting cleared", "due_days_before_start": 30,
         "countries": ["us"]},
    ]}
    response = client.put(path, json=body, headers=as_user(programme.coordinator))
    assert response.status_code == 200, response.get_json()
    got = client.get(path).get_json()["requirements"]
    assert [(r["key"], r["kind"], r["due_days_before_start"], r["countries"]) for r in got] == [
        ("passport", "document", 45, None), ("vetting", "check", 30, ["US"])]
    assert client.put(path, json=body, headers=as_user(programme.us_focal)).status_code == 403
    bad = client.put(path, json={"requirements": [{**body["requirements"][0], "key": "Bad key!"}]},
                     headers=as_user(programme.coordinator))
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert len(services.requirements_of(session, programme.course)) == 2


def _upload(client, headers, enrolment, content, filename="passport.pdf", key="passport"):
    return client.post(f"{API}/enrolments/{enrolment.id}/requirements/{key}/document", headers=headers,
                       data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


READERS = ["person", "us_focal", "cn_focal", "instructor", "other", "coordinator", "admin", "anonymous"]


@pytest.mark.parametrize("who", READERS)
def test_who_reads_a_document_by_the_api(client, session, programme, enrol, as_user, make_user, who):
    enrolment = enrol(programme)
    person = enrolment.user
    uploaded = _upload(client, as_user(person), enrolment, PDF)
    assert uploaded.status_code == 201, uploaded.get_json()
    body = uploaded.get_json()
    assert (body["state"], body["content_type"]) == ("submitted", "application/pdf")
    reader = reader_of(programme, person, who, make_user)
    response = client.get(f"{API}/enrolments/{enrolment.id}/requirements/passport/document",
                          headers=as_user(reader))
    if who in MAY_READ:
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        reads = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "clearance.document_read"))
        assert [(e.actor_id, e.via) for e in reads] == [(reader.id, "api")]
    else:
        assert response.status_code == (401 if who == "anonymous" else 404)
        assert PDF not in response.data


@pytest.mark.parametrize(("content", "filename"), [(HTML, "passport.pdf"), (b"", "empty.pdf")])
def test_an_upload_that_lies_or_is_empty_is_422_and_changes_nothing(client, session, programme, enrol,
                                                                    as_user, content, filename):
    enrolment = enrol(programme)
    response = _upload(client, as_user(enrolment.user), enrolment, content, filename)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "file" in response.get_json()["errors"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_decisions_and_extensions_show_in_the_enrolments_clearance(client, session, programme, enrol,
                                                                  as_user):
    enrolment = enrol(programme)
    person = enrolment.user
    coordinator = as_user(programme.coordinator)
    _upload(client, as_user(programme.us_focal), enrolment, PDF)
    base = f"{API}/enrolments/{enrolment.id}/requirements"
    returned = client.post(f"{base}/passport/decision", json={"decision": "returned", "reason": "Blurred."},
                           headers=coordinator)
    assert returned.status_code == 200 and returned.get_json()["reason"] == "Blurred."
    assert client.post(f"{base}/vetting/decision", json={"decision": "accepted"},
                       headers=as_user(person)).status_code == 403
    assert client.post(f"{base}/vetting/decision", json={"decision": "accepted"},
                       headers=coordinator).get_json()["state"] == "accepted"
    due = services.clearance_of(session, fresh(session, enrolment)).line("photo").due_at
    later = due.replace(year=due.year + 1, tzinfo=None).isoformat(timespec="minutes")
    extended = client.post(f"{base}/photo/extend", json={"due_at": later, "reason": "Studio closed."},
                           headers=coordinator)
    assert extended.status_code == 200, extended.get_json()
    assert extended.get_json()["due_at"].startswith(str(due.year + 1))
    assert client.post(f"{base}/photo/extend", json={"due_at": later, "reason": ""},
                       headers=coordinator).status_code == 422
    detail = client.get(f"{API}/enrolments/{enrolment.id}", headers=as_user(person)).get_json()
    assert detail["clearance"]["cleared_at"] is None
    assert [(i["key"], i["state"], i["reason"]) for i in detail["clearance"]["items"]] == [
        ("passport", "returned", "Blurred."), ("nomination", "missing", None), ("photo", "missing", None),
        ("vetting", "accepted", None)]
    seen_by_instructor = client.get(f"{API}/enrolments/{enrolment.id}", headers=as_user(programme.instructor))
    assert seen_by_instructor.status_code == 200 and seen_by_instructor.get_json()["clearance"] is None
