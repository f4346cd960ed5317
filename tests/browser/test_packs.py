"""Report packs in a real browser: export from the list, a bad file refused next to the
field, the dry run, and the import run by the real worker; a copy to another company;
checked in the simulator."""

import json
import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from tests.test_bulk_worker import start_worker  # noqa: F401 (a fixture)


def test_export_then_import_brings_back_deleted_reports(
    connected_page,
    simulator,
    start_worker,  # noqa: F811
    tmp_path,
):
    page = connected_page
    with page.expect_download() as download:
        page.get_by_role("button", name="Export all").click()
    path = tmp_path / "pack.json"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("reports-demo-")
    pack = json.loads(path.read_text())
    assert len(pack["reports"]) == len(simulator.state.reports)

    gone = simulator.state.reports[:2]
    for report in gone:
        simulator.state.delete_report(report.id)

    page.get_by_role("link", name="Import…").click()
    assert_accessible(page, "import")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**pack, "version": 2}))
    page.get_by_label("Report pack").set_input_files(bad)
    page.get_by_role("button", name="Show what would be imported").click()
    field = page.get_by_label("Report pack")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(re.compile(r"version 2, made by a newer dashboard"))).to_be_visible()

    page.get_by_label("Report pack").set_input_files(path)
    page.get_by_role("button", name="Show what would be imported").click()
    expect(page.get_by_text(re.compile(r"This is a dry run"))).to_be_visible()
    assert_accessible(page, "import dry run")
    for report in gone:
        expect(page.get_by_role("checkbox", name=f"Import {report.name}")).to_be_checked()
    expect(page.get_by_text(re.compile(r"^Skip: identical to report"))).to_have_count(
        len(pack["reports"]) - 2
    )
    # Leave the second one out; create the first active.
    page.get_by_role("checkbox", name=f"Import {gone[1].name}").uncheck()
    page.get_by_role("switch", name="Create the imported reports active").check()
    start_worker()
    page.get_by_role("button", name="Import the ticked reports").click()
    expect(page.get_by_text("Finished")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name=gone[0].name)).to_be_visible()
    expect(page.get_by_text("Not chosen for the import.")).to_be_visible()
    names = {r.name: r for r in simulator.state.reports}
    assert names[gone[0].name].active is True
    assert gone[1].name not in names


def test_copy_two_reports_to_another_company_with_new_recipients(
    connected_page,
    browser_user_connected,
    simulator,
    start_worker,  # noqa: F811
):
    from reports_admin.connection.services import connection_sign_in

    connection_sign_in(
        user=browser_user_connected, company="hamnen", username="admin", password="hamnen"
    )
    page = connected_page
    chosen = ["Kundtjänst per dag", "Missed calls, all queues"]
    demo_before = sorted((r.id, r.name, sorted(r.pairs())) for r in simulator.state.reports)
    hamnen = simulator.company("hamnen")
    hamnen_before = {r.id for r in hamnen.reports}

    page.goto("/c/demo/reports/")
    for name in chosen:
        page.get_by_role("checkbox", name=f"Select {name}").check()
    page.get_by_role("button", name="Copy to…").click()
    expect(page.get_by_role("heading", name="Copy reports to another company")).to_be_visible()
    assert_accessible(page, "copy to another company")
    page.get_by_label("Copy to company").select_option("hamnen")
    page.get_by_label("Replace them with the addresses below").check()
    page.get_by_label("New recipients").fill("drift@hamnen.example")
    page.get_by_role("button", name="Show what would be copied").click()

    page.wait_for_url(re.compile(r"/c/hamnen/reports/jobs/\d+/$"))
    expect(page.get_by_text(re.compile(r"This is a dry run"))).to_be_visible()
    expect(
        page.get_by_text("The queue “Kundtjänst” is 4101 here (1101 in the file).")
    ).to_be_visible()
    for name in chosen:
        expect(page.get_by_role("checkbox", name=f"Import {name}")).to_be_checked()
    start_worker()
    page.get_by_role("button", name="Import the ticked reports").click()
    expect(page.get_by_text("Finished")).to_be_visible(timeout=30_000)

    created = {r.name: r for r in hamnen.reports if r.id not in hamnen_before}
    assert set(created) == set(chosen)
    assert created["Kundtjänst per dag"].values("queue_id") == ["4101"]
    for report in created.values():
        assert report.values("email") == ["drift@hamnen.example"]
        assert report.active is False
    assert sorted((r.id, r.name, sorted(r.pairs())) for r in simulator.state.reports) == demo_before
