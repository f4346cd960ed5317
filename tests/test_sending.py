"""Send now against the simulator over HTTP: one upstream call per intended send, whatever
the clicks, the concurrency, the cool-off or the failures."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse

from reports_admin.connection.services import connection_save_token
from reports_admin.models import Activity

pytestmark = pytest.mark.django_db


def send_calls(simulator, report_id):
    return [r for r in simulator.requests if r.path == f"/company/report/{report_id}/send"]


def confirmation_key(client, report_id):
    """Opens the confirmation page, as a person would, and returns its one-time key."""
    response = client.get(reverse("reports:send", args=["demo", report_id]))
    assert response.status_code == 200
    return response.context["key"]


def post_send(client, report_id, key):
    return client.post(reverse("reports:send", args=["demo", report_id]), {"key": key})


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def report(simulator):
    """A seeded report with two recipients."""
    report = simulator.state.reports[0]
    assert len(report.values("email")) == 2
    return report


def test_confirmation_names_the_report_and_its_recipients_and_sends_nothing(
    client_connected, simulator, report
):
    response = client_connected.get(reverse("reports:send", args=["demo", report.id]))
    page = response.content.decode()
    assert report.name in page
    for address in report.values("email"):
        assert address in page
    assert 'name="key"' in page
    assert "data-once" in page  # the button disables itself once pressed
    assert send_calls(simulator, report.id) == []
    assert simulator.state.sent == []


def test_one_confirmation_sends_exactly_once(client_connected, simulator, report):
    key = confirmation_key(client_connected, report.id)
    response = post_send(client_connected, report.id, key)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=["demo", report.id])
    assert shown(response) == [f"Sent to {', '.join(report.values('email'))}."]
    assert len(send_calls(simulator, report.id)) == 1
    [sent] = simulator.state.sent
    assert sent.report_id == report.id
    assert list(sent.recipients) == report.values("email")


def test_the_same_confirmation_posted_again_sends_nothing(client_connected, simulator, report):
    key = confirmation_key(client_connected, report.id)
    post_send(client_connected, report.id, key)
    response = post_send(client_connected, report.id, key)
    assert shown(response)[-1] == (
        f"This confirmation was used already, so “{report.name}” was not sent again."
    )
    assert len(send_calls(simulator, report.id)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_one_confirmation_send_once(
    user_connected, simulator, report, settings
):
    # No cool-off: the one-time key alone must hold back the second request.
    settings.SEND_COOLOFF_SECONDS = 0
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user_connected)
    key = confirmation_key(clients[0], report.id)
    # Every answer is slowed down so both requests are in flight at the same time.
    simulator.faults.latency = 0.2
    start = threading.Barrier(len(clients))
    statuses = []

    def press(client):
        start.wait()
        try:
            statuses.append(post_send(client, report.id, key).status_code)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert len(send_calls(simulator, report.id)) == 1
    assert len(simulator.state.sent) == 1


def test_a_new_confirmation_within_the_cooloff_sends_nothing(client_connected, simulator, report):
    post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    response = post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    [message] = shown(response)
    assert "was already sent a moment ago" in message
    assert "Wait 30 seconds" in message or "Wait 29 seconds" in message
    assert len(send_calls(simulator, report.id)) == 1


def test_the_cooloff_is_per_connection_not_per_typed_company(
    client_connected, simulator, report, django_user_model
):
    # Someone who pastes a token and types "demo" as the company must not block demo's sends.
    stranger = django_user_model.objects.create_user("eve", password="eve-password-123")
    connection_save_token(user=stranger, company="demo", token=simulator.issue_token("eve"))
    other = Client()
    other.force_login(stranger)
    post_send(other, report.id, confirmation_key(other, report.id))
    response = post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    assert "was already sent a moment ago" not in " ".join(shown(response))
    assert len(send_calls(simulator, report.id)) == 2


def test_the_cooloff_is_per_report(client_connected, simulator, report):
    other_report = simulator.state.reports[1]
    post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    post_send(
        client_connected, other_report.id, confirmation_key(client_connected, other_report.id)
    )
    assert [s.report_id for s in simulator.state.sent] == [report.id, other_report.id]


def test_the_cooloff_length_is_a_setting(client_connected, simulator, report, settings):
    settings.SEND_COOLOFF_SECONDS = 0
    for _ in range(2):
        post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    assert len(send_calls(simulator, report.id)) == 2


def test_a_key_the_dashboard_did_not_make_sends_nothing(client_connected, simulator, report):
    response = post_send(client_connected, report.id, "../../not-a-key")
    assert shown(response) == ["This confirmation is not valid, so nothing was sent. Try again."]
    assert send_calls(simulator, report.id) == []


def test_upstream_500_says_so_is_not_retried_and_does_not_hold_back_a_retry(
    client_connected, simulator, report
):
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = f"/company/report/{report.id}/send"
    response = post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    assert shown(response) == [
        "Not sent: Weblink is not available right now (status 500). Try again in a moment."
    ]
    assert len(send_calls(simulator, report.id)) == 1
    assert simulator.state.sent == []

    # Weblink answered: nothing was sent, so the person may try again at once.
    simulator.faults.clear()
    response = post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    assert shown(response)[0].startswith("Sent to ")
    assert len(send_calls(simulator, report.id)) == 2


@pytest.fixture
def hanging_send(simulator):
    """The simulator's send waits until the test lets it go, as a slow Weblink would; it is
    let go, and waited for, before the test ends."""
    release, finished = threading.Event(), threading.Event()
    send_report = simulator.state.send_report

    def slow_send_report(report_id):
        release.wait(timeout=10)
        try:
            return send_report(report_id)
        finally:
            finished.set()

    simulator.state.send_report = slow_send_report
    yield
    release.set()
    assert finished.wait(timeout=10)
    del simulator.state.send_report


def test_timeout_says_the_outcome_is_unknown_and_keeps_the_cooloff(
    client_connected, simulator, report, settings, hanging_send
):
    settings.WEBLINK_READ_TIMEOUT = 0.3
    response = post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    assert shown(response) == [
        "Weblink did not answer in time, so the outcome is unknown; check the recipients' "
        "inbox before trying again."
    ]
    assert len(send_calls(simulator, report.id)) == 1

    # It may have gone out: an immediate repeat is held back rather than risking a second mail.
    response = post_send(client_connected, report.id, confirmation_key(client_connected, report.id))
    assert "was already sent a moment ago" in shown(response)[0]
    assert len(send_calls(simulator, report.id)) == 1
    outcomes = list(Activity.objects.values_list("action", "outcome").order_by("id"))
    assert outcomes[-2][1].startswith("Weblink did not answer in time")


def test_not_connected_sends_nothing(client_signed_in, simulator, weblink_url):
    response = client_signed_in.post(
        reverse("reports:send", args=["demo", 2583]), {"key": "x" * 32}
    )
    # No connection to the URL's company: there is no such page for this person.
    assert response.status_code == 404
    assert simulator.requests == []


def test_send_needs_a_post(client_connected, simulator, report):
    client_connected.get(reverse("reports:send", args=["demo", report.id]))
    response = client_connected.put(reverse("reports:send", args=["demo", report.id]))
    assert response.status_code == 405
    assert send_calls(simulator, report.id) == []
