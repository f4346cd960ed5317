"""The metadata cache against the simulator over real HTTP: a read served from the cache, the
last good copy during an outage, a refresh, pick-lists that cannot be fetched, a new token,
and no connection at all."""

import pytest

from reports_admin.connection.selectors import connection_get
from reports_admin.connection.services import connection_sign_in
from reports_admin.reports.metadata_cache import (
    Cached,
    argument_fields_get,
    metadata_refresh,
    options_get,
    report_types_get,
)
from reports_admin.weblink import NotConnected, TokenRejected, UpstreamUnavailable
from reports_admin.weblink.metadata import FieldKind

pytestmark = pytest.mark.django_db

TYPES_PATH = "/company/report/type"
FIELDS_PATH = "/company/report/argument/fields"
QUEUES_PATH = "/company/queue"


@pytest.fixture
def connection(user_connected):
    found = connection_get(user=user_connected, company="demo")
    assert found is not None
    return found


def calls_to(simulator, path):
    return sum(1 for r in simulator.requests if r.path == path)


def test_a_second_read_is_served_from_the_cache(connection, simulator):
    first = report_types_get(connection=connection)
    second = report_types_get(connection=connection)

    assert [t.id for t in first.value] == ["1", "2", "3", "4", "5", "6", "7"]
    assert second.value == first.value
    assert first.stale is False and second.stale is False
    assert calls_to(simulator, TYPES_PATH) == 1

    argument_fields_get(connection=connection)
    fields = argument_fields_get(connection=connection)
    assert [f.key for f in fields.value.for_type("4")][-2:] == ["user_id", "include_internal"]
    assert calls_to(simulator, FIELDS_PATH) == 1

    options_get(connection=connection, kind=FieldKind.PBX_QUEUE)
    queues = options_get(connection=connection, kind=FieldKind.PBX_QUEUE)
    assert queues.value[0].id == "1101"
    assert calls_to(simulator, QUEUES_PATH) == 1


def test_a_failure_after_a_good_read_gives_the_last_good_copy_as_stale(connection, simulator):
    good = report_types_get(connection=connection)
    metadata_refresh(connection=connection)  # the fresh copy is gone, the last good stays
    simulator.faults.status = 500
    simulator.log.clear()

    during_outage = report_types_get(connection=connection)

    assert during_outage == Cached(good.value, stale=True)
    assert calls_to(simulator, TYPES_PATH) == 1  # it did ask Weblink first

    # Once Weblink is back the copy is fresh again.
    simulator.faults.clear()
    assert report_types_get(connection=connection) == Cached(good.value, stale=False)


def test_a_fresh_copy_that_expired_falls_back_to_the_last_good_one(connection, simulator, settings):
    # A fresh copy that expires at once: every read asks Weblink.
    settings.WEBLINK_METADATA_CACHE_SECONDS = 0
    good = argument_fields_get(connection=connection)
    simulator.faults.status = 500
    assert argument_fields_get(connection=connection) == Cached(good.value, stale=True)
    assert calls_to(simulator, FIELDS_PATH) == 2


def test_a_failure_with_nothing_cached_raises(connection, simulator):
    simulator.faults.status = 500
    with pytest.raises(UpstreamUnavailable) as failure:
        report_types_get(connection=connection)
    assert failure.value.status == 500
    with pytest.raises(UpstreamUnavailable):
        argument_fields_get(connection=connection)


def test_a_rejected_token_is_not_hidden_by_the_last_good_copy(connection, simulator):
    report_types_get(connection=connection)
    metadata_refresh(connection=connection)
    simulator.faults.tokens_expired = True
    with pytest.raises(TokenRejected):
        report_types_get(connection=connection)


def test_refresh_makes_the_next_read_ask_weblink_again(connection, simulator):
    report_types_get(connection=connection)
    argument_fields_get(connection=connection)
    options_get(connection=connection, kind=FieldKind.PBX_USER)

    metadata_refresh(connection=connection)
    report_types_get(connection=connection)
    argument_fields_get(connection=connection)
    options_get(connection=connection, kind=FieldKind.PBX_USER)

    assert calls_to(simulator, TYPES_PATH) == 2
    assert calls_to(simulator, FIELDS_PATH) == 2
    assert calls_to(simulator, "/company/user") == 2

    # And once read again, it is cached again.
    report_types_get(connection=connection)
    assert calls_to(simulator, TYPES_PATH) == 2


def test_an_option_list_that_cannot_be_fetched_is_none_and_stale(connection, simulator):
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = QUEUES_PATH

    assert options_get(connection=connection, kind=FieldKind.PBX_QUEUE) == Cached(None, stale=True)
    # Only that list failed: the others still come from Weblink.
    users = options_get(connection=connection, kind=FieldKind.PBX_USER)
    assert users.stale is False
    assert [o.id for o in users.value][:2] == ["2201", "2202"]


def test_an_option_list_fetched_before_is_given_stale_during_an_outage(connection, simulator):
    good = options_get(connection=connection, kind=FieldKind.PBX_APP_CALLBACK_DESTINATION)
    assert good.value is not None
    metadata_refresh(connection=connection)
    simulator.faults.status = 500
    assert options_get(connection=connection, kind=FieldKind.PBX_APP_CALLBACK_DESTINATION) == (
        Cached(good.value, stale=True)
    )


def test_an_option_list_with_a_rejected_token_raises(connection, simulator):
    simulator.faults.tokens_expired = True
    with pytest.raises(TokenRejected):
        options_get(connection=connection, kind=FieldKind.PBX_QUEUE)


def renew_token(user):
    """Signs in again: the same row, with a new token and so a new fingerprint."""
    before = connection_get(user=user, company="demo")
    connection_sign_in(user=user, company="demo", username="admin", password="demo")  # noqa: S106
    after = connection_get(user=user, company="demo")
    assert after.pk == before.pk
    assert after.fingerprint != before.fingerprint
    return after


def test_a_new_token_starts_with_a_clean_cache(connection, user_connected, simulator):
    report_types_get(connection=connection)
    report_types_get(connection=connection)
    assert calls_to(simulator, TYPES_PATH) == 1

    renewed = renew_token(user_connected)
    report_types_get(connection=renewed)
    assert calls_to(simulator, TYPES_PATH) == 2


def test_a_new_token_does_not_get_the_old_tokens_last_good_copy(
    connection, user_connected, simulator
):
    report_types_get(connection=connection)
    renewed = renew_token(user_connected)
    simulator.faults.status = 500
    with pytest.raises(UpstreamUnavailable):
        report_types_get(connection=renewed)
    # The old token's copies are still there under its own fingerprint.
    assert report_types_get(connection=connection).stale is False


def test_without_a_connection_every_read_is_not_connected(simulator, weblink_url):
    with pytest.raises(NotConnected):
        report_types_get(connection=None)
    with pytest.raises(NotConnected):
        argument_fields_get(connection=None)
    with pytest.raises(NotConnected):
        options_get(connection=None, kind=FieldKind.PBX_QUEUE)
    with pytest.raises(NotConnected):
        metadata_refresh(connection=None)
    assert simulator.requests == []
