"""Clearance rules called without HTTP: requirements, uploads, decisions, checks, extensions, reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests import factories
from tests.clearance.conftest import FOUR, HTML, JPEG, PDF, PNG, at, fresh, mails_to
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.clearance import services
from training.clearance.models import Document, Item, ItemState, Requirement
from training.core.errors import Conflict, DomainError, Forbidden, NotFound


def _audit(session, action):
    return session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_coordinator_sets_requirements_and_another_course_copies_them(session, programme):
    other = factories.course_rows(session, quotas={"US": 1})
    services.copy_requirements(session, other, programme.course, actor=programme.coordinator)
    session.commit()
    copied = services.requirements_of(session, other)
    assert [(r.key, r.kind.value, r.due_days_before_start, r.countries) for r in copied] == [
        ("passport", "document", 45, None), ("nomination", "document", 45, None),
        ("photo", "document", 30, None), ("vetting", "check", 30, ["US"])]
    assert copied[0].title_zh == "护照复印件" and copied[0].instruction == "The page with the photo."
    entry = _audit(session, "clearance.requirements_set")[-1]
    assert entry.topic == f"course:{other.id}" and entry.before == {"requirements": []}


def test_a_requirement_left_out_is_removed_and_one_kept_keeps_its_states(session, programme, enrol):
    enrolment = enrol(programme)
    services.submit_document(session, enrolment, "passport", filename="p.pdf", content=PDF,
                             actor=enrolment.user)
    services.set_requirements(session, programme.course, [FOUR[0]], actor=programme.coordinator)
    session.commit()
    clearance = services.clearance_of(session, fresh(session, enrolment))
    assert [(line.requirement.key, line.state) for line in clearance.lines] == [
        ("passport", ItemState.SUBMITTED)]


@pytest.mark.parametrize(("spec", "field"), [
    (dict(key="Passport copy!", kind="document", title="Passport", due_days_before_start=5), "key"),
    (dict(key="visa", kind="form", title="Visa", due_days_before_start=5), "kind"),
    (dict(key="visa", kind="document", title=" ", due_days_before_start=5), "title"),
    (dict(key="visa", kind="document", title="Visa", due_days_before_start=-1), "due_days_before_start"),
    (dict(key="visa", kind="document", title="Visa", due_days_before_start="soon"), "due_days_before_start"),
    (dict(key="visa", kind="document", title="Visa", due_days_before_start=5, countries=["XX"]), "countries"),
    (dict(key="passport", kind="document", title="Again", due_days_before_start=5), "key"),
])
def test_a_bad_requirement_is_refused_by_its_field_and_changes_nothing(session, programme, spec, field):
    with pytest.raises(DomainError) as refused:
        services.set_requirements(session, programme.course, [FOUR[0], services.RequirementSpec(**spec)],
                                  actor=programme.coordinator)
    session.rollback()
    assert refused.value.field == field
    assert len(services.requirements_of(session, programme.course)) == 4


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.INSTRUCTOR, Role.PERSONNEL])
def test_only_coordinators_set_requirements(session, programme, make_user, role):
    with pytest.raises(Forbidden):
        services.set_requirements(session, programme.course, [], actor=make_user(role, "US"))


def test_the_person_uploads_a_coordinator_accepts_and_all_accepted_is_cleared(session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    for key, content in (("passport", PDF), ("nomination", PDF), ("photo", JPEG)):
        document = services.submit_document(session, enrolment, key, filename=f"{key}.bin", content=content,
                                            actor=person)
    assert (document.content_type, document.filename) == ("image/jpeg", "photo.jpg")
    for key in ("passport", "nomination", "photo"):
        services.decide(session, enrolment, key, decision="accepted", actor=programme.coordinator)
    session.commit()
    assert fresh(session, enrolment).cleared_at is None  # the vetting check is still open
    services.record_check(session, enrolment, "vetting", actor=programme.coordinator)
    session.commit()
    assert fresh(session, enrolment).cleared_at is not None
    assert services.clearance_of(session, fresh(session, enrolment)).summary() == "cleared"


def test_a_chinese_participant_is_not_asked_for_the_us_vetting(session, programme, enrol):
    enrolment = enrol(programme, "CN")
    assert [line.requirement.key for line in services.clearance_of(session, enrolment).lines] == [
        "passport", "nomination", "photo"]
    with pytest.raises(NotFound):
        services.record_check(session, enrolment, "vetting", actor=programme.coordinator)


def test_a_returned_document_carries_its_reason_and_can_be_submitted_again(session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    services.submit_document(session, enrolment, "passport", filename="scan.pdf", content=PDF,
                             actor=programme.us_focal)
    services.decide(session, enrolment, "passport", decision="returned", reason="The scan is cut off.",
                    actor=programme.coordinator)
    session.commit()
    line = services.clearance_of(session, enrolment).line("passport")
    assert (line.state, line.reason) == (ItemState.RETURNED, "The scan is cut off.")
    for recipient in (person, programme.us_focal):
        assert "The scan is cut off." in mails_to(session, recipient)[-1].body
    assert not any("cut off" in m.body for m in mails_to(session, programme.cn_focal))
    services.submit_document(session, enrolment, "passport", filename="scan2.png", content=PNG,
                             actor=person)
    session.commit()
    line = services.clearance_of(session, enrolment).line("passport")
    assert (line.state, line.reason, line.document.filename) == (ItemState.SUBMITTED, None, "scan2.png")


def test_returning_needs_a_reason_and_deciding_needs_a_submitted_document(session, programme, enrol):
    enrolment = enrol(programme)
    with pytest.raises(Conflict):
        services.decide(session, enrolment, "passport", decision="accepted", actor=programme.coordinator)
    services.submit_document(session, enrolment, "passport", filename="p.pdf", content=PDF,
                             actor=enrolment.user)
    with pytest.raises(DomainError) as refused:
        services.decide(session, enrolment, "passport", decision="returned", reason=" ",
                        actor=programme.coordinator)
    assert refused.value.field == "reason"
    with pytest.raises(DomainError) as refused:
        services.decide(session, enrolment, "passport", decision="maybe", actor=programme.coordinator)
    assert refused.value.field == "decision"


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("passport.pdf", HTML, "not a PDF, JPEG or PNG"),
    ("passport.pdf", b"", "empty"),
    ("passport.png", b"GIF89a" + b"\x00" * 20, "not a PDF, JPEG or PNG"),
    ("passport.pdf", PDF + b"x" * 2000, "at most"),
])
def test_an_upload_that_lies_about_its_type_is_empty_or_too_large_is_refused_and_changes_nothing(
        app, session, programme, enrol, filename, content, message):
    app.config["CLEARANCE_MAX_DOCUMENT_BYTES"] = 1000
    enrolment = enrol(programme)
    with pytest.raises(DomainError) as refused:
        services.submit_document(session, enrolment, "passport", filename=filename, content=content,
                                 actor=enrolment.user)
    session.rollback()
    assert refused.value.field == "file" and message in refused.value.message
    assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(Item)) == 0


def test_a_pdf_with_javascript_is_accepted_as_a_pdf(session, programme, enrol):
    enrolment = enrol(programme)
    content = PDF.replace(b"/Type /Catalog",
                          b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    document = services.submit_document(session, enrolment, "passport", filename="../../etc/x.html",
                                        content=content, actor=enrolment.user)
    assert (document.content_type, document.filename) == ("application/pdf", "x.pdf")


def test_who_reads_a_document(session, programme, enrol, make_user):
    enrolment = enrol(programme)
    person = enrolment.user
    services.submit_document(session, enrolment, "passport", filename="p.pdf", content=PDF, actor=person)
    session.commit()
    readers = {
        "person": (person, True),
        "their focal point": (programme.us_focal, True),
        "the other country's focal point": (programme.cn_focal, False),
        "the course's instructor": (programme.instructor, False),
        "another personnel": (programme.other, False),
        "a coordinator": (programme.coordinator, True),
        "an admin": (make_user(Role.ADMIN, None), True),
        "anonymous": (None, False),
    }
    for who, (reader, allowed) in readers.items():
        if allowed:
            assert services.read_document(session, enrolment, "passport", actor=reader).content == PDF, who
        else:
            with pytest.raises(NotFound):
                services.read_document(session, enrolment, "passport", actor=reader)
    session.commit()
    reads = _audit(session, "clearance.document_read")
    assert [entry.actor_id for entry in reads] == [
        person.id, programme.us_focal.id, programme.coordinator.id, readers["an admin"][0].id]
    assert reads[0].after["filename"] == "p.pdf" and reads[0].after["person_id"] == person.id


@pytest.mark.parametrize("who", ["coordinator", "cn_focal", "instructor", "other"])
def test_only_the_person_and_their_focal_point_upload(session, programme, enrol, who):
    enrolment = enrol(programme)
    with pytest.raises(Forbidden if who == "coordinator" else NotFound):
        services.submit_document(session, enrolment, "passport", filename="p.pdf", content=PDF,
                                 actor=getattr(programme, who))


@pytest.mark.parametrize("who", ["us_focal", "instructor", "other"])
def test_only_coordinators_decide_record_and_extend(session, programme, enrol, who):
    enrolment = enrol(programme)
    actor = getattr(programme, who)
    with pytest.raises((Forbidden, NotFound)):
        services.record_check(session, enrolment, "vetting", actor=actor)
    with pytest.raises((Forbidden, NotFound)):
        services.extend_due(session, enrolment, "passport", due_at=at(90), reason="late", actor=actor)


def test_an_extension_moves_one_persons_due_date_and_is_audited_with_its_reason(session, programme, enrol):
    first, second = enrol(programme), enrol(programme)
    before = services.clearance_of(session, first).line("passport").due_at
    new = (before + timedelta(days=10)).replace(microsecond=0)
    services.extend_due(session, first, "passport", due_at=new, reason="Passport office strike.",
                        actor=programme.coordinator)
    session.commit()
    assert services.clearance_of(session, first).line("passport").due_at == new
    assert services.clearance_of(session, second).line("passport").due_at == before
    entry = _audit(session, "clearance.extended")[-1]
    assert entry.actor_id == programme.coordinator.id
    assert entry.after["extension_reason"] == "Passport office strike."
    assert entry.before["due_at"] == before.isoformat() and entry.after["due_at"] == new.isoformat()
    with pytest.raises(DomainError) as refused:
        services.extend_due(session, first, "passport", due_at=at(-1), reason="x",
                            actor=programme.coordinator)
    assert refused.value.field == "due_at"
    with pytest.raises(DomainError) as refused:
        services.extend_due(session, first, "passport", due_at=at(9), reason=" ", actor=programme.coordinator)
    assert refused.value.field == "reason"


def test_due_dates_count_back_from_the_first_day_on_the_venues_clock(session, programme, enrol):
    enrolment = enrol(programme)
    line = services.clearance_of(session, enrolment).line("passport")
    start = programme.course.starts_on
    midnight = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo("Asia/Shanghai"))
    expected = midnight - timedelta(days=45)
    assert line.due_at == expected.astimezone(UTC)


def test_someone_enrolled_after_a_due_date_gets_the_grace_days(app, session, programme, enrol):
    app.config["CLEARANCE_GRACE_DAYS"] = 5
    services.set_requirements(session, programme.course, [
        services.RequirementSpec(key="passport", kind="document", title="Passport copy",
                                 due_days_before_start=65)], actor=programme.coordinator)
    session.commit()
    session.execute(sa.update(Requirement).values(created_at=at(-30)))
    session.commit()
    enrolment = enrol(programme)
    line = services.clearance_of(session, fresh(session, enrolment)).line("passport")
    promoted_at = fresh(session, enrolment).decided_at
    assert abs(line.due_at - (promoted_at + timedelta(days=5))) < timedelta(seconds=1)


def test_progress_reads_as_accepted_of_total_and_the_next_due(session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    for key in ("passport", "nomination", "photo"):
        services.submit_document(session, enrolment, key, filename="f.pdf", content=PDF, actor=person)
        services.decide(session, enrolment, key, decision="accepted", actor=programme.coordinator)
    session.commit()
    clearance = services.clearance_of(session, enrolment)
    due = clearance.line("vetting").due_at
    assert clearance.summary(now=due - timedelta(days=4, hours=12)) == "3 of 4, Vetting cleared due in 5 days"
    assert clearance.summary(now=due + timedelta(hours=1)) == "3 of 4, Vetting cleared overdue"
