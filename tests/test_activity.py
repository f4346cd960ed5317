"""The activity log: one entry per action with its outcome, who may see which entries,
filters and pages, the read-only admin, and that nothing secret is ever stored."""

import pytest
from django.urls import reverse

from reports_admin.activity.selectors import activity_list
from reports_admin.activity.services import activity_record
from reports_admin.connection.models import WeblinkConnection
from reports_admin.connection.selectors import connection_get
from reports_admin.models import Activity
from reports_admin.reports import services
from reports_admin.weblink.metadata import Report
from tests.support.versions import shown_version

pytestmark = pytest.mark.django_db


def entries():
    """(action, report id, report name, outcome) of every entry, oldest first."""
    return list(
        Activity.objects.order_by("id").values_list("action", "report_id", "report_name", "outcome")
    )


CREATE_FORM = {
    "name": "Activity check",
    "description": "",
    "interval": "day",
    "active": "on",
    "report_type": "1",
    "arg-format": "csv",
    "arg-email": "someone@example.com",
    "arg-queue_id": "1104",
    "arg-option": "missedCalls",
}


def test_each_action_writes_one_entry_with_its_outcome(client_connected, user, simulator):
    assert entries() == [("connected", "", "", "accepted")]
    Activity.objects.all().delete()

    client_connected.post(reverse("reports:create", args=["demo"]), CREATE_FORM)
    [created] = [r for r in simulator.state.reports if r.name == "Activity check"]
    edit_url = reverse("reports:edit", args=["demo", created.id])
    client_connected.post(
        edit_url,
        {**CREATE_FORM, "name": "Activity renamed"} | shown_version(client_connected, edit_url),
    )
    key = client_connected.get(reverse("reports:send", args=["demo", created.id])).context["key"]
    client_connected.post(reverse("reports:send", args=["demo", created.id]), {"key": key})
    response = client_connected.post(
        reverse("reports:download", args=["demo", created.id]), {"format": "csv"}
    )
    b"".join(response.streaming_content)
    delete_url = reverse("reports:delete", args=["demo", created.id])
    client_connected.post(delete_url, shown_version(client_connected, delete_url))
    client_connected.post(reverse("connection_disconnect", args=["demo"]))

    assert entries() == [
        ("created", created.id, "Activity check", "accepted"),
        ("changed", created.id, "Activity renamed", "accepted"),
        ("sent", created.id, "Activity renamed", "accepted"),
        ("downloaded", created.id, "Activity renamed", "accepted"),
        ("deleted", created.id, "Activity renamed", "accepted"),
        ("disconnected", "", "", "accepted"),
    ]
    assert set(Activity.objects.values_list("user", "username")) == {(user.pk, "anna")}


def test_failures_are_written_with_the_message_shown(client_connected, simulator):
    Activity.objects.all().delete()
    report = simulator.state.reports[0]
    delete_url = reverse("reports:delete", args=["demo", report.id])
    version = shown_version(client_connected, delete_url)
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = "/company/report/"
    message = "Weblink is not available right now (status 500). Try again in a moment."

    client_connected.post(delete_url, version)
    key = client_connected.get(reverse("reports:send", args=["demo", report.id])).context["key"]
    client_connected.post(reverse("reports:send", args=["demo", report.id]), {"key": key})
    client_connected.post(reverse("reports:download", args=["demo", report.id]), {"format": "pdf"})

    assert entries() == [
        ("deleted", report.id, report.name, message),
        ("sent", report.id, report.name, message),
        ("downloaded", report.id, report.name, message),
    ]


def test_a_send_held_back_by_the_cooloff_is_written_and_a_reused_key_is_not(
    client_connected, simulator
):
    report = simulator.state.reports[0]
    keys = [
        client_connected.get(reverse("reports:send", args=["demo", report.id])).context["key"]
        for _ in range(2)
    ]
    for key in [keys[0], keys[0], keys[1]]:
        client_connected.post(reverse("reports:send", args=["demo", report.id]), {"key": key})
    sent = Activity.objects.filter(action="sent").order_by("id")
    assert [entry.accepted for entry in sent] == [True, False]
    assert "was already sent a moment ago" in sent[1].outcome


