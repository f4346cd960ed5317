"""`manage.py export_reports` and `import_reports`, against the simulator."""

import json

import pytest
from django.core.management import CommandError, call_command

from reports_admin.activity.models import Activity
from reports_admin.reports.models import BulkJob

pytestmark = pytest.mark.django_db


def _export(tmp_path, user="anna", company="demo"):
    path = tmp_path / "pack.json"
    call_command("export_reports", "--user", user, "--company", company, "-o", str(path))
    return path


def _creates(sim) -> int:
    return len([r for r in sim.requests if r.method == "POST" and r.path == "/company/report"])


def test_export_writes_every_report(user_connected, simulator, tmp_path, capsys):
    pack = json.loads(_export(tmp_path).read_text())
    assert pack["format"] == "weblink-report-pack"
    assert len(pack["reports"]) == len(simulator.state.reports)
    call_command("export_reports", "--user", "anna", "--company", "demo")
    printed = json.loads(capsys.readouterr().out)
    assert printed["reports"] == pack["reports"]


def test_the_connection_is_named_by_user_and_company(user_connected, django_user_model, tmp_path):
    with pytest.raises(CommandError, match="No dashboard user is named 'nobody'"):
        _export(tmp_path, user="nobody")
    with pytest.raises(
        CommandError, match=r"anna has no Weblink connection to 'other' \(connected: demo\)"
    ):
        _export(tmp_path, company="other")
    django_user_model.objects.create_user("bo")
    with pytest.raises(
        CommandError, match=r"bo has no Weblink connection to 'demo' \(connected: none\)"
    ):
        _export(tmp_path, user="bo")


def test_dry_run_writes_nothing_and_leaves_no_job(user_connected, simulator, tmp_path, capsys):
    path = _export(tmp_path)
    gone = simulator.state.reports[0]
    simulator.state.delete_report(gone.id)
    capsys.readouterr()
    call_command("import_reports", "--user", "anna", "--company", "demo", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert f"{gone.name}: Create." in out
    assert out.count("Skip: identical") == len(simulator.state.reports)
    assert _creates(simulator) == 0
    assert BulkJob.objects.count() == 0


def test_import_creates_what_is_missing_paused_or_active(
    user_connected, simulator, tmp_path, capsys
):
    path = _export(tmp_path)
    gone = simulator.state.reports[:2]
    for report in gone:
        simulator.state.delete_report(report.id)
    call_command("import_reports", "--user", "anna", "--company", "demo", str(path), "--active")
    out = capsys.readouterr().out
    assert out.count("Done. Created.") == 2
    for report in gone:
        (back,) = [r for r in simulator.state.reports if r.name == report.name]
        assert back.active is True
    assert _creates(simulator) == 2
    assert Activity.objects.filter(action=Activity.Action.CREATED).count() == 2


def test_a_bad_file_is_a_command_error(user_connected, simulator, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "weblink-report-pack", "version": 9}')
    with pytest.raises(CommandError, match="version 9, made by a newer dashboard"):
        call_command("import_reports", "--user", "anna", "--company", "demo", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_reports", "--user", "anna", "--company", "demo", "/no/such.json")
    assert _creates(simulator) == 0
