"""In a real browser: create a report choosing a type and seeing its fields appear, edit
it, duplicate it and delete it, each checked afterwards in the simulator's state."""

import re

from playwright.sync_api import expect


def reports_named(simulator, name):
    return [r for r in simulator.state.reports if r.name == name]


def test_create_edit_duplicate_delete(connected_page, simulator):
    page = connected_page
    page.get_by_role("link", name="New report").first.click()
    page.get_by_label("Name").fill("Support callbacks")
    page.get_by_label("Report type").select_option(label="Callback - Requests")
    # The fields of the chosen type replace the previous ones without a page load.
    destination = page.get_by_label("Destination")
    expect(destination).to_be_visible()
    expect(page.get_by_label("Queue")).to_have_count(0)
    destination.select_option(label="Support återuppringning")
    page.get_by_label("Format").select_option("csv")
    page.get_by_label("Recipients").fill("team@example.com\nlead@example.com")
    page.get_by_role("button", name="Create report").click()
    expect(page.get_by_text("Created “Support callbacks”.")).to_be_visible()

    [created] = reports_named(simulator, "Support callbacks")
    assert created.report_type_id == "6"
    assert created.values("destination_id") == ["3302"]
    assert created.values("email") == ["team@example.com", "lead@example.com"]

    page.goto(f"/reports/{created.id}/edit/")
    expect(page.get_by_label("Report type")).to_be_disabled()
    page.get_by_label("Recipients").fill("team@example.com\nnew@example.com")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved “Support callbacks”.")).to_be_visible()
    assert simulator.state.report(created.id).values("email") == [
        "team@example.com",
        "new@example.com",
    ]

    page.goto(f"/reports/{created.id}/duplicate/")
    expect(page.get_by_label("Name")).to_have_value("Copy of Support callbacks")
    page.get_by_role("button", name="Create report").click()
    expect(page.get_by_text("Created “Copy of Support callbacks”.")).to_be_visible()
    [copy] = reports_named(simulator, "Copy of Support callbacks")
    assert copy.id != created.id
    assert copy.values("destination_id") == ["3302"]

    page.goto(f"/reports/{created.id}/delete/")
    expect(page.get_by_role("heading", name=re.compile("Support callbacks"))).to_be_visible()
    page.get_by_role("button", name="Delete report").click()
    expect(page.get_by_text("Deleted “Support callbacks”.")).to_be_visible()
    assert simulator.state.report(created.id) is None


def test_search_narrows_the_list_as_you_type(connected_page, simulator):
    page = connected_page
    page.get_by_label("Search name or recipient").fill("växel")
    expect(page.get_by_role("row")).to_have_count(
        1 + len([r for r in simulator.state.reports if "växel" in r.name.lower()])
    )
    assert "q=v%C3%A4xel" in page.url or "q=växel" in page.url
