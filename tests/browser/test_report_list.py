"""The report list in a real browser: sorting by a header (with the mouse and the keyboard),
the rows' Active switch (in place through htmx, and as a plain form without JavaScript), and
both on a phone-wide screen. Every switch is checked in the simulator's state."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def names_by_name(simulator, *, descending=False):
    return sorted((r.name for r in simulator.state.reports), key=str.casefold, reverse=descending)


def name_header(page):
    return page.get_by_role("columnheader", name=re.compile(r"^Name\b"))


def first_row_names(page, count):
    """The names in the first ``count`` rows, once the list shows at least that many."""
    row_headers = page.get_by_role("rowheader")
    expect(row_headers.nth(count - 1)).to_be_visible()
    return [text.strip() for text in row_headers.all_inner_texts()[:count]]


def switch_for(page, name):
    """The Active switch of the row for the report called ``name``."""
    return page.get_by_role("switch", name=re.compile(rf"{re.escape(name)}$"))


def newest_active(simulator):
    """An active report the first page of the default list (newest first) shows."""
    dated = [r for r in simulator.state.reports if r.added and r.active]
    return max(dated, key=lambda r: r.added)


def test_sort_by_clicking_the_name_header(connected_page, simulator):
    page = connected_page
    expect(name_header(page)).to_have_attribute("aria-sort", "none")
    expect(page.get_by_role("columnheader", name=re.compile(r"^Added\b"))).to_have_attribute(
        "aria-sort", "descending"
    )

    name_header(page).get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=name\b"))
    expect(name_header(page)).to_have_attribute("aria-sort", "ascending")
    assert first_row_names(page, 5) == names_by_name(simulator)[:5]

    name_header(page).get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=-name\b"))
    expect(name_header(page)).to_have_attribute("aria-sort", "descending")
    assert first_row_names(page, 5) == names_by_name(simulator, descending=True)[:5]


def test_sort_by_keyboard(connected_page, simulator):
    page = connected_page
    link = name_header(page).get_by_role("link")
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=name\b"))
    expect(name_header(page)).to_have_attribute("aria-sort", "ascending")
    assert first_row_names(page, 5) == names_by_name(simulator)[:5]

    # Enter on the sorted header turns the order round.
    link = name_header(page).get_by_role("link")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=-name\b"))
    expect(name_header(page)).to_have_attribute("aria-sort", "descending")


def test_sort_header_is_reached_with_tab(connected_page, simulator):
    page = connected_page
    link = name_header(page).get_by_role("link")
    page.get_by_label("Search name or recipient").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=name\b"))
    expect(name_header(page)).to_have_attribute("aria-sort", "ascending")


def test_switch_in_place_with_htmx(connected_page, simulator):
    page = connected_page
    report = newest_active(simulator)
    switch = switch_for(page, report.name)
    expect(switch).to_have_attribute("aria-checked", "true")
    # A page load would lose this mark.
    page.evaluate("window.__notReloaded = true")

    with page.expect_response(re.compile(rf"/reports/{report.id}/active/$")) as answer:
        switch.click()
    assert answer.value.status == 200
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(switch).to_contain_text("Paused")
    assert page.evaluate("window.__notReloaded") is True
    assert simulator.state.report(report.id).active is False
    # Exactly one row for it, swapped in place.
    expect(page.locator(f"#report-{report.id}")).to_have_count(1)

    with page.expect_response(re.compile(rf"/reports/{report.id}/active/$")):
        switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(switch).to_contain_text("Active")
    assert page.evaluate("window.__notReloaded") is True
    assert simulator.state.report(report.id).active is True

    # The list read again shows what was set.
    page.reload()
    expect(switch_for(page, report.name)).to_have_attribute("aria-checked", "true")


def test_switch_by_keyboard(connected_page, simulator):
    page = connected_page
    report = newest_active(simulator)
    switch = switch_for(page, report.name)
    switch.focus()
    with page.expect_response(re.compile(rf"/reports/{report.id}/active/$")):
        page.keyboard.press("Space")
    expect(switch).to_have_attribute("aria-checked", "false")
    assert simulator.state.report(report.id).active is False


@pytest.fixture
def no_script_page(browser, live_server, browser_user_connected):
    """A tab with JavaScript switched off, signed in as a person connected to the simulator."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page)
    yield page
    context.close()


