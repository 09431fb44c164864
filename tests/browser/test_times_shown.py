"""A course's enrolment window and seat release read once, on the venue's clock and the reader's, both
named, in English and Chinese, on a phone and a desktop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import sign_in
from tests.browser.test_phone import DESKTOP, PHONE
from training.demo.accounts import DEMO_PASSWORD
from training.demo.enrolment import MIXED_SLUG

SECONDS = re.compile(r"\d:\d\d:\d\d")


@pytest.mark.parametrize(("language", "locale", "width", "viewport"), [
    ("en", "en-US", "phone", PHONE), ("zh", "zh-CN", "phone", PHONE),
    ("en", "en-US", "desktop", DESKTOP), ("zh", "zh-CN", "desktop", DESKTOP)])
def test_the_enrolment_window_names_both_zones_without_seconds(
        browser: Browser, demo_server: str, screenshot_dir: Path, language, locale, width, viewport) -> None:
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    try:
        # The demo officer reads on New York's clock, in the browser's language.
        sign_in(page, demo_server, "personnel@demo.training", DEMO_PASSWORD)
        page.goto(f"{demo_server}/courses/{MIXED_SLUG}")
        facts = page.locator(".course-side .facts")
        venue, reader = (("China Standard Time", "Eastern Standard Time") if language == "en"
                         else ("中国标准时间", "北美东部标准时间"))
        expect(facts).to_contain_text(venue)
        expect(facts).to_contain_text(reader)
        side = page.locator(".course-side").inner_text()
        assert not SECONDS.search(side) and "Asia/Shanghai" not in side and "UTC" not in side, side
        suffix = "" if language == "en" else "-zh"
        shot = screenshot_dir / f"course-times-{width}{suffix}.png"
        page.locator(".course-side").screenshot(path=str(shot))
    finally:
        context.close()
