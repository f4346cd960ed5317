"""In a real browser: preview a report from its page, from the new report form with settings
not saved, and as a web page in a sandboxed frame; cancel a slow preview; the sent history.
axe checks each new state."""

import threading

import pytest
from playwright.sync_api import expect

from reports_admin.models import Activity
from reports_admin.reports import downloads
from tests.browser.test_accessibility import assert_accessible


@pytest.fixture
def report(simulator):
    """The first seeded report: "Missade samtal Kundtjänst", 50 rows."""
    return simulator.state.reports[0]


def test_preview_on_the_report_page(connected_page, simulator, report):
    page = connected_page
    page.goto(f"/reports/{report.id}/")
    page.get_by_role("button", name="Preview", exact=True).click()
    table = page.get_by_role("region", name="Preview of the report").get_by_role("table")
    expect(table.get_by_role("columnheader", name="Period")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(50)
    expect(page.get_by_text("All of the report’s 50 rows")).to_be_visible()
    assert [r.path for r in simulator.requests if "/download/" in r.path] == [
        "/company/report/download/csv"
    ]
    assert Activity.objects.filter(action=Activity.Action.PREVIEWED).count() == 1
    assert_accessible(page, "report page with a preview")


def test_preview_in_the_new_form_uses_what_is_typed(connected_page, simulator):
    page = connected_page
    reports_before = len(simulator.state.reports)
    page.goto("/reports/new/")
    page.get_by_label("Recipients").fill("lead@example.com")
    page.get_by_role("button", name="Preview", exact=True).click()
    region = page.get_by_role("region", name="Preview of the report")
    expect(region.get_by_role("columnheader", name="Period")).to_be_visible()
    # Nothing was saved, and the form is still there with what was typed.
    assert len(simulator.state.reports) == reports_before
    expect(page.get_by_label("Recipients")).to_have_value("lead@example.com")
    assert_accessible(page, "new report with a preview")


def test_the_web_page_preview_is_sandboxed(connected_page, report):
    page = connected_page
    page.goto(f"/reports/{report.id}/")
    page.get_by_role("button", name="Preview as web page").click()
    frame = page.locator("iframe.preview-frame")
    expect(frame).to_be_visible()
    assert frame.get_attribute("sandbox") == ""
    # Weblink's table is inside the frame, and nowhere in our page.
    expect(page.frame_locator("iframe.preview-frame").locator("table")).to_be_visible()
    assert page.locator("#preview table").count() == 0
    assert_accessible(page, "report page with a web page preview")


def test_cancel_stops_a_slow_preview(connected_page, simulator, report, monkeypatch):
    page = connected_page
    # The server's side ends on its own: it reads no more than it shows, then closes.
    recorded = threading.Event()
    record = downloads.activity_record

    def recording(**kwargs):
        record(**kwargs)
        recorded.set()

    monkeypatch.setattr(downloads, "activity_record", recording)
    page.goto(f"/reports/{report.id}/")
    # Two calls (the report read fresh, then the file): long enough for axe, then Cancel.
    simulator.faults.latency = 4.0
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_text("Weblink is making the preview…")).to_be_visible()
    assert_accessible(page, "report page, preview in progress")
    with page.expect_event("requestfailed") as failed:
        page.get_by_role("button", name="Cancel preview").click()
    assert failed.value.url.endswith(f"/reports/{report.id}/preview/")
    expect(page.get_by_text("Preview cancelled.")).to_be_visible()
    expect(page.get_by_text("Weblink is making the preview…")).to_be_hidden()
    assert page.locator("#preview table").count() == 0
    assert recorded.wait(timeout=30)
    assert page.locator("#preview table").count() == 0


def test_a_failed_preview_says_why(connected_page, simulator, report):
    page = connected_page
    page.goto(f"/reports/{report.id}/")
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = "/company/report/download/"
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Weblink could not make the preview:")
    assert_accessible(page, "report page with a failed preview")


def test_the_sent_history_after_a_send(connected_page, simulator, report):
    page = connected_page
    page.goto(f"/reports/{report.id}/")
    history = page.locator("#sent-history")
    expect(history).to_contain_text("Not sent from this dashboard yet.")
    page.get_by_role("link", name="Send now…").click()
    page.get_by_role("button", name="Send now").click()
    page.goto(f"/reports/{report.id}/")
    expect(history).to_contain_text("by browser: Weblink accepted it.")
    expect(history.locator("tbody tr")).to_have_count(1)
    assert len(simulator.state.sent) == 1
    assert_accessible(page, "report page with its sent history")
