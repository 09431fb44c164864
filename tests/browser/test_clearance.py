"""Clearance in Chromium: a person uploads from their checklist; a coordinator follows the roster's
clearance column to a checklist, downloads a document and reviews it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_phone import BEIJING
from training.demo.accounts import DEMO_PASSWORD
from training.demo.clearance import PNG


def test_a_person_uploads_a_document_and_a_lying_file_is_refused_beside_the_field(
        page, demo_server, tmp_path):
    sign_in(page, demo_server, "personnel@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/my/courses")
    page.locator("a.clearance-progress").first.click()
    medical = page.locator("#requirement-medical")
    lie = tmp_path / "certificate.pdf"
    lie.write_text("<html><script>alert(1)</script></html>")
    medical.locator("input[type=file]").set_input_files(str(lie))
    medical.get_by_role("button", name="Upload").click()
    expect(page.locator("#file-medical-error")).to_contain_text("not a PDF, JPEG or PNG")
    expect(page.locator("#requirement-medical .state-missing")).to_be_visible()
    scan = tmp_path / "certificate.png"
    scan.write_bytes(PNG)
    page.locator("#requirement-medical input[type=file]").set_input_files(str(scan))
    page.locator("#requirement-medical").get_by_role("button", name="Upload").click()
    expect(page.locator(".flash-success")).to_contain_text("uploaded")
    expect(page.locator("#requirement-medical .state-submitted")).to_be_visible()
    expect(page.locator("#requirement-medical")).to_contain_text("certificate.png")


def test_a_coordinator_goes_from_the_roster_to_a_checklist_downloads_and_returns_a_document(
        page, demo_server, screenshot_dir):
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/")
    page.get_by_role("link", name=BEIJING).first.click()
    slug = page.url.rsplit("/", 1)[1]
    page.goto(f"{demo_server}/courses/{slug}/seats")
    roster = page.locator("section.roster-group").first
    expect(roster).to_contain_text("Clearance")
    expect(roster).to_contain_text("cleared")
    expect(roster).to_contain_text(re.compile(r"\d of 4, Passport copy due in \d+ days"))
    roster.screenshot(path=str(screenshot_dir / "roster-clearance.png"))
    roster.get_by_role("row", name=re.compile("Michael Brown")).locator("a.clearance-progress").click()
    expect(page.locator("#requirement-passport")).to_contain_text("The scan cuts off")
    medical = page.locator("#requirement-medical")
    with page.expect_download() as download:
        medical.get_by_role("link", name="medical.png").click()
    assert download.value.suggested_filename == "medical.png"
    page.locator("#reason-medical").fill("Please send the certificate signed by the doctor.")
    page.screenshot(path=str(screenshot_dir / "clearance-review.png"), full_page=True)
    medical.get_by_role("button", name="Return").click()
    expect(page.locator(".flash-success")).to_contain_text("returned")
    expect(page.locator("#requirement-medical .state-returned")).to_be_visible()
    expect(page.locator("#requirement-medical")).to_contain_text("signed by the doctor")
