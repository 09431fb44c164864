"""Every page of the demo, as each role, on a phone (390 px) and on a desktop, in English and Chinese:
nothing scrolls sideways, and axe-core finds no critical or serious accessibility violation."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import sign_in
from tests.servers import ROOT
from training.demo.accounts import DEMO_PASSWORD
from training.demo.enrolment import MIXED_SLUG
from training.demo.i18n import DEMO_RSVP_TOKEN_ZH
from training.demo.symposia import DEMO_RSVP_TOKEN

AXE = ROOT / "tests" / "browser" / "js" / "node_modules" / "axe-core" / "axe.min.js"
BEIJING = "Cybercrime investigation course for US law-enforcement personnel"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
WIDTHS = (("phone", PHONE), ("desktop", DESKTOP))
LANGUAGES = (("en", "en-US"), ("zh", "zh-CN"))
FAILING_IMPACTS = ("critical", "serious")

# Who signs in, and the pages they open ({beijing}: the Beijing course's slug, {mixed}: the
# workshop with quotas for several countries; {withdraw}, {cancel_session}, {revoke}: the pages the
# first such button leads to). Each page once, as the role that sees the most of it.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "personnel": "personnel@demo.training",
    "focal point": "us-focal@demo.training",
    "instructor": "instructor@demo.training",
    "coordinator": "coordinator@demo.training",
    "admin": "admin@demo.training",
}
PAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "anonymous": (
        ("catalogue", "/"),
        ("course page", "/courses/{beijing}"),
        ("instructors", "/instructors"),
        ("RSVP", f"/rsvp/{DEMO_RSVP_TOKEN}"),
        ("RSVP (Chinese invitee)", f"/rsvp/{DEMO_RSVP_TOKEN_ZH}"),
        ("sign-in", "/login"),
        ("sign-up", "/signup"),
        ("password reset", "/reset"),
    ),
    "personnel": (
        ("catalogue", "/"),
        ("course page", "/courses/{beijing}"),
        ("week grid", "/courses/{beijing}/week"),
        ("My courses", "/my/courses"),
        ("withdraw?", "{withdraw}"),
        ("clearance checklist", "/enrolments/{checklist}/clearance"),
        ("travel form", "/enrolments/{checklist}/travel"),
        ("profile", "/profile"),
    ),
    "focal point": (
        ("country rosters", "/country/rosters"),
        ("country's travel forms", "/courses/{beijing}/travel"),
        ("nominate", "/courses/{mixed}/nominate"),
        ("course page", "/courses/{mixed}"),
    ),
    "instructor": (
        ("My teaching", "/my/teaching"),
        ("roster", "/courses/{beijing}/roster"),
        ("attendance", "/courses/{beijing}/attendance"),
        ("sign-in sheet", "{sign_in}"),
        ("instructor", "/instructors/1"),
    ),
    "coordinator": (
        ("manage courses", "/courses/manage"),
        ("draft course page", "/courses/{draft}"),
        ("new-course form", "/courses/new"),
        ("edit course", "/courses/{beijing}/edit"),
        ("schedule editor", "/courses/{beijing}/schedule"),
        ("week grid", "/courses/{mixed}/week"),
        ("seats", "/courses/{mixed}/seats"),
        ("seats with clearance", "/courses/{beijing}/seats"),
        ("requirements", "/courses/{beijing}/requirements"),
        ("clearance review", "/enrolments/{checklist}/clearance"),
        ("travel forms", "/courses/{beijing}/travel"),
        ("travel form (locked)", "/enrolments/{checklist}/travel"),
        ("visa list", "/courses/{beijing}/travel/visas"),
        ("arrivals", "/courses/{beijing}/travel/arrivals"),
        ("rooms", "/courses/{beijing}/travel/rooms"),
        ("needs per day", "/courses/{beijing}/travel/needs"),
        ("roster", "/courses/{mixed}/roster"),
        ("nominate", "/courses/{mixed}/nominate"),
        ("seats overview", "/seats"),
        ("reciprocity", "/reciprocity"),
        ("instructors", "/instructors"),
        ("new instructor", "/instructors/new"),
        ("symposia", "/symposia/"),
        ("symposium dashboard", "/symposia/1"),
        ("cancel course?", "/courses/{beijing}/cancel"),
        ("cancel session?", "{cancel_session}"),
        ("cancel symposium?", "/symposia/1/cancel"),
        ("revoke invitation?", "{revoke}"),
        ("edit symposium", "/symposia/1/edit"),
        ("new symposium", "/symposia/new"),
    ),
    "admin": (
        ("users", "/admin/users"),
        ("erase?", "{erase}"),
        ("audit log", "/admin/audit"),
    ),
}
# The pages also kept as screenshots (docs/screenshots with `make screenshots`), by role, path and
# language (None: in both); an invitation's page speaks its invitee's language, so each language
# has its own invitee.
SCREENSHOTS = {
    ("anonymous", "/", None): "catalogue",
    ("personnel", "/courses/{beijing}", None): "course",
    ("personnel", "/my/courses", None): "my-courses",
    ("anonymous", f"/rsvp/{DEMO_RSVP_TOKEN}", "en"): "rsvp",
    ("anonymous", f"/rsvp/{DEMO_RSVP_TOKEN_ZH}", "zh"): "rsvp",
    ("coordinator", "/courses/new", None): "course-form",
    ("personnel", "/courses/{beijing}/week", None): "week",
    ("personnel", "{withdraw}", None): "confirm-withdraw",
    ("coordinator", "/courses/{beijing}/cancel", None): "confirm-cancel-course",
    ("personnel", "/enrolments/{checklist}/clearance", None): "checklist",
    ("personnel", "/enrolments/{checklist}/travel", None): "travel-form",
    ("coordinator", "/courses/{beijing}/travel/arrivals", None): "travel-arrivals",
    ("coordinator", "/courses/{beijing}/travel/visas", "en"): "travel-visas",
}

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary.split('\\n')[1])}));
}"""
OVERFLOW = """() => {
  const doc = document.documentElement;
  const widest = [...document.body.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(-3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll: doc.scrollWidth, inner: window.innerWidth, widest};
}"""


