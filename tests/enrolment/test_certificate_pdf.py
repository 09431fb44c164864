"""The certificate as a PDF: the same verification code as the HTML certificate, and a QR code to
the public verify page, downloaded by the person and coordinators only."""

from __future__ import annotations

from tests.conftest import sign_in
from tests.pdfs import pdf_text, qr_codes
from training.accounts.models import Role
from training.enrolment import services
from training.enrolment.models import EnrolmentStatus


def completed(session, make_course, person):
    course = make_course(quotas={"US": 2}, title="Dark-web investigations")
    enrolment = services.enrol(session, course, person, actor=person)
    enrolment.status, enrolment.certificate_code = EnrolmentStatus.COMPLETED, "AB12-CD34-EF56-7890"
    session.commit()
    return enrolment


def test_certificate_pdf_carries_the_code_and_a_qr_code_to_the_verify_page(
    app, client, session, make_course, make_user, login
):
    person = make_user(name="Grace Graduate")
    enrolment = completed(session, make_course, person)
    login(person)
    html = client.get(f"/enrolments/{enrolment.id}/certificate").get_data(as_text=True)
    assert f'href="/enrolments/{enrolment.id}/certificate.pdf"' in html  # the HTML certificate stays
    response = client.get(f"/enrolments/{enrolment.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"certificate-")
    assert "no-store" in response.headers["Cache-Control"]
    text = pdf_text(response.data)
    assert "Grace Graduate" in text and "Dark-web investigations" in text
    assert "AB12-CD34-EF56-7890" in text
    verify_url = app.config["BASE_URL"].rstrip("/") + "/certificates/AB12-CD34-EF56-7890"
    assert qr_codes(response.data) == [verify_url]
    # The QR code leads to the page that confirms the certificate.
    assert client.get("/certificates/AB12-CD34-EF56-7890").status_code == 200


def test_certificate_pdf_in_chinese(client, session, make_course, make_user, login):
    person = make_user(name="Grace Graduate")
    enrolment = completed(session, make_course, person)
    login(person)
    client.set_cookie("locale", "zh_Hans")
    text = pdf_text(client.get(f"/enrolments/{enrolment.id}/certificate.pdf").data)
    assert "结业证书" in text and "AB12-CD34-EF56-7890" in text


def test_only_the_person_and_coordinators_download_the_certificate_pdf(
    app, session, make_course, make_user
):
    person = make_user(name="Grace Graduate")
    enrolment = completed(session, make_course, person)
    path = f"/enrolments/{enrolment.id}/certificate.pdf"
    expected = {
        "person": 200, "coordinator": 200,
        "other personnel": 403, "focal point": 403, "instructor": 403,
    }
    accounts = {
        "person": person, "coordinator": make_user(Role.COORDINATOR, "CN"),
        "other personnel": make_user(Role.PERSONNEL, "CN"), "focal point": make_user(Role.FOCAL_POINT, "CN"),
        "instructor": make_user(Role.INSTRUCTOR, "CN"),
    }
    for who, user in accounts.items():
        with app.app_context():
            client = app.test_client()
            sign_in(client, user)
            assert client.get(path).status_code == expected[who], who
    with app.app_context():
        assert app.test_client().get(path).status_code == 302  # to sign in
