"""Bulk actions in a real browser, run by the real worker: a bulk pause from the list, and a
replace-everywhere from the recipients page; each checked in the simulator's state."""

import re

from playwright.sync_api import expect

from tests.test_bulk_worker import start_worker  # noqa: F401 (a fixture)


def test_bulk_pause_from_the_list(connected_page, simulator, start_worker):  # noqa: F811
    page = connected_page
    shown = [r for r in simulator.state.reports if r.active]
    rows = page.get_by_role("checkbox", name=re.compile(r"^Select (?!all)"))
    names = [rows.nth(i).get_attribute("aria-label").removeprefix("Select ") for i in range(5)]
    chosen = [r for r in shown if r.name in names][:2]
    for report in chosen:
        page.get_by_role("checkbox", name=f"Select {report.name}", exact=True).check()
    page.get_by_role("button", name="Pause…").click()
    for report in chosen:
        expect(page.get_by_role("rowheader", name=report.name, exact=True)).to_be_visible()
    start_worker()
    page.get_by_role("button", name="Pause: start").click()
    expect(page.get_by_text("Finished")).to_be_visible(timeout=30_000)
    for report in chosen:
        assert not simulator.state.report(report.id).active


def test_replace_everywhere_from_the_recipients_page(connected_page, simulator, start_worker):  # noqa: F811
    page = connected_page
    report = simulator.state.reports[0]
    old = next(a.value for a in report.arguments if a.key == "email")
    page.goto(page.url.split("/reports/")[0] + "/recipients/?q=" + old)
    page.get_by_role("textbox", name=f"New address instead of {old}").fill("heir@example.com")
    page.get_by_role("button", name=f"Replace everywhere… {old}").click()
    expect(page.get_by_text(re.compile(r"argument PATCH"))).to_be_visible()
    start_worker()
    page.get_by_role("button", name=re.compile(r": start$")).click()
    expect(page.get_by_text("Finished")).to_be_visible(timeout=30_000)
    values = [a.value for a in simulator.state.report(report.id).arguments if a.key == "email"]
    assert "heir@example.com" in values and old not in values
