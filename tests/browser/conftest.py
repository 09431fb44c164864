"""Browser tests: Debian's Chromium driven by Playwright against a real server process."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
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


@pytest.hookimpl(trylast=True)  # after pytest has ordered the tests by database
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are marked, and run first.

    make test hands tests to the workers in this order. The browser tests are the longest (the phone
    sweep is one test per language, width and role): started first, they spread over the workers, and
    the many short tests fill the end rather than one worker finishing the browser tests alone. Every
    worker that runs some has its own demo server and Chromium, so no browser test counts on what
    another one did or did not do before it on the same server (see `_as_the_demo_left_them`).
    """
    browser = [item for item in items if "tests/browser/" in str(item.fspath)]
    for item in browser:
        item.add_marker(pytest.mark.browser)
    items[:] = browser + [item for item in items if "tests/browser/" not in str(item.fspath)]


def _run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary directory every pytest-xdist worker of this run shares (without xdist: the run's own)."""
    own = tmp_path_factory.getbasetemp()
    return own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database migrated from empty and loaded, built once per run by the first worker that needs it.

    Migrating and loading the demo take two processes that each start the application; every
    worker's server then gets a copy rather than building its own.
    """
    shared = _run_directory(tmp_path_factory)
    template = shared / "demo-template.sqlite"
    with open(shared / "demo-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait here until the template is whole
        if not template.exists():
            building = shared / "demo-template.building.sqlite"
            building.unlink(missing_ok=True)
            for args in (["db", "upgrade"], ["demo"]):
                result = flask_cli(f"sqlite:///{building}", *args)
                assert result.returncode == 0, result.stderr
            building.rename(template)
    return template


@pytest.fixture(scope="session")
def demo_database_url(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The SQLite database the demo server runs on (a test may read what the server wrote)."""
    path = tmp_path_factory.mktemp("browser") / "demo.sqlite"
    # SQLite's backup copies a consistent database whatever journal the template was left with.
    with closing(sqlite3.connect(demo_template)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def demo_server(demo_database_url: str) -> Iterator[str]:
    """A threaded server on a copy of the demo database, one per worker."""
    with running_server(demo_database_url) as base_url:
        yield base_url


@pytest.fixture(autouse=True)
def _as_the_demo_left_them(demo_database_url: str) -> None:
    """Every demo account reads in its browser's language, as the demo leaves them.

    Tests switch a profile's language (the switch is remembered in the profile and wins over the
    browser's): reset before each test, so that none reads in the language another one chose.
    """
    with closing(sqlite3.connect(demo_database_url.removeprefix("sqlite:///"))) as connection, connection:
        connection.execute("UPDATE users SET locale = NULL WHERE email LIKE '%@demo.training'")


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
