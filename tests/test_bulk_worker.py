"""Bulk jobs run by the real task worker (`manage.py run_worker`, which is db_worker after
resuming unfinished jobs) as a process of its own, on the test database's file."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from reports_admin.reports import bulk_jobs
from reports_admin.reports.models import BulkJob, BulkJobItem
from tests.support.packs import report_pack

pytestmark = pytest.mark.django_db(transaction=True)
DEADLINE_SECONDS = 30


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def start_worker(weblink_url):
    """Starts `manage.py run_worker` on the test database and the simulator; stopped after."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": _database_url(),
        "WEBLINK_API_URL": weblink_url,
        "CONN_MAX_AGE": "0",
    }
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        command = [sys.executable, "manage.py", "run_worker", "--interval", "0.1"]
        command.append("--no-startup-delay")
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)  # noqa: S603
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def _wait_for(condition, what: str) -> None:
    """Polls ``condition`` until it holds; fails after DEADLINE_SECONDS."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _draft(user, action, reports, **params) -> BulkJob:
    return bulk_jobs.bulk_job_draft(
        owner=user,
        connection=user.weblink_connections.get(),
        action=action,
        reports=reports,
        **params,
    )


def _finished(job: BulkJob) -> bool:
    job.refresh_from_db()
    return job.state == BulkJob.State.FINISHED


def _patches(simulator) -> Counter:
    return Counter(r.path for r in simulator.requests if r.method == "PATCH")


def test_a_confirmed_bulk_pause_runs_in_the_worker(
    client_connected, user_connected, simulator, start_worker
):
    active = [r for r in simulator.state.reports if r.active][:3]
    from reports_admin.reports.snapshot import snapshot_get

    snapshot = snapshot_get(connection=user_connected.weblink_connections.get())
    reports = [snapshot.report(r.id) for r in active]
    job = _draft(user_connected, BulkJob.Action.PAUSE, reports)
    response = client_connected.post("/c/demo/reports/jobs/confirm/", {"key": job.key})
    assert response.status_code == 302
    start_worker()
    _wait_for(lambda: _finished(job), "the job to finish")
    assert [item.outcome for item in job.items.all()] == ["done"] * 3
    assert all(not simulator.state.report(r.id).active for r in active)
    assert _patches(simulator) == Counter(f"/company/report/{r.id}" for r in active)


def test_a_killed_worker_never_repeats_a_call_and_the_lost_report_is_unknown(
    client_connected, user_connected, simulator, start_worker
):
    active = [r for r in simulator.state.reports if r.active][:3]
    from reports_admin.reports.snapshot import snapshot_get

    snapshot = snapshot_get(connection=user_connected.weblink_connections.get())
    job = _draft(user_connected, BulkJob.Action.PAUSE, [snapshot.report(r.id) for r in active])
    client_connected.post("/c/demo/reports/jobs/confirm/", {"key": job.key})
    # Every call takes a second, so the kill lands while the first PATCH is under way.
    simulator.faults.latency = 1.0
    first = job.items.order_by("pk").first()
    worker = start_worker()
    _wait_for(
        lambda: BulkJobItem.objects.filter(pk=first.pk, started_at__isnull=False).exists(),
        "the first report's call to begin",
    )
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    first.refresh_from_db()
    assert first.outcome == BulkJobItem.Outcome.NOT_STARTED

    simulator.faults.latency = 0.0
    start_worker()
    _wait_for(lambda: _finished(job), "the resumed job to finish")
    outcomes = {item.report_id: item.outcome for item in job.items.all()}
    assert outcomes == {
        active[0].id: BulkJobItem.Outcome.UNKNOWN,
        active[1].id: BulkJobItem.Outcome.DONE,
        active[2].id: BulkJobItem.Outcome.DONE,
    }
    patches = _patches(simulator)
    assert patches[f"/company/report/{active[0].id}"] <= 1
    assert patches[f"/company/report/{active[1].id}"] == 1
    assert patches[f"/company/report/{active[2].id}"] == 1
    page = client_connected.get(f"/c/demo/reports/jobs/{job.pk}/").content.decode()
    assert "Outcome unknown" in page


def test_a_resumed_import_finds_the_report_its_killed_worker_created_and_never_creates_twice(
    client_connected, user_connected, simulator, start_worker
):
    from reports_admin.reports import packs

    names = ["Imported one", "Imported two", "Imported three"]
    pack = report_pack(*names)
    job = packs.import_draft(
        owner=user_connected,
        connection=user_connected.weblink_connections.get(),
        pack=packs.pack_parse(packs.pack_dumps(pack)),
    )
    chosen = list(job.items.values_list("pk", flat=True))
    client_connected.post("/c/demo/reports/import/confirm/", {"key": job.key, "item": chosen})

    def creates() -> list:
        return [r for r in simulator.requests if r.method == "POST" and r.path == "/company/report"]

    # Every call takes a second: the kill lands while the first create is under way, and the
    # simulator still carries it out.
    simulator.faults.latency = 1.0
    worker = start_worker()
    _wait_for(lambda: len(creates()) == 1, "the first create to reach Weblink")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    _wait_for(
        lambda: any(r.name == names[0] for r in simulator.state.reports),
        "Weblink to create the first report",
    )
    first = job.items.order_by("pk").first()
    assert first.outcome == BulkJobItem.Outcome.NOT_STARTED
    assert first.started_at is not None

    simulator.faults.latency = 0.0
    start_worker()
    _wait_for(lambda: _finished(job), "the resumed import to finish")
    items = list(job.items.order_by("pk"))
    assert [item.outcome for item in items] == [BulkJobItem.Outcome.DONE] * 3
    assert items[0].resumed
    assert "Found by its name" in items[0].reason
    stored = Counter(r.name for r in simulator.state.reports)
    assert [stored[name] for name in names] == [1, 1, 1]
    assert len(creates()) == 3
    assert items[0].report_id == next(r.id for r in simulator.state.reports if r.name == names[0])
