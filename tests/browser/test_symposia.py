"""An invitee answers on the RSVP page and the coordinator sees it on the dashboard, in Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from training.demo.accounts import DEMO_PASSWORD
from training.demo.symposia import DEMO_RSVP_TOKEN


def test_an_invitee_opens_the_link_and_accepts_for_two_delegates(page, demo_server, screenshot_dir):
    page.goto(f"{demo_server}/rsvp/{DEMO_RSVP_TOKEN}")
    expect(page.locator("h1")).to_have_text("China–US Symposium on Cyber Counter-Terrorism")
    expect(page.locator("main")).to_contain_text("Invitation for Sarah Mitchell, Google")
    expect(page.locator("main")).to_contain_text("You have not answered yet.")
    page.screenshot(path=str(screenshot_dir / "rsvp.png"), full_page=True)

    page.check("input[value=accepted]")
    page.fill("textarea[name=delegates]", "Sarah Mitchell\nKevin Wu")
    page.fill("textarea[name=note]", "Kevin Wu needs a vegetarian meal.")
    page.click("input[type=submit][value='Send my answer']")
    expect(page.locator(".flash-success")).to_contain_text("Your answer is recorded")
    expect(page.locator(".current-answer")).to_contain_text("Current answer: accepted")


def test_a_wrong_link_shows_the_plain_not_found_page(page, demo_server):
    response = page.goto(f"{demo_server}/rsvp/{DEMO_RSVP_TOKEN[:-1]}x")
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("There is nothing here.")


def test_the_coordinator_sees_who_is_coming(page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
    page.click("nav >> text=Symposia")
    page.click("text=China–US Symposium on Cyber Counter-Terrorism")
    expect(page.locator(".capacity-card")).to_contain_text("/ 30")
    expect(page.locator("#delegates + table")).to_contain_text("Microsoft")
    page.screenshot(path=str(screenshot_dir / "symposium-dashboard.png"), full_page=True)
