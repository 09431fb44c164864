"""Every refused form opens at a summary of its errors, each a link to its field."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD, csrf_token
from training.accounts.models import Role


def _summary(html: str) -> str:
    match = re.search(r'<div class="error-summary" id="errors" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(1)


def test_a_refused_sign_up_lists_each_problem_with_a_link_to_its_field(client):
    response = client.post("/signup", data={
        "csrf_token": csrf_token(client, "/signup"), "name": "Jane Doe", "email": "not-an-address",
        "organisation": "FBI", "country": "US", "timezone": "America/New_York", "locale": "",
        "password": PASSWORD, "confirm": PASSWORD + "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = _summary(html)
    assert "There are 2 problems" in summary
    assert '<a href="#email">' in summary and '<a href="#confirm">' in summary
    assert "The passwords differ." in summary
    assert 'action="/signup#errors"' in html
    assert 'id="email"' in html and 'id="confirm"' in html


def test_a_refusal_by_a_service_is_summarised_too(client, make_user, login):
    login(make_user(Role.COORDINATOR, "CN"))
    response = client.post("/courses/new", data={
        "csrf_token": csrf_token(client, "/courses/new"), "title": "Fraud", "host_country": "CN",
        "city": "Beijing", "timezone": "Asia/Shanghai", "starts_on": "2031-03-10", "ends_on": "2031-03-03",
        "capacity": "10", "language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#ends_on">' in _summary(html) and "There is a problem" in _summary(html)
    assert 'action="/courses/new#errors"' in html


def test_the_summary_speaks_chinese_to_chinese_readers(client):
    client.set_cookie("locale", "zh_Hans")
    empty = {"csrf_token": csrf_token(client, "/login"), "email": "", "password": ""}
    response = client.post("/login", data=empty)
    summary = _summary(response.get_data(as_text=True))
    assert "有 2 个问题" in summary


def test_a_page_with_a_query_string_posts_back_to_it(client):
    html = client.get("/login?next=/my/courses").get_data(as_text=True)
    assert 'action="/login?next=/my/courses#errors"' in html
