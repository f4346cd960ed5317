"""In a real browser: from the switcher to all companies, a search across them, and a result
that opens in the company it was found in."""

import re

from playwright.sync_api import expect

from reports_admin.connection.services import connection_save_token
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_accessible


def test_overview_search_and_a_result_in_its_own_company(page, browser_user_connected, simulator):
    connection_save_token(
        user=browser_user_connected, company="beta", token=simulator.issue_token()
    )
    report = simulator.state.reports[4]
    sign_in(page)
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary").click()
    nav.get_by_role("link", name="All companies").click()
    expect(page.get_by_role("heading", name="All companies")).to_be_visible()
    assert_accessible(page, "all companies")
    table = page.locator("#companies")
    for company in ("demo", "beta"):
        row = table.locator(f'tr[data-company="{company}"]')
        expect(row.locator('[data-count="reports"]')).to_have_text(
            str(len(simulator.state.reports))
        )

    page.get_by_label("Search all companies by report name or recipient").fill(report.name)
    page.get_by_role("button", name="Search").click()
    beta = page.locator('section[data-company="beta"]')
    expect(
        page.locator('section[data-company="demo"]').get_by_role("link", name=report.name)
    ).to_be_visible()
    assert_accessible(page, "search all companies")
    beta.get_by_role("link", name=report.name).click()

    expect(page).to_have_url(re.compile(rf"/c/beta/reports/{report.id}/$"))
    expect(page.get_by_role("heading", name=report.name)).to_be_visible()
    expect(nav.get_by_text("Weblink: beta")).to_be_visible()
