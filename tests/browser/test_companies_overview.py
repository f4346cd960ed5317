"""In a real browser: from the switcher to all companies, a search across them, and a result
that opens in the company it was found in."""

import re

from playwright.sync_api import expect

from reports_admin.connection.services import connection_sign_in
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_accessible


def test_overview_search_and_a_result_in_its_own_company(page, browser_user_connected, simulator):
    connection_sign_in(
        user=browser_user_connected,
        company="hamnen",
        username="admin",
        password="hamnen",  # noqa: S106
    )
    hamnen = simulator.company("hamnen")
    # A name in both companies, each its own report under another id.
    report = hamnen.reports[0]
    (in_demo,) = [r for r in simulator.state.reports if r.name == report.name]
    assert in_demo.id != report.id
    sign_in(page)
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary").click()
    nav.get_by_role("link", name="All companies").click()
    expect(page.get_by_role("heading", name="All companies")).to_be_visible()
    assert_accessible(page, "all companies")
    table = page.locator("#companies")
    for company in ("demo", "hamnen"):
        row = table.locator(f'tr[data-company="{company}"]')
        expect(row.locator('[data-count="reports"]')).to_have_text(
            str(len(simulator.company(company).reports))
        )

    page.get_by_label("Search all companies by report name or recipient").fill(report.name)
    page.get_by_role("button", name="Search").click()
    demo_link = page.locator('section[data-company="demo"]').get_by_role("link", name=report.name)
    expect(demo_link).to_have_attribute("href", f"/c/demo/reports/{in_demo.id}/")
    assert_accessible(page, "search all companies")
    page.locator('section[data-company="hamnen"]').get_by_role("link", name=report.name).click()

    expect(page).to_have_url(re.compile(rf"/c/hamnen/reports/{report.id}/$"))
    expect(page.get_by_role("heading", name=report.name)).to_be_visible()
    expect(nav.get_by_text("Weblink: hamnen")).to_be_visible()