def check_page(page: Page, width: str) -> tuple[dict, list[dict]]:
    """The document's width against the window's, and axe-core's violations, on the page as shown.

    The sweep's contexts add axe-core to every document they load; other tests' pages get it here.
    """
    overflow = page.evaluate(OVERFLOW)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    return overflow, violations


def sweep(browser: Browser, base_url: str, role: str, language: str, locale: str, width: str,
          links: dict[str, str], screenshot: Callable[[Page, str], None], rows: list[tuple]) -> None:
    # The test looks at the pages as served; bypass_csp only lets axe-core in
    # (tests/browser/test_security.py checks the policy itself). axe-core (half a megabyte) is
    # handed to the context once and runs in every document it loads, rather than sent as a
    # script tag after each of the (up to thirty) loads of one part of the sweep.
    context = browser.new_context(viewport=dict(WIDTHS)[width], locale=locale, bypass_csp=True)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        email = ROLES[role]
        if email:
            sign_in(page, base_url, email, DEMO_PASSWORD)
            page.wait_for_load_state()
        for name, path in PAGES[role]:
            url = base_url + path.format(**links)
            started = time.monotonic()
            response = page.goto(url)
            status = response.status if response else None
            assert status == 200, (role, url, status)
            assert page.url.split("?")[0] == url, (role, url, "went to", page.url)
            overflow, violations = check_page(page, width)
            failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
            rows.append((role, name, width, language, overflow, violations, failing,
                         time.monotonic() - started))
            shot = SCREENSHOTS.get((role, path, None)) or SCREENSHOTS.get((role, path, language))
            if shot:
                screenshot(page, f"{shot}-{width}{'' if language == 'en' else '-' + language}.png")
    finally:
        context.close()


def print_table(rows: list[tuple]) -> None:
    print()
    print(f"{'role':<12} {'page':<24} {'width':<8} {'lang':<4} {'scrollWidth':>11}  "
          f"{'axe critical+serious':<22} {'other':<5} {'s':>4}")
    for role, name, width, language, overflow, violations, failing, seconds in rows:
        fits = f"{overflow['scroll']}/{overflow['inner']}"
        verdict = "pass" if not failing else ", ".join(f"{v['id']} ({v['impact']})" for v in failing)
        others = len(violations) - len(failing)
        print(f"{role:<12} {name:<24} {width:<8} {language:<4} {fits:>11}  {verdict:<22} {others:<5} "
              f"{seconds:4.1f}")


