"""The API's ground rules: tokens, problem+json errors, the OpenAPI document."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.conftest import PASSWORD
from training.accounts.models import ApiToken, Role, User
from training.accounts.tokens import revoke_token


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_a_token_is_issued_for_the_right_password_and_stored_only_hashed(client, session, make_user):
    user = make_user(email="api@example.org")
    response = client.post("/api/v1/tokens", json={"email": "api@example.org", "password": PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    assert len(token) >= 40 and response.json["expires_at"]
    assert response.headers["Cache-Control"] == "no-store"
    stored = session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["email"] == "api@example.org" and me.json["role"] == "personnel"
    assert me.json["country"] == "US" and "feed_url" in me.json


def test_wrong_credentials_get_401_problem(client, make_user):
    make_user(email="api@example.org")
    body = assert_problem(client.post("/api/v1/tokens", json={"email": "api@example.org",
                                                              "password": "nope"}), 401)
    assert body["detail"] == "Wrong email or password."


def test_malformed_json_is_a_400_problem(client):
    assert_problem(client.post("/api/v1/tokens", data="{not json", content_type="application/json"), 400)


def test_invalid_fields_are_a_422_problem_naming_each_field(client):
    body = assert_problem(client.post("/api/v1/tokens", json={"email": "not-an-email"}), 422)
    assert set(body["errors"]) == {"email", "password"}


def test_revoked_expired_and_forged_tokens_are_refused(client, session, make_user, bearer):
    user = make_user()
    headers = bearer(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    row = session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    revoke_token(session, user, row.id)
    session.commit()
    assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer trn_forged"}), 401)
    assert_problem(client.get("/api/v1/me"), 401)


def test_api_ignores_the_session_cookie(login, make_user):
    client = login(make_user())
    assert client.get("/profile").status_code == 200
    assert_problem(client.get("/api/v1/me"), 401)


def test_unknown_api_path_is_a_404_problem(client):
    assert_problem(client.get("/api/v1/no-such-thing"), 404)


def test_focal_point_creates_only_personnel_of_their_country(client, session, make_user, bearer, mailbox):
    headers = bearer(make_user(role=Role.FOCAL_POINT, country="CN"))
    created = client.post("/api/v1/users", headers=headers,
                          json={"email": "new@example.org", "name": "Zhang Wei", "country": "CN"})
    assert created.status_code == 201 and created.json["role"] == "personnel"
    assert session.scalar(sa.select(User).where(User.email == "new@example.org")).password_hash is None
    for payload in ({"email": "b@example.org", "name": "B", "country": "US"},
                    {"email": "c@example.org", "name": "C", "country": "CN", "role": "coordinator"}):
        assert_problem(client.post("/api/v1/users", headers=headers, json=payload), 403)
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_user_creation_roles(client, make_user, bearer):
    payload = {"email": "x@example.org", "name": "X", "country": "US", "password": "long enough password"}
    for role in (Role.PERSONNEL, Role.INSTRUCTOR):
        assert_problem(client.post("/api/v1/users", headers=bearer(make_user(role=role)), json=payload), 403)
    coordinator = bearer(make_user(role=Role.COORDINATOR))
    assert client.post("/api/v1/users", headers=coordinator, json=payload).status_code == 201
    assert_problem(client.post("/api/v1/users", headers=coordinator, json=payload), 409)
    assert_problem(client.post("/api/v1/users", headers=coordinator,
                               json=dict(payload, email="y@example.org", role="admin")), 403)
    body = assert_problem(client.post("/api/v1/users", headers=coordinator, json=dict(
        payload, email="z@example.org", role="focal-point", country=None)), 422)
    assert "country" in body["errors"]


def test_openapi_document_describes_every_route_under_api(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops
                  if method in {"get", "post", "put", "patch", "delete"}}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


def test_profile_creates_a_token_shown_once_and_revokes_it(login, make_user, session):
    from tests.conftest import csrf_token

    user = make_user()
    client = login(user)
    page = client.post("/profile/tokens", data={"name": "HR system",
                                                "csrf_token": csrf_token(client, "/profile/tokens")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    token = html.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("trn_")
    api = client.application.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/profile/tokens").get_data(as_text=True)  # shown once
    row = session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    ask = client.get(f"/profile/tokens/{row.id}/revoke").get_data(as_text=True)
    assert "Programs using it are locked out at once" in ask
    response = client.post(f"/profile/tokens/{row.id}/revoke",
                           data={"csrf_token": csrf_token(client, "/profile/tokens"), "confirm": "yes"})
    assert response.status_code == 302
    assert_problem(api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_nobody_revokes_another_persons_token(login, make_user, session, bearer):
    from tests.conftest import csrf_token

    owner = make_user()
    headers = bearer(owner)
    row = session.scalar(sa.select(ApiToken).where(ApiToken.user_id == owner.id))
    client = login(make_user())
    response = client.post(f"/profile/tokens/{row.id}/revoke",
                           data={"csrf_token": csrf_token(client, "/profile/tokens"), "confirm": "yes"})
    assert response.status_code == 302  # refused with a message on the tokens page
    assert client.get(f"/profile/tokens/{row.id}/revoke").status_code == 404
    assert client.application.test_client().get("/api/v1/me", headers=headers).status_code == 200


def test_every_operation_lists_its_statuses_and_needs_a_token_unless_it_is_a_public_read(client):
    spec = client.get("/api/v1/openapi.json").json
    public = {("/api/v1/tokens", "post"), ("/api/v1/courses", "get"), ("/api/v1/courses/{course_id}", "get"),
              ("/api/v1/courses/{course_id}/sessions", "get"), ("/api/v1/instructors", "get"),
              ("/api/v1/symposia/{symposium_id}", "get"), ("/api/v1/rsvp/{token}", "post"),
              ("/api/v1/courses/{course_id}/requirements", "get"), ("/api/v1/letters/{code}", "get")}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" not in operation["responses"], (path, method)
            secured = bool(operation.get("security"))
            assert secured == ((path, method) not in public), (path, method)
            if secured:
                assert "401" in operation["responses"], (path, method)


def test_api_messages_follow_accept_language_not_the_profile(client, session, make_user, bearer):
    from flask_babel import get_locale, refresh

    person = make_user(country="CN", locale="zh_Hans")
    headers = bearer(person)
    app = client.application
    with app.test_request_context("/api/v1/me", headers=headers | {"Accept-Language": "en-US,en"}):
        app.preprocess_request()
        assert str(get_locale()) == "en"
    with app.test_request_context("/api/v1/me", headers={"Accept-Language": "zh-CN,zh;q=0.9"}):
        refresh()
        assert str(get_locale()) == "zh_Hans"
    with app.test_request_context("/profile", headers={"Accept-Language": "en"}):
        from flask_login import login_user

        login_user(person)
        refresh()
        assert str(get_locale()) == "zh_Hans"  # pages keep the profile's language


def test_a_refusal_names_the_country_in_the_callers_language(client, session, make_user, bearer):
    from datetime import date

    from training.courses import services as courses
    from training.enrolment import services as enrolment

    coordinator = make_user(role=Role.COORDINATOR, country="CN")
    course = courses.create_course(session, courses.CourseDetails(
        title="Fraud", host_country="US", city="Washington", timezone="America/New_York",
        starts_on=date(2031, 6, 1), ends_on=date(2031, 6, 5), capacity=10), actor=coordinator)
    courses.publish_course(session, course, actor=coordinator)
    enrolment.set_quotas(session, course, {"US": 10}, actor=coordinator)
    session.commit()
    headers = bearer(make_user(country="CN"))
    english = assert_problem(client.post(f"/api/v1/courses/{course.id}/enrolments", json={},
                                         headers=headers | {"Accept-Language": "en"}), 422)
    assert "China" in english["detail"]
    chinese = assert_problem(client.post(f"/api/v1/courses/{course.id}/enrolments", json={},
                                         headers=headers | {"Accept-Language": "zh-CN"}), 422)
    assert "中国" in chinese["detail"]  # Babel's own name for CN
