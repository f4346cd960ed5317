"""All companies at a glance, with the test client against the simulator: the overview's
counts per company, the search across companies, and a company that cannot be read named as
such while the others still show.

The simulator serves one company, so the person's second company ("beta") is the same
simulator under a pasted token. Its data is made different through the snapshots, which are
kept per connection: "demo" is read first, then the simulator's reports are changed, so
"beta", read afterwards, sees other reports than demo's snapshot holds."""

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
BETA_ONLY = "Beta only: weekly stock"


def list_reads(simulator) -> int:
    return sum(1 for r in simulator.requests if r.method == "GET" and r.path == LIST)


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
def beta(user_connected, simulator):
    """A second company of ``user``, "beta": the simulator under a pasted token."""
    return connection_save_token(user=user_connected, company="beta", token=simulator.issue_token())


@pytest.fixture
def demo(user_connected):
    return connection_get(user=user_connected, company="demo")


def stored_counts(simulator) -> tuple[int, int]:
    reports = simulator.state.reports
    return len(reports), sum(1 for r in reports if r.active)


def make_beta_different(simulator) -> None:
    """Changes the simulator after demo's snapshot was read: beta, read next, differs."""
    first, *rest = simulator.state.reports
    simulator.state.delete_report(first.id)
    for report in rest[:3]:
        simulator.state.update_report(report.id, {"active": not report.active})
    copy_report(simulator, rest[3], name=BETA_ONLY)


def copy_report(simulator, report, *, name: str) -> str:
    fields = {"name": name, "interval": report.interval, "active": report.active}
    return simulator.state.create_report(fields, report.report_type_id, report.pairs())


def test_the_overview_counts_each_companys_reports_from_its_own_snapshot(
    client_connected, simulator, demo, beta
):
    snapshot_get(connection=demo)
    demo_counts = stored_counts(simulator)
    make_beta_different(simulator)
    beta_counts = stored_counts(simulator)
    assert beta_counts != demo_counts
    simulator.log.clear()

    page = client_connected.get(OVERVIEW).content.decode()

    assert counts(page, "demo") == demo_counts
    assert counts(page, "beta") == beta_counts
    for company in ("demo", "beta"):
        assert f'href="{reverse("reports:list", args=[company])}"' in row(page, company)
        assert 'data-state="connected"' in row(page, company)
        assert "As of" in row(page, company)
    # Only beta's cold snapshot was read; a second visit reads nothing.
    assert list_reads(simulator) >= 1
    simulator.log.clear()
    client_connected.get(OVERVIEW)
    assert list_reads(simulator) == 0


def test_a_company_weblink_fails_for_is_named_and_the_other_still_shows(
    client_connected, simulator, demo, beta
):
    snapshot_get(connection=demo)
    simulator.faults.status = 500

    page = client_connected.get(OVERVIEW).content.decode()

    assert counts(page, "demo") == stored_counts(simulator)
    assert counts(page, "beta") is None
    assert "Could not be read:" in row(page, "beta")
    assert "Weblink is not available right now" in row(page, "beta")
    assert "may be out of date" not in page

    # Demo's snapshot no longer fresh: its last one shows, said to be possibly out of date.
    snapshot_forget(connection=demo)
    page = client_connected.get(OVERVIEW).content.decode()
    assert counts(page, "demo") == stored_counts(simulator)
    assert "may be out of date" in row(page, "demo")


def test_refused_and_unreadable_tokens_are_named_with_their_state(
    client_connected, simulator, demo, beta, user_connected
):
    snapshot_get(connection=demo)
    # Weblink no longer knows beta's token (pasted, so nothing to refresh it with).
    simulator.tokens.expire(beta.access_token)
    # Gamma's token was bound to another company's name: no key opens it now.
    gamma = connection_save_token(
        user=user_connected, company="gamma", token=simulator.issue_token()
    )
    WeblinkConnection.objects.filter(pk=gamma.pk).update(company="gamma2")

    page = client_connected.get(OVERVIEW).content.decode()

    assert counts(page, "demo") == stored_counts(simulator)
    assert counts(page, "beta") is None
    assert 'data-state="expired"' in row(page, "beta")
    assert "Weblink did not accept the stored token" in row(page, "beta")
    assert counts(page, "gamma2") is None
    assert 'data-state="token_unreadable"' in row(page, "gamma2")
    assert "Connect gamma2 again" in row(page, "gamma2")
    assert "Connect demo again" not in page
    assert "Connect to Weblink first" in row(page, "gamma2")
    beta.refresh_from_db()
    assert beta.state == WeblinkConnection.State.EXPIRED


def test_search_finds_reports_by_name_in_every_company_labelled_by_company(
    client_connected, simulator, demo, beta
):
    target = simulator.state.reports[5]
    snapshot_get(connection=demo)
    make_beta_different(simulator)
    word = target.name.upper()
    matching = {r.id for r in simulator.state.reports if word.casefold() in r.name.casefold()}

    page = client_connected.get(SEARCH, {"q": word}).content.decode()

    assert f"/c/demo/reports/{target.id}/" in result_links(page, "demo")
    assert {link.split("/")[-2] for link in result_links(page, "beta")} == matching
    assert BETA_ONLY not in section(page, "demo")

    page = client_connected.get(SEARCH, {"q": "beta ONLY"}).content.decode()
    assert "No report matches in this company." in section(page, "demo")
    (link,) = result_links(page, "beta")
    assert link.startswith("/c/beta/reports/")
    assert BETA_ONLY in section(page, "beta")
    assert ">beta</span>" in section(page, "beta")


