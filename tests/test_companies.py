"""Several Weblink companies per person: each company's pages under /c/<company>/, each call
with that company's token, and nothing of one company ever shown, cached or acted on under
another. The two companies are the simulator's own, demo and hamnen: each signed in with its own
account, each with its own reports (some under the same ids), and every logged call names the
company its token belongs to."""

import re

import pytest
from django.urls import reverse

from reports_admin.activity.models import Activity
from reports_admin.connection.models import WeblinkConnection
from reports_admin.connection.selectors import CurrentConnection, connection_get
from reports_admin.connection.services import connection_save_token, connection_sign_in
from reports_admin.reports import metadata_cache, preview_store
from reports_admin.reports.bulk_jobs import bulk_job_draft
from reports_admin.reports.models import BulkJob
from reports_admin.reports.sending import report_send_once
from reports_admin.reports.snapshot import snapshot_get
from tests.support.report_forms import form_data

pytestmark = pytest.mark.django_db


SHARED_ID = "2605"  # a report in each company, each its own
HAMNEN_QUEUE = "4101"  # Kundtjänst in hamnen: the report form's queue must be hamnen's own


@pytest.fixture
def two_companies(user_connected, simulator):
    """``user`` connected to "demo" and to "hamnen" (signed in as hamnen's admin); hamnen's
    reports in the simulator."""
    connection_sign_in(user=user_connected, company="hamnen", username="admin", password="hamnen")  # noqa: S106
    simulator.log.clear()
    return simulator.company("hamnen")


def writes(simulator, company):
    """What changed something at ``company``: every call but reads (a send is a GET)."""
    return [
        r
        for r in simulator.requests
        if r.company == company and (r.method != "GET" or r.path.endswith("/send"))
    ]


def hamnen_form(**changes) -> dict:
    return form_data(**{"arg-queue_id": HAMNEN_QUEUE, **changes})


def names(response):
    return {row.report.name for row in response.context["rows"]}


def test_each_company_lists_and_opens_only_its_own_reports(
    client_connected, simulator, two_companies
):
    hamnen = two_companies
    demo_names = names(client_connected.get(reverse("reports:list", args=["demo"])))
    hamnen_names = names(client_connected.get(reverse("reports:list", args=["hamnen"])))
    # demo's first page of its 30; all of hamnen's 12. Some names are in both companies.
    assert demo_names <= {r.name for r in simulator.state.reports}
    assert hamnen_names == {r.name for r in hamnen.reports}
    assert "Fastighetsjour natt" in hamnen_names - demo_names
    assert {r.company for r in simulator.requests} == {"demo", "hamnen"}
    # The same id in both companies is two reports: each URL opens its own company's.
    hamnen_report, demo_report = hamnen.report(SHARED_ID), simulator.state.report(SHARED_ID)
    assert hamnen_report.name != demo_report.name
    detail = client_connected.get(reverse("reports:detail", args=["hamnen", SHARED_ID]))
    assert detail.context["report"].name == hamnen_report.name
    detail = client_connected.get(reverse("reports:detail", args=["demo", SHARED_ID]))
    assert detail.context["report"].name == demo_report.name


