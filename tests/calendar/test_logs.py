"""Personal feed tokens never appear in logs: Werkzeug's and gunicorn's access logs, nor Flask's errors."""

from __future__ import annotations

import logging
import subprocess
import time

import pytest
import requests

from tests.servers import BIN, ROOT, free_port, running_server, server_env
from training.core.logging import SecretPathFilter, mask_secrets


def test_mask_hides_the_token_and_keeps_the_rest():
    line = '127.0.0.1 - - "GET /calendar/feeds/AbC_-123.ics?download=1 HTTP/1.1" 200 -'
    assert mask_secrets(line) == '127.0.0.1 - - "GET /calendar/feeds/[secret].ics?download=1 HTTP/1.1" 200 -'


def test_flask_error_log_does_not_show_the_token(app, caplog):
    token = "S3cr3t-token-value_0123456789abcdefghijklm"
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.logger.error("Exception on %s [%s]", f"/calendar/feeds/{token}.ics", "GET")

    assert any(isinstance(f, SecretPathFilter) for f in app.logger.filters)
    assert token not in caplog.text
    assert "Exception on /calendar/feeds/[secret].ics [GET]" in caplog.text


@pytest.mark.commits
def test_werkzeug_server_log_does_not_show_the_token(database_url, make_user, feed_path):
    path = feed_path(make_user())
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    with running_server(database_url) as base_url:
        assert requests.get(base_url + path, timeout=10).status_code == 200
        assert requests.get(base_url + "/calendar/feeds/" + "B" * 43 + ".ics", timeout=10).status_code == 404
        log_files = sorted((ROOT / "test-artifacts").glob(f"server-{base_url.rsplit(':', 1)[1]}.log"))
        time.sleep(0.2)
        log = log_files[0].read_text()

    assert "GET /calendar/feeds/[secret].ics HTTP/1.1\" 200" in log
    assert token not in log
    assert "B" * 43 not in log


@pytest.mark.commits
def test_gunicorn_access_log_does_not_show_the_token(database_url, make_user, feed_path, tmp_path):
    path = feed_path(make_user())
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    port = free_port()
    access_log = tmp_path / "access.log"
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "1", "--no-control-socket", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(access_log),
         "--error-logfile", str(tmp_path / "error.log"), "wsgi:app"],
        cwd=ROOT, env=server_env(database_url),
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        # As tests/servers.py waits: on a busy machine (other pytest-xdist workers) a worker may
        # take a while to import the application.
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base_url + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.1)
        assert requests.get(base_url + path, timeout=10).status_code == 200
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    log = access_log.read_text()
    assert "GET /calendar/feeds/[secret].ics" in log
    assert token not in log
