"""A coordinator opens a course's quotas and roster, and the reciprocity page, in Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from training.demo.accounts import DEMO_PASSWORD
from training.demo.enrolment import MIXED_SLUG


def test_coordinator_sees_quotas_roster_and_audit_of_the_mixed_course(page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/courses/{MIXED_SLUG}/seats")
    expect(page.locator("table.quotas")).to_contain_text("United States")
    expect(page.locator("table.quotas")).to_contain_text("China")
    expect(page.locator("main")).to_contain_text("Roster by country and status")
    expect(page.locator(".status-waitlisted").first).to_be_visible()
    expect(page.locator("table.audit")).to_contain_text("quota.set")
    page.screenshot(path=str(screenshot_dir / "roster.png"), full_page=True)


def test_reciprocity_page_shows_seats_per_host_and_guest_country(page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "us-focal@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/reciprocity")
    expect(page.locator("table.reciprocity")).to_contain_text("United States")
    page.screenshot(path=str(screenshot_dir / "reciprocity.png"), full_page=True)


def test_personnel_sees_their_courses_and_a_focal_point_their_countrys_rosters(page, demo_server):
    sign_in(page, demo_server, "us-focal@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/country/rosters")
    expect(page.locator("main")).to_contain_text("Personnel of United States")
    expect(page.locator("main")).not_to_contain_text("Zhang Wei")


def test_coordinator_nominates_and_an_instructor_takes_attendance(page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/courses/{MIXED_SLUG}/nominate")
    page.fill("input[name=email]", "not an email")
    page.click("input[type=submit]")
    expect(page.locator("#email-error")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "nominate.png"), full_page=True)
    page.goto(f"{demo_server}/courses/{MIXED_SLUG}/attendance")
    page.click("text=Take attendance >> nth=0")
    expect(page.locator("form.attendance-form")).to_contain_text("Zhou Tao")
    page.screenshot(path=str(screenshot_dir / "attendance.png"), full_page=True)