def test_a_failed_sign_in_is_written_without_the_password(client_signed_in, weblink_url):
    client_signed_in.post(
        reverse("connection_sign_in"),
        {
            "signin-company": "demo",
            "signin-username": "admin",
            "signin-password": "wrong-password-xyz",
            "signin-tfa": "",
        },
    )
    assert entries() == [
        ("connected", "", "", "Weblink did not accept the company, user name or password.")
    ]


def test_services_write_the_entries_not_the_views(user_connected, simulator):
    stored = simulator.state.reports[3]
    report = Report(
        id=stored.id,
        name=stored.name,
        description="",
        interval=stored.interval,
        active=True,
        email_link_only=False,
        report_type_id=stored.report_type_id,
        added=None,
    )
    services.report_delete(
        connection=connection_get(user=user_connected, company="demo"), report=report
    )
    assert entries()[-1] == ("deleted", stored.id, stored.name, "accepted")


def test_nothing_secret_is_stored(client_connected, user, simulator):
    connection = connection_get(user=user, company="demo")
    secrets = [connection.access_token, connection.refresh_token, "wrong-password-xyz"]
    report = simulator.state.reports[0]
    values = [value for _, value in report.pairs()]
    key = client_connected.get(reverse("reports:send", args=["demo", report.id])).context["key"]
    client_connected.post(reverse("reports:send", args=["demo", report.id]), {"key": key})
    response = client_connected.post(
        reverse("reports:download", args=["demo", report.id]), {"format": "csv"}
    )
    contents = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[1]
    b"".join(client_connected.post(reverse("reports:run_download", args=["demo"]), CREATE_FORM))
    client_connected.post(
        reverse("connection_sign_in"),
        {
            "signin-company": "demo",
            "signin-username": "admin",
            "signin-password": "wrong-password-xyz",
            "signin-tfa": "",
        },
    )
    stored = " ".join(
        str(value) for row in Activity.objects.values_list() for value in row if value
    )
    assert Activity.objects.count() >= 5
    for secret in [*secrets, key, contents, *values, "someone@example.com"]:
        assert secret and secret not in stored, secret


@pytest.fixture
def people(django_user_model):
    """Two people with entries of their own, and a staff member with none."""
    anna = django_user_model.objects.create_user("anna", password="anna-password-123")
    bo = django_user_model.objects.create_user("bo", password="bo-password-123")
    staff = django_user_model.objects.create_user(
        "sara", password="sara-password-123", is_staff=True
    )
    for person in (anna, bo):
        connection = WeblinkConnection(user=person, company="demo")
        connection.set_tokens(access_token=f"{person.username}-token")
        connection.save()
    entries = [(anna, "sent", "1", "A"), (anna, "deleted", "2", "B"), (bo, "sent", "3", "C")]
    for person, action, report_id, name in entries:
        activity_record(
            user=person, company="demo", action=action, report_id=report_id, report_name=name
        )
    return anna, bo, staff


def test_people_see_their_own_entries_and_staff_see_everyones(people):
    anna, bo, staff = people
    assert [e.report_name for e in activity_list(user=anna)] == ["B", "A"]
    assert [e.report_name for e in activity_list(user=bo)] == ["C"]
    assert [e.report_name for e in activity_list(user=staff)] == ["C", "B", "A"]


def test_the_page_filters_by_action_and_by_person_for_staff(client, people):
    anna, bo, staff = people

    def shown(who, **params):
        client.force_login(who)
        response = client.get(reverse("activity"), params)
        assert response.status_code == 200
        return [entry.report_name for entry in response.context["page"]]

    assert shown(anna) == ["B", "A"]
    assert shown(anna, action="sent") == ["A"]
    # Only staff filter by person: for others the filter does not widen what they see.
    assert shown(anna, person="bo") == ["B", "A"]
    assert shown(staff) == ["C", "B", "A"]
    assert shown(staff, person="bo") == ["C"]
    assert shown(staff, action="sent", person="anna") == ["A"]
    assert shown(staff, action="not-an-action") == ["C", "B", "A"]
    client.force_login(staff)
    assert client.get(reverse("activity")).context["people"] == ["anna", "bo"]


