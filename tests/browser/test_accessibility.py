"""axe-core on every page of the dashboard, in a real browser: no serious or critical
violations. Also: the whole journey by keyboard alone, with a focus ring one can see."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from playwright.sync_api import expect

from reports_admin.connection.services import connection_sign_in

AXE = Axe()
BLOCKING = {"serious", "critical"}


def assert_accessible(page, what: str) -> None:
    """axe-core's serious and critical findings on the page as it is now must be none."""
    violations = AXE.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['html'][:200]}" for node in v["nodes"][:5])
        for v in blocking
    )
    assert not blocking, f"{what} ({page.url}):\n{details}"


def first_report_id(simulator) -> str:
    return simulator.state.reports[0].id


def test_sign_in_page(page):
    page.goto("/login/")
    assert_accessible(page, "sign-in")
    # Errors are announced: the failed form comes back with its error focused.
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.locator("[data-form-errors]")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_be_focused()
    assert_accessible(page, "sign-in with an error")


def test_connection_page(signed_in_page, weblink_url):
    page = signed_in_page
    page.goto("/connection/")
    assert_accessible(page, "connection, not connected")
    # Errors next to their fields: invalid, described by the message, the first one focused.
    page.get_by_role("button", name="Sign in with Weblink").click()
    company = page.locator("form[action='/connection/sign-in/']").get_by_label("Company")
    expect(company).to_have_attribute("aria-invalid", "true")
    expect(company).to_be_focused()
    assert "signin-company_error" in company.get_attribute("aria-describedby")
    assert_accessible(page, "connection with errors")


def test_connection_page_connected(connected_page):
    connected_page.goto("/connection/")
    assert_accessible(connected_page, "connection, connected")


def test_report_list_with_reports(connected_page):
    expect(connected_page.get_by_role("table")).to_be_visible()
    assert_accessible(connected_page, "report list")


def test_report_list_and_activity_on_a_phone(connected_page, simulator):
    """At 390 px both tables are stacks of cards; the list's menu open, with its downloads."""
    page = connected_page
    page.set_viewport_size({"width": 390, "height": 844})
    report = simulator.state.reports[0]
    page.goto(f"/reports/?q={report.name}")
    switch = page.get_by_role("switch", name=re.compile(rf"{re.escape(report.name)}$"))
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    page.get_by_role("button", name=f"More actions for {report.name}").click()
    expect(page.get_by_role("button", name="Download CSV").first).to_be_visible()
    assert_accessible(page, "report list on a phone")
    page.goto("/activity/")
    expect(page.get_by_role("link", name="Restore this version").first).to_be_visible()
    assert_accessible(page, "activity on a phone")


def test_report_list_empty(connected_page, simulator):
    for report in simulator.state.reports:
        simulator.state.delete_report(report.id)
    connected_page.goto("/reports/")
    # The list shows the snapshot read before; Refresh reads it again.
    connected_page.get_by_role("button", name="Refresh", exact=True).click()
    expect(connected_page.get_by_text("No reports yet.")).to_be_visible()
    assert_accessible(connected_page, "empty report list")


def test_report_list_when_weblink_fails(connected_page, simulator):
    cache.clear()  # no snapshot to fall back on
    simulator.faults.status = 500
    connected_page.goto("/reports/")
    expect(connected_page.get_by_role("alert")).to_contain_text("could not be loaded")
    assert_accessible(connected_page, "report list with an error")


def test_not_connected_opens_the_connection_page(signed_in_page):
    expect(signed_in_page.get_by_role("heading", name="Sign in with Weblink")).to_be_visible()
    assert_accessible(signed_in_page, "connection page, not connected")


def test_the_company_switcher_open_and_the_chooser(connected_page, browser_user):
    page = connected_page
    page.locator(".company-switcher > summary").click()
    expect(page.locator(".company-switcher").get_by_role("link", name="demo")).to_be_visible()
    assert_accessible(page, "report list, company switcher open")
    # A second company: the chooser offers both.
    connection_sign_in(user=browser_user, company="hamnen", username="admin", password="hamnen")  # noqa: S106
    page.goto("/reports/")
    expect(page.get_by_role("heading", name="Choose a company")).to_be_visible()
    assert_accessible(page, "company chooser")


def test_new_report_form_and_its_errors(connected_page):
    page = connected_page
    page.goto("/reports/new/")
    assert_accessible(page, "new report")
    page.get_by_label("Report type").select_option(label="Callback - Requests")
    expect(page.get_by_label("Destination")).to_be_visible()
    assert_accessible(page, "new report, another type")
    page.get_by_role("button", name="Create report").click()
    name = page.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()
    assert_accessible(page, "new report with errors")


def test_edit_form(connected_page, simulator):
    connected_page.goto(f"/reports/{first_report_id(simulator)}/edit/")
    expect(connected_page.get_by_label("Report type")).to_be_disabled()
    assert_accessible(connected_page, "edit report")


