"""Report packs against the simulator: export, the dry run, the import as a bulk job, every
kind of bad file, and an import into a second company whose queues are numbered otherwise.
(tests/test_bulk_worker.py resumes an import in the real worker; test_pack_commands.py the CLI.)"""

import json
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports_admin.activity.models import Activity
from reports_admin.reports import bulk_jobs, packs
from reports_admin.reports.models import BulkJob, BulkJobItem
from tests.support.packs import report_pack

pytestmark = pytest.mark.django_db
Outcome = BulkJobItem.Outcome


def _export(client, **data) -> dict:
    response = client.post("/c/demo/reports/export/", data or {"all_matching": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="reports-demo-')
    return json.loads(response.content)


def _upload(client, content: bytes, company: str = "demo"):
    file = SimpleUploadedFile("pack.json", content, content_type="application/json")
    return client.post(f"/c/{company}/reports/import/", {"file": file})


def _dry_run(client, pack: dict, company: str = "demo") -> BulkJob:
    response = _upload(client, packs.pack_dumps(pack), company)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = BulkJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert job.action == BulkJob.Action.IMPORT
    assert job.state == BulkJob.State.DRAFT
    return job


def _apply(client, job, captured, *, chosen=None, active=False, company="demo"):
    to_do = job.items.filter(outcome=Outcome.NOT_STARTED)
    data = {"key": job.key, "item": [i.pk for i in to_do] if chosen is None else chosen}
    if active:
        data["active"] = "1"
    with captured(execute=False):
        response = client.post(f"/c/{company}/reports/import/confirm/", data)
    assert response.status_code == 302
    bulk_jobs.bulk_job_run(job.pk)
    job.refresh_from_db()
    assert job.state == BulkJob.State.FINISHED


def _plans(job) -> dict[str, tuple[str, str]]:
    return {item.report_name: (item.outcome, item.reason) for item in job.items.all()}


def _creates(sim) -> list:
    return [r for r in sim.requests if r.method == "POST" and r.path == "/company/report"]


def _pairs(stored) -> Counter:
    return Counter(stored.pairs())


# --- Export -----------------------------------------------------------------------------------


def test_export_holds_every_report_with_its_type_and_option_names(client_connected, simulator):
    pack = _export(client_connected)
    assert pack["format"] == "weblink-report-pack"
    assert pack["version"] == 1
    assert pack["company"] == "demo"
    assert len(pack["reports"]) == len(simulator.state.reports)
    first = simulator.state.reports[0]
    exported = next(r for r in pack["reports"] if r["id"] == first.id)
    assert exported["name"] == first.name
    assert exported["type"] == {"id": "1", "name": "Queue - Missed"}
    assert {"key": "queue_id", "value": "1101", "option": "Kundtjänst"} in exported["arguments"]
    assert {"key": "format", "value": "xlsx"} in exported["arguments"]
    text = json.dumps(pack)
    assert "token" not in text.lower()
    assert "added" not in text


def test_export_takes_the_ticked_reports_or_all_that_match(client_connected, simulator):
    ids = [r.id for r in simulator.state.reports[:2]]
    ticked = _export(client_connected, report=ids)
    assert sorted(r["id"] for r in ticked["reports"]) == sorted(ids)
    hourly = _export(client_connected, all_matching="1", interval="hour")
    expected = [r.id for r in simulator.state.reports if r.interval == "hour"]
    assert expected and sorted(r["id"] for r in hourly["reports"]) == sorted(expected)


def test_export_with_nothing_selected_says_so(client_connected):
    response = client_connected.post("/c/demo/reports/export/", {}, follow=True)
    assert "Select at least one report first." in response.content.decode()


# --- Round trip -------------------------------------------------------------------------------


def test_round_trip_brings_back_two_deleted_reports_and_skips_the_rest(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    pack = _export(client_connected)
    gone = simulator.state.reports[:2]
    for report in gone:
        simulator.state.delete_report(report.id)
    job = _dry_run(client_connected, pack)
    plans = _plans(job)
    assert {name for name, (outcome, _) in plans.items() if outcome == Outcome.NOT_STARTED} == {
        r.name for r in gone
    }
    skipped = [reason for outcome, reason in plans.values() if outcome == Outcome.SKIPPED]
    assert len(skipped) == len(pack["reports"]) - 2
    assert all(reason.startswith("Skip: identical to report") for reason in skipped)
    assert _creates(simulator) == []

    page = client_connected.get(f"/c/demo/reports/jobs/{job.pk}/").content.decode()
    assert "Import the ticked reports" in page
    assert page.count('name="item"') == 2

    _apply(client_connected, job, django_capture_on_commit_callbacks)
    done = job.items.filter(outcome=Outcome.DONE)
    assert done.count() == 2
    for report in gone:
        (back,) = [r for r in simulator.state.reports if r.name == report.name]
        assert back.id != report.id
        assert back.active is False  # created paused
        assert _pairs(back) == _pairs(report)
        assert back.interval == report.interval
        assert (back.description or "") == (report.description or "")
        assert done.filter(report_id=back.id).exists()
    created = Activity.objects.filter(action=Activity.Action.CREATED)
    assert sorted(created.values_list("report_name", flat=True)) == sorted(r.name for r in gone)
    assert len(_creates(simulator)) == 2
    assert not [r for r in simulator.requests if r.method in ("PATCH", "DELETE")]


def test_a_report_differing_is_created_as_a_copy_and_a_second_import_skips_it(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    first = simulator.state.reports[0]
    pack = _export(client_connected, report=[first.id])
    simulator.state.update_report(first.id, {"interval": "month"})
    job = _dry_run(client_connected, pack)
    (item,) = job.items.all()
    assert item.outcome == Outcome.NOT_STARTED
    assert f"“{first.name} (imported)”" in item.reason
    _apply(client_connected, job, django_capture_on_commit_callbacks, active=True)
    copy = next(r for r in simulator.state.reports if r.name == f"{first.name} (imported)")
    assert copy.active is True
    assert copy.interval == "day"
    assert simulator.state.report(first.id).interval == "month"  # never changed

    again = _dry_run(client_connected, pack)
    (item,) = again.items.all()
    assert item.outcome == Outcome.SKIPPED
    assert "a copy imported before" in item.reason


def test_only_the_ticked_reports_are_imported(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    pack = _export(client_connected)
    gone = simulator.state.reports[:2]
    for report in gone:
        simulator.state.delete_report(report.id)
    job = _dry_run(client_connected, pack)
    keep = job.items.get(report_name=gone[0].name)
    _apply(client_connected, job, django_capture_on_commit_callbacks, chosen=[keep.pk])
    assert job.items.get(report_name=gone[1].name).reason == "Not chosen for the import."
    names = [r.name for r in simulator.state.reports]
    assert gone[0].name in names
    assert gone[1].name not in names


def test_apply_plans_again_a_report_someone_created_meanwhile_is_skipped(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    pack = report_pack()
    job = _dry_run(client_connected, pack)
    assert job.items.get().outcome == Outcome.NOT_STARTED
    # Someone else creates the same report between the dry run and the apply.
    simulator.state.create_report(
        {"name": "Imported queue report", "description": "", "interval": "day", "active": True},
        "1",
        [("format", "csv"), ("email", "boss@example.com"), ("queue_id", "1101")],
    )
    _apply(client_connected, job, django_capture_on_commit_callbacks)
    item = job.items.get()
    assert item.outcome == Outcome.SKIPPED
    assert item.reason.startswith("Skip: identical to report")
    assert _creates(simulator) == []


def test_a_double_posted_import_starts_once_and_the_first_choice_stands(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    job = _dry_run(client_connected, report_pack())
    item = job.items.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_connected.post(
            "/c/demo/reports/import/confirm/", {"key": job.key, "item": [item.pk]}
        )
        second = client_connected.post(
            "/c/demo/reports/import/confirm/", {"key": job.key, "active": "1"}, follow=True
        )
    assert len(callbacks) == 1
    assert "nothing was started again" in second.content.decode()
    job.refresh_from_db()
    assert job.create_active is False
    assert job.items.get().outcome == Outcome.NOT_STARTED


def test_the_bulk_confirmation_cannot_start_an_import(client_connected, user_connected, simulator):
    job = _dry_run(client_connected, report_pack())
    response = client_connected.post("/c/demo/reports/jobs/confirm/", {"key": job.key})
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.state == BulkJob.State.DRAFT


def test_another_persons_import_cannot_be_confirmed(
    client, user_connected, simulator, django_user_model
):
    job = packs.import_draft(
        owner=user_connected,
        connection=user_connected.weblink_connections.get(),
        pack=packs.pack_parse(packs.pack_dumps(report_pack())),
    )
    other = django_user_model.objects.create_user("bo", password="bo-password-123")
    client.force_login(other)
    response = client.post("/c/demo/reports/import/confirm/", {"key": job.key})
    assert response.status_code == 404


# --- Bad files --------------------------------------------------------------------------------


def _refused(client, content: bytes, message: str) -> None:
    response = _upload(client, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page, page
    assert 'id="id_file"' in page
    assert BulkJob.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * (5 * 1024 * 1024 + 1), "The file is over 5 MB."),
        (b"\xff\xfe{not text", "it is not text (UTF-8), so not JSON."),
        (b"reports: yes", "it is not valid JSON."),
        (b"[" * 100_000, "it is not valid JSON."),
        (b'{"format": "something else"}', "JSON, but not a report pack"),
        (
            json.dumps({**report_pack(), "version": 2}).encode(),
            "The pack is of version 2, made by a newer dashboard",
        ),
        (json.dumps({**report_pack(), "version": "1"}).encode(), "not a well-formed"),
        (json.dumps({**report_pack(), "reports": {}}).encode(), "its “reports” is not a list"),
        (json.dumps({**report_pack(), "extra": 1}).encode(), "unknown keys: extra"),
        (json.dumps({**report_pack(), "company": 5}).encode(), "not a well-formed"),
        (json.dumps({**report_pack(), "reports": []}).encode(), "holds no reports"),
        (
            json.dumps({**report_pack(), "reports": [{}] * 501}).encode(),
            "The pack holds 501 reports; at most 500",
        ),
    ],
    ids=[
        "over-5-mb",
        "not-utf8",
        "not-json",
        "too-deep",
        "not-a-pack",
        "newer-version",
        "version-not-a-number",
        "reports-not-a-list",
        "unknown-top-key",
        "company-not-text",
        "no-reports",
        "too-many-reports",
    ],
)
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_written(
    client_connected, simulator, content, message
):
    _refused(client_connected, content, message)
    assert _creates(simulator) == []


def test_a_missing_file_is_asked_for(client_connected):
    response = client_connected.post("/c/demo/reports/import/", {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_an_import_into_a_company_the_person_is_not_connected_to_is_not_found(client_signed_in):
    file = SimpleUploadedFile("p.json", packs.pack_dumps(report_pack()))
    response = client_signed_in.post("/c/demo/reports/import/", {"file": file})
    assert response.status_code == 404
    assert BulkJob.objects.count() == 0


def test_bad_reports_cannot_be_imported_and_the_others_can(client_connected, simulator):
    good = report_pack()["reports"][0]
    bad = [
        {**good, "name": "Unknown key", "colour": "red"},
        {**good, "name": "Unknown type", "type": {"id": "999", "name": "No such type"}},
        {
            **good,
            "name": "Unknown queue",
            "arguments": [{"key": "queue_id", "value": "9999", "option": "Nowhere"}],
        },
        {**good, "name": "Unknown argument", "arguments": [{"key": "colour", "value": "red"}]},
        {**good, "name": "Bad interval", "interval": "year"},
        {**good, "name": "Bad active", "active": "yes"},
        {**good, "name": "Bad argument", "arguments": [{"key": "format", "value": 5}]},
        {**good, "name": "x" * 201},
        "not an object",
    ]
    pack = {**report_pack(), "reports": [good, *bad]}
    job = _dry_run(client_connected, pack)
    plans = _plans(job)
    assert plans["Imported queue report"] == (Outcome.NOT_STARTED, "Create.")
    reasons = {name: reason for name, (outcome, reason) in plans.items() if name != good["name"]}
    assert all(reason.startswith("Cannot import: ") for reason in reasons.values()), reasons
    assert "unknown keys: colour" in reasons["Unknown key"]
    assert "no report type with id 999 or name “No such type”" in reasons["Unknown type"]
    assert "No queue here matches id 9999 or name “Nowhere”" in reasons["Unknown queue"]
    assert "has no argument “colour”" in reasons["Unknown argument"]
    assert "interval" in reasons["Bad interval"]
    assert "true or false" in reasons["Bad active"]
    assert "An argument is not" in reasons["Bad argument"]
    assert "longer than 200" in reasons["x" * 200]
    assert "not an object" in reasons["Report 10 of the file"]
    page = client_connected.get(f"/c/demo/reports/jobs/{job.pk}/").content.decode()
    assert page.count('name="item"') == 1


def test_a_tampered_body_is_checked_again_when_applied(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    job = _dry_run(client_connected, report_pack())
    job.items.update(body={"name": "Tampered", "token": "x"})
    _apply(client_connected, job, django_capture_on_commit_callbacks)
    item = job.items.get()
    assert item.outcome == Outcome.SKIPPED
    assert item.reason.startswith("Cannot import: It has unknown keys")
    assert _creates(simulator) == []


# --- Another company --------------------------------------------------------------------------


def test_import_into_a_second_company_matches_queues_by_name(
    client_connected, simulator, django_user_model, django_capture_on_commit_callbacks
):
    """The simulator's second company, hamnen, has a queue Kundtjänst numbered 4101 (1101 in
    demo) and no queue Försäljning (1103 in demo) by either name or id."""
    from reports_admin.connection.services import connection_sign_in

    pack = _export(client_connected, all_matching="1", type="1")
    by_queue = {
        next(a["value"] for a in r["arguments"] if a["key"] == "queue_id"): r["name"]
        for r in pack["reports"]
        if any(a["key"] == "queue_id" for a in r["arguments"])
    }
    other = django_user_model.objects.create_user("berit", password="berit-password-123")
    connection_sign_in(user=other, company="hamnen", username="admin", password="hamnen")  # noqa: S106
    client_connected.force_login(other)
    hamnen = simulator.company("hamnen")
    before = {r.id for r in hamnen.reports}

    job = _dry_run(client_connected, pack, "hamnen")
    plans = _plans(job)
    renumbered = plans[by_queue["1101"]]
    assert renumbered[0] == Outcome.NOT_STARTED
    assert "The queue “Kundtjänst” is 4101 here (1101 in the file)." in renumbered[1]
    unmatched = plans[by_queue["1103"]]
    assert unmatched[0] == Outcome.SKIPPED
    assert "No queue here matches id 1103 or name “Försäljning”." in unmatched[1]
    _apply(client_connected, job, django_capture_on_commit_callbacks, company="hamnen")
    created = {r.name: r for r in hamnen.reports if r.id not in before}
    # hamnen has a report of that name already, with other settings: created as a copy.
    assert created[f"{by_queue['1101']} (imported)"].values("queue_id") == ["4101"]
    assert by_queue["1103"] not in created
    assert {r.name for r in simulator.state.reports} >= set(by_queue.values())
    assert len(simulator.state.reports) == 30


def test_recipients_can_be_replaced_for_a_copy_to_another_company(user_connected, simulator):
    pack = packs.pack_parse(packs.pack_dumps(report_pack()))
    job = packs.import_draft(
        owner=user_connected,
        connection=user_connected.weblink_connections.get(),
        pack=pack,
        recipients=["new@example.com"],
    )
    emails = [a["value"] for a in job.items.get().body["arguments"] if a["key"] == "email"]
    assert emails == ["new@example.com"]


def test_a_resumed_import_whose_create_never_left_creates_it_once(
    client_connected, user_connected, simulator, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    job = _dry_run(client_connected, report_pack())
    item = job.items.get()
    with django_capture_on_commit_callbacks(execute=False):
        client_connected.post(
            "/c/demo/reports/import/confirm/", {"key": job.key, "item": [item.pk]}
        )
    # A worker claimed the item and stopped before its call.
    job.items.update(started_at=timezone.now())
    assert bulk_jobs.bulk_jobs_resume() == [job.pk]
    item.refresh_from_db()
    assert (item.resumed, item.started_at, item.outcome) == (True, None, Outcome.NOT_STARTED)
    bulk_jobs.bulk_job_run(job.pk)
    item.refresh_from_db()
    assert (item.outcome, item.reason) == (Outcome.DONE, "Created.")
    assert len(_creates(simulator)) == 1
