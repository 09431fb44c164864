"""Meetings in Chromium: the series page with its meetings, a meeting's minutes and action items in
Chinese, and the hotline directory, on a phone and a desktop; each fits and passes axe-core."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_phone import AXE, DESKTOP, FAILING_IMPACTS, PHONE, check_page
from training.demo.accounts import DEMO_PASSWORD

WIDTHS = (("phone", PHONE), ("desktop", DESKTOP))


def _signed_in(browser: Browser, base_url: str, email: str, locale: str) -> Page:
    context = browser.new_context(viewport=DESKTOP, locale=locale, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base_url, email, DEMO_PASSWORD)
    page.wait_for_load_state()
    return page


def _series_path(page: Page, base_url: str) -> str:
    page.goto(f"{base_url}/meetings")
    return page.locator("table.meetings a").first.get_attribute("href")


def _look(page: Page, url: str, name: str, screenshot_dir: Path, problems: list) -> None:
    for width, viewport in WIDTHS:
        page.set_viewport_size(viewport)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        overflow, violations = check_page(page, width)
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        if overflow["scroll"] > overflow["inner"] or failing:
            problems.append((name, width, overflow, failing))
        page.screenshot(path=str(screenshot_dir / f"{name}-{width}.png"), full_page=True)


def test_meeting_pages_fit_a_phone_and_pass_axe_in_both_languages(browser, demo_server, screenshot_dir):
    assert AXE.exists(), f"{AXE} is missing: `make js-packages` installs axe-core"
    problems: list = []
    page = _signed_in(browser, demo_server, "coordinator@demo.training", "en-US")
    series = demo_server + _series_path(page, demo_server)
    _look(page, series, "meetings-series", screenshot_dir, problems)
    expect(page.locator("table.occurrences")).to_contain_text("moved")
    expect(page.locator("table.occurrences")).to_contain_text("cancelled")
    expect(page.locator("#open-actions + .action-list .overdue").first).to_be_visible()
    _look(page, f"{demo_server}/contact-points", "meetings-hotline", screenshot_dir, problems)
    expect(page.locator(".contact-point.overdue")).to_have_count(1)
    expect(page.locator(".retired-contact-points")).to_contain_text("Cyber Division night line")
    edit = page.get_by_role("link", name="Edit CyWatch").get_attribute("href")
    retire = page.get_by_role("link", name="Retire CyWatch").get_attribute("href")
    _look(page, demo_server + edit, "meetings-contact-edit", screenshot_dir, problems)
    _look(page, demo_server + retire, "meetings-contact-retire", screenshot_dir, problems)
    page.goto(series)
    open_items = page.locator("#open-actions + .action-list")
    item = open_items.get_by_role("link", name="Edit").first.get_attribute("href")
    _look(page, demo_server + item, "meetings-action-edit", screenshot_dir, problems)
    page.context.close()

    page = _signed_in(browser, demo_server, "cn-focal@demo.training", "zh-CN")
    # The profile's language wins over the browser's: choose it here, as Wang Lei would.
    page.click("button[lang=zh-Hans]")
    page.goto(series)
    expect(page.locator("h1")).to_contain_text("中美打击网络犯罪案件工作层会晤")
    held = page.locator("table.occurrences tbody tr").nth(2).get_by_role("link").get_attribute("href")
    _look(page, demo_server + held, "meetings-minutes-zh", screenshot_dir, problems)
    expect(page.locator("article.minutes[lang=zh-Hans]")).to_contain_text("钱包地址")
    expect(page.locator("table.action-items")).to_contain_text("比对勒索软件案件的钱包地址")
    _look(page, series, "meetings-series-zh", screenshot_dir, problems)
    _look(page, f"{demo_server}/contact-points", "meetings-hotline-zh", screenshot_dir, problems)
    page.context.close()
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)


def test_a_coordinator_cancels_one_meeting_after_confirming(browser, demo_server):
    page = _signed_in(browser, demo_server, "coordinator@demo.training", "en-US")
    page.goto(demo_server + _series_path(page, demo_server))
    last = page.locator("table.occurrences tbody tr").last
    last.get_by_role("link").click()
    page.get_by_role("link", name="Cancel this meeting only").click()
    expect(page.locator("h1, h2").first).to_contain_text("only?")
    page.get_by_role("button", name="Cancel this meeting").click()
    expect(page.locator(".flash-success")).to_contain_text("the series goes on")
    expect(page.locator(".meeting-head .badge")).to_contain_text("cancelled")
    page.context.close()


def test_a_focal_point_corrects_their_sides_contact_point_and_a_coordinator_retires_one(
    browser, demo_server
):
    page = _signed_in(browser, demo_server, "us-focal@demo.training", "en-US")
    page.goto(f"{demo_server}/contact-points")
    expect(page.get_by_role("link", name="Edit Cybersecurity Bureau duty desk")).to_have_count(0)
    expect(page.get_by_role("link", name="Retire CyWatch")).to_have_count(0)
    page.get_by_role("link", name="Edit CyWatch").click()
    page.get_by_label("Hours").fill("24/7, answered within 10 minutes")
    page.get_by_role("button", name="Save the contact point").click()
    expect(page.locator(".flash-success")).to_contain_text("The contact point is saved.")
    expect(page.locator(".contact-point", has_text="CyWatch")).to_contain_text("answered within 10 minutes")
    page.context.close()

    page = _signed_in(browser, demo_server, "coordinator@demo.training", "en-US")
    page.goto(f"{demo_server}/contact-points")
    page.get_by_role("link", name="Retire CCIPS duty attorney").click()
    expect(page.locator("h1, h2").first).to_contain_text("Retire the contact point CCIPS duty attorney?")
    page.get_by_role("button", name="Retire the contact point").click()
    expect(page.locator(".flash-success")).to_contain_text("its test log is kept")
    expect(page.locator(".contact-point", has_text="CCIPS duty attorney")).to_have_count(0)
    expect(page.locator(".retired-contact-points")).to_contain_text("CCIPS duty attorney")
    page.context.close()
