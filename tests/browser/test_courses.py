"""People browse the demo courses in Chromium: catalogue, course page, week grid and schedule editor."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from training.demo.accounts import DEMO_PASSWORD


def _open_course(page, base_url, title_part):
    page.goto(base_url)
    page.get_by_role("link", name=title_part).first.click()


def test_visitor_browses_the_catalogue_and_the_beijing_course(page, demo_server, screenshot_dir):
    page.goto(demo_server)
    expect(page.locator("main h1")).to_have_text("Upcoming courses")
    expect(page.locator("table.catalogue")).to_contain_text("Cybercrime investigation course")
    expect(page.locator("table.catalogue")).to_contain_text("Washington, DC")
    expect(page.locator("table.catalogue")).not_to_contain_text("preparatory workshop")
    page.screenshot(path=str(screenshot_dir / "catalogue.png"), full_page=True)

    page.select_option("select[name=country]", "CN")
    page.click("button[type=submit]:has-text('Filter')")
    expect(page.locator("table.catalogue")).not_to_contain_text("Washington, DC")


def test_us_personnel_sees_the_beijing_schedule_in_both_timezones(page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "personnel@demo.training", DEMO_PASSWORD)
    _open_course(page, demo_server, "Cybercrime investigation course for US law-enforcement personnel")
    expect(page.locator(".course-header h1")).to_contain_text("Cybercrime investigation course")
    expect(page.locator("table.schedule").first).to_contain_text("Your time (Eastern Time)")
    expect(page.locator("main")).to_contain_text("Opening ceremony and introductions")
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.screenshot(path=str(screenshot_dir / "course-page.png"))

    page.get_by_role("link", name="Week grid").click()
    expect(page.locator(".week-grid .wg-session").first).to_be_visible()
    expect(page.locator(".week-grid")).to_contain_text("Field visit")
    page.screenshot(path=str(screenshot_dir / "week-grid.png"), full_page=True)


def test_coordinator_opens_the_schedule_editor(page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/courses/manage")
    row = page.locator("tr", has_text="Cybercrime investigation course for US law-enforcement personnel")
    row.get_by_role("link", name="Schedule").click()
    expect(page.locator("#add-session h2")).to_have_text("Add a session")
    expect(page.locator("#copy-day")).to_contain_text("Copy a day")
    page.set_viewport_size({"width": 1280, "height": 1200})
    page.screenshot(path=str(screenshot_dir / "schedule-editor.png"))


def test_instructor_sees_their_teaching(page, demo_server):
    sign_in(page, demo_server, "instructor@demo.training", DEMO_PASSWORD)
    page.get_by_role("link", name="My teaching").click()
    expect(page.locator("table.teaching")).to_contain_text("Forensics laboratory")
    expect(page.locator("table.teaching")).to_contain_text("Closing ceremony")


def test_coordinator_cancels_a_session_after_confirming_and_restores_it(page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/courses/manage")
    row = page.locator("tr", has_text="Cybercrime investigation course for US law-enforcement personnel")
    row.get_by_role("link", name="Schedule").click()
    schedule = page.url
    daily_review = page.locator("tr", has_text="Daily review").first
    daily_review.get_by_role("link", name="Cancel").click()
    expect(page.locator("main h1")).to_have_text("Cancel the session “Daily review”?")
    expect(page.locator(".consequences")).to_contain_text("told by mail")
    page.get_by_role("link", name="Keep the session").click()
    assert page.url == schedule
    expect(page.locator("tr.cancelled")).to_have_count(0)

    page.locator("tr", has_text="Daily review").first.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.locator(".flash-success")).to_contain_text("is cancelled")
    cancelled = page.locator("tr.cancelled", has_text="Daily review")
    expect(cancelled).to_have_count(1)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(screenshot_dir / "schedule-restore.png"))

    cancelled.get_by_role("button", name="Restore").click()
    expect(page.locator(".flash-success")).to_contain_text("is on again")
    expect(page.locator("tr.cancelled")).to_have_count(0)