def test_delete_confirmation(connected_page, simulator):
    connected_page.goto(f"/reports/{first_report_id(simulator)}/delete/")
    expect(connected_page.get_by_role("button", name="Delete report")).to_be_visible()
    assert_accessible(connected_page, "delete confirmation")


def test_report_types(connected_page):
    connected_page.goto("/reports/types/")
    expect(connected_page.get_by_role("heading", name="Report types")).to_be_visible()
    assert_accessible(connected_page, "report types")


def test_report_page(connected_page, simulator):
    connected_page.goto(f"/reports/{first_report_id(simulator)}/")
    expect(connected_page.get_by_role("heading", name="Arguments")).to_be_visible()
    assert_accessible(connected_page, "report page")


def test_send_confirmation(connected_page, simulator):
    connected_page.goto(f"/reports/{first_report_id(simulator)}/send/")
    expect(connected_page.get_by_role("button", name="Send now")).to_be_visible()
    assert_accessible(connected_page, "send confirmation")


def test_download_page(connected_page, simulator):
    connected_page.goto(f"/reports/{first_report_id(simulator)}/download/")
    expect(connected_page.get_by_role("group", name="Format")).to_be_visible()
    assert_accessible(connected_page, "download")


def test_run_and_download_page(connected_page):
    page = connected_page
    page.goto("/reports/download/")
    assert_accessible(page, "run and download")
    page.get_by_role("button", name="Run and download").click()
    expect(page.locator("[aria-invalid='true']").first).to_be_focused()
    assert_accessible(page, "run and download with errors")


def test_activity_page(connected_page, simulator):
    page = connected_page
    page.goto("/activity/")
    assert_accessible(page, "activity, empty")
    page.goto(f"/reports/{first_report_id(simulator)}/send/")
    page.get_by_role("button", name="Send now").click()
    page.goto("/activity/")
    expect(page.get_by_role("table")).to_contain_text("Done: send")
    assert_accessible(page, "activity")


def test_password_change(signed_in_page):
    signed_in_page.goto("/password/")
    assert_accessible(signed_in_page, "password change")


def test_page_not_found(signed_in_page):
    signed_in_page.goto("/reports/no-such-page/")
    assert_accessible(signed_in_page, "page not found")


# --- by keyboard alone ------------------------------------------------------------------------

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        text: (el.innerText || el.value || "").trim(),
        label: el.labels && el.labels[0] ? el.labels[0].innerText.trim() : "",
        tag: el.tagName,
        ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, *, text: str | None = None, label: str | None = None, limit: int = 60) -> dict:
    """Presses Tab until the focused element has this text or label; its focus must show."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if (text is not None and now["text"] == text) or (
            label is not None and now["label"].startswith(label)
        ):
            assert now["ring"], f"no visible focus ring on {now}"
            return now
    pytest.fail(f"Tab never reached {text or label!r}")


def test_create_and_send_a_report_by_keyboard_alone(connected_page, simulator):
    page = connected_page
    # The skip link is the first stop and takes focus past the navigation.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_to(page, text="New report")
    page.keyboard.press("Enter")
    page.wait_for_url("**/reports/new/")

    # The first report type is chosen already; its fields are on the page.
    tab_to(page, label="Name")
    page.keyboard.type("Keyboard only")
    tab_to(page, label="Queue")
    page.keyboard.press("ArrowDown")  # the first queue after the blank choice
    tab_to(page, label="Format")
    page.keyboard.press("ArrowDown")  # html → csv
    tab_to(page, label="Recipients")
    page.keyboard.type("team@example.com")
    tab_to(page, label="Only when there is data")
    page.keyboard.press("Space")
    tab_to(page, text="Create report")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Created “Keyboard only”.")).to_be_visible()

    [created] = [r for r in simulator.state.reports if r.name == "Keyboard only"]
    assert created.report_type_id == "1"
    assert created.values("queue_id") == ["1101"]
    assert created.values("format") == ["csv"]
    assert created.values("email") == ["team@example.com"]
    assert created.values("only_when_data") == ["1"]

    # Saving lands on the new report's page; back to the list, find it, open its row's menu
    # and send it now.
    tab_to(page, text="Reports")
    page.keyboard.press("Enter")
    page.wait_for_url("**/reports/")
    tab_to(page, label="Search name or recipient")
    page.keyboard.type("Keyboard only")
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the one report
    # Leaving the box changes the filter form, which loads the results once more: tabbing
    # into them before that lands would lose the focus with the replaced rows.
    page.keyboard.press("Tab")
    expect(page.locator(".htmx-request")).to_have_count(0)
    tab_to(page, text="More actions for Keyboard only")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    assert focused(page)["text"] == "Send now…"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/reports/{created.id}/send/**")
    tab_to(page, text="Send now")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Sent to team@example.com.")).to_be_visible()
    [sent] = simulator.state.sent
    assert sent.report_id == created.id
