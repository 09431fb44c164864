"""Health check, error pages, roles, the admin pages and settings."""

from __future__ import annotations

from urllib.parse import unquote

import psycopg
import pytest
import requests
import sqlalchemy as sa
from flask import request_started

from config import resolve
from tests.conftest import csrf_token
from tests.databases import POSTGRES_ADMIN_DSN, fresh_database
from tests.servers import running_server, server_log
from training import create_app
from training.accounts.models import Role, User
from training.audit.models import AuditEntry
from training.core.crypto import generate_key
from training.core.extensions import db


def test_healthz_reports_the_database(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    # Written once, byte for byte what Flask's JSON provider writes.
    assert response.get_data() == app.json.response(status="ok", database="ok").get_data()
    assert response.mimetype == "application/json"


def test_healthz_says_when_the_database_is_unreachable(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_healthz_checks_the_database_with_the_pools_ping_alone_then_one_statement_before_flask(
        app, client, count_queries):
    with count_queries() as counter:
        assert client.get("/healthz").status_code == 200
    assert counter.statements == []
    handled = []

    def note(sender: object, **_extra: object) -> None:
        handled.append(sender)

    request_started.connect(note, app)
    try:
        with count_queries() as counter:
            again = client.get("/healthz")
        assert client.get("/healthz", headers={"User-Agent": "another monitor"}).status_code == 200
    finally:
        request_started.disconnect(note, app)
    # The monitor's same request again: answered before Flask once a statement got its answer.
    assert again.status_code == 200 and again.json == {"status": "ok", "database": "ok"}
    assert counter.statements == ["SELECT 1"] and handled == [app]  # the other monitor's, by Flask


@pytest.mark.postgresql_only
@pytest.mark.parametrize("ping", [True, False], ids=["pool pings", "SELECT 1"])
def test_healthz_says_when_the_database_stopped_answering_after_the_pool_kept_a_connection(tmp_path, ping):
    with fresh_database("postgresql", tmp_path) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url,
                                     "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": ping}})
        client = app.test_client()
        assert client.get("/healthz").status_code == 200  # the pool keeps its connection
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            # The kept connection is cut and no new one is let in, as when the server went away.
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            try:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                              (name,))
                response = client.get("/healthz")
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert response.status_code == 503
        assert response.json == {"status": "error", "database": "unreachable"}
        assert client.get("/healthz").status_code == 200  # and back once it answers again
        with app.app_context():
            db.engine.dispose()


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing here" in response.get_data(as_text=True)


@pytest.mark.own_app
def test_a_private_answer_varies_on_the_cookie_once_beside_a_vary_of_its_own(app):
    @app.route("/varies")
    def varies():
        response = app.response_class("By language")
        response.vary.add("Accept-Language")
        return response

    client = app.test_client()
    assert client.get("/healthz").headers.get_all("Vary") == ["Cookie"]
    assert client.get("/varies").headers.get_all("Vary") == ["Accept-Language, Cookie"]


@pytest.mark.own_app
def test_server_error_page_rolls_back_and_is_friendly(app, session):
    @app.route("/boom")
    def boom():
        session.add(User(email="ghost@example.org", name="Ghost"))
        session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert session.scalar(sa.select(User).where(User.email == "ghost@example.org")) is None


ADMIN_ROUTES = [("get", "/admin/users"), ("get", "/admin/audit"), ("post", "/admin/users/1/role")]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_admin_pages_refuse_every_other_role(role, login, make_user):
    client = login(make_user(role=role, country="US"))
    for method, path in ADMIN_ROUTES:
        data = {"csrf_token": csrf_token(client, "/")} if method == "post" else None
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 403, (role, path)
        assert "You do not have permission" in response.get_data(as_text=True)


def test_admin_pages_send_anonymous_visitors_to_sign_in(client):
    for method, path in ADMIN_ROUTES:
        if method == "get":
            response = client.get(path)
            assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_changes_a_role_and_it_is_audited(login, make_user, session):
    admin = make_user(role=Role.ADMIN, country=None)
    person = make_user(name="Someone")
    client = login(admin)
    assert "Someone" in client.get("/admin/users").get_data(as_text=True)
    token = csrf_token(client, "/admin/users")
    response = client.post(f"/admin/users/{person.id}/role",
                           data={"role": "focal-point", "country": "CN", "csrf_token": token})
    assert response.status_code == 302
    session.refresh(person)
    assert (person.role, person.country) == (Role.FOCAL_POINT, "CN")
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.role_changed"))
    assert entry.actor_id == admin.id
    assert entry.before["role"] == "personnel" and entry.after["role"] == "focal-point"
    assert "user.role_changed" in client.get("/admin/audit").get_data(as_text=True)


