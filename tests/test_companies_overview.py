"""All companies at a glance, with the test client against the simulator: the overview's
counts per company, the search across companies, and a company that cannot be read named as
such while the others still show.

The person's two companies are the simulator's own: demo, and hamnen under a pasted token of
hamnen's, each with its own reports (some names and ids in both, as different reports). A
fault scoped to one company breaks that company only."""

import re
from html import escape

import pytest
from django.urls import reverse

from reports_admin.connection.models import WeblinkConnection
from reports_admin.connection.selectors import connection_get
from reports_admin.connection.services import connection_save_token
from reports_admin.reports.fleet_overview import SEARCH_RESULTS_PER_COMPANY
from reports_admin.reports.snapshot import snapshot_forget, snapshot_get
from weblink_sim.faults import HOSTILE_TEXT

pytestmark = pytest.mark.django_db

LIST = "/company/report"
OVERVIEW = "/companies/"
SEARCH = "/search/"
HAMNEN_ONLY = "2607"  # Fastighetsjour natt: no report in demo has a name like it


def list_reads(simulator) -> list[str]:
    """The company of each read of a report list."""
    return [r.company for r in simulator.requests if r.method == "GET" and r.path == LIST]


def row(page: str, company: str) -> str:
    """The overview's table row of ``company``."""
    found = re.search(rf'<tr data-company="{re.escape(company)}">(.*?)</tr>', page, re.S)
    assert found, f"no row for {company!r}"
    return found.group(1)


def counts(page: str, company: str) -> tuple[int, int] | None:
    """(reports, active) on ``company``'s row; None when it shows no counts."""
    found = dict(re.findall(r'data-count="(\w+)">(\d+)<', row(page, company)))
    return (int(found["reports"]), int(found["active"])) if found else None


def section(page: str, company: str) -> str:
    """The search page's section of ``company``."""
    found = re.search(
        rf'<section [^>]*data-company="{re.escape(company)}">(.*?)</section>', page, re.S
    )
    assert found, f"no section for {company!r}"
    return found.group(1)


def result_links(page: str, company: str) -> list[str]:
    return re.findall(r'<a href="(/c/[^"]+/reports/\d+/)">', section(page, company))


@pytest.fixture
def hamnen(user_connected, simulator):
    """A second company of ``user``, the simulator's hamnen, under a pasted token of its own
    (so nothing can renew it)."""
    token = simulator.issue_token(company="hamnen")
    return connection_save_token(user=user_connected, company="hamnen", token=token)


@pytest.fixture
def demo(user_connected):
    return connection_get(user=user_connected, company="demo")


def stored_counts(company) -> tuple[int, int]:
    """(reports, active) of a company of the simulator, e.g. ``simulator.state``."""
    reports = company.reports
    return len(reports), sum(1 for r in reports if r.active)


def copy_report(company, report, *, name: str) -> str:
    fields = {"name": name, "interval": report.interval, "active": report.active}
    return company.create_report(fields, report.report_type_id, report.pairs())


def test_the_overview_counts_each_companys_reports_from_its_own_snapshot(
    client_connected, simulator, demo, hamnen
):
    snapshot_get(connection=demo)
    demo_counts = stored_counts(simulator.state)
    # Changed after demo's snapshot was read: the overview still shows the snapshot's counts.
    simulator.state.delete_report(simulator.state.reports[0].id)
    simulator.log.clear()

    page = client_connected.get(OVERVIEW).content.decode()

    assert counts(page, "demo") == demo_counts
    assert counts(page, "hamnen") == stored_counts(simulator.company("hamnen"))
    assert counts(page, "hamnen") != demo_counts
    for company in ("demo", "hamnen"):
        assert f'href="{reverse("reports:list", args=[company])}"' in row(page, company)
        assert 'data-state="connected"' in row(page, company)
        assert "As of" in row(page, company)
    # Only hamnen's cold snapshot was read; a second visit reads nothing.
    assert set(list_reads(simulator)) == {"hamnen"}
    simulator.log.clear()
    client_connected.get(OVERVIEW)
    assert list_reads(simulator) == []


