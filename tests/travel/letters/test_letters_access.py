"""Who may issue, download and list letters, by page and by API: the person, the focal point of
their country and coordinators download; coordinators issue; a trainee of the other country, an
instructor and the other side's focal point are refused. The letters page runs fixed queries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, sign_in
from tests.travel.letters.conftest import passport_number
from training.accounts.models import Role, User
from training.accounts.tokens import issue_token
from training.audit.models import AuditEntry
from training.travel.letters import document, services
from training.travel.letters.models import VisaLetter

WHO = ("person", "focal-us", "coordinator", "personnel-cn", "instructor", "focal-cn", "personnel-us")
DOWNLOADS = {"person", "focal-us", "coordinator"}


@pytest.fixture
def accounts(make_user):
    def make(person):
        return {
            "person": person,
            "focal-us": make_user(Role.FOCAL_POINT, "US"),
            "coordinator": make_user(Role.COORDINATOR, "CN"),
            "personnel-cn": make_user(Role.PERSONNEL, "CN"),
            "instructor": make_user(Role.INSTRUCTOR, "CN"),
            "focal-cn": make_user(Role.FOCAL_POINT, "CN"),
            "personnel-us": make_user(Role.PERSONNEL, "US"),  # another US trainee: not their letter
        }
    return make


def _client(app, user):
    with app.app_context():
        client = app.test_client()
        if user is not None:
            sign_in(client, user)
    return client


def test_downloads_by_page_and_api_for_the_person_their_focal_point_and_coordinators_only(
    app, session, beijing, confirmed, coordinator, accounts, monkeypatch
):
    # Who gets the letter is the point here; what it says is read in test_letters.py. Drawing it
    # twelve times over would only slow the suite down.
    monkeypatch.setattr(document, "render_letter", lambda letter, facts: b"%PDF-1.7 " + facts.number.encode())
    enrolment = confirmed(beijing, name="Emily Carter")
    letter = services.issue_letter(session, enrolment, actor=coordinator)
    session.commit()
    people = accounts(session.get(User, enrolment.user_id))
    for who in WHO:
        user = people[who]
        page = _client(app, user).get(f"/letters/{letter.code}/letter.pdf")
        token, _row = issue_token(session, user)
        session.commit()
        api = app.test_client().get(f"/api/v1/letters/{letter.code}/pdf",
                                    headers={"Authorization": f"Bearer {token}"})
        history = _client(app, user).get(f"/enrolments/{enrolment.id}/letters")
        if who in DOWNLOADS:
            assert page.status_code == 200 and page.mimetype == "application/pdf", who
            assert api.status_code == 200 and api.data == b"%PDF-1.7 " + passport_number(1).encode(), who
            assert history.status_code == 200, who
        else:
            assert page.status_code == 404 and passport_number(1).encode() not in page.data, who
            assert api.status_code == 404, who
            assert history.status_code == 403, who
    downloads = session.scalars(
        sa.select(AuditEntry.actor_id).where(AuditEntry.action == "letter.downloaded")).all()
    assert sorted(downloads) == sorted([people[w].id for w in DOWNLOADS] * 2)
    anonymous = app.test_client()
    assert anonymous.get(f"/letters/{letter.code}/letter.pdf").status_code == 302
    assert anonymous.get(f"/api/v1/letters/{letter.code}/pdf").status_code == 401


def test_only_coordinators_issue_by_page_and_api(app, session, beijing, confirmed, coordinator, accounts):
    enrolment = confirmed(beijing)
    people = accounts(session.get(User, enrolment.user_id))
    for who in WHO:
        client = _client(app, people[who])
        path = f"/courses/{beijing.slug}/letters"
        page = client.get(path)
        form = client.post(f"/enrolments/{enrolment.id}/letters",
                           data={"csrf_token": csrf_token(client, "/my/courses"), "next": path})
        token, _row = issue_token(session, people[who])
        session.commit()
        api = app.test_client().post(f"/api/v1/enrolments/{enrolment.id}/letters", json={},
                                     headers={"Authorization": f"Bearer {token}"})
        if who == "coordinator":
            assert page.status_code == 200 and form.status_code == 302
            assert api.status_code == 409  # the page issued it a moment ago
        else:
            assert page.status_code == 403 and form.status_code == 403 and api.status_code == 403, who
    assert session.scalar(sa.select(sa.func.count()).select_from(VisaLetter)) == 1


def test_the_api_issues_a_letter_and_reissues_on_request(app, session, beijing, confirmed, coordinator):
    enrolment = confirmed(beijing)
    token, _row = issue_token(session, coordinator)
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    path = f"/api/v1/enrolments/{enrolment.id}/letters"
    issued = client.post(path, json={"lock_form": True}, headers=headers)
    assert issued.status_code == 201
    body = issued.get_json()
    base = app.config["BASE_URL"].rstrip("/")
    assert body == {"code": body["code"], "verify_url": f"{base}/letters/{body['code']}",
                    "pdf_url": f"{base}/api/v1/letters/{body['code']}/pdf"}
    again = client.post(path, json={}, headers=headers)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    reissued = client.post(path, json={"reissue": True}, headers=headers)
    assert reissued.status_code == 201 and reissued.get_json()["code"] != body["code"]
    assert client.get(f"/api/v1/letters/{body['code']}").get_json()["valid"] is False
    wrong = client.post(path, json={"reissue": "perhaps"}, headers=headers)
    assert wrong.status_code == 422


def test_the_letters_page_issues_for_everyone_complete_with_a_summary(
    client, session, beijing, confirmed, coordinator
):
    ready = [confirmed(beijing) for _ in range(2)]
    confirmed(beijing, complete=False, name="Ivan Incomplete")
    sign_in(client, coordinator)
    path = f"/courses/{beijing.slug}/letters"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "lock_form": "y"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "2 letters issued." in page
    assert "Skipped Ivan Incomplete" in page
    codes = session.scalars(sa.select(VisaLetter.code)).all()
    assert len(codes) == 2 and all(code in page for code in codes)
    assert len(ready) == 2
    refused = client.post(path, data={})  # no CSRF token: nothing issued
    assert refused.status_code == 400
    assert session.scalar(sa.select(sa.func.count()).select_from(VisaLetter)) == 2


def test_the_letters_page_runs_the_same_queries_for_one_person_and_many(
    client, session, beijing, confirmed, coordinator, count_queries
):
    sign_in(client, coordinator)
    path = f"/courses/{beijing.slug}/letters"

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    services.issue_letter(session, confirmed(beijing), actor=coordinator)
    session.commit()
    one = queries()
    for _ in range(5):
        services.issue_letter(session, confirmed(beijing), actor=coordinator)
    confirmed(beijing, complete=False)
    session.commit()
    assert queries() == one
