"""In a real browser: the conflict page when a report changed on Weblink while its form was
open, "Save my changes anyway", and restoring an edit and a delete from the activity page,
each checked in the simulator's state."""

import re

from playwright.sync_api import expect


def test_conflict_page_then_save_anyway_keeps_the_rename(connected_page, simulator):
    page = connected_page
    report = simulator.state.reports[1]
    page.goto(f"/reports/{report.id}/edit/")
    page.get_by_label("Recipients").fill("browser@example.com")
    simulator.state.update_report(report.id, {"name": "Renamed in the portal"})
    page.get_by_role("button", name="Save changes").click()

    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text(
        f"Name is now “Renamed in the portal”; this page showed “{report.name}”."
    )
    expect(page.get_by_label("Recipients")).to_have_value("browser@example.com")
    assert simulator.state.report(report.id).values("email") == report.values("email")

    page.get_by_role("button", name="Save my changes anyway").click()
    expect(page.get_by_text(re.compile("Saved your changes"))).to_be_visible()
    saved = simulator.state.report(report.id)
    assert saved.name == "Renamed in the portal"
    assert saved.values("email") == ["browser@example.com"]


def test_restore_an_edit_and_a_delete_from_the_activity_page(connected_page, simulator):
    page = connected_page
    report = simulator.state.reports[1]
    page.goto(f"/reports/{report.id}/edit/")
    page.get_by_label("Name").fill("Edited in the browser")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved “Edited in the browser”.")).to_be_visible()

    page.goto("/activity/")
    page.get_by_role("row", name=re.compile("Edited in the browser")).get_by_role(
        "link", name="Restore this version"
    ).click()
    expect(page.locator("#restoring")).to_contain_text(report.name)
    page.get_by_role("button", name="Restore this version").click()
    expect(page.get_by_text(re.compile("to the version from before this change"))).to_be_visible()
    assert simulator.state.report(report.id).name == report.name

    page.goto(f"/reports/{report.id}/delete/")
    page.get_by_role("button", name="Delete report").click()
    expect(page.get_by_text(re.compile("Deleted “"))).to_be_visible()
    assert simulator.state.report(report.id) is None

    page.goto("/activity/?action=deleted")
    page.get_by_role("link", name="Restore this version").first.click()
    expect(page.locator("#recreate")).to_contain_text("no longer exists")
    page.get_by_role("button", name="Create it again").click()
    expect(page.get_by_text(re.compile("Weblink gave it a new id"))).to_be_visible()
    [again] = [r for r in simulator.state.reports if r.name == report.name]
    assert again.id != report.id
    assert again.values("email") == report.values("email")
