"""Browser tests: Debian's Chromium driven by Playwright against a real server process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.servers import ROOT, flask_cli, running_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium's background services try to reach the internet; this machine has none.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # Under pytest-xdist (--dist loadgroup) the tests of a group share one worker, and so its
            # demo server and Chromium. The phone sweep, the longest test, has a group (a server) of
            # its own, so that it runs beside the other browser tests rather than after them.
            group = "phone-sweep" if item.fspath.basename == "test_phone.py" else "browser"
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The SQLite database the demo server runs on (a test may read what the server wrote)."""
    return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.sqlite'}"


@pytest.fixture(scope="session")
def demo_server(demo_database_url: str) -> Iterator[str]:
    """A threaded server on a SQLite database migrated from empty and loaded with the demo data."""
    url = demo_database_url
    for args in (["db", "upgrade"], ["demo"]):
        result = flask_cli(url, *args)
        assert result.returncode == 0, result.stderr
    with running_server(url) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """docs/screenshots when refreshing them (make screenshots), else test-artifacts/."""
    path = ROOT / os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the login form as a person would."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
