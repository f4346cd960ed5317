"""Copy to…: the list's selected reports copied into another of the person's companies, an
export and an import in one step (the same dry run), with their recipients kept or replaced."""

import pytest

from reports_admin.activity.models import Activity
from reports_admin.reports import bulk_jobs
from reports_admin.reports.models import BulkJob, BulkJobItem

pytestmark = pytest.mark.django_db
Outcome = BulkJobItem.Outcome
COPY = "/c/demo/reports/copy/"


@pytest.fixture
def also_hamnen(user_connected):
    """The person is connected to the simulator's second company, hamnen, too."""
    from reports_admin.connection.services import connection_sign_in

    connection_sign_in(user=user_connected, company="hamnen", username="admin", password="hamnen")  # noqa: S106
    return user_connected


def _on_queue(simulator, queue_id: str):
    return next(r for r in simulator.state.reports if r.values("queue_id") == [queue_id])


def _emails(item) -> list[str]:
    return [a["value"] for a in item.body["arguments"] if a["key"] == "email"]


def test_the_list_offers_copy_only_to_a_person_with_another_company(
    client_connected, user_connected, simulator
):
    assert "Copy to…" not in client_connected.get("/c/demo/reports/").content.decode()
    ids = [r.id for r in simulator.state.reports[:1]]
    assert client_connected.post(COPY, {"report": ids}).status_code == 404
    from reports_admin.connection.services import connection_sign_in

    connection_sign_in(user=user_connected, company="hamnen", username="admin", password="hamnen")  # noqa: S106
    page = client_connected.get("/c/demo/reports/").content.decode()
    assert 'formaction="/c/demo/reports/copy/"' in page


def test_the_form_names_the_selection_by_id_and_offers_only_the_other_companies(
    client_connected, also_hamnen, simulator
):
    hourly = [r for r in simulator.state.reports if r.interval == "hour"]
    response = client_connected.post(COPY, {"all_matching": "1", "interval": "hour", "q": ""})
    assert response.status_code == 200
    page = response.content.decode()
    for report in hourly:
        assert f'<input type="hidden" name="report" value="{report.id}">' in page
    assert page.count('name="report"') == len(hourly)
    assert '<option value="hamnen">' in page
    assert '<option value="demo">' not in page
    # The same form by its address, the reports named in the query.
    got = client_connected.get(COPY, {"report": hourly[0].id})
    assert got.status_code == 200
    assert got.content.decode().count('name="report"') == 1


def test_copy_into_hamnen_matches_queues_by_name_and_replaces_the_recipients(
    client_connected, also_hamnen, simulator, django_capture_on_commit_callbacks
):
    """hamnen's Kundtjänst is 4101 (1101 in demo); it has no Försäljning (1103 in demo)."""
    renumbered, unmatched = _on_queue(simulator, "1101"), _on_queue(simulator, "1103")
    demo_before = [(r.id, r.name, sorted(r.pairs())) for r in simulator.state.reports]
    hamnen = simulator.company("hamnen")
    hamnen_before = {r.id for r in hamnen.reports}
    response = client_connected.post(
        COPY,
        {
            "report": [renumbered.id, unmatched.id],
            "target": "hamnen",
            "recipients": "replace",
            "addresses": "ny@hamnen.example, Ekonomi@hamnen.example",
        },
    )
    assert response.status_code == 302
    job = BulkJob.objects.get(connection__company="hamnen", action=BulkJob.Action.IMPORT)
    assert response["Location"] == f"/c/hamnen/reports/jobs/{job.pk}/"
    assert job.state == BulkJob.State.DRAFT
    items = {item.report_name: item for item in job.items.all()}
    assert items[renumbered.name].outcome == Outcome.NOT_STARTED
    assert "The queue “Kundtjänst” is 4101 here (1101 in the file)." in (
        items[renumbered.name].reason
    )
    assert _emails(items[renumbered.name]) == ["ny@hamnen.example", "Ekonomi@hamnen.example"]
    assert items[unmatched.name].outcome == Outcome.SKIPPED
    assert "No queue here matches id 1103 or name “Försäljning”." in items[unmatched.name].reason
    # The dry run shows on hamnen's job page, with the import's confirmation.
    page = client_connected.get(response["Location"]).content.decode()
    assert "This is a dry run" in page
    assert 'action="/c/hamnen/reports/import/confirm/"' in page

    with django_capture_on_commit_callbacks(execute=False):
        confirmed = client_connected.post(
            "/c/hamnen/reports/import/confirm/",
            {"key": job.key, "item": [items[renumbered.name].pk]},
        )
    assert confirmed.status_code == 302
    bulk_jobs.bulk_job_run(job.pk)
    created = [r for r in hamnen.reports if r.id not in hamnen_before]
    assert len(created) == 1
    assert created[0].name.startswith(renumbered.name)
    assert created[0].values("queue_id") == ["4101"]
    assert created[0].values("email") == ["ny@hamnen.example", "Ekonomi@hamnen.example"]
    assert created[0].active is False
    entry = Activity.objects.get(action=Activity.Action.CREATED, report_id=created[0].id)
    assert entry.company == "hamnen"
    assert [(r.id, r.name, sorted(r.pairs())) for r in simulator.state.reports] == demo_before


def test_recipients_can_be_kept(client_connected, also_hamnen, simulator):
    report = _on_queue(simulator, "1101")
    response = client_connected.post(
        COPY, {"report": [report.id], "target": "hamnen", "recipients": "keep", "addresses": ""}
    )
    assert response.status_code == 302
    item = BulkJob.objects.get(connection__company="hamnen").items.get()
    assert _emails(item) == report.values("email")


def test_a_target_not_the_persons_is_not_found(client_connected, also_hamnen, simulator):
    ids = [simulator.state.reports[0].id]
    for target in ("elsewhere", "demo", ""):
        response = client_connected.post(
            COPY, {"report": ids, "target": target, "recipients": "keep"}
        )
        assert response.status_code == 404, target
    # Nor from a company that is not the person's.
    response = client_connected.post(
        "/c/elsewhere/reports/copy/", {"report": ids, "target": "hamnen", "recipients": "keep"}
    )
    assert response.status_code == 404
    assert not BulkJob.objects.exists()


def test_bad_addresses_are_refused_next_to_the_field_and_kept(
    client_connected, also_hamnen, simulator
):
    ids = [r.id for r in simulator.state.reports[:2]]
    data = {"report": ids, "target": "hamnen", "recipients": "replace"}
    response = client_connected.post(COPY, {**data, "addresses": "ok@example.com, not-an-address"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“not-an-address” is not a valid e-mail address." in page
    assert 'id="id_addresses"' in page and 'aria-invalid="true"' in page
    assert "ok@example.com, not-an-address</textarea>" in page
    for report_id in ids:
        assert f'<input type="hidden" name="report" value="{report_id}">' in page
    empty = client_connected.post(COPY, {**data, "addresses": ""})
    assert empty.status_code == 400
    assert "Enter at least one address, or keep the recipients." in empty.content.decode()
    assert not BulkJob.objects.exists()


def test_nothing_selected_goes_back_to_the_list(client_connected, also_hamnen):
    response = client_connected.post(COPY, {"target": "hamnen", "recipients": "keep"}, follow=True)
    assert response.redirect_chain[-1][0] == "/c/demo/reports/"
    assert "Select at least one report first." in response.content.decode()
    assert not BulkJob.objects.exists()
