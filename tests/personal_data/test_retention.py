"""Documents after their course: `flask documents purge` deletes their contents once the retention
period from the course's last day has passed, keeping what was decided; a purged document reads
"deleted after the retention period" and its address answers 410, never 500."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.clearance.conftest import PDF, PNG
from tests.conftest import sign_in
from training.accounts.tokens import issue_token
from training.audit.models import AuditEntry
from training.clearance import services
from training.clearance.models import Document, ItemState
from training.core.errors import Conflict


def _accepted_passport(session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    services.submit_document(session, enrolment, "passport", filename="zhao-passport.pdf", content=PDF,
                             actor=person)
    services.decide(session, enrolment, "passport", decision="accepted", actor=programme.coordinator)
    services.submit_document(session, enrolment, "photo", filename="photo.png", content=PNG, actor=person)
    session.commit()
    return enrolment, person


def _purge(app, *args):
    result = app.test_cli_runner().invoke(args=["documents", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _course_end_plus(programme, days):
    """An instant days after the end of the course's last day, in Beijing (UTC+8), as ISO text."""
    end = programme.course.ends_on + timedelta(days=1)
    return (datetime.fromisoformat(f"{end.isoformat()}T00:00:00+08:00") + timedelta(days=days)).isoformat()


def test_documents_are_purged_the_moment_the_retention_period_ends_and_only_once(
        app, session, programme, enrol):
    enrolment, _person = _accepted_passport(session, programme, enrol)
    just_before = _purge(app, "--now", _course_end_plus(programme, 90 - 1 / 24 / 60))
    assert just_before.endswith("0 documents purged (kept 90 days after each course's end).\n")
    rehearsal = _purge(app, "--now", _course_end_plus(programme, 90), "--dry-run")
    assert "2 documents would purge" in rehearsal
    assert session.scalar(sa.select(sa.func.count()).select_from(Document).where(
        Document.purged_at.is_not(None))) == 0
    done = _purge(app, "--now", _course_end_plus(programme, 90))
    assert f"{programme.course.slug}: enrolment #{enrolment.id} passport document #" in done
    assert done.endswith("2 documents purged (kept 90 days after each course's end).\n")
    assert _purge(app, "--now", _course_end_plus(programme, 200)).startswith("0 documents purged")
    session.expire_all()
    documents = session.scalars(sa.select(Document).options(sa.orm.undefer(Document.content))
                                .order_by(Document.id)).all()
    assert [(d.content, d.filename, d.size, d.content_type) for d in documents] == [
        (None, "", len(PDF), "application/pdf"), (None, "", len(PNG), "image/png")]
    clearance = services.clearance_of(session, enrolment)
    assert clearance.line("passport").state is ItemState.ACCEPTED  # the decision stays
    assert clearance.line("passport").item.decided_by_id == programme.coordinator.id
    purges = session.scalars(sa.select(AuditEntry)
                             .where(AuditEntry.action == "clearance.document_purged")).all()
    assert len(purges) == 2 and all(e.actor_id is None and e.via == "cli" for e in purges)
    # The file names go from the trail too: a scan is often named after its owner.
    uploads = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "clearance.submitted")).all()
    assert uploads and "zhao-passport" not in str([(e.before, e.after) for e in uploads])


def test_a_purged_document_left_submitted_cannot_be_decided_on(app, session, programme, enrol):
    enrolment, _person = _accepted_passport(session, programme, enrol)
    _purge(app, "--now", _course_end_plus(programme, 91))
    with pytest.raises(Conflict, match="deleted after the retention period"):
        services.decide(session, enrolment, "photo", decision="accepted", actor=programme.coordinator)
    session.rollback()
    assert services.clearance_of(session, enrolment).line("photo").state is ItemState.SUBMITTED


def test_the_retention_period_is_configurable(app, session, programme, enrol):
    _accepted_passport(session, programme, enrol)
    app.config["DOCUMENT_RETENTION_DAYS"] = 10
    try:
        assert "2 documents purged (kept 10 days" in _purge(app, "--now", _course_end_plus(programme, 10))
    finally:
        app.config["DOCUMENT_RETENTION_DAYS"] = 90


def test_a_purged_document_says_so_and_its_address_is_gone(app, session, programme, enrol):
    enrolment, person = _accepted_passport(session, programme, enrol)
    _purge(app, "--now", _course_end_plus(programme, 91))
    for viewer in (person, programme.coordinator):
        client = app.test_client()
        sign_in(client, viewer)
        page = client.get(f"/enrolments/{enrolment.id}/clearance").get_data(as_text=True)
        assert "deleted after the retention period" in page
        assert "zhao-passport.pdf" not in page and "/requirements/passport/document\"" not in page
        download = client.get(f"/enrolments/{enrolment.id}/requirements/passport/document")
        assert download.status_code == 410
        assert "deleted after the retention period" in download.get_data(as_text=True)
    token, _row = issue_token(session, person)
    session.commit()
    api = app.test_client().get(f"/api/v1/enrolments/{enrolment.id}/requirements/passport/document",
                                headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 410 and api.mimetype == "application/problem+json"
    reads = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                           .where(AuditEntry.action == "clearance.document_read"))
    assert reads == 0  # nothing was read
    # The outsider still learns nothing: not found, as before the purge.
    outsider = app.test_client()
    sign_in(outsider, programme.other)
    assert outsider.get(f"/enrolments/{enrolment.id}/requirements/passport/document").status_code == 404


def test_a_bad_instant_is_refused_by_name(app):
    result = app.test_cli_runner().invoke(args=["documents", "purge", "--now", "yesterday"])
    assert result.exit_code == 2 and "ISO 8601" in result.output
