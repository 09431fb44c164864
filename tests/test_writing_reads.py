"""Reads that write (audited reads of documents and passports) take SQLite's write lock from the start."""

from __future__ import annotations

import pytest
from flask import request, url_for

from training.core import database
from training.core.database import request_writes


def test_every_writing_read_names_a_route(app):
    """A misspelt endpoint would leave its audited read beginning as a plain read."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert database._WRITING_READS
    assert database._WRITING_READS <= endpoints


PASSPORT_READS = ("travel.form", "travel.visas", "travel.visas_csv", "api_travel.logistics",
                  "travel_print.visas", "letters.download", "api_letters.download_letter")


@pytest.mark.parametrize("endpoint", PASSPORT_READS)
def test_passport_reads_begin_as_writing_requests(app, endpoint):
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    with app.test_request_context():
        path = url_for(endpoint, **dict.fromkeys(rule.arguments, 7))
    with app.test_request_context(path, method="GET"):
        assert request.endpoint == endpoint
        assert request_writes() is True


@pytest.mark.parametrize(("method", "path", "writes"), [
    ("GET", "/healthz", False), ("GET", "/", False), ("HEAD", "/", False), ("POST", "/language", True),
])
def test_other_requests_write_only_when_their_method_does(app, method, path, writes):
    with app.test_request_context(path, method=method):
        assert request_writes() is writes
