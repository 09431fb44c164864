"""An invitee on a phone: a refused answer opens with its error in view, and delegates survive a
change of mind; a feed address copies with one click. In Chromium, in English and Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.browser.conftest import sign_in
from tests.browser.test_phone import BEIJING, DESKTOP, FAILING_IMPACTS, PHONE, check_page
from tests.factories import last_link
from training import create_app
from training.accounts.models import User
from training.core.extensions import db
from training.demo.accounts import DEMO_PASSWORD
from training.demo.symposia import DEMO_SLUG
from training.symposia import services
from training.symposia.models import Delegate, Invitation, Reminder, Symposium

WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
INVITEES = "@interpol.example"  # the domain of everyone these tests invite


@pytest.fixture(scope="module")
def invite(demo_server: str, demo_database_url: str) -> Iterator:
    """Invite someone new to the demo symposium (3 delegates allowed); returns their RSVP path."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": demo_database_url})

    def make(email: str, name: str, locale: str = "en") -> str:
        with app.app_context():
            coordinator = db.session.scalar(sa.select(User).where(User.email == "coordinator@demo.training"))
            symposium = db.session.scalar(sa.select(Symposium).where(Symposium.slug == DEMO_SLUG))
            services.add_invitation(db.session, symposium, actor=coordinator, name=name, email=email,
                                    organisation="Interpol", delegates_allowed=3, locale=locale)
            db.session.commit()
            return f"/rsvp/{last_link(db.session, email)}"

    yield make
    # Other tests read the demo symposium (and screenshot its dashboard): leave it as it was.
    with app.app_context():
        invited = sa.select(Invitation.id).where(Invitation.email.like(f"%{INVITEES}"))
        for table in (Delegate, Reminder):
            db.session.execute(sa.delete(table).where(table.invitation_id.in_(invited)))
        db.session.execute(sa.delete(Invitation).where(Invitation.id.in_(invited)))
        db.session.commit()
        db.engine.dispose()


@pytest.mark.parametrize(("language", "locale", "width"), [
    ("en", "en-US", "phone"), ("zh", "zh-CN", "phone"),
    ("en", "en-US", "desktop"), ("zh", "zh-CN", "desktop")])
def test_a_refused_answer_opens_with_the_error_in_view(browser: Browser, demo_server: str, invite,
                                                      screenshot_dir: Path, language, locale, width) -> None:
    path = invite(f"refused-{language}-{width}{INVITEES}", "Ana Souza",
                  "zh_Hans" if language == "zh" else "en")
    context = browser.new_context(viewport=WIDTHS[width], locale=locale, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(demo_server + path)
        page.check("input[value=accepted]")
        page.fill("textarea[name=delegates]", "Ana Souza\nLuis Prado\nMei Tan\nOmar Haddad")
        page.click("input[type=submit][name=submit]")
        expect(page.locator("#errors")).to_be_visible()
        assert page.url.endswith("#errors")
        # Wholly on screen, once the browser has finished scrolling to the fragment.
        expect(page.locator("#errors")).to_be_in_viewport(ratio=1)
        assert page.evaluate("document.activeElement.id") == "errors"  # focus moved to it
        expect(page.locator("#errors a[href='#delegates']")).to_have_count(1)
        expect(page.locator(".current-answer")).to_contain_text(
            "You have not answered yet." if language == "en" else "您尚未回复。")
        suffix = "" if language == "en" else "-zh"
        page.screenshot(path=str(screenshot_dir / f"rsvp-refused-{width}{suffix}.png"))
        overflow, violations = check_page(page, width)
        assert overflow["scroll"] <= overflow["inner"], overflow
        assert not [v for v in violations if v["impact"] in FAILING_IMPACTS], violations

        # The link leads to the field, with the caret in it.
        page.click("#errors a[href='#delegates']")
        assert page.evaluate("document.activeElement.id") == "delegates"
    finally:
        context.close()


def test_without_javascript_the_refused_page_still_opens_at_the_error(browser: Browser, demo_server: str,
                                                                    invite) -> None:
    path = invite(f"no-script{INVITEES}", "Ana Souza")
    context = browser.new_context(viewport=PHONE, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_server + path)
        page.check("input[value=accepted]")
        page.fill("textarea[name=delegates]", "")
        page.click("input[type=submit][name=submit]")
        assert page.url.endswith("#errors")
        # Wholly on screen, once the browser has finished scrolling to the fragment.
        expect(page.locator("#errors")).to_be_in_viewport(ratio=1)
    finally:
        context.close()


def test_delegates_survive_declining_then_accepting_again(browser: Browser, demo_server: str, invite) -> None:
    path = invite(f"change-of-mind{INVITEES}", "Ana Souza")
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    try:
        page.goto(demo_server + path)
        page.check("input[value=accepted]")
        page.fill("textarea[name=delegates]", "Ana Souza\nLuis Prado")
        page.click("input[type=submit][name=submit]")
        expect(page.locator(".current-answer")).to_contain_text("Current answer: accepted")

        page.check("input[value=declined]")
        expect(page.locator(".when-declining")).to_be_visible()  # the names stay, counted nowhere
        page.click("input[type=submit][name=submit]")
        expect(page.locator(".current-answer")).to_contain_text("Current answer: declined")
        expect(page.locator("textarea[name=delegates]")).to_have_value("Ana Souza\nLuis Prado")

        page.check("input[value=accepted]")
        expect(page.locator(".when-declining")).to_be_hidden()
        page.click("input[type=submit][name=submit]")
        expect(page.locator(".current-answer")).to_contain_text("Current answer: accepted")
        expect(page.locator("textarea[name=delegates]")).to_have_value("Ana Souza\nLuis Prado")
    finally:
        context.close()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_feed_address_copies_with_one_click(browser: Browser, demo_server: str, width: str,
                                               screenshot_dir: Path) -> None:
    context = browser.new_context(viewport=WIDTHS[width], locale="en-US",
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        sign_in(page, demo_server, "personnel@demo.training", DEMO_PASSWORD)
        page.goto(f"{demo_server}/my/courses")
        box = page.locator(".subscribe").first
        address = box.locator(".subscribe-address input").input_value()
        assert "/calendar/feeds/" in address
        button = box.get_by_role("button", name="Copy")
        button.click()
        expect(box.locator(".copy-status")).to_have_text(
            "The address is copied: paste it into your calendar.")
        expect(box.locator("[data-copy]")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == address
        box.screenshot(path=str(screenshot_dir / f"feed-copied-{width}.png"))
    finally:
        context.close()


def test_without_javascript_the_address_is_there_to_select(browser: Browser, demo_server: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_server)
        page.get_by_role("link", name=BEIJING).first.click()
        field = page.locator(".subscribe-address input")
        assert field.get_attribute("readonly") is not None and "/calendar/courses/" in field.input_value()
        expect(page.locator("[data-copy]")).to_be_hidden()  # a button that could not copy is not shown
    finally:
        context.close()
