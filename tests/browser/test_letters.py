"""Letters and certificates in Chromium: the public verification page of a valid and a revoked demo
letter on a phone, in English and Chinese (fits, passes axe), and a coordinator's letters page."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.browser.conftest import sign_in
from tests.browser.test_phone import BEIJING, DESKTOP, FAILING_IMPACTS, PHONE, check_page
from training.demo.accounts import DEMO_PASSWORD

LANGUAGES = (("en", "en-US"), ("zh", "zh-CN"))


def demo_codes(database_url: str) -> tuple[str, str]:
    """A valid and a revoked code of the demo's letters, read from the server's database."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            valid = connection.scalar(sa.text(
                "SELECT code FROM visa_letters WHERE revoked_at IS NULL ORDER BY id LIMIT 1"))
            revoked = connection.scalar(sa.text(
                "SELECT code FROM visa_letters WHERE revoked_at IS NOT NULL ORDER BY id LIMIT 1"))
    finally:
        engine.dispose()
    assert valid and revoked, "the demo issues letters and reissues one"
    return valid, revoked


def test_the_verify_page_on_a_phone_in_both_languages_for_a_valid_and_a_revoked_letter(
        browser: Browser, demo_server, demo_database_url, screenshot_dir):
    valid, revoked = demo_codes(demo_database_url)
    for language, locale in LANGUAGES:
        context = browser.new_context(viewport=PHONE, locale=locale, bypass_csp=True)
        page = context.new_page()
        try:
            for state, code in (("valid", valid), ("revoked", revoked)):
                response = page.goto(f"{demo_server}/letters/{code}")
                assert response is not None and response.status == 200
                banner = page.locator(".flash-success" if state == "valid" else ".flash-error")
                expect(banner).to_contain_text(code)
                overflow, violations = check_page(page, "phone")
                assert overflow["scroll"] <= overflow["inner"], (state, language, overflow)
                assert [v for v in violations if v["impact"] in FAILING_IMPACTS] == [], violations
                suffix = "" if language == "en" else "-zh"
                page.screenshot(path=str(screenshot_dir / f"letter-verify-{state}-phone{suffix}.png"),
                                full_page=True)
            if language == "zh":
                expect(page.locator("h1")).to_contain_text("验证签证邀请函")
            unknown = page.goto(f"{demo_server}/letters/AAAA-BBBB-CCCC-DDDD")
            assert unknown is not None and unknown.status == 404
        finally:
            context.close()


def test_a_coordinator_sees_the_letters_of_the_beijing_course(browser: Browser, demo_server, screenshot_dir):
    context = browser.new_context(viewport=DESKTOP, locale="en-US", bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
        page.goto(f"{demo_server}/courses/manage")
        page.get_by_role("link", name=BEIJING).first.click()
        slug = page.url.rsplit("/", 1)[1]
        for viewport, name in ((DESKTOP, "letters-desktop.png"), (PHONE, "letters-phone.png")):
            page.set_viewport_size(viewport)
            page.goto(f"{demo_server}/courses/{slug}/letters")
            expect(page.locator("table.letters")).to_contain_text("1 revoked")
            overflow, violations = check_page(page, "phone")
            assert overflow["scroll"] <= overflow["inner"], overflow
            assert [v for v in violations if v["impact"] in FAILING_IMPACTS] == [], violations
            page.screenshot(path=str(screenshot_dir / name), full_page=True)
        page.goto(f"{demo_server}/courses/{slug}/letter-settings")
        overflow, violations = check_page(page, "phone")
        assert overflow["scroll"] <= overflow["inner"], overflow
        assert [v for v in violations if v["impact"] in FAILING_IMPACTS] == [], violations
    finally:
        context.close()