def first_link(browser: Browser, base_url: str, email: str, path: str, name: str) -> str:
    """The path (without its query) of the first link called name on path, as email sees it."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    try:
        sign_in(page, base_url, email, DEMO_PASSWORD)
        page.goto(base_url + path)
        href = page.get_by_role("link", name=name, exact=True).first.get_attribute("href")
    finally:
        context.close()
    return href.split("?")[0]


def first_session_taught(database_url: str) -> int:
    """The first Beijing session the demo instructor teaches: its sign-in sheet is theirs to print."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        (session_id,) = connection.execute(
            "SELECT cs.id FROM course_sessions cs JOIN session_instructors si ON si.session_id = cs.id "
            "JOIN instructors i ON i.id = si.instructor_id JOIN users u ON u.id = i.user_id "
            "JOIN courses c ON c.id = cs.course_id WHERE u.email = ? AND c.city = 'Beijing' "
            "ORDER BY cs.starts_at LIMIT 1", (ROLES["instructor"],)).fetchone()
    return session_id


@pytest.fixture(scope="session")
def demo_links(browser: Browser, demo_server: str, demo_database_url: str) -> dict[str, str]:
    """What the sweep's paths name ({beijing}, {withdraw}, ...), found as each role finds them."""
    probe = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = probe.new_page()
    page.goto(demo_server)
    href = page.get_by_role("link", name=BEIJING).first.get_attribute("href")
    # The demo's draft (with its checklist before publishing) is the coordinators' alone.
    sign_in(page, demo_server, ROLES["coordinator"], DEMO_PASSWORD)
    page.goto(f"{demo_server}/courses/manage")
    draft = page.locator("tr:has(.badge.warn)").get_by_role("link").first.get_attribute("href")
    # The demo trainee's checklist on the Beijing course, from the progress on My courses.
    page.context.clear_cookies()
    sign_in(page, demo_server, ROLES["personnel"], DEMO_PASSWORD)
    page.goto(f"{demo_server}/my/courses")
    checklist = page.locator("a.clearance-progress").first.get_attribute("href")
    probe.close()
    beijing = href.rsplit("/", 1)[1]
    coordinator = ROLES["coordinator"]
    links = {
        "beijing": beijing, "mixed": MIXED_SLUG, "draft": draft.rsplit("/", 1)[1],
        "withdraw": first_link(browser, demo_server, ROLES["personnel"], "/my/courses", "Withdraw"),
        "cancel_session": first_link(browser, demo_server, coordinator, f"/courses/{beijing}/schedule",
                                     "Cancel"),
        "revoke": first_link(browser, demo_server, coordinator, "/symposia/1", "Revoke"),
        "checklist": checklist.split("/")[2],
        "erase": first_link(browser, demo_server, ROLES["admin"], "/admin/users", "Erase"),
    }
    links["sign_in"] = f"/courses/{beijing}/sessions/{first_session_taught(demo_database_url)}/sign-in"
    return links


# One test per language, width and role (the coordinator's thirty pages are the largest part), so that
# the sweep spreads over the workers with the other browser tests.
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("width", [width for width, _ in WIDTHS])
@pytest.mark.parametrize(("language", "locale"), LANGUAGES)
def test_every_page_fits_a_phone_and_passes_axe(
        browser: Browser, demo_server: str, demo_links: dict[str, str], screenshot_dir: Path,
        language: str, locale: str, width: str, role: str) -> None:
    assert AXE.exists(), f"{AXE} is missing: `make js-packages` installs axe-core"

    def screenshot(page: Page, name: str) -> None:
        # Forty full-page screenshots are a good part of the sweep's time: taken when refreshing
        # docs/screenshots (make screenshots) only. They assert nothing; the checks above do.
        if os.environ.get("SCREENSHOT_DIR"):
            page.screenshot(path=str(screenshot_dir / name), full_page=True)

    rows: list[tuple] = []
    sweep(browser, demo_server, role, language, locale, width, demo_links, screenshot, rows)
    print_table(rows)

    assert len(rows) == len(PAGES[role])
    too_wide = [(role, name, width, language, o) for role, name, width, language, o, *_ in rows
                if o["scroll"] > o["inner"]]
    inaccessible = [(role, name, width, language, f) for role, name, width, language, _, _, f, _ in rows if f]
    assert too_wide == [], json.dumps(too_wide, indent=1, ensure_ascii=False)
    assert inaccessible == [], json.dumps(inaccessible, indent=1, ensure_ascii=False)


@pytest.fixture(autouse=True)
def _show_output(capsys):  # the table is the point of this test: show it even when it passes
    yield
    with capsys.disabled():
        print(capsys.readouterr().out)
