"""Edits that never undo anyone else's change, and an undo for our own, against the simulator:
a rename made on Weblink while the form is open survives the save (and "save anyway"), a
changed report is not deleted without a second look, and activity entries restore an edit
and a delete."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports_admin.models import Activity
from tests.support.versions import shown_version

pytestmark = pytest.mark.django_db


def edit_data(report, **changes):
    """The edit form of ``report`` as shown, with ``changes``."""
    data = {
        "name": report.name,
        "description": report.description or "",
        "interval": report.interval,
        "arg-format": report.values("format")[0],
        "arg-queue_id": report.values("queue_id")[0],
        "arg-option": report.values("option")[0],
        "arg-email": "\n".join(report.values("email")),
    }
    if report.active:
        data["active"] = "on"
    if report.values("only_when_data"):
        data["arg-only_when_data"] = "on"
    data.update(changes)
    return data


def test_a_rename_elsewhere_survives_a_recipient_change(client_connected, simulator):
    report = simulator.state.reports[1]
    url = reverse("reports:edit", args=["demo", report.id])
    shown = shown_version(client_connected, url)
    simulator.state.update_report(report.id, {"name": "Renamed in the portal"})
    data = edit_data(report, **{"arg-email": "someone.else@example.com"}) | shown

    response = client_connected.post(url, data)
    # Nothing written: the form comes back with what was typed and what changed elsewhere.
    assert response.status_code == 409
    assert simulator.state.report(report.id).values("email") == report.values("email")
    page = response.content.decode()
    assert "someone.else@example.com" in page
    assert f"Name is now “Renamed in the portal”; this page showed “{report.name}”." in page
    assert "Save my changes anyway" in page

    # Save anyway: the person's recipient change lands, the rename they did not touch stays.
    conflict = response.context["version"]
    simulator.log.clear()
    response = client_connected.post(
        url, data | {"fingerprint": conflict.fingerprint, "save_anyway": "1"}
    )
    assert response.status_code == 302
    saved = simulator.state.report(report.id)
    assert saved.name == "Renamed in the portal"
    assert saved.values("email") == ["someone.else@example.com"]
    writes = [(r.method, r.path) for r in simulator.requests if r.method != "GET"]
    assert len(writes) == 1
    assert writes[0][1].startswith(f"/company/report/{report.id}/argument/")


def test_the_same_field_changed_on_both_sides_takes_the_persons_value(client_connected, simulator):
    report = simulator.state.reports[1]
    url = reverse("reports:edit", args=["demo", report.id])
    shown = shown_version(client_connected, url)
    simulator.state.update_report(report.id, {"name": "Theirs"})
    data = edit_data(report, name="Mine") | shown
    response = client_connected.post(url, data)
    assert response.status_code == 409
    assert "You changed it too: your “Mine” wins." in response.content.decode()
    fingerprint = response.context["version"].fingerprint
    response = client_connected.post(url, data | {"fingerprint": fingerprint})
    assert response.status_code == 302
    assert simulator.state.report(report.id).name == "Mine"


def test_an_argument_the_person_changed_but_someone_deleted_is_added_again(
    client_connected, simulator
):
    report = simulator.state.reports[0]
    first, second = report.values("email")
    url = reverse("reports:edit", args=["demo", report.id])
    shown = shown_version(client_connected, url)
    [row] = [a for a in report.arguments if a.value == second]
    simulator.state.delete_argument(report.id, row.id)
    data = edit_data(report, **{"arg-email": f"{first}\nchanged@example.com"}) | shown
    conflict = client_connected.post(url, data)
    assert conflict.status_code == 409
    fingerprint = conflict.context["version"].fingerprint
    response = client_connected.post(url, data | {"fingerprint": fingerprint})
    assert response.status_code == 302
    assert simulator.state.report(report.id).values("email") == [first, "changed@example.com"]


def test_a_report_deleted_while_the_form_was_open_can_be_created_again(client_connected, simulator):
    report = simulator.state.reports[1]
    url = reverse("reports:edit", args=["demo", report.id])
    data = edit_data(report, name="Back again") | shown_version(client_connected, url)
    simulator.state.delete_report(report.id)
    response = client_connected.post(url, data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "was deleted on Weblink after the form was shown" in page
    assert 'value="Back again"' in page
    response = client_connected.post(
        reverse("reports:create", args=["demo"]), data | {"report_type": "1"}
    )
    assert response.status_code == 302
    [created] = [r for r in simulator.state.reports if r.name == "Back again"]
    assert created.values("email") == report.values("email")


def test_saving_nothing_changed_makes_no_write(client_connected, simulator):
    report = simulator.state.reports[1]
    url = reverse("reports:edit", args=["demo", report.id])
    data = edit_data(report) | shown_version(client_connected, url)
    simulator.log.clear()
    assert client_connected.post(url, data).status_code == 302
    assert [r.method for r in simulator.requests] == ["GET"]


def test_a_report_changed_since_the_confirmation_is_not_deleted(client_connected, simulator):
    report = simulator.state.reports[2]
    url = reverse("reports:delete", args=["demo", report.id])
    shown = shown_version(client_connected, url)
    simulator.state.update_report(report.id, {"name": "Changed meanwhile"})
    response = client_connected.post(url, shown)
    assert response.status_code == 409
    assert "Name is now “Changed meanwhile”" in response.content.decode()
    assert simulator.state.report(report.id) is not None
    # The second look: confirming the page as it is now deletes it.
    response = client_connected.post(
        url, shown | {"fingerprint": response.context["version"].fingerprint}
    )
    assert response.status_code == 302
    assert simulator.state.report(report.id) is None


def test_restore_an_edit_keeps_what_changed_since(client_connected, simulator):
    report = simulator.state.reports[1]
    url = reverse("reports:edit", args=["demo", report.id])
    data = edit_data(report, name="Edited", **{"arg-format": "pdf"})
    client_connected.post(url, data | shown_version(client_connected, url))
    entry = Activity.objects.get(action="changed", report_id=report.id)
    assert entry.before["name"] == report.name
    assert entry.after["name"] == "Edited"
    simulator.state.update_report(report.id, {"interval": "month"})

    restore_url = reverse("activity_restore", args=["demo", entry.id])
    page = client_connected.get(restore_url)
    assert "Interval is now “month”" in page.content.decode()
    response = client_connected.post(
        restore_url, {"fingerprint": page.context["version"].fingerprint}
    )
    assert response.status_code == 302
    restored = simulator.state.report(report.id)
    assert restored.name == report.name
    assert restored.values("format") == report.values("format")
    assert restored.interval == "month"
    assert Activity.objects.filter(action="restored", report_id=report.id).exists()


def test_restore_a_delete_creates_the_report_again_with_a_new_id(client_connected, simulator):
    report = simulator.state.reports[2]
    url = reverse("reports:delete", args=["demo", report.id])
    client_connected.post(url, shown_version(client_connected, url))
    entry = Activity.objects.get(action="deleted", report_id=report.id)
    restore_url = reverse("activity_restore", args=["demo", entry.id])
    assert "no longer exists on Weblink" in client_connected.get(restore_url).content.decode()
    response = client_connected.post(restore_url)
    assert response.status_code == 302
    [again] = [r for r in simulator.state.reports if r.name == report.name]
    assert again.id != report.id
    assert sorted(again.values("email")) == sorted(report.values("email"))
    assert response.url == reverse("reports:detail", args=["demo", again.id])
    page = client_connected.get(response.url).content.decode()
    assert f"Weblink gave it a new id: #{again.id} (it was #{report.id})." in page
    assert Activity.objects.filter(action="restored", report_id=again.id).exists()


def test_prune_activity_drops_entries_past_the_retention(db, user, settings):
    settings.ACTIVITY_RETENTION_DAYS = 30
    old = Activity.objects.create(user=user, username="anna", action="deleted", outcome="accepted")
    Activity.objects.filter(id=old.id).update(at=timezone.now() - timezone.timedelta(days=31))
    kept = Activity.objects.create(user=user, username="anna", action="deleted", outcome="accepted")
    call_command("prune_activity")
    assert list(Activity.objects.values_list("id", flat=True)) == [kept.id]
