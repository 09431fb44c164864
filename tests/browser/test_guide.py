"""A coordinator in Chromium: the course form's timezone follows the host country and city, a
draft shows its checklist before publishing, and the audit trail reads as sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from training.demo.accounts import DEMO_PASSWORD
from training.demo.courses import DRAFT_TITLE, US_TITLE

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def coordinator_page(browser: Browser, demo_server: str):
    """A signed-in coordinator's page, for a language and a width."""
    pages: list[Page] = []

    def switch(page: Page, language: str) -> None:
        # The switch is saved in the coordinator's profile; on a phone it sits in the folded menu.
        with page.expect_navigation():
            page.locator(f"button[lang={language}]").evaluate("button => button.click()")

    def open_page(locale: str = "en-US", viewport: dict[str, int] = DESKTOP) -> Page:
        page = browser.new_context(viewport=viewport, locale=locale).new_page()
        sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
        switch(page, "zh-Hans" if locale.startswith("zh") else "en")
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.context.close()


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_choosing_the_united_states_offers_its_timezones_and_a_city_picks_one(
        coordinator_page, demo_server: str, screenshot_dir: Path) -> None:
    page = coordinator_page()
    page.goto(f"{demo_server}/courses/new")
    zone = page.locator("select[name=timezone]")
    expect(zone).to_have_value("Asia/Shanghai")  # the coordinator's own, to begin with
    page.select_option("select[name=host_country]", "US")
    # Several zones and nothing to tell them apart: the form asks, rather than keep Shanghai.
    expect(zone).to_have_value("")
    expect(zone.locator("optgroup").first).to_have_attribute("label", "Timezones of United States")
    expect(zone.locator("optgroup").first.locator("option[value='America/New_York']")).to_have_count(1)
    expect(zone.locator("optgroup").first.locator("option[value='Asia/Shanghai']")).to_have_count(0)
    expect(page.locator("#timezone-suggestion")).to_have_text(
        "United States has several timezones, listed first: choose the one of the venue.")
    page.fill("input[name=city]", "New York")
    page.locator("input[name=city]").dispatch_event("change")
    expect(zone).to_have_value("America/New_York")
    expect(page.locator("#timezone-suggestion")).to_have_text("America/New York is the timezone of New York.")
    page.select_option("select[name=host_country]", "FR")
    expect(zone).to_have_value("Europe/Paris")
    expect(page.locator("#timezone-suggestion")).to_have_text("Europe/Paris is the timezone of France.")


@pytest.mark.parametrize(("language", "locale"), [("en", "en-US"), ("zh", "zh-CN")])
@pytest.mark.parametrize(("width", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_zone_suggestion_and_the_checklist_in_each_language_and_width(
        coordinator_page, demo_server: str, screenshot_dir: Path, language: str, locale: str,
        width: str, viewport: dict[str, int]) -> None:
    page = coordinator_page(locale, viewport)
    suffix = f"-{width}" + ("" if language == "en" else "-zh")
    page.goto(f"{demo_server}/courses/new")
    page.fill("input[name=title]", "Online fraud investigation")
    page.select_option("select[name=host_country]", "US")
    page.fill("input[name=city]", "Washington, DC")
    page.locator("input[name=city]").dispatch_event("change")
    expect(page.locator("select[name=timezone]")).to_have_value("")
    expect(page.locator("#timezone-suggestion")).not_to_be_empty()
    _fits(page)
    page.evaluate("document.querySelector('select[name=timezone]').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(screenshot_dir / f"course-form-zone{suffix}.png"))

    page.goto(f"{demo_server}/courses/manage")
    # The demo's one draft (its title may be shown in Chinese): the row with the draft badge.
    page.locator("tr:has(.badge.warn)").get_by_role("link").first.click()
    expect(page.locator(".course-header h1")).to_contain_text(
        DRAFT_TITLE if language == "en" else "筹备")
    checklist = page.locator(".readiness")
    expect(checklist.locator("li.is-missing")).to_have_count(1)  # seats: the demo draft has none
    expect(checklist.locator("li.is-ready")).to_have_count(3)
    page.get_by_role("button", name="Publish" if language == "en" else "发布").click()
    expect(page.locator(".flash-error").first).to_be_visible()
    expect(page.locator(".course-header .badge")).to_have_text("draft" if language == "en" else "草稿")
    _fits(page)
    page.locator(".manage-actions").screenshot(path=str(screenshot_dir / f"readiness{suffix}.png"))


def test_the_audit_trail_reads_as_sentences(coordinator_page, demo_server: str, screenshot_dir: Path) -> None:
    page = coordinator_page()
    page.goto(f"{demo_server}/courses/manage")
    page.locator("tr", has_text=US_TITLE).get_by_role("link").first.click()
    tabs = page.get_by_role("navigation", name="Course")
    tabs.get_by_role("link", name="Seats", exact=True).click()
    expect(tabs.get_by_role("link", name="Seats", exact=True)).to_have_attribute("aria-current", "page")
    trail = page.locator("table.audit")
    expect(trail).to_contain_text("Chen Jing set the seats of China.")
    expect(trail).to_contain_text("Seats: 0 → 15")
    assert not [s for s in trail.locator(".audit-sentence").all_inner_texts() if "CourseSession" in s]
    # The technical record of a confirmation, opened from its sentence (newer entries come first).
    confirmation = trail.locator("details", has_text="enrolment.confirmed").first
    confirmation.locator("summary").click()
    expect(confirmation).to_contain_text("enrolment.confirmed")
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.evaluate("document.getElementById('audit').scrollIntoView()")
    page.screenshot(path=str(screenshot_dir / "audit-trail.png"))
