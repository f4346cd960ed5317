"""Several Weblink companies per person: each company's pages under /c/<company>/, each call
with that company's token, and nothing of one company ever shown, cached or acted on under
another. The second company is a second simulator (tests/support/companies.py)."""

import re

import pytest
from django.urls import reverse

from reports_admin.activity.models import Activity
from reports_admin.connection.models import WeblinkConnection
from reports_admin.connection.selectors import CurrentConnection, connection_get
from reports_admin.connection.services import connection_save_token
from reports_admin.reports import metadata_cache, preview_store
from reports_admin.reports.bulk_jobs import bulk_job_draft
from reports_admin.reports.models import BulkJob
from reports_admin.reports.sending import report_send_once
from reports_admin.reports.snapshot import snapshot_get
from tests.support.companies import second_company
from tests.support.report_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_companies(user_connected, simulator, monkeypatch):
    """``user`` connected to "demo" (the simulator) and "beta" (a second simulator)."""
    with second_company(monkeypatch, simulator) as (beta, token):
        connection_save_token(user=user_connected, company="beta", token=token)
        simulator.log.clear()
        beta.log.clear()
        yield simulator, beta


def writes(sim):
    """What changed something at Weblink: every call but reads (a send is a GET)."""
    return [r for r in sim.requests if r.method != "GET" or r.path.endswith("/send")]


def names(response):
    return {row.report.name for row in response.context["rows"]}


def test_each_company_lists_and_opens_only_its_own_reports(client_connected, two_companies):
    demo, beta = two_companies
    demo_names = names(client_connected.get(reverse("reports:list", args=["demo"])))
    beta_names = names(client_connected.get(reverse("reports:list", args=["beta"])))
    assert demo_names and not any(name.startswith("Beta ") for name in demo_names)
    assert beta_names and all(name.startswith("Beta ") for name in beta_names)
    # The same id in both companies is two reports: each URL opens its own company's.
    report_id = demo.state.reports[0].id
    assert beta.state.reports[0].id == report_id
    detail = client_connected.get(reverse("reports:detail", args=["beta", report_id]))
    assert detail.context["report"].name == beta.state.reports[0].name
    detail = client_connected.get(reverse("reports:detail", args=["demo", report_id]))
    assert detail.context["report"].name == demo.state.reports[0].name


