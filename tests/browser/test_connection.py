"""In a real browser: sign in to the dashboard, connect to Weblink through the form, and
see the connected state; then a second company, each company's pages its own."""

import re

from playwright.sync_api import expect


def test_connect_through_the_form(signed_in_page, weblink_url):
    page = signed_in_page
    # Without a connection, the dashboard opens on the Connection page.
    expect(page).to_have_url(re.compile(r"/connection/$"))
    form = page.locator("form[action='/connection/sign-in/']")
    form.get_by_label("Company").fill("demo")
    form.get_by_label("User name").fill("admin")
    form.get_by_label("Password").fill("demo")
    form.get_by_role("button", name="Sign in with Weblink").click()
    expect(page.get_by_text("Connected to Weblink.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your connection")).to_be_visible()
    expect(page.locator("nav").get_by_text("Weblink: demo")).to_be_visible()

    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("table")).to_be_visible()


def test_wrong_password_keeps_what_was_typed(signed_in_page, weblink_url):
    page = signed_in_page
    page.goto("/connection/")
    form = page.locator("form[action='/connection/sign-in/']")
    form.get_by_label("Company").fill("demo")
    form.get_by_label("User name").fill("admin")
    form.get_by_label("Password").fill("wrong")
    form.get_by_role("button", name="Sign in with Weblink").click()
    expect(page.get_by_text("Wrong user name or password.")).to_be_visible()
    form = page.locator("form[action='/connection/sign-in/']")
    expect(form.get_by_label("Company")).to_have_value("demo")
    expect(form.get_by_label("Password")).to_have_value("")


def test_two_companies_switch_and_stay_apart(connected_page, simulator):
    """Sign in to a second company, hamnen, through the form; switch to it by keyboard, create
    a report there, and demo's list is unchanged."""
    page = connected_page
    hamnen = simulator.company("hamnen")
    page.goto("/connection/")
    form = page.locator("form[action='/connection/sign-in/']")
    form.get_by_label("Company").fill("hamnen")
    form.get_by_label("User name").fill("admin")
    form.get_by_label("Password").fill("hamnen")
    form.get_by_role("button", name="Sign in with Weblink").click()
    expect(page.get_by_role("heading", name="Your 2 connections")).to_be_visible()
    assert ("/oauth2/user-credentials", "hamnen") in [
        (r.path, r.company) for r in simulator.requests
    ]

    page.goto("/c/demo/reports/")
    demo_count = page.locator("tbody tr").count()
    # The switcher, by keyboard: open it, then follow the other company's link.
    switcher = page.locator(".company-switcher > summary")
    expect(switcher).to_contain_text("Weblink: demo")
    switcher.focus()
    page.keyboard.press("Enter")
    hamnen_link = page.locator(".company-switcher").get_by_role("link", name="hamnen")
    hamnen_link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/c/hamnen/reports/$"))
    expect(page).to_have_title(re.compile(r"· hamnen ·"))
    expect(page.locator(".company-switcher > summary")).to_contain_text("Weblink: hamnen")
    # hamnen's own reports, one of which demo has no report like.
    expect(page.locator("tbody tr")).to_have_count(len(hamnen.reports))
    only_in_hamnen = page.get_by_role("link", name="Fastighetsjour natt", exact=True)
    expect(only_in_hamnen).to_have_attribute("href", "/c/hamnen/reports/2607/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="New report").click()
    expect(page).to_have_url(re.compile(r"/c/hamnen/reports/new/$"))
    page.get_by_label("Name").fill("Only in hamnen")
    page.get_by_label("Report type").select_option(label="Callback - Requests")
    # hamnen's own destinations: demo's are not offered here.
    page.get_by_label("Destination").select_option(label="Uthyrning återuppringning")
    page.get_by_label("Format").select_option("csv")
    page.get_by_label("Recipients").fill("team@example.com")
    page.get_by_role("button", name="Create report").click()
    expect(page.get_by_text("Created “Only in hamnen”.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/c/hamnen/reports/\d+/$"))
    created = [r for r in hamnen.reports if r.name == "Only in hamnen"]
    assert [r.values("destination_id") for r in created] == [["4302"]]
    assert "Only in hamnen" not in [r.name for r in simulator.state.reports]

    page.goto("/c/demo/reports/")
    expect(page.get_by_text("Only in hamnen")).to_have_count(0)
    expect(page.locator("tbody tr")).to_have_count(demo_count)
