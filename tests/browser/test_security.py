"""Pages keep working under the strict Content-Security-Policy: Chromium reports no violation."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, expect

from tests.browser.conftest import sign_in
from training.demo.accounts import DEMO_PASSWORD
from training.demo.enrolment import MIXED_SLUG as SLUG
from training.demo.symposia import DEMO_RSVP_TOKEN

# Collects what Chromium reports as a securitypolicyviolation event, page by page.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


def test_pages_break_no_rule_of_the_content_security_policy(page, demo_server):
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            console.append(message.text)

    page.on("console", keep)
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)

    def visit(path: str) -> None:
        response = page.goto(demo_server + path)
        assert response is not None and response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert page.evaluate("window.__cspViolations") == [], path

    for path in ("/", f"/courses/{SLUG}", f"/courses/{SLUG}/schedule", "/profile", "/symposia/",
                 f"/rsvp/{DEMO_RSVP_TOKEN}"):
        visit(path)

    visit(f"/courses/{SLUG}/week")
    # The week grid's positions come from the nonce'd <style>: sessions sit in their day column.
    first = page.locator(".wg-session").first
    expect(first).to_be_visible()
    assert first.evaluate("e => getComputedStyle(e).gridColumnStart") not in ("auto", "")

    visit("/symposia/")
    dashboard = page.locator("a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /^\\/symposia\\/\\d+$/.test(h))")
    visit(dashboard[0])
    width = page.locator(".capacity-card .meter-fill").evaluate("e => getComputedStyle(e).width")
    assert re.fullmatch(r"[\d.]+px", width)

    assert console == []