def test_switch_without_javascript(no_script_page, simulator):
    page = no_script_page
    page.goto("/reports/?sort=name")
    report = newest_active(simulator)
    switch = switch_for(page, report.name)
    expect(switch).to_have_attribute("aria-checked", "true")

    with page.expect_navigation():
        switch.click()
    # Back on the page it was on, shown paused.
    assert page.url.endswith("/reports/?sort=name")
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(switch).to_contain_text("Paused")
    assert simulator.state.report(report.id).active is False

    with page.expect_navigation():
        switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    assert simulator.state.report(report.id).active is True


def phone(page, path):
    """``path`` at a phone's 390 × 844 px."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_phone_wide_switch_and_sort(connected_page, simulator):
    page = connected_page
    phone(page, "/reports/")

    report = newest_active(simulator)
    switch = switch_for(page, report.name)
    with page.expect_response(re.compile(rf"/reports/{report.id}/active/$")):
        switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    assert simulator.state.report(report.id).active is False

    # The column headers are hidden on a phone; the "Sort by" menu sorts instead.
    expect(name_header(page)).to_be_hidden()
    page.get_by_label("Sort by").select_option(label="Name, ascending")
    page.wait_for_url(re.compile(r"sort=name\b"))
    expect(page.get_by_label("Sort by")).to_have_value("name")
    assert first_row_names(page, 3) == names_by_name(simulator)[:3]
    page.get_by_label("Sort by").select_option(label="Name, descending")
    page.wait_for_url(re.compile(r"sort=-name\b"))
    assert first_row_names(page, 3) == names_by_name(simulator, descending=True)[:3]


def test_phone_wide_list_is_cards_that_do_not_scroll_sideways(connected_page, simulator):
    """Each report is a card (name, then its values with their labels, its switch and its
    actions), no wider than the screen, so the page never pans sideways."""
    page = connected_page
    phone(page, "/reports/")
    report = newest_active(simulator)
    card = page.locator(f"#report-{report.id}")
    expect(card.get_by_role("link", name=report.name, exact=True)).to_be_visible()
    expect(card.get_by_role("switch")).to_be_visible()
    expect(card.get_by_role("link", name=f"Edit {report.name}")).to_be_visible()
    more = card.get_by_role("button", name=f"More actions for {report.name}")
    expect(more).to_be_visible()
    # A card's lines say what each value is.
    assert (
        card.locator("[data-label='Report type']").evaluate(
            "cell => getComputedStyle(cell, '::before').content"
        )
        == '"Report type"'
    )
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] < 400  # a card, not a column of blank lines
    assert page_width(page) <= 390, f"the page is {page_width(page)} px wide at 390 px"
    # The row menu opens inside the screen too.
    more.click()
    expect(card.get_by_role("button", name="Download CSV")).to_be_visible()
    assert page_width(page) <= 390


def test_phone_wide_activity_is_cards_that_do_not_scroll_sideways(connected_page, simulator):
    page = connected_page
    report = newest_active(simulator)
    phone(page, "/reports/")
    with page.expect_response(re.compile(rf"/reports/{report.id}/active/$")):
        switch_for(page, report.name).click()

    page.goto("/activity/")
    expect(page.get_by_role("columnheader", name="Who")).to_be_hidden()
    entry = page.locator("tbody tr").first
    expect(entry).to_contain_text("Done: change")
    expect(entry.get_by_role("link", name=report.name)).to_be_visible()
    expect(entry.get_by_role("link", name="Restore this version")).to_be_visible()
    assert page_width(page) <= 390, f"the page is {page_width(page)} px wide at 390 px"
    # The connection's entry has nothing to restore: no empty line for it.
    connected = page.locator("tbody tr").last
    expect(connected).to_contain_text("Done: connect")
    assert connected.locator("td").last.evaluate("cell => getComputedStyle(cell).display") == (
        "none"
    )
