"""Svenska in a real browser: the switcher on the sign-in page, the choice remembered after
signing in, and every page of the tour in Swedish with no English label left over."""

import pytest
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.browser.test_accessibility import assert_accessible

# The texts a person reads on a page: elements' own text and the labels screen readers say.
# Text inside an element marked with another language (the switcher's "English") is skipped.
VISIBLE_TEXTS = """() => {
    const texts = [];
    const own = (el) => {
        const lang = el.closest("[lang]");
        return !lang || lang.lang === document.documentElement.lang;
    };
    const kinds = "h1, h2, h3, legend, label, th, caption, a, button, option, p, li, dt, span";
    for (const el of document.querySelectorAll(kinds + ", div.form-text")) {
        if (own(el) && el.children.length === 0 && el.textContent.trim()) {
            texts.push(el.textContent.trim());
        }
    }
    for (const el of document.querySelectorAll("[aria-label], [placeholder], [title]")) {
        for (const name of ["aria-label", "placeholder", "title"]) {
            if (own(el) && el.getAttribute(name)) {
                texts.push(el.getAttribute(name).trim());
            }
        }
    }
    return texts;
}"""


def english_left_over(page) -> list[str]:
    """Texts on the page that the Swedish catalogue translates, i.e. English ones."""
    texts = page.evaluate(VISIBLE_TEXTS)
    with translation.override("sv"):
        return sorted({text for text in texts if translation.gettext(text) != text})


def assert_swedish(page, *expected: str) -> None:
    assert page.evaluate("document.documentElement.lang") == "sv"
    for text in expected:
        expect(page.locator("body")).to_contain_text(text, use_inner_text=True)
    assert english_left_over(page) == [], page.url


@pytest.fixture
def swedish_page(swedish_catalogue, page, browser_user_connected):
    """A tab that chose Svenska on the sign-in page, then signed in in Swedish."""
    page.goto("/login/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="Svenska").click()
    assert_swedish(page, "Logga in")
    page.get_by_label("Användarnamn").fill("browser")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/reports/")
    return page


def test_switching_to_swedish_on_every_page_of_the_tour(swedish_page, simulator):
    page = swedish_page
    report = simulator.state.reports[0]

    assert_swedish(page, "Rapporter", "Ny rapport", "Rapporttyp", "Mottagare", "Aktiv")
    # Signed in, the switcher is in the account menu.
    page.get_by_role("button", name="browser").click()
    expect(page.get_by_role("button", name="Svenska")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("button", name="English")).not_to_have_attribute("aria-current", "true")

    page.goto("/reports/new/")
    assert_swedish(page, "Skapa rapporten", "Varje dag", "Mottagare", "Format")
    page.get_by_label("Rapporttyp").select_option(label="Queue - Statistics")
    expect(page.get_by_label("Rapportinnehåll")).to_contain_text("Sammanfattning")
    assert english_left_over(page) == []
    page.get_by_role("button", name="Skapa rapporten").click()
    assert_swedish(page, "Detta fält måste fyllas i.")
    assert_accessible(page, "new report in Swedish, with errors")

    page.goto(f"/reports/{report.id}/edit/")
    assert_swedish(page, "Spara ändringarna", "Avbryt")

    page.goto(f"/reports/{report.id}/delete/")
    assert_swedish(page, "Radera rapporten")

    page.goto(f"/reports/{report.id}/")
    assert_swedish(page, "Inställningar", "Skicka nu…", "Ladda ner", "Mottagare")

    page.goto(f"/reports/{report.id}/send/")
    assert_swedish(page, "Weblink mejlar rapporten direkt till:", "Skicka nu")
    page.get_by_role("button", name="Skicka nu").click()
    expect(page.get_by_role("status")).to_contain_text("Skickad till")

    page.goto(f"/reports/{report.id}/download/")
    assert_swedish(page, "Tillbaka till rapporten")

    page.goto("/reports/download/")
    assert_swedish(page, "Kör och ladda ner", "En dag")

    page.goto("/activity/")
    assert_swedish(page, "Aktivitet", "Klart: skicka", "Alla händelser")

    page.goto("/reports/types/")
    assert_swedish(page, "Rapporttyper", "Argument för alla rapporttyper")

    page.goto("/connection/")
    assert_swedish(page, "Din anslutning", "Testa demo", "Koppla från demo…")
    assert_accessible(page, "connection in Swedish")

    cache.clear()  # no snapshot of the reports to fall back on
    simulator.faults.status = 503
    page.goto("/reports/")
    expect(page.get_by_role("alert")).to_contain_text("Rapporterna kunde inte hämtas")
    expect(page.get_by_role("alert")).to_contain_text("Weblink är inte tillgängligt just nu")
    assert english_left_over(page) == []


def test_the_choice_is_remembered_and_can_be_undone(swedish_page):
    page = swedish_page
    page.goto("/reports/types/")
    assert_swedish(page, "Rapporttyper")
    # Back to English from any page, through the account menu; the page stays the same.
    page.get_by_role("button", name="browser").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/reports/types/")
    expect(page.get_by_role("heading", name="Report types")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