def test_creating_in_one_company_leaves_the_other_unchanged(
    client_connected, user_connected, two_companies
):
    demo, beta = two_companies
    demo_before = len(demo.state.reports)
    response = client_connected.post(
        reverse("reports:create", args=["beta"]), form_data(name="Only in beta")
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/c/beta/reports/")
    assert any(r.name == "Only in beta" for r in beta.state.reports)
    assert len(demo.state.reports) == demo_before
    assert writes(demo) == []
    assert "Only in beta" not in names(client_connected.get(reverse("reports:list", args=["demo"])))
    assert "Only in beta" in names(client_connected.get(reverse("reports:list", args=["beta"])))
    entry = Activity.objects.get(action=Activity.Action.CREATED)
    assert entry.company == "beta"


def test_edit_and_send_act_only_on_the_urls_company(client_connected, two_companies):
    demo, beta = two_companies
    report = beta.state.reports[0]
    page = client_connected.get(reverse("reports:edit", args=["beta", report.id]))
    assert page.context["form"]["name"].value() == report.name
    confirm = client_connected.get(reverse("reports:send", args=["beta", report.id]))
    assert f'action="{reverse("reports:send", args=["beta", report.id])}"' in (
        confirm.content.decode()
    )
    client_connected.post(
        reverse("reports:send", args=["beta", report.id]), {"key": confirm.context["key"]}
    )
    assert [r.path for r in writes(beta)] == [f"/company/report/{report.id}/send"]
    assert writes(demo) == []
    assert Activity.objects.get(action=Activity.Action.SENT).company == "beta"


def test_the_send_cool_off_is_per_company(user_connected, two_companies):
    demo, beta = two_companies
    report_id = demo.state.reports[0].id
    for company in ("demo", "beta"):
        connection = connection_get(user=user_connected, company=company)
        report = next(r for r in snapshot_get(connection=connection).reports if r.id == report_id)
        report_send_once(connection=connection, report=report, claim=f"claim-{company}")
    # The same id in the other company was not held back by the first send.
    assert len([r for r in writes(demo) if r.path.endswith("/send")]) == 1
    assert len([r for r in writes(beta) if r.path.endswith("/send")]) == 1


def test_a_job_shows_only_under_its_own_company(client_connected, user_connected, two_companies):
    connection = connection_get(user=user_connected, company="beta")
    job = bulk_job_draft(
        owner=user_connected,
        connection=connection,
        action=BulkJob.Action.PAUSE,
        reports=snapshot_get(connection=connection).reports[:2],
    )
    assert client_connected.get(reverse("reports:job", args=["beta", job.pk])).status_code == 200
    assert client_connected.get(reverse("reports:job", args=["demo", job.pk])).status_code == 404
    confirm = client_connected.post(reverse("reports:job_confirm", args=["demo"]), {"key": job.key})
    assert confirm.status_code == 404
    job.refresh_from_db()
    assert job.state == BulkJob.State.DRAFT


def test_caches_are_kept_per_connection(user_connected, two_companies):
    demo = connection_get(user=user_connected, company="demo")
    beta = connection_get(user=user_connected, company="beta")
    demo_names = {r.name for r in snapshot_get(connection=demo).reports}
    beta_names = {r.name for r in snapshot_get(connection=beta).reports}
    assert demo_names.isdisjoint(beta_names)
    # Read again, from the cache: still each company's own.
    assert {r.name for r in snapshot_get(connection=demo).reports} == demo_names
    assert {r.name for r in snapshot_get(connection=beta).reports} == beta_names
    prefixes = {metadata_cache._key_prefix(c) for c in (demo, beta)}
    assert len(prefixes) == 2
    assert all(f":{c.pk}:" in metadata_cache._key_prefix(c) for c in (demo, beta))


def test_restore_works_only_under_the_entrys_company(
    client_connected, user_connected, two_companies
):
    demo, beta = two_companies
    report = beta.state.reports[0]
    client_connected.post(reverse("reports:active", args=["beta", report.id]), {"active": "0"})
    entry = Activity.objects.get(action=Activity.Action.CHANGED)
    assert entry.company == "beta" and entry.restorable
    assert (
        client_connected.get(reverse("activity_restore", args=["demo", entry.pk])).status_code
        == 404
    )
    assert (
        client_connected.get(reverse("activity_restore", args=["beta", entry.pk])).status_code
        == 200
    )
    assert writes(demo) == []


def test_the_activity_page_filters_by_company(client_connected, user_connected, two_companies):
    client_connected.post(reverse("reports:create", args=["beta"]), form_data(name="Made in beta"))
    client_connected.post(reverse("reports:create", args=["demo"]), form_data(name="Made in demo"))
    everything = client_connected.get(reverse("activity")).content.decode()
    assert "Made in beta" in everything and "Made in demo" in everything
    beta_only = client_connected.get(reverse("activity"), {"company": "beta"}).content.decode()
    assert "Made in beta" in beta_only and "Made in demo" not in beta_only
    assert '<option value="beta" selected>beta</option>' in beta_only
    # Links lead to the report under its own company.
    made = Activity.objects.get(report_name="Made in beta")
    assert f'href="{reverse("reports:detail", args=["beta", made.report_id])}"' in everything


def test_a_preview_frame_opens_only_under_its_company(user_connected):
    token = preview_store.html_preview_store(
        user=user_connected, company="beta", content=b"<p>x</p>"
    )
    assert preview_store.html_preview_load(user=user_connected, company="beta", token=token)
    assert preview_store.html_preview_load(user=user_connected, company="demo", token=token) is None


def test_a_company_the_person_is_not_connected_to_is_not_found(client_connected, simulator):
    simulator.log.clear()
    assert client_connected.get(reverse("reports:list", args=["other"])).status_code == 404
    assert simulator.requests == []


def test_old_urls_lead_to_the_one_company(client_connected, simulator):
    response = client_connected.get("/reports/12/edit/?next=/x")
    assert response.status_code == 302
    assert response["Location"] == "/c/demo/reports/12/edit/?next=/x"
    assert client_connected.get("/recipients/")["Location"] == "/c/demo/recipients/"


def test_old_urls_offer_a_chooser_to_a_person_with_several(client_connected, two_companies):
    response = client_connected.get("/reports/12/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/c/beta/reports/12/"' in page
    assert 'href="/c/demo/reports/12/"' in page


def test_old_urls_without_a_connection_lead_to_the_connection_page(client_signed_in):
    assert client_signed_in.get("/reports/")["Location"] == reverse("connection")
    assert client_signed_in.get("/")["Location"] == reverse("connection")


def test_the_home_page_shows_the_company_shown_last(client_connected, two_companies):
    # The first by name when none was shown yet.
    assert client_connected.get("/")["Location"] == reverse("reports:list", args=["beta"])
    client_connected.get(reverse("reports:types", args=["demo"]))
    assert client_connected.get("/")["Location"] == reverse("reports:list", args=["demo"])


def test_every_company_page_names_its_company_and_switches_to_the_others(
    client_connected, two_companies
):
    page = client_connected.get(reverse("reports:list", args=["beta"])).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    assert "beta" in title
    switcher = page[page.index('class="company-switcher"') : page.index("</details>")]
    assert "Weblink: beta" in switcher
    assert f'href="{reverse("reports:list", args=["demo"])}"' in switcher
    assert 'aria-current="true">beta' in switcher
    # The navigation's company pages are beta's.
    assert f'href="{reverse("reports:create", args=["beta"])}"' in page
    # Every form on the page posts to beta's URLs (or to pages of no company).
    for action in re.findall(r'<form[^>]*action="([^"]*)"', page):
        assert action.startswith("/c/beta/") or not action.startswith("/c/"), action


def test_the_connection_page_lists_tests_and_removes_each_company(
    client_connected, user_connected, two_companies
):
    page = client_connected.get(reverse("connection")).content.decode()
    assert "Your 2 connections" in page
    for company in ("demo", "beta"):
        assert f'action="{reverse("connection_test", args=[company])}"' in page
        assert f'href="{reverse("connection_disconnect", args=[company])}"' in page
    response = client_connected.post(reverse("connection_test", args=["beta"]), follow=True)
    assert "The connection to beta works" in response.content.decode()
    client_connected.post(reverse("connection_disconnect", args=["beta"]))
    assert [c.company for c in user_connected.weblink_connections.all()] == ["demo"]
    entry = Activity.objects.filter(action=Activity.Action.DISCONNECTED).get()
    assert entry.company == "beta"


def test_connecting_a_company_again_replaces_only_its_tokens(user_connected, two_companies):
    demo, beta = two_companies
    before = {c.company: c.fingerprint for c in user_connected.weblink_connections.all()}
    connection_save_token(user=user_connected, company="demo", token=demo.issue_token())
    after = {c.company: c.fingerprint for c in user_connected.weblink_connections.all()}
    assert after["beta"] == before["beta"]
    assert after["demo"] != before["demo"]
    assert WeblinkConnection.objects.filter(user=user_connected).count() == 2


def test_the_company_in_the_url_reads_the_connections_once(
    user_connected, two_companies, django_assert_num_queries
):
    current = CurrentConnection(user_connected, "beta")
    with django_assert_num_queries(1):
        assert current.get().company == "beta"
        assert [c.company for c in current.all()] == ["beta", "demo"]
        assert current.get() is current.get()


@pytest.mark.parametrize("company", ["a/b", "..", "."])
def test_a_company_name_must_fit_one_url_segment(client_signed_in, company):
    response = client_signed_in.post(
        reverse("connection_token"), {"token-company": company, "token-token": "abc"}
    )
    assert response.status_code == 400
    assert "cannot contain /" in response.content.decode()
    assert not WeblinkConnection.objects.exists()
