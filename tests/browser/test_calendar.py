"""A trainee finds their calendar's subscribe box on the profile and can read every client's how-to."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from training.demo.accounts import DEMO_PASSWORD


def test_trainee_subscribes_to_their_calendar_from_the_profile(page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "personnel@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/profile")
    box = page.locator(".calendar-personal")
    expect(box.locator("h2")).to_have_text("Your training calendar")

    subscribe = box.get_by_role("link", name="Subscribe")
    webcal = subscribe.get_attribute("href")
    https = box.locator("input[readonly]").input_value()
    assert webcal.startswith("webcal://") and webcal.endswith(".ics")
    assert https.startswith("http") and https.split("://", 1)[1] == webcal.split("://", 1)[1]
    assert box.get_by_role("link", name="Download once (.ics)").get_attribute("href") == https + "?download=1"

    box.locator("summary", has_text="Google Calendar").click()
    expect(box.locator("details[open]")).to_contain_text("From URL")
    box.screenshot(path=str(screenshot_dir / "subscribe.png"))

    # The demo trainee's feed holds the demo course's sessions.
    path = "/calendar/feeds/" + https.rsplit("/calendar/feeds/", 1)[1]
    feed = requests.get(demo_server + path, timeout=10)
    assert feed.status_code == 200
    assert feed.text.count("BEGIN:VEVENT") >= 1


def test_replacing_the_address_shows_a_new_one(page, demo_server):
    sign_in(page, demo_server, "instructor@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/profile")
    old = page.locator(".calendar-personal input[readonly]").input_value()

    page.get_by_role("link", name="Replace the address").click()
    expect(page.locator("main h1")).to_have_text("Replace your calendar address?")
    page.get_by_role("link", name="Keep the address").click()
    assert page.locator(".calendar-personal input[readonly]").input_value() == old

    page.get_by_role("link", name="Replace the address").click()
    page.get_by_role("button", name="Replace the address").click()

    expect(page.locator(".flash-success")).to_contain_text("new address")
    new = page.locator(".calendar-personal input[readonly]").input_value()
    assert new != old
    old_path = "/calendar/feeds/" + old.rsplit("/calendar/feeds/", 1)[1]
    assert requests.get(demo_server + old_path, timeout=10).status_code == 404
