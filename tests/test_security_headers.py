"""Every answer (page, API, feed) carries the security headers; HSTS only in production."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

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


def test_a_page_without_a_nonced_style_allows_no_inline_style(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "style-src 'self';" in policy and "nonce" not in policy


@pytest.mark.own_app
def test_a_page_with_a_nonced_style_allows_that_style_only(app):
    @app.route("/styled")
    def styled():
        return render_template_string('<style nonce="{{ csp_nonce() }}">p {}</style>')

    first, second = (app.test_client().get("/styled") for _ in range(2))
    nonce = re.search(r'nonce="([^"]+)"', first.get_data(as_text=True)).group(1)
    assert f"style-src 'self' 'nonce-{nonce}';" in first.headers["Content-Security-Policy"]
    assert f"nonce-{nonce}" not in second.headers["Content-Security-Policy"]  # a new one each time
