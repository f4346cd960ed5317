"""In a real browser: sign in to the dashboard, connect to Weblink through the form, and
see the connected state."""

from playwright.sync_api import expect


def test_connect_through_the_form(signed_in_page, weblink_url):
    page = signed_in_page
    expect(page.get_by_text("Connect to Weblink to see your reports.")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Connection").click()
    form = page.locator("form[action='/connection/sign-in/']")
    form.get_by_label("Company").fill("demo")
    form.get_by_label("User name").fill("admin")
    form.get_by_label("Password").fill("demo")
    form.get_by_role("button", name="Sign in with Weblink").click()
    expect(page.get_by_text("Connected to Weblink.")).to_be_visible()
    expect(page.get_by_role("heading", name="Current connection")).to_be_visible()
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
