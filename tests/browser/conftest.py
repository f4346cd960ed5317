"""Browser tests: Playwright drives Debian's Chromium against the live dashboard.

The dashboard runs in pytest-django's ``live_server`` (its own thread, a real database) and
talks to the simulator over HTTP. On a laptop without Chromium these tests are skipped with
the reason; in CI (the CI variable set) a missing Chromium is an error.
"""

import os
import re
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in this thread; Django's guard against database
# calls from async code would otherwise refuse the test's own queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PASSWORD = "browser-password-123"  # noqa: S105


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is needed for the browser tests and is not at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser tab (own cookies, downloads accepted) on the live dashboard.

    Reduced motion switches Bootstrap's colour transitions off, so that axe never measures
    a button's contrast half-way through one."""
    context = browser.new_context(
        base_url=live_server.url, accept_downloads=True, reduced_motion="reduce"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def browser_user(transactional_db, django_user_model):
    """A dashboard account for the browser, not yet connected to Weblink."""
    return django_user_model.objects.create_user("browser", password=PASSWORD)


@pytest.fixture
def browser_user_connected(browser_user, weblink_url):
    """The browser's account, connected to the simulator."""
    from reports_admin.connection.services import connection_sign_in

    connection_sign_in(user=browser_user, company="demo", username="admin", password="demo")  # noqa: S106
    return browser_user


def sign_in(page, username: str = "browser", password: str = PASSWORD) -> None:
    """Signs in through the dashboard's own sign-in form."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # A person's reports, or the Connection page for a person without a connection.
    page.wait_for_url(re.compile(r"/(c/[^/]+/reports|connection)/$"))


@pytest.fixture
def signed_in_page(page, browser_user):
    """A tab signed in to the dashboard as ``browser_user`` (not connected)."""
    sign_in(page)
    return page


@pytest.fixture
def connected_page(page, browser_user_connected):
    """A tab signed in as a person connected to the simulator."""
    sign_in(page)
    return page
