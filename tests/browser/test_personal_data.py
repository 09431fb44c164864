"""A person's data in Chromium: an admin downloads someone's data from People and erases them
through the confirmation page; a trainee reads their checklist (sizes and times in their
language) on a phone and a desktop, in English and Chinese."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import sign_in
from tests.browser.test_phone import DESKTOP, PHONE
from tests.servers import flask_cli
from training.demo.accounts import DEMO_PASSWORD

LEAVER = ("Olivia Grant", "olivia.grant@demo.training")


def test_an_admin_downloads_a_persons_data_and_erases_them(browser: Browser, demo_server, demo_database_url,
                                                           screenshot_dir):
    name, email = LEAVER
    made = flask_cli(demo_database_url, "users", "create", "--email", email, "--name", name, "--role",
                     "personnel", "--country", "US", "--password", "leaving the service 2027")
    assert made.returncode == 0, made.stderr
    for language, locale in (("en", "en-US"), ("zh", "zh-CN")):
        context = browser.new_context(viewport=DESKTOP, locale=locale)
        page = context.new_page()
        sign_in(page, demo_server, "admin@demo.training", DEMO_PASSWORD)
        page.goto(f"{demo_server}/admin/users")
        suffix = "" if language == "en" else "-zh"
        page.screenshot(path=str(screenshot_dir / f"people-desktop{suffix}.png"), full_page=False)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(screenshot_dir / f"people-phone{suffix}.png"), full_page=False)
        page.set_viewport_size(DESKTOP)
        row = page.get_by_role("row").filter(has_text=email)
        if language == "en":
            with page.expect_download() as download:
                row.get_by_role("link", name="Export").click()
            export = json.loads(download.value.path().read_text())
            assert export["account"]["email"] == email and export["account"]["name"] == name
        row.locator("a.danger").click()
        expect(page.locator("h1")).to_contain_text(name)
        page.screenshot(path=str(screenshot_dir / f"confirm-erase-desktop{suffix}.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(screenshot_dir / f"confirm-erase-phone{suffix}.png"), full_page=True)
        if language == "zh":
            page.locator("button.danger-solid").click()
            expect(page.locator(".flash-success")).to_contain_text("erased person #")
            expect(page.locator("main")).not_to_contain_text(email)
            expect(page.locator("main")).not_to_contain_text(name)
        context.close()


@pytest.mark.parametrize("language,locale", [("en", "en-US"), ("zh", "zh-CN")])
def test_a_trainee_reads_their_checklist_on_a_phone_and_a_desktop(browser: Browser, demo_server,
                                                                   screenshot_dir, language, locale):
    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    sign_in(page, demo_server, "personnel@demo.training", DEMO_PASSWORD)
    page.goto(f"{demo_server}/my/courses")
    page.locator("a.clearance-progress").first.click()
    expect(page.locator("#requirement-passport")).to_contain_text(
        "bytes" if language == "en" else "字节")
    suffix = "" if language == "en" else "-zh"
    page.screenshot(path=str(screenshot_dir / f"checklist-phone{suffix}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(screenshot_dir / f"checklist-desktop{suffix}.png"), full_page=True)
    context.close()
