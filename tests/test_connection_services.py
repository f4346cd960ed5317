"""The connection services and selectors against the simulator over real HTTP and the test
database: sign-in, a pasted token, test, disconnect, expiry on a 401, and the per-request
connection read once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from reports_admin.activity.models import Activity
from reports_admin.connection.calls import weblink_call
from reports_admin.connection.models import WeblinkConnection
from reports_admin.connection.selectors import CurrentConnection, connection_get
from reports_admin.connection.services import (
    connection_disconnect,
    connection_save_token,
    connection_sign_in,
    connection_test,
)
from reports_admin.weblink import NotConnected, TokenRejected

pytestmark = pytest.mark.django_db

DEMO = {"company": "demo", "username": "admin", "password": "demo"}


def stored_row(user):
    """The row as the database holds it: ciphertext columns, nothing decrypted."""
    return WeblinkConnection.objects.filter(user=user).values().get()


def test_sign_in_stores_the_tokens_encrypted_and_records_it(user, simulator, weblink_url):
    connection = connection_sign_in(user=user, **DEMO)

    row = stored_row(user)
    token = connection_get(user=user, company="demo").access_token
    assert simulator.tokens.user_for(token) == "admin"  # a token Weblink handed out
    assert row["access_token_ciphertext"].startswith("v2:")
    assert token not in row["access_token_ciphertext"]
    assert row["refresh_token_ciphertext"].startswith("v2:")
    assert connection.refresh_token not in row["refresh_token_ciphertext"]
    assert row["company"] == "demo"
    assert row["username"] == "admin"
    assert row["state"] == WeblinkConnection.State.CONNECTED
    assert row["verified_at"] is not None
    assert row["expires_at"] > timezone.now()
    assert row["fingerprint"] == connection.fingerprint != ""

    entry = Activity.objects.get(user=user)
    assert entry.action == Activity.Action.CONNECTED
    assert entry.accepted
    assert entry.username == "anna"


def test_a_wrong_password_is_rejected_and_stores_nothing(user, simulator, weblink_url):
    with pytest.raises(TokenRejected):
        connection_sign_in(user=user, company="demo", username="admin", password="wrong")  # noqa: S106

    assert not WeblinkConnection.objects.filter(user=user).exists()
    entry = Activity.objects.get(user=user)
    assert entry.action == Activity.Action.CONNECTED
    assert not entry.accepted
    assert "wrong" not in entry.outcome


def test_signing_in_again_replaces_the_tokens_in_the_same_row(user_connected, simulator):
    first = connection_get(user=user_connected, company="demo")
    connection_sign_in(user=user_connected, **DEMO)
    second = connection_get(user=user_connected, company="demo")
    assert WeblinkConnection.objects.filter(user=user_connected).count() == 1
    assert second.pk == first.pk
    assert second.access_token != first.access_token
    assert second.fingerprint != first.fingerprint


def test_a_pasted_token_is_verified_before_it_is_stored(user, simulator, weblink_url):
    with pytest.raises(TokenRejected):
        connection_save_token(user=user, company="demo", token="not-a-weblink-token")
    assert not WeblinkConnection.objects.filter(user=user).exists()
    assert [(r.method, r.path) for r in simulator.requests] == [("GET", "/company/report/type")]

    token = simulator.issue_token()
    simulator.log.clear()
    connection = connection_save_token(user=user, company="demo", token=token)

    assert [(r.method, r.path) for r in simulator.requests] == [("GET", "/company/report/type")]
    stored = connection_get(user=user, company="demo")
    assert stored.pk == connection.pk
    assert stored.access_token == token
    assert token not in stored_row(user)["access_token_ciphertext"]
    assert stored.refresh_token is None
    assert stored.username == ""
    assert stored.verified_at is not None
    outcomes = list(
        Activity.objects.filter(user=user, action=Activity.Action.CONNECTED)
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes[1] == Activity.ACCEPTED
    assert outcomes[0] != Activity.ACCEPTED


def test_connection_test_updates_verified_at(user_connected, simulator):
    long_ago = timezone.now() - timedelta(days=30)
    WeblinkConnection.objects.filter(user=user_connected).update(verified_at=long_ago)
    connection = connection_get(user=user_connected, company="demo")
    simulator.log.clear()

    before = timezone.now()
    connection_test(connection=connection)

    assert connection_get(user=user_connected, company="demo").verified_at >= before
    assert [(r.method, r.path) for r in simulator.requests] == [("GET", "/company/report/type")]


def test_connection_test_without_a_connection_is_not_connected(simulator, weblink_url):
    with pytest.raises(NotConnected):
        connection_test(connection=None)
    assert simulator.requests == []


def test_disconnect_removes_the_row(user_connected, simulator):
    connection_disconnect(user=user_connected, company="demo")
    assert not WeblinkConnection.objects.filter(user=user_connected).exists()
    assert connection_get(user=user_connected, company="demo") is None
    assert Activity.objects.filter(
        user=user_connected, action=Activity.Action.DISCONNECTED, outcome=Activity.ACCEPTED
    ).exists()


def test_a_401_without_a_refresh_token_marks_the_connection_expired(user, simulator, weblink_url):
    token = simulator.issue_token()
    connection_save_token(user=user, company="demo", token=token)
    connection = connection_get(user=user, company="demo")
    simulator.tokens.expire(token)
    simulator.log.clear()

    with pytest.raises(TokenRejected):
        weblink_call(connection=connection, operation=lambda client: client.report_types())

    assert connection_get(user=user, company="demo").state == WeblinkConnection.State.EXPIRED
    assert connection_get(user=user, company="demo").needs_reconnecting
    # No refresh was tried: there was nothing to refresh with.
    assert [r.path for r in simulator.requests] == ["/company/report/type"]

    # From then on nothing is sent until the person connects again.
    simulator.log.clear()
    with pytest.raises(NotConnected):
        weblink_call(
            connection=connection_get(user=user, company="demo"),
            operation=lambda c: c.report_types(),
        )
    assert simulator.requests == []


def test_a_401_with_a_refresh_token_refreshes_once_and_carries_on(user_connected, simulator):
    connection = connection_get(user=user_connected, company="demo")
    old_token = connection.access_token
    simulator.tokens.expire(old_token)
    simulator.log.clear()

    types = weblink_call(connection=connection, operation=lambda client: client.report_types())

    assert [t.id for t in types][:1] == ["1"]
    assert [r.path for r in simulator.requests] == [
        "/company/report/type",
        "/oauth2/user-credentials",
        "/company/report/type",
    ]
    stored = connection_get(user=user_connected, company="demo")
    assert stored.state == WeblinkConnection.State.CONNECTED
    assert stored.access_token != old_token
    assert simulator.tokens.user_for(stored.access_token) == "admin"


def test_a_401_that_a_refresh_does_not_cure_marks_the_connection_expired(user_connected, simulator):
    simulator.faults.tokens_expired = True
    with pytest.raises(TokenRejected):
        weblink_call(
            connection=connection_get(user=user_connected, company="demo"),
            operation=lambda client: client.report_types(),
        )
    assert (
        connection_get(user=user_connected, company="demo").state == WeblinkConnection.State.EXPIRED
    )


def test_current_connection_reads_the_database_once(user_connected, django_assert_num_queries):
    current = CurrentConnection(user_connected, "demo")
    with django_assert_num_queries(1):
        first = current.get()
        second = current.get()
        third = current.get()
    assert first is second is third
    assert first.company == "demo"
    # Its user is the person's own object: reading it costs nothing more.
    with django_assert_num_queries(0):
        assert first.user is user_connected


def test_current_connection_of_a_person_without_one_is_read_once(user, django_assert_num_queries):
    current = CurrentConnection(user)
    with django_assert_num_queries(1):
        assert current.all() == []
        assert current.all() == []
        assert current.get() is None


def test_current_connection_of_an_anonymous_person_is_none_without_a_query(
    django_assert_num_queries,
):
    current = CurrentConnection(AnonymousUser())
    with django_assert_num_queries(0):
        assert current.get() is None
        assert current.get() is None
