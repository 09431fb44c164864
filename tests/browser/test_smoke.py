"""A person opens the site in Chromium and signs in as the demo coordinator."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from training.demo.accounts import DEMO_PASSWORD


def test_coordinator_signs_in_and_sees_their_name(page, demo_server, screenshot_dir):
    page.goto(demo_server)
    expect(page.locator("header")).to_contain_text("Sign in")
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
    expect(page.locator("header .who")).to_have_text("Chen Jing")
    expect(page.locator("main")).to_contain_text("Chen Jing")
    page.screenshot(path=str(screenshot_dir / "home-coordinator.png"), full_page=True)


def test_wrong_password_is_shown_beside_the_field(page, demo_server):
    sign_in(page, demo_server, "coordinator@demo.training", "not the password")
    expect(page.locator("#password-error")).to_contain_text("Wrong email or password.")
    expect(page.locator("header")).not_to_contain_text("Chen Jing")