def test_admin_cannot_make_a_focal_point_without_country(login, make_user, session):
    client = login(make_user(role=Role.ADMIN, country=None))
    person = make_user(country=None)
    response = client.post(f"/admin/users/{person.id}/role", data={
        "role": "focal-point", "country": "", "csrf_token": csrf_token(client, "/admin/users")})
    assert response.status_code == 400
    assert "A focal point must belong to a country." in response.get_data(as_text=True)
    session.refresh(person)
    assert person.role is Role.PERSONNEL


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        resolve("production", tmp_path, None)
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-the-environment-32-bytes")
    monkeypatch.setenv("BASE_URL", "https://training.example.org")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert resolve("production", tmp_path, None)["SECRET_KEY"] == "s3cret-from-the-environment-32-bytes"


def test_production_refuses_a_short_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://training.example.org")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SECRET_KEY", "x" * 31)
    with pytest.raises(RuntimeError, match="SECRET_KEY is shorter than 32 bytes"):
        resolve("production", tmp_path, None)


def test_production_refuses_to_start_without_base_url(tmp_path, monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    with pytest.raises(RuntimeError, match="BASE_URL is not set"):
        resolve("production", tmp_path, None)


def test_production_refuses_per_worker_rate_limits_unless_one_worker_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("BASE_URL", "https://training.example.org")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI is memory://"):
        resolve("production", tmp_path, None)
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI is memory://"):
        resolve("production", tmp_path, None)
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert resolve("production", tmp_path, None)["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_refuses_to_start_without_a_data_encryption_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("BASE_URL", "https://training.example.org")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(RuntimeError, match="DATA_ENCRYPTION_KEYS is not set"):
        resolve("production", tmp_path, None)
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(RuntimeError, match="does not start with a Fernet key"):
        resolve("production", tmp_path, None)
    key = generate_key()
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", f"{key},{generate_key()}")
    assert resolve("production", tmp_path, None)["DATA_ENCRYPTION_KEYS"].startswith(key)


def test_development_keeps_a_data_encryption_key_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS", raising=False)
    first = resolve("development", tmp_path, None)["DATA_ENCRYPTION_KEYS"]
    assert (tmp_path / "data_encryption_key").stat().st_mode & 0o777 == 0o600
    assert resolve("development", tmp_path, None)["DATA_ENCRYPTION_KEYS"] == first


def test_development_generates_and_keeps_a_secret_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = resolve("development", tmp_path, None)
    second = resolve("development", tmp_path, None)
    assert len(first["SECRET_KEY"]) >= 64 and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'training.sqlite'}"


def test_environment_configures_database_mail_and_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/training")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("BASE_URL", "https://training.example.org")
    settings = resolve("development", tmp_path, None)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/training"
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"]) == ("smtp.internal", 2525)
    assert settings["BASE_URL"] == "https://training.example.org"


def test_static_assets_are_served_by_the_app(client):
    html = client.get("/").get_data(as_text=True)
    assert "/static/training.css" in html and "cdn" not in html.lower()
    response = client.get("/static/training.css")
    assert response.status_code == 200 and b"--font" in response.data
    response.close()


def test_language_switch_uses_a_cookie_for_visitors(client):
    response = client.post("/language", data={"locale": "zh_Hans", "next": "/login",
                                              "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "locale=zh_Hans" in response.headers["Set-Cookie"]


@pytest.mark.commits
def test_sign_in_attempts_are_rate_limited(app):
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False})
    client = limited.test_client()
    statuses = [client.post("/login", data={"email": "x@example.org", "password": "guess"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert "Too many attempts" in client.post("/login", data={}).get_data(as_text=True)
    with limited.app_context():
        db.engine.dispose()


@pytest.mark.commits
def test_tokens_in_urls_never_reach_the_access_log(database_url, tmp_path):
    token = "SeCrEtToKeN1234567890abcdef"
    with running_server(database_url) as base_url:
        requests.get(f"{base_url}/reset/{token}", timeout=10, allow_redirects=False)
        requests.get(f"{base_url}/healthz", timeout=10)
        log = server_log(base_url).read_text()
    assert "/reset/[secret]" in log
    assert token not in log


@pytest.mark.parametrize("segment", ["bj-2027", "cyber.ct", "北京-2027", "a~b"])
def test_every_route_matches_back_to_itself_with_any_text_in_its_segments(app, segment):
    """The router walks the path segment by segment: each route's address, with a segment that
    holds dots, tildes or Chinese, is matched back to that route and no other."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {name: 7 if rule._converters[name].regex == r"\d+" else segment for name in rule.arguments}
        method = next(iter(rule.methods - {"HEAD", "OPTIONS"}))
        path = adapter.build(rule.endpoint, values, method=method)
        endpoint, matched = adapter.match(unquote(path), method=method)  # as the server decodes it
        assert (endpoint, matched) == (rule.endpoint, values), path


def test_a_segment_never_spans_a_slash_nor_holds_a_control_character(client):
    assert client.get("/courses/a/b").status_code == 404
    assert client.get("/courses/a%2Fb").status_code == 404
    assert client.get("/courses/a%00b").status_code == 404