def test_a_company_weblink_fails_for_is_named_and_the_other_still_shows(
    client_connected, simulator, demo, hamnen
):
    simulator.faults.configure({"status": 500, "company": "hamnen"})

    page = client_connected.get(OVERVIEW).content.decode()

    assert counts(page, "demo") == stored_counts(simulator.state)
    assert counts(page, "hamnen") is None
    assert "Could not be read:" in row(page, "hamnen")
    assert "Weblink is not available right now" in row(page, "hamnen")
    assert "may be out of date" not in page

    # Weblink down for every company and demo's snapshot no longer fresh: its last one shows,
    # said to be possibly out of date.
    simulator.faults.configure({"status": 500})
    snapshot_forget(connection=demo)
    page = client_connected.get(OVERVIEW).content.decode()
    assert counts(page, "demo") == stored_counts(simulator.state)
    assert "may be out of date" in row(page, "demo")
    assert counts(page, "hamnen") is None


def test_refused_and_unreadable_tokens_are_named_with_their_state(
    client_connected, simulator, demo, hamnen, user_connected
):
    # Weblink no longer knows hamnen's token (pasted, so nothing to refresh it with).
    simulator.tokens.expire(hamnen.access_token)
    # Gamma's token was bound to another company's name: no key opens it now.
    gamma = connection_save_token(
        user=user_connected, company="gamma", token=simulator.issue_token()
    )
    WeblinkConnection.objects.filter(pk=gamma.pk).update(company="gamma2")

    page = client_connected.get(OVERVIEW).content.decode()

    assert counts(page, "demo") == stored_counts(simulator.state)
    assert counts(page, "hamnen") is None
    assert 'data-state="expired"' in row(page, "hamnen")
    assert "Weblink did not accept the stored token" in row(page, "hamnen")
    assert counts(page, "gamma2") is None
    assert 'data-state="token_unreadable"' in row(page, "gamma2")
    assert "Connect gamma2 again" in row(page, "gamma2")
    assert "Connect demo again" not in page
    assert "Connect to Weblink first" in row(page, "gamma2")
    hamnen.refresh_from_db()
    assert hamnen.state == WeblinkConnection.State.EXPIRED


def test_search_finds_reports_by_name_in_every_company_labelled_by_company(
    client_connected, simulator, demo, hamnen
):
    word = "KUNDTJÄNST"
    matching = {
        company: {
            r.id for r in simulator.company(company).reports if "kundtjänst" in r.name.lower()
        }
        for company in ("demo", "hamnen")
    }
    # In both companies, as other reports.
    assert matching["demo"] and matching["hamnen"] and matching["demo"] != matching["hamnen"]

    page = client_connected.get(SEARCH, {"q": word}).content.decode()

    for company in ("demo", "hamnen"):
        links = result_links(page, company)
        assert {link.split("/")[-2] for link in links} == matching[company]
        assert all(link.startswith(f"/c/{company}/reports/") for link in links)

    only = simulator.company("hamnen").report(HAMNEN_ONLY)
    page = client_connected.get(SEARCH, {"q": only.name.upper()}).content.decode()
    assert "No report matches in this company." in section(page, "demo")
    assert result_links(page, "hamnen") == [f"/c/hamnen/reports/{HAMNEN_ONLY}/"]
    assert only.name in section(page, "hamnen")
    assert ">hamnen</span>" in section(page, "hamnen")


def test_search_finds_reports_by_recipient_with_the_lists_own_matching(
    client_connected, simulator, demo, hamnen
):
    found = {"demo": simulator.state.reports[2], "hamnen": simulator.company("hamnen").reports[6]}
    assert found["demo"].id != found["hamnen"].id
    for company, report in found.items():
        simulator.company(company).add_argument(report.id, "email", "Zelda.Recipient@Example.COM")

    page = client_connected.get(SEARCH, {"q": "zelda.recipient@example"}).content.decode()

    for company, report in found.items():
        assert result_links(page, company) == [f"/c/{company}/reports/{report.id}/"]
        assert "Zelda.Recipient@Example.COM" in section(page, company)
    list_page = client_connected.get(
        reverse("reports:list", args=["hamnen"]), {"q": "zelda.recipient@example"}
    ).content.decode()
    assert f'id="report-{found["hamnen"].id}"' in list_page


