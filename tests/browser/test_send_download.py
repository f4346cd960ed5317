"""In a real browser: send a report now through its confirmation, download it as CSV and
XLSX and open the files, and run a report once and download it without saving it."""

import csv
from pathlib import Path
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect


@pytest.fixture(autouse=True)
def fresh_cache():
    """No send cool-offs left over from other tests: the live server shares this cache."""
    cache.clear()


@pytest.fixture
def report(simulator):
    """The first seeded report: "Missade samtal Kundtjänst", with two recipients."""
    return simulator.state.reports[0]


def find_row(page, report) -> None:
    """The list, searched for ``report`` (newest first, it need not be on the first page)."""
    page.goto("/reports/?" + urlencode({"q": report.name}))


def test_send_now_through_its_confirmation(connected_page, simulator, report):
    page = connected_page
    recipients = report.values("email")
    find_row(page, report)
    page.get_by_role("button", name=f"More actions for {report.name}").click()
    page.get_by_role("link", name="Send now…").click()

    expect(page.get_by_role("heading", name=f"Send “{report.name}” now?")).to_be_visible()
    for address in recipients:
        expect(page.get_by_text(address, exact=True)).to_be_visible()
    assert simulator.state.sent == []

    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_text(f"Sent to {', '.join(recipients)}.")).to_be_visible()
    # Back where the person came from: the list, searched for the report.
    assert page.url.endswith("/reports/?" + urlencode({"q": report.name}))
    [sent] = simulator.state.sent
    assert sent.report_id == report.id
    assert list(sent.recipients) == recipients


def test_download_a_csv_and_an_xlsx_and_open_them(connected_page, simulator, report, tmp_path):
    page = connected_page
    today = timezone.localdate().isoformat()
    find_row(page, report)
    page.get_by_role("button", name=f"More actions for {report.name}").click()
    csv_button = page.locator(f"#report-{report.id}").get_by_role("button", name="Download CSV")
    # While the file is on its way Playwright waits for that navigation before it looks at
    # the page, so the page writes down each state the button goes through.
    csv_button.evaluate(
        """button => {
            window.buttonStates = [];
            new MutationObserver(() => window.buttonStates.push(
                [button.disabled, button.textContent.trim(), button.checkVisibility()]
            )).observe(button, {attributes: true, childList: true, subtree: true});
        }"""
    )
    # Weblink takes its time, as it does with a big report: the button says so meanwhile.
    simulator.faults.latency = 1.0
    with page.expect_download() as info:
        # One click, and no waiting for the navigation it starts, which ends with the file.
        csv_button.click(no_wait_after=True)
    download = info.value
    # The file started and the page stayed: the button is back for another download.
    expect(csv_button).to_be_enabled()
    expect(csv_button).to_have_text("Download CSV: " + report.name)
    expect(csv_button).to_be_visible()
    simulator.faults.latency = 0
    states = page.evaluate("window.buttonStates")
    assert [True, "Preparing the file…", True] in states  # disabled, saying so, in sight
    assert states[-1] == [False, "Download CSV: " + report.name, True]
    assert page.url.endswith("/reports/?" + urlencode({"q": report.name}))
    assert download.failure() is None
    assert download.suggested_filename == f"Missade samtal Kundtjänst-{today}.csv"
    with Path(download.path()).open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][:2] == ["Period", "Queue"]
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)

    # From the report's own page this time, in its own format (XLSX).
    page.goto(f"/reports/{report.id}/")
    expect(page.get_by_label("Format")).to_have_value("xlsx")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"Missade samtal Kundtjänst-{today}.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    sheet = openpyxl.load_workbook(target, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Queue - Missed"
    assert rows[2][:2] == ("Period", "Queue")
    assert len(rows) > 3


def test_run_and_download_without_saving(connected_page, simulator):
    page = connected_page
    before = [r.id for r in simulator.state.reports]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Run and download").click()
    page.get_by_label("Report type").select_option(label="Queue - Statistics")
    # The fields of the chosen type replace the previous ones: its own options show.
    expect(page.get_by_label("Report content")).to_contain_text("Per hour")
    page.get_by_label("Queue").select_option(label="Försäljning")
    page.get_by_label("Format").select_option("csv")
    page.get_by_label("Recipients").fill("lead@example.com")
    with page.expect_download() as info:
        page.get_by_role("button", name="Run and download").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("Queue - Statistics-")
    with Path(download.path()).open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][:2] == ["Period", "Queue"]
    assert {row[1] for row in rows[1:]} == {"Försäljning"}

    assert [r.id for r in simulator.state.reports] == before
    assert not any(r.method == "POST" and r.path == "/company/report" for r in simulator.requests)
