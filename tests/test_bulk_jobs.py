"""Bulk jobs in process: the confirmation, the job page and how each report ends.
(tests/test_bulk_worker.py runs them in the real worker.)"""

import pytest
from django.core.cache import cache

from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports import bulk_jobs
from reports_admin.reports.models import BulkJob, BulkJobItem
from reports_admin.reports.snapshot import snapshot_get

pytestmark = pytest.mark.django_db
Outcome = BulkJobItem.Outcome


def _draft(user, action, reports, **params) -> BulkJob:
    return bulk_jobs.bulk_job_draft(
        owner=user,
        connection=user.weblink_connections.get(),
        action=action,
        reports=reports,
        **params,
    )


def _reports(user, count=None, **where):
    reports = snapshot_get(connection=user.weblink_connections.get()).reports
    chosen = [r for r in reports if all(getattr(r, k) == v for k, v in where.items())]
    return chosen[:count]


def _confirm_and_run(client, job, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/c/demo/reports/jobs/confirm/", {"key": job.key, **extra})
    bulk_jobs.bulk_job_run(job.pk)
    job.refresh_from_db()
    return response, callbacks


def test_the_list_form_shows_a_confirmation_naming_every_report(client_connected, user_connected):
    chosen = _reports(user_connected, 2)
    response = client_connected.post(
        "/c/demo/reports/bulk/", {"action": "pause", "report": [r.id for r in chosen]}
    )
    assert response.status_code == 302
    page = client_connected.get(response["Location"]).content.decode()
    for report in chosen:
        assert report.name in page
    assert BulkJob.objects.get().state == BulkJob.State.DRAFT


def test_all_matching_takes_the_filters_not_the_page(client_connected, user_connected):
    paused = _reports(user_connected, active=False)
    response = client_connected.post(
        "/c/demo/reports/bulk/", {"action": "activate", "all_matching": "1", "active": "0"}
    )
    assert response.status_code == 302
    job = BulkJob.objects.get()
    assert sorted(job.items.values_list("report_id", flat=True)) == sorted(r.id for r in paused)


def test_a_bad_address_is_asked_again_with_the_selection_kept(client_connected, user_connected):
    chosen = _reports(user_connected, 1)
    response = client_connected.post(
        "/c/demo/reports/bulk/",
        {"action": "add_recipient", "address": "not-an-address", "report": chosen[0].id},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid e-mail address" in page
    assert f'name="report" value="{chosen[0].id}"' in page
    assert 'value="not-an-address"' in page
    assert not BulkJob.objects.exists()


def test_a_double_posted_confirmation_starts_one_job(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    job = _draft(user_connected, BulkJob.Action.PAUSE, _reports(user_connected, 2, active=True))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_connected.post("/c/demo/reports/jobs/confirm/", {"key": job.key})
        second = client_connected.post(
            "/c/demo/reports/jobs/confirm/", {"key": job.key}, follow=True
        )
    assert len(callbacks) == 1
    assert "started already" in second.content.decode()
    job.refresh_from_db()
    assert job.state == BulkJob.State.QUEUED


def test_pause_skips_paused_reports_and_fails_a_deleted_one_with_404(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    active = _reports(user_connected, 2, active=True)
    paused = _reports(user_connected, 1, active=False)
    job = _draft(user_connected, BulkJob.Action.PAUSE, active + paused)
    simulator.state.delete_report(active[1].id)
    _confirm_and_run(client_connected, job, django_capture_on_commit_callbacks)
    outcomes = {item.report_id: (item.outcome, item.reason) for item in job.items.all()}
    assert outcomes[active[0].id] == (Outcome.DONE, "")
    assert outcomes[active[1].id][0] == Outcome.FAILED
    assert "404" in outcomes[active[1].id][1]
    assert outcomes[paused[0].id][0] == Outcome.SKIPPED
    assert job.state == BulkJob.State.FINISHED
    assert not simulator.state.report(active[0].id).active


def test_bulk_send_skips_a_report_in_cool_off(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    reports = _reports(user_connected, 2)
    client_connected.post(f"/c/demo/reports/{reports[0].id}/send/", {"key": "k" * 32})
    job = _draft(user_connected, BulkJob.Action.SEND, reports)
    _confirm_and_run(client_connected, job, django_capture_on_commit_callbacks)
    first, second = job.items.order_by("pk")
    assert first.outcome == Outcome.SKIPPED and "already sent" in first.reason
    assert second.outcome == Outcome.DONE
    assert [s.report_id for s in simulator.state.sent] == [reports[0].id, reports[1].id]


def test_delete_and_send_above_50_ask_for_the_number(
    client_connected, user_connected, django_capture_on_commit_callbacks
):
    job = _draft(user_connected, BulkJob.Action.DELETE, _reports(user_connected, 1) * 51)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        refused = client_connected.post(
            "/c/demo/reports/jobs/confirm/", {"key": job.key, "count": "50"}
        )
    assert refused.status_code == 400
    assert "Type the number of reports, 51" in refused.content.decode()
    assert not callbacks
    job.refresh_from_db()
    assert job.state == BulkJob.State.DRAFT


def test_429_fails_the_report_and_the_next_call_waits(
    client_connected, user_connected, simulator, monkeypatch, django_capture_on_commit_callbacks
):
    reports = _reports(user_connected, 2, active=True)
    job = _draft(user_connected, BulkJob.Action.PAUSE, reports)
    snapshot_get(connection=user_connected.weblink_connections.get())
    waits = []
    monkeypatch.setattr(bulk_jobs.time, "sleep", waits.append)
    simulator.faults.configure(
        {"status": 429, "status_path_prefix": "/company/report/", "status_count": 1}
    )
    _confirm_and_run(client_connected, job, django_capture_on_commit_callbacks)
    first, second = job.items.order_by("pk")
    assert first.outcome == Outcome.FAILED and "too many requests" in first.reason
    assert second.outcome == Outcome.DONE
    assert max(waits) > 0


def test_401_stops_the_job_until_the_person_connects_again(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    reports = _reports(user_connected, 2, active=True)
    job = _draft(user_connected, BulkJob.Action.PAUSE, reports)
    simulator.faults.tokens_expired = True
    _confirm_and_run(client_connected, job, django_capture_on_commit_callbacks)
    assert job.state == BulkJob.State.WAITING
    assert set(job.items.values_list("outcome", flat=True)) == {Outcome.NOT_STARTED}
    simulator.faults.tokens_expired = False
    from reports_admin.connection.services import connection_sign_in

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        connection_sign_in(user=user_connected, company="demo", username="admin", password="demo")  # noqa: S106
    assert len(callbacks) == 1
    bulk_jobs.bulk_job_run(job.pk)
    job.refresh_from_db()
    assert job.state == BulkJob.State.FINISHED
    assert set(job.items.values_list("outcome", flat=True)) == {Outcome.DONE}


def test_only_the_owner_and_staff_see_a_job(client, user_connected, django_user_model):
    job = _draft(user_connected, BulkJob.Action.PAUSE, _reports(user_connected, 1))
    other = django_user_model.objects.create_user("bo", password="bo-password-123")
    # Connected to the same company, so only the job's owner tells them apart.
    connection = WeblinkConnection(user=other, company="demo")
    connection.set_tokens(access_token="bo-token")
    connection.save()
    client.force_login(other)
    assert client.get(f"/c/demo/reports/jobs/{job.pk}/").status_code == 404
    other.is_staff = True
    other.save()
    assert client.get(f"/c/demo/reports/jobs/{job.pk}/").status_code == 200


def test_a_running_job_page_polls_and_a_finished_one_stops(client_connected, user_connected):
    job = _draft(user_connected, BulkJob.Action.PAUSE, _reports(user_connected, 1))
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.RUNNING)
    page = client_connected.get(f"/c/demo/reports/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert "<html" not in page.content.decode()
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.FINISHED)
    assert (
        "hx-trigger" not in client_connected.get(f"/c/demo/reports/jobs/{job.pk}/").content.decode()
    )
    activity = client_connected.get("/activity/").content.decode()
    assert f"/c/demo/reports/jobs/{job.pk}/" in activity


def test_replace_everywhere_previews_then_patches_and_skips_the_successors(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    reports = _reports(user_connected, 3)
    for report in reports:
        simulator.state.add_argument(report.id, "email", "Leaver@Example.com")
    simulator.state.add_argument(reports[2].id, "email", "heir@example.com")
    cache.clear()
    listing = client_connected.get("/c/demo/recipients/?q=leaver").content.decode()
    assert "Leaver@Example.com" in listing and "3 reports" in listing
    response = client_connected.post(
        "/c/demo/recipients/change/",
        {
            "action": "replace_recipient",
            "address": "leaver@example.com",
            "new_address": "heir@example.com",
        },
    )
    preview = client_connected.get(response["Location"]).content.decode()
    assert "2 argument PATCHes" in preview and "1 report is skipped" in preview
    job = BulkJob.objects.get()
    _confirm_and_run(client_connected, job, django_capture_on_commit_callbacks)
    for report in reports[:2]:
        values = [a.value for a in simulator.state.report(report.id).arguments if a.key == "email"]
        assert "heir@example.com" in values and "Leaver@Example.com" not in values
    skipped = job.items.get(report_id=reports[2].id)
    assert skipped.outcome == Outcome.SKIPPED and "heir@example.com" in skipped.reason


def test_replace_everywhere_checks_the_new_address(client_connected, user_connected):
    address = _reports(user_connected, 1)[0].recipients[0]
    response = client_connected.post(
        "/c/demo/recipients/change/",
        {"action": "replace_recipient", "address": address, "new_address": "nope@"},
    )
    assert response.status_code == 400
    assert "Enter a valid e-mail address" in response.content.decode()
    assert 'value="nope@"' in response.content.decode()


def test_remove_everywhere_never_leaves_a_report_without_a_recipient(
    client_connected, user_connected, simulator
):
    alone = next(r for r in _reports(user_connected) if len(r.recipients) == 1)
    address = alone.recipients[0]
    client_connected.post(
        "/c/demo/recipients/change/", {"action": "remove_recipient", "address": address.upper()}
    )
    item = BulkJob.objects.get().items.get(report_id=alone.id)
    assert item.outcome == Outcome.SKIPPED and "without a recipient" in item.reason