def test_search_finds_reports_by_recipient_with_the_lists_own_matching(
    client_connected, simulator, demo, beta
):
    report = simulator.state.reports[2]
    simulator.state.add_argument(report.id, "email", "Zelda.Recipient@Example.COM")

    page = client_connected.get(SEARCH, {"q": "zelda.recipient@example"}).content.decode()

    for company in ("demo", "beta"):
        assert result_links(page, company) == [f"/c/{company}/reports/{report.id}/"]
        assert "Zelda.Recipient@Example.COM" in section(page, company)
    list_page = client_connected.get(
        reverse("reports:list", args=["demo"]), {"q": "zelda.recipient@example"}
    ).content.decode()
    assert f'id="report-{report.id}"' in list_page


def test_a_company_that_cannot_be_searched_is_named_and_the_other_still_shows(
    client_connected, simulator, demo, beta
):
    snapshot_get(connection=demo)
    simulator.faults.status = 503
    name = simulator.state.reports[0].name

    page = client_connected.get(SEARCH, {"q": name}).content.decode()

    assert result_links(page, "demo")
    assert "This company could not be searched:" in section(page, "beta")
    assert "Weblink is not available right now" in section(page, "beta")


def test_results_are_bounded_per_company_with_a_link_to_every_match(
    client_connected, simulator, demo, beta
):
    template = simulator.state.reports[0]
    extra = 7
    for number in range(SEARCH_RESULTS_PER_COMPANY + extra):
        copy_report(simulator, template, name=f"Bulk match {number}")

    page = client_connected.get(SEARCH, {"q": "bulk match"}).content.decode()

    for company in ("demo", "beta"):
        assert len(result_links(page, company)) == SEARCH_RESULTS_PER_COMPANY
        assert f"{extra} more match in this company." in section(page, company)
        list_url = reverse("reports:list", args=[company]) + "?q=bulk+match"
        assert f'href="{escape(list_url)}"' in section(page, company)
    assert f"{2 * (SEARCH_RESULTS_PER_COMPANY + extra)} reports match" in page


def test_hostile_report_and_company_names_are_shown_as_text(
    client_connected, simulator, demo, beta, user_connected
):
    simulator.faults.hostile_texts = True
    # A name the connection form lets through (it refuses only / and \ in one).
    company = '<img src=x onerror=alert(1)>"co'
    connection_save_token(user=user_connected, company=company, token=simulator.issue_token())

    page = client_connected.get(SEARCH, {"q": "hx-trigger"}).content.decode()

    assert result_links(page, "demo")
    assert HOSTILE_TEXT not in page
    assert escape(HOSTILE_TEXT) in section(page, "beta")
    assert company not in page
    assert escape(company) in section(page, escape(company))
    page = client_connected.get(OVERVIEW).content.decode()
    assert counts(page, "demo") == stored_counts(simulator)
    assert company not in page
    assert counts(page, escape(company)) == stored_counts(simulator)


def test_an_empty_search_shows_the_form_only_and_no_match_says_so(
    client_connected, simulator, demo, beta
):
    page = client_connected.get(SEARCH, {"q": "  "}).content.decode()
    assert 'name="q"' in page
    assert "data-company=" not in page
    assert list_reads(simulator) == 0

    page = client_connected.get(SEARCH, {"q": "no report is called this"}).content.decode()
    assert "No report in your companies matches “no report is called this”." in page


def test_a_search_too_long_is_refused_next_to_the_field_and_kept(client_connected, demo):
    typed = "x" * 201
    page = client_connected.get(SEARCH, {"q": typed}).content.decode()
    assert 'id="id_q_error"' in page
    assert "Search for at most 200 characters." in page
    assert f'value="{typed}"' in page
    assert "data-company=" not in page


def test_staff_see_only_their_own_companies(client, simulator, demo, beta, django_user_model):
    staff = django_user_model.objects.create_user("sam", password="sam-password-123", is_staff=True)
    connection_save_token(user=staff, company="staffco", token=simulator.issue_token())
    client.force_login(staff)

    page = client.get(OVERVIEW).content.decode()
    assert counts(page, "staffco") == stored_counts(simulator)
    assert 'data-company="demo"' not in page
    assert 'data-company="beta"' not in page
    page = client.get(SEARCH, {"q": simulator.state.reports[0].name}).content.decode()
    assert result_links(page, "staffco")
    assert "/c/demo/" not in page


def test_without_a_connection_the_overview_offers_to_connect(client_signed_in):
    page = client_signed_in.get(OVERVIEW).content.decode()
    assert "Connect to Weblink to see your companies here." in page


def test_the_switcher_links_to_the_overview(client_connected, demo):
    page = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert f'href="{reverse("companies_overview")}"' in page
