"""The host's lists as printable PDFs: the page's own table, for exactly the people the page is for."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests import factories
from tests.conftest import sign_in
from tests.pdfs import pdf_text
from tests.travel.letters.conftest import START, fill_form, passport_number
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.core import pdf as core_pdf
from training.courses.models import CourseSession
from training.enrolment import services as enrolment_services

LISTS = ("travel/visas", "travel/arrivals", "travel/rooms", "travel/needs")


def _course_with_a_session(session, make_user):
    teacher = make_user(Role.INSTRUCTOR, "CN", name="Zhou Teacher")
    course = factories.course_rows(session, quotas={"US": 5}, starts_on=START, sessions=1, instructor=teacher,
                                   title="Countering cyber-enabled terrorism")
    person = make_user(Role.PERSONNEL, "US", name="Emily Carter")
    enrolment = enrolment_services.enrol(session, course, person, actor=person)
    session.commit()
    fill_form(session, enrolment, n=1, hotel="Beijing Friendship Hotel", check_in_on=START,
              check_out_on=START + timedelta(days=3), dietary_needs="Vegetarian")
    session.commit()
    lecture = session.scalars(sa.select(CourseSession.id).where(CourseSession.course_id == course.id)).one()
    return course, teacher, lecture


def test_each_list_prints_for_whoever_may_see_its_page(app, session, make_user, monkeypatch):
    # Who may print is the point; what prints is read in the next test.
    monkeypatch.setattr(core_pdf, "html_to_pdf", lambda html: b"%PDF-1.7 stub")
    course, teacher, lecture = _course_with_a_session(session, make_user)
    paths = [f"/courses/{course.slug}/{name}" for name in LISTS]
    paths.append(f"/courses/{course.slug}/sessions/{lecture}/sign-in")
    people = {
        "coordinator": make_user(Role.COORDINATOR, "CN"), "instructor": teacher,
        "focal-us": make_user(Role.FOCAL_POINT, "US"), "focal-cn": make_user(Role.FOCAL_POINT, "CN"),
        "personnel-us": make_user(Role.PERSONNEL, "US"), "personnel-cn": make_user(Role.PERSONNEL, "CN"),
    }
    printed = set()
    for who, user in people.items():
        with app.app_context():
            client = app.test_client()
            sign_in(client, user)
        for path in paths:
            page, pdf = client.get(path), client.get(path + ".pdf")
            assert pdf.status_code == page.status_code, (who, path, page.status_code, pdf.status_code)
            if pdf.status_code == 200:
                assert pdf.mimetype == "application/pdf" and pdf.data == b"%PDF-1.7 stub"
                assert "no-store" in pdf.headers["Cache-Control"]
                printed.add((who, path.rsplit("/", 1)[1]))
    assert ("coordinator", "visas") in printed and ("instructor", "sign-in") in printed
    assert not any(who.startswith("personnel") for who, _ in printed)
    with app.app_context():
        assert app.test_client().get(paths[0] + ".pdf").status_code == 302  # to sign in


def test_the_visa_list_and_the_sign_in_sheet_print_what_their_pages_show(app, session, make_user):
    course, teacher, lecture = _course_with_a_session(session, make_user)
    coordinator = make_user(Role.COORDINATOR, "CN")
    with app.app_context():
        client = app.test_client()
        sign_in(client, coordinator)
    visas = client.get(f"/courses/{course.slug}/travel/visas.pdf")
    text = pdf_text(visas.data)
    assert "Visa list" in text and "EMILY CARTER" in text and passport_number(1) in text
    reads = session.scalars(sa.select(AuditEntry).where(AuditEntry.actor_id == coordinator.id)).all()
    assert reads, "printing the visa list is a reading of passports, and is audited"
    sheet = pdf_text(client.get(f"/courses/{course.slug}/sessions/{lecture}/sign-in.pdf").data)
    assert "Emily Carter" in sheet and "Signature" in sheet and passport_number(1) not in sheet