def test_creating_in_one_company_leaves_the_other_unchanged(
    client_connected, user_connected, simulator, two_companies
):
    hamnen = two_companies
    demo_before = simulator.state.reports
    response = client_connected.post(
        reverse("reports:create", args=["hamnen"]), hamnen_form(name="Only in hamnen")
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/c/hamnen/reports/")
    assert [r.name for r in hamnen.reports].count("Only in hamnen") == 1
    assert simulator.state.reports == demo_before
    assert [(r.method, r.path) for r in writes(simulator, "hamnen")] == [
        ("POST", "/company/report")
    ]
    assert writes(simulator, "demo") == []
    assert "Only in hamnen" not in names(
        client_connected.get(reverse("reports:list", args=["demo"]))
    )
    assert "Only in hamnen" in names(client_connected.get(reverse("reports:list", args=["hamnen"])))
    entry = Activity.objects.get(action=Activity.Action.CREATED)
    assert entry.company == "hamnen"


def test_edit_and_send_act_only_on_the_urls_company(client_connected, simulator, two_companies):
    hamnen = two_companies
    report = hamnen.report(SHARED_ID)
    page = client_connected.get(reverse("reports:edit", args=["hamnen", report.id]))
    assert page.context["form"]["name"].value() == report.name
    assert report.name != simulator.state.report(SHARED_ID).name
    confirm = client_connected.get(reverse("reports:send", args=["hamnen", report.id]))
    assert f'action="{reverse("reports:send", args=["hamnen", report.id])}"' in (
        confirm.content.decode()
    )
    client_connected.post(
        reverse("reports:send", args=["hamnen", report.id]), {"key": confirm.context["key"]}
    )
    assert [r.path for r in writes(simulator, "hamnen")] == [f"/company/report/{report.id}/send"]
    assert writes(simulator, "demo") == []
    assert [s.report_id for s in hamnen.sent] == [report.id]
    assert simulator.state.sent == []
    assert Activity.objects.get(action=Activity.Action.SENT).company == "hamnen"


def test_the_send_cool_off_is_per_company(user_connected, simulator, two_companies):
    for company in ("demo", "hamnen"):
        connection = connection_get(user=user_connected, company=company)
        report = next(r for r in snapshot_get(connection=connection).reports if r.id == SHARED_ID)
        report_send_once(connection=connection, report=report, claim=f"claim-{company}")
    # The same id in the other company was not held back by the first send.
    for company in ("demo", "hamnen"):
        sends = [r.path for r in writes(simulator, company)]
        assert sends == [f"/company/report/{SHARED_ID}/send"], company
        assert len(simulator.company(company).sent) == 1, company


def test_a_job_shows_only_under_its_own_company(client_connected, user_connected, two_companies):
    connection = connection_get(user=user_connected, company="hamnen")
    job = bulk_job_draft(
        owner=user_connected,
        connection=connection,
        action=BulkJob.Action.PAUSE,
        reports=snapshot_get(connection=connection).reports[:2],
    )
    assert client_connected.get(reverse("reports:job", args=["hamnen", job.pk])).status_code == 200
    assert client_connected.get(reverse("reports:job", args=["demo", job.pk])).status_code == 404
    confirm = client_connected.post(reverse("reports:job_confirm", args=["demo"]), {"key": job.key})
    assert confirm.status_code == 404
    job.refresh_from_db()
    assert job.state == BulkJob.State.DRAFT


def test_caches_are_kept_per_connection(user_connected, simulator, two_companies):
    hamnen_reports = two_companies.reports
    demo = connection_get(user=user_connected, company="demo")
    hamnen = connection_get(user=user_connected, company="hamnen")
    demo_names = [r.name for r in snapshot_get(connection=demo).reports]
    hamnen_names = [r.name for r in snapshot_get(connection=hamnen).reports]
    assert demo_names == [r.name for r in simulator.state.reports]
    assert hamnen_names == [r.name for r in hamnen_reports]
    # Read again, from the cache: still each company's own, and nothing asked of Weblink.
    simulator.log.clear()
    assert [r.name for r in snapshot_get(connection=demo).reports] == demo_names
    assert [r.name for r in snapshot_get(connection=hamnen).reports] == hamnen_names
    assert simulator.requests == []
    prefixes = {metadata_cache._key_prefix(c) for c in (demo, hamnen)}
    assert len(prefixes) == 2
    assert all(f":{c.pk}:" in metadata_cache._key_prefix(c) for c in (demo, hamnen))


def test_restore_works_only_under_the_entrys_company(
    client_connected, user_connected, simulator, two_companies
):
    hamnen = two_companies
    client_connected.post(reverse("reports:active", args=["hamnen", SHARED_ID]), {"active": "0"})
    assert not hamnen.report(SHARED_ID).active
    assert simulator.state.report(SHARED_ID).active
    entry = Activity.objects.get(action=Activity.Action.CHANGED)
    assert entry.company == "hamnen" and entry.restorable
    assert (
        client_connected.get(reverse("activity_restore", args=["demo", entry.pk])).status_code
        == 404
    )
    assert (
        client_connected.get(reverse("activity_restore", args=["hamnen", entry.pk])).status_code
        == 200
    )
    assert writes(simulator, "demo") == []


def test_the_activity_page_filters_by_company(client_connected, user_connected, two_companies):
    client_connected.post(
        reverse("reports:create", args=["hamnen"]), hamnen_form(name="Made in hamnen")
    )
    client_connected.post(reverse("reports:create", args=["demo"]), form_data(name="Made in demo"))
    everything = client_connected.get(reverse("activity")).content.decode()
    assert "Made in hamnen" in everything and "Made in demo" in everything
    hamnen_only = client_connected.get(reverse("activity"), {"company": "hamnen"}).content.decode()
    assert "Made in hamnen" in hamnen_only and "Made in demo" not in hamnen_only
    assert '<option value="hamnen" selected>hamnen</option>' in hamnen_only
    # Links lead to the report under its own company.
    made = Activity.objects.get(report_name="Made in hamnen")
    assert f'href="{reverse("reports:detail", args=["hamnen", made.report_id])}"' in everything


def test_a_preview_frame_opens_only_under_its_company(user_connected):
    token = preview_store.html_preview_store(
        user=user_connected, company="hamnen", content=b"<p>x</p>"
    )
    assert preview_store.html_preview_load(user=user_connected, company="hamnen", token=token)
    assert preview_store.html_preview_load(user=user_connected, company="demo", token=token) is None


def test_a_company_the_person_is_not_connected_to_is_not_found(client_connected, simulator):
    simulator.log.clear()
    assert client_connected.get(reverse("reports:list", args=["hamnen"])).status_code == 404
    assert client_connected.get(reverse("reports:list", args=["other"])).status_code == 404
    assert simulator.requests == []


def test_old_urls_lead_to_the_one_company(client_connected, simulator):
    response = client_connected.get("/reports/12/edit/?next=/x")
    assert response.status_code == 302
    assert response["Location"] == "/c/demo/reports/12/edit/?next=/x"
    assert client_connected.get("/recipients/")["Location"] == "/c/demo/recipients/"


def test_old_urls_offer_a_chooser_to_a_person_with_several(client_connected, two_companies):
    response = client_connected.get(f"/reports/{SHARED_ID}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/c/hamnen/reports/{SHARED_ID}/"' in page
    assert f'href="/c/demo/reports/{SHARED_ID}/"' in page


def test_old_urls_without_a_connection_lead_to_the_connection_page(client_signed_in):
    assert client_signed_in.get("/reports/")["Location"] == reverse("connection")
    assert client_signed_in.get("/")["Location"] == reverse("connection")


def test_the_home_page_shows_the_company_shown_last(client_connected, two_companies):
    # The first by name when none was shown yet.
    assert client_connected.get("/")["Location"] == reverse("reports:list", args=["demo"])
    client_connected.get(reverse("reports:types", args=["hamnen"]))
    assert client_connected.get("/")["Location"] == reverse("reports:list", args=["hamnen"])
    client_connected.get(reverse("reports:types", args=["demo"]))
    assert client_connected.get("/")["Location"] == reverse("reports:list", args=["demo"])


def test_every_company_page_names_its_company_and_switches_to_the_others(
    client_connected, two_companies
):
    page = client_connected.get(reverse("reports:list", args=["hamnen"])).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    assert "hamnen" in title
    switcher = page[page.index('class="company-switcher"') : page.index("</details>")]
    assert "Weblink: hamnen" in switcher
    assert f'href="{reverse("reports:list", args=["demo"])}"' in switcher
    assert 'aria-current="true">hamnen' in switcher
    # The navigation's company pages are hamnen's.
    assert f'href="{reverse("reports:create", args=["hamnen"])}"' in page
    # Every form on the page posts to hamnen's URLs (or to pages of no company).
    for action in re.findall(r'<form[^>]*action="([^"]*)"', page):
        assert action.startswith("/c/hamnen/") or not action.startswith("/c/"), action


def test_the_connection_page_lists_tests_and_removes_each_company(
    client_connected, user_connected, simulator, two_companies
):
    page = client_connected.get(reverse("connection")).content.decode()
    assert "Your 2 connections" in page
    for company in ("demo", "hamnen"):
        assert f'action="{reverse("connection_test", args=[company])}"' in page
        assert f'href="{reverse("connection_disconnect", args=[company])}"' in page
    response = client_connected.post(reverse("connection_test", args=["hamnen"]), follow=True)
    assert "The connection to hamnen works" in response.content.decode()
    assert [r.company for r in simulator.requests] == ["hamnen"]
    client_connected.post(reverse("connection_disconnect", args=["hamnen"]))
    assert [c.company for c in user_connected.weblink_connections.all()] == ["demo"]
    entry = Activity.objects.filter(action=Activity.Action.DISCONNECTED).get()
    assert entry.company == "hamnen"


def test_connecting_a_company_again_replaces_only_its_tokens(
    user_connected, simulator, two_companies
):
    before = {c.company: c.fingerprint for c in user_connected.weblink_connections.all()}
    connection_save_token(user=user_connected, company="demo", token=simulator.issue_token())
    after = {c.company: c.fingerprint for c in user_connected.weblink_connections.all()}
    assert after["hamnen"] == before["hamnen"]
    assert after["demo"] != before["demo"]
    assert WeblinkConnection.objects.filter(user=user_connected).count() == 2


def test_the_company_in_the_url_reads_the_connections_once(
    user_connected, two_companies, django_assert_num_queries
):
    current = CurrentConnection(user_connected, "hamnen")
    with django_assert_num_queries(1):
        assert current.get().company == "hamnen"
        assert [c.company for c in current.all()] == ["demo", "hamnen"]
        assert current.get() is current.get()


@pytest.mark.parametrize("company", ["a/b", "..", "."])
def test_a_company_name_must_fit_one_url_segment(client_signed_in, company):
    response = client_signed_in.post(
        reverse("connection_token"), {"token-company": company, "token-token": "abc"}
    )
    assert response.status_code == 400
    assert "cannot contain /" in response.content.decode()
    assert not WeblinkConnection.objects.exists()
