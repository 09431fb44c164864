"""Every answer (page, API, feed) carries the security headers; HSTS only in production."""

from __future__ import annotations

from training import create_app


def test_pages_api_answers_and_feeds_carry_the_security_headers(client):
    for path in ("/login", "/api/v1/openapi.json", "/calendar/courses.ics", "/no/such/page"):
        response = client.get(path)
        headers = response.headers
        assert response.status_code in (200, 404), path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert "Strict-Transport-Security" not in headers, path
    page = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self';" in page and "'unsafe-inline'" not in page


def test_rsvp_pages_keep_no_referrer(client):
    response = client.get("/rsvp/" + "x" * 43)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_production_sends_strict_transport_security(database_url):
    app = create_app("production", {
        "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "s" * 32,
        "BASE_URL": "https://training.example.org", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    })
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