def test_a_company_that_cannot_be_searched_is_named_and_the_other_still_shows(
    client_connected, simulator, demo, hamnen
):
    simulator.faults.configure({"status": 503, "company": "hamnen"})
    name = simulator.state.reports[0].name

    page = client_connected.get(SEARCH, {"q": name}).content.decode()

    assert result_links(page, "demo")
    assert "This company could not be searched:" in section(page, "hamnen")
    assert "Weblink is not available right now" in section(page, "hamnen")
    assert "could not be searched" not in section(page, "demo")


def test_results_are_bounded_per_company_with_a_link_to_every_match(
    client_connected, simulator, demo, hamnen
):
    extra = {"demo": 7, "hamnen": 3}
    for company, more in extra.items():
        state = simulator.company(company)
        template = state.reports[0]
        for number in range(SEARCH_RESULTS_PER_COMPANY + more):
            copy_report(state, template, name=f"Bulk match {number}")

    page = client_connected.get(SEARCH, {"q": "bulk match"}).content.decode()

    for company, more in extra.items():
        assert len(result_links(page, company)) == SEARCH_RESULTS_PER_COMPANY
        assert f"{more} more match in this company." in section(page, company)
        list_url = reverse("reports:list", args=[company]) + "?q=bulk+match"
        assert f'href="{escape(list_url)}"' in section(page, company)
    assert f"{2 * SEARCH_RESULTS_PER_COMPANY + 7 + 3} reports match" in page


def test_hostile_report_and_company_names_are_shown_as_text(
    client_connected, simulator, demo, hamnen, user_connected
):
    simulator.faults.hostile_texts = True
    # A name the connection form lets through (it refuses only / and \ in one).
    company = '<img src=x onerror=alert(1)>"co'
    connection_save_token(user=user_connected, company=company, token=simulator.issue_token())

    page = client_connected.get(SEARCH, {"q": "hx-trigger"}).content.decode()

    assert result_links(page, "demo")
    assert HOSTILE_TEXT not in page
    assert escape(HOSTILE_TEXT) in section(page, "hamnen")
    assert company not in page
    assert escape(company) in section(page, escape(company))
    page = client_connected.get(OVERVIEW).content.decode()
    assert counts(page, "demo") == stored_counts(simulator.state)
    assert company not in page
    assert counts(page, escape(company)) == stored_counts(simulator.state)


def test_an_empty_search_shows_the_form_only_and_no_match_says_so(
    client_connected, simulator, demo, hamnen
):
    page = client_connected.get(SEARCH, {"q": "  "}).content.decode()
    assert 'name="q"' in page
    assert "data-company=" not in page
    assert list_reads(simulator) == []

    page = client_connected.get(SEARCH, {"q": "no report is called this"}).content.decode()
    assert "No report in your companies matches “no report is called this”." in page


def test_a_search_too_long_is_refused_next_to_the_field_and_kept(client_connected, demo):
    typed = "x" * 201
    page = client_connected.get(SEARCH, {"q": typed}).content.decode()
    assert 'id="id_q_error"' in page
    assert "Search for at most 200 characters." in page
    assert f'value="{typed}"' in page
    assert "data-company=" not in page


def test_staff_see_only_their_own_companies(client, simulator, demo, hamnen, django_user_model):
    staff = django_user_model.objects.create_user("sam", password="sam-password-123", is_staff=True)
    connection_save_token(user=staff, company="staffco", token=simulator.issue_token())
    client.force_login(staff)

    page = client.get(OVERVIEW).content.decode()
    assert counts(page, "staffco") == stored_counts(simulator.state)
    assert 'data-company="demo"' not in page
    assert 'data-company="hamnen"' not in page
    page = client.get(SEARCH, {"q": simulator.state.reports[0].name}).content.decode()
    assert result_links(page, "staffco")
    assert "/c/demo/" not in page


def test_without_a_connection_the_overview_offers_to_connect(client_signed_in):
    page = client_signed_in.get(OVERVIEW).content.decode()
    assert "Connect to Weblink to see your companies here." in page


def test_the_switcher_links_to_the_overview(client_connected, demo):
    page = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert f'href="{reverse("companies_overview")}"' in page
