"""Travel in Chromium: every travel page, as the role that uses it, fits a phone and a desktop in
English and Chinese and passes axe-core; a passport that expires too soon is refused beside its
field in Chinese and changes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.conftest import sign_in
from tests.browser.test_phone import (
    AXE,
    BEIJING,
    DESKTOP,
    FAILING_IMPACTS,
    LANGUAGES,
    PHONE,
    WIDTHS,
    check_page,
    first_session_taught,
)
from training.demo.accounts import DEMO_PASSWORD

# (who, page, path, screenshot name or None)
PAGES = (
    ("personnel@demo.training", "travel form", "/enrolments/{enrolment}/travel", "travel-form"),
    ("us-focal@demo.training", "country's travel forms", "/courses/{beijing}/travel", None),
    ("instructor@demo.training", "sign-in sheet", "/courses/{beijing}/sessions/{session}/sign-in", None),
    ("coordinator@demo.training", "travel forms", "/courses/{beijing}/travel", "travel-overview"),
    ("coordinator@demo.training", "visa list", "/courses/{beijing}/travel/visas", "travel-visas"),
    ("coordinator@demo.training", "arrivals", "/courses/{beijing}/travel/arrivals", "travel-arrivals"),
    ("coordinator@demo.training", "rooms", "/courses/{beijing}/travel/rooms", "travel-rooms"),
    ("coordinator@demo.training", "needs per day", "/courses/{beijing}/travel/needs", "travel-needs"),
)


def beijing_slug_and_trainee_enrolment(database_url: str) -> tuple[str, int]:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute(
            "SELECT c.slug, e.id FROM enrolments e JOIN courses c ON c.id = e.course_id "
            "JOIN users u ON u.id = e.user_id WHERE u.email = 'personnel@demo.training' AND c.title = ?",
            (BEIJING,)).fetchone()


def test_every_travel_page_fits_a_phone_and_passes_axe(browser: Browser, demo_server: str,
                                                       demo_database_url: str, screenshot_dir: Path) -> None:
    assert AXE.exists(), f"{AXE} is missing: `make js-packages` installs axe-core"
    beijing, enrolment = beijing_slug_and_trainee_enrolment(demo_database_url)
    values = {"beijing": beijing, "enrolment": enrolment, "session": first_session_taught(demo_database_url)}
    rows = []
    for language, locale in LANGUAGES:
        for email in dict.fromkeys(who for who, *_ in PAGES):
            context = browser.new_context(viewport=PHONE, locale=locale, bypass_csp=True)
            page = context.new_page()
            try:
                sign_in(page, demo_server, email, DEMO_PASSWORD)
                page.wait_for_load_state()
                for who, name, path, shot in PAGES:
                    if who != email:
                        continue
                    for width, viewport in WIDTHS:
                        page.set_viewport_size(viewport)
                        response = page.goto(demo_server + path.format(**values))
                        assert response is not None and response.status == 200, (email, path, response)
                        overflow, violations = check_page(page, width)
                        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
                        rows.append((name, width, language, overflow, failing))
                        if shot:
                            suffix = "" if language == "en" else "-zh"
                            page.screenshot(path=str(screenshot_dir / f"{shot}-{width}{suffix}.png"),
                                            full_page=True)
            finally:
                context.close()
    too_wide = [r[:4] for r in rows if r[3]["scroll"] > r[3]["inner"]]
    inaccessible = [(r[0], r[1], r[2], r[4]) for r in rows if r[4]]
    assert len(rows) == len(PAGES) * 4
    assert too_wide == [], json.dumps(too_wide, indent=1, ensure_ascii=False)
    assert inaccessible == [], json.dumps(inaccessible, indent=1, ensure_ascii=False)


def test_a_passport_expiring_too_soon_is_refused_beside_its_field_in_chinese(
        browser: Browser, demo_server: str, demo_database_url: str, screenshot_dir: Path) -> None:
    _beijing, enrolment = beijing_slug_and_trainee_enrolment(demo_database_url)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, demo_server, "personnel@demo.training", DEMO_PASSWORD)
        page.goto(f"{demo_server}/enrolments/{enrolment}/travel")
        expect(page.get_by_text("护照（按护照所印）")).to_be_visible()
        kept = page.locator("#passport_expires_on").input_value()
        page.locator("#passport_expires_on").fill("2027-01-15")
        page.get_by_role("button", name="保存行程信息").click()
        expect(page.locator("#passport_expires_on-error")).to_contain_text("六个月有效期")
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(screenshot_dir / "travel-form-refused-phone-zh.png"), full_page=True)
        page.goto(f"{demo_server}/enrolments/{enrolment}/travel")
        assert page.locator("#passport_expires_on").input_value() == kept
    finally:
        context.close()