def test_the_page_is_paged_by_fifty(client, people):
    anna, _, _ = people
    for number in range(51):
        activity_record(user=anna, action=Activity.Action.CHANGED, report_name=f"n{number}")
    client.force_login(anna)
    first = client.get(reverse("activity"), {"action": "changed"})
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].object_list[0].report_name == "n50"
    assert "?action=changed&amp;page=2" in first.content.decode()
    second = client.get(reverse("activity"), {"action": "changed", "page": 2})
    assert [e.report_name for e in second.context["page"].object_list] == ["n0"]


def test_an_entry_keeps_who_when_the_account_is_deleted(people):
    anna, _, staff = people
    anna.delete()
    names = {(e.user_id, e.username) for e in activity_list(user=staff)}
    assert (None, "anna") in names


def test_the_admin_shows_entries_read_only(client, people, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="root-password-123")
    client.force_login(admin)
    entry = Activity.objects.first()
    assert client.get(reverse("admin:reports_admin_activity_changelist")).status_code == 200
    page = client.get(reverse("admin:reports_admin_activity_change", args=[entry.pk]))
    assert page.status_code == 200
    assert entry.username in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:reports_admin_activity_add")).status_code == 403
    response = client.post(
        reverse("admin:reports_admin_activity_change", args=[entry.pk]), {"outcome": "changed"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.outcome == Activity.ACCEPTED


def test_the_page_leads_with_the_outcome_and_links_to_the_report(client, people):
    anna, _, _ = people
    activity_record(
        user=anna,
        company="demo",
        action=Activity.Action.SENT,
        report_id="4",
        report_name="D",
        outcome="Not sent: Weblink is not available right now (status 500).",
    )
    client.force_login(anna)
    page = client.get(reverse("activity")).content.decode()
    row = page[page.index("Failed: send") :]
    assert row.index("Failed: send") < row.index("Not sent: Weblink") < row.index(">D</a>")
    assert f'<a href="{reverse("reports:detail", args=["demo", "4"])}">D</a>' in page
    assert "Done: send" in page
    # A deleted report has no page to link to.
    assert f'href="{reverse("reports:detail", args=["demo", "2"])}"' not in page


def test_dates_have_one_format_on_every_page(client, people, settings):
    from django.utils import formats, timezone

    anna, _, _ = people
    client.force_login(anna)
    entry = Activity.objects.filter(user=anna).first()
    page = client.get(reverse("activity")).content.decode()
    expected = formats.date_format(timezone.localtime(entry.at), "DATETIME_FORMAT")
    assert expected in page


def test_the_dashboards_own_messages_are_shown_in_the_readers_language(
    client_connected, user, simulator, swedish_catalogue
):
    from django.utils import translation

    from reports_admin.connection.models import WeblinkConnection
    from reports_admin.weblink import NotConnected

    stored = simulator.state.reports[3]
    report = Report(
        id=stored.id,
        name=stored.name,
        description="",
        interval=stored.interval,
        active=True,
        email_link_only=False,
        report_type_id=stored.report_type_id,
        added=None,
    )
    connection = connection_get(user=user, company="demo")
    connection.state = WeblinkConnection.State.EXPIRED
    connection.save()
    with translation.override("en"), pytest.raises(NotConnected):
        services.report_delete(connection=connection, report=report)
    # Weblink's own words are kept as Weblink sent them.
    activity_record(
        user=user, action=Activity.Action.SENT, report_id="9", outcome="Mottagaren saknas."
    )
    entry = Activity.objects.get(action="deleted")
    assert entry.outcome == "Connect to Weblink first: there is no usable connection."

    page = client_connected.get(reverse("activity"), headers={"accept-language": "sv"})
    html = page.content.decode()
    assert "Anslut till Weblink först: det finns ingen fungerande anslutning." in html
    assert "Connect to Weblink first" not in html
    assert "Mottagaren saknas." in html
    english = client_connected.get(reverse("activity"), headers={"accept-language": "en"})
    assert "Connect to Weblink first: there is no usable connection." in english.content.decode()
