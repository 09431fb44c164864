"""No secret from a URL (reset, RSVP, feed tokens, ?token=) reaches an access or error log."""

from __future__ import annotations

import logging

import pytest
import requests

from tests.databases import BACKENDS, fresh_database
from tests.servers import running_server, server_log
from training import create_app

# Shaped like the real ones: a signed reset token has dots, RSVP and feed tokens do not.
RESET = "eyJ1c2VyIjo0Mn0.Z1x9Qw.kP3v-Secret_Signature"
RSVP = "rsvpSecretToken_0123456789abcdefghijklmnopq"
FEED = "feedSecretToken-0123456789abcdef"
SECRETS = (RESET, *RESET.split("."), RSVP, FEED, "queryTokenSecret")


@pytest.mark.parametrize("backend", BACKENDS)
def test_gunicorn_access_and_error_logs_show_no_token(backend, tmp_path):
    # A database without tables: every token route fails, so the error log has its say too.
    with fresh_database(backend, tmp_path) as url, running_server(
        url, workers=1, GUNICORN_CMD_ARGS="--access-logfile - --error-logfile -"
    ) as base:
        requests.get(f"{base}/reset/{RESET}", timeout=30)
        requests.post(f"{base}/rsvp/{RSVP}", timeout=30)
        requests.get(f"{base}/rsvp/{RSVP}", timeout=30)
        requests.post(f"{base}/api/v1/rsvp/{RSVP}", json={"answer": "accepted"}, timeout=30)
        requests.get(f"{base}/calendar/feeds/{FEED}.ics?download=1", timeout=30)
        requests.get(f"{base}/calendar/courses.ics?token=queryTokenSecret", timeout=30)
        log = server_log(base).read_text()
    for path in ("/reset/[secret]", "/rsvp/[secret]", "/api/v1/rsvp/[secret]",
                 "/calendar/feeds/[secret].ics?download=1", "/calendar/courses.ics?token=[secret]"):
        assert path in log, log
    assert "Error handling request GET /rsvp/[secret]" in log, log
    assert "Error handling request GET /calendar/courses.ics?token=[secret]" in log, log
    for secret in SECRETS:
        assert secret not in log


def test_flask_error_log_of_a_failed_rsvp_shows_no_token(tmp_path, caplog):
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'no-tables.sqlite'}",
        "PROPAGATE_EXCEPTIONS": False, "WTF_CSRF_ENABLED": False,
    })
    with caplog.at_level(logging.ERROR):
        response = app.test_client().post(f"/rsvp/{RSVP}", data={"answer": "accepted"})
    assert response.status_code == 500
    assert "Exception on /rsvp/[secret] [POST]" in caplog.messages
    assert RSVP not in caplog.text
