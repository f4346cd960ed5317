import io

import pytest
from django.core.management import call_command
from django.db import connection as db_connection
from django.db import transaction
from django.urls import reverse

from reports_admin.connection.token_keys import (
    UnreadableTokenError,
    encrypt_token,
    generate_key_entry,
    token_fingerprint,
)
from reports_admin.models import WeblinkConnection

TOKEN = "eyJhbGciOi.the-access-token.sig"
REFRESH = "the-refresh-token-0123456789"

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_entry(settings):
    """A fresh key, the only one in WEBLINK_TOKEN_KEYS."""
    entry = generate_key_entry()
    settings.WEBLINK_TOKEN_KEYS = entry
    return entry


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="anna", password="pw-anna-12345")


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user(username="bo", password="pw-bo-12345")


def make_connection(user, token=TOKEN, refresh=REFRESH):
    connection = WeblinkConnection(user=user, company="acme", username=user.username)
    connection.set_tokens(access_token=token, refresh_token=refresh)
    connection.save()
    return connection


def raw_tokens(pk):
    """The two token columns exactly as the database holds them."""
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token_ciphertext, refresh_token_ciphertext "
            "FROM reports_admin_weblinkconnection WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


def test_tokens_round_trip_through_the_database(key_entry, user):
    make_connection(user)

    connection = WeblinkConnection.objects.get(user=user)

    assert connection.access_token == TOKEN
    assert connection.refresh_token == REFRESH
    assert not connection.token_unreadable
    assert not connection.needs_reconnecting


def test_the_database_holds_only_ciphertext(key_entry, user):
    connection = make_connection(user)
    key_id = key_entry.partition(":")[0]

    access, refresh = raw_tokens(connection.pk)

    assert access.startswith(f"v2:{key_id}:")
    assert refresh.startswith(f"v2:{key_id}:")
    for value in (access, refresh):
        assert TOKEN not in value
        assert REFRESH not in value
    assert list(WeblinkConnection.objects.values_list("access_token", flat=True)) == [access]


def test_a_missing_refresh_token_is_stored_as_null(key_entry, user):
    connection = make_connection(user, refresh=None)

    assert raw_tokens(connection.pk)[1] is None
    connection.refresh_from_db()
    assert connection.refresh_token is None
    assert not connection.token_unreadable


def test_set_tokens_sets_a_fingerprint_that_is_no_part_of_the_token(key_entry, user):
    connection = make_connection(user)

    assert connection.fingerprint == token_fingerprint(TOKEN)
    assert connection.fingerprint not in TOKEN


def test_str_and_repr_hold_no_secrets(key_entry, user):
    connection = make_connection(user)
    access, refresh = raw_tokens(connection.pk)

    for text in (str(connection), repr(connection)):
        assert "anna" in text
        for secret in (TOKEN, REFRESH, access, refresh):
            assert secret not in text


def test_with_the_wrong_key_the_token_is_unreadable_and_never_leaks(settings, key_entry, user):
    make_connection(user)
    settings.WEBLINK_TOKEN_KEYS = generate_key_entry()

    connection = WeblinkConnection.objects.get(user=user)

    assert connection.access_token is None
    assert connection.refresh_token is None
    assert connection.token_unreadable
    assert connection.needs_reconnecting
    access, _ = raw_tokens(connection.pk)
    with pytest.raises(UnreadableTokenError) as caught:
        WeblinkConnection._meta.get_field("access_token").read(connection)
    for text in (str(connection), repr(connection), str(caught.value), repr(caught.value)):
        assert TOKEN not in text
        assert access.rpartition(":")[2][:8] not in text


def test_a_ciphertext_moved_to_another_persons_row_is_unreadable(key_entry, user, other_user):
    mine = make_connection(user)
    theirs = make_connection(other_user, token="their-token", refresh=None)
    with db_connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_admin_weblinkconnection SET access_token_ciphertext = %s WHERE id = %s",
            [raw_tokens(mine.pk)[0], theirs.pk],
        )

    theirs.refresh_from_db()

    assert theirs.access_token is None
    assert theirs.token_unreadable
    assert theirs.needs_reconnecting
    mine.refresh_from_db()
    assert mine.access_token == TOKEN


def test_refresh_from_db_and_deferred_loading_read_the_new_token(key_entry, user):
    connection = make_connection(user)
    elsewhere = WeblinkConnection.objects.get(pk=connection.pk)
    elsewhere.set_tokens(access_token="a-newer-token")
    elsewhere.save()

    connection.refresh_from_db()

    assert connection.access_token == "a-newer-token"
    assert connection.refresh_token is None
    assert WeblinkConnection.objects.only("company").get().access_token == "a-newer-token"


def test_writing_a_plain_token_past_the_field_is_refused(key_entry, user):
    connection = make_connection(user)

    with pytest.raises(ValueError, match="only ciphertext") as caught, transaction.atomic():
        WeblinkConnection.objects.filter(pk=connection.pk).update(access_token=TOKEN)

    assert TOKEN not in str(caught.value)
    connection.refresh_from_db()
    assert connection.access_token == TOKEN


def test_a_token_needs_its_owner_first(key_entry):
    with pytest.raises(ValueError, match="Set user_id before access_token"):
        WeblinkConnection(company="acme").access_token = TOKEN


def test_rotation_rewrites_every_row_so_the_old_key_can_go(settings, django_user_model):
    old_entry, new_entry = generate_key_entry(), generate_key_entry()
    settings.WEBLINK_TOKEN_KEYS = old_entry
    users = [django_user_model.objects.create_user(username=f"u{i}") for i in range(3)]
    for user in users:
        make_connection(user, token=f"token-of-{user.username}")
    settings.WEBLINK_TOKEN_KEYS = f"{new_entry},{old_entry}"
    fields = [WeblinkConnection._meta.get_field(n) for n in ("access_token", "refresh_token")]

    connections = list(WeblinkConnection.objects.all())
    assert all(field.reencrypt(c) for c in connections for field in fields)
    WeblinkConnection.objects.bulk_update(connections, ["access_token", "refresh_token"])
    assert not any(field.reencrypt(c) for c in WeblinkConnection.objects.all() for field in fields)

    settings.WEBLINK_TOKEN_KEYS = new_entry
    new_id = new_entry.partition(":")[0]
    for connection in WeblinkConnection.objects.select_related("user"):
        assert connection.access_token == f"token-of-{connection.user.username}"
        assert connection.refresh_token == REFRESH
        assert raw_tokens(connection.pk)[0].startswith(f"v2:{new_id}:")


def test_an_expired_connection_needs_reconnecting(key_entry, user):
    connection = make_connection(user)
    connection.state = WeblinkConnection.State.EXPIRED

    assert connection.needs_reconnecting
    assert not connection.token_unreadable


def test_deactivating_a_user_deletes_their_connection(key_entry, user, other_user):
    make_connection(user)
    make_connection(other_user)

    other_user.first_name = "Bo"
    other_user.save()
    user.is_active = False
    user.save()

    assert not WeblinkConnection.objects.filter(user=user).exists()
    assert WeblinkConnection.objects.filter(user=other_user).exists()


def test_the_admin_shows_the_connection_but_never_its_tokens(key_entry, user, admin_client):
    connection = make_connection(user)
    access, refresh = raw_tokens(connection.pk)
    pages = [
        reverse("admin:reports_admin_weblinkconnection_changelist"),
        reverse("admin:reports_admin_weblinkconnection_change", args=[connection.pk]),
    ]

    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200
        content = response.content.decode()
        assert connection.fingerprint in content
        for secret in (TOKEN, REFRESH, access, refresh):
            assert secret not in content


def test_the_ciphertext_is_bound_to_the_company_and_the_field(key_entry, user):
    connection = make_connection(user)
    access, refresh = raw_tokens(connection.pk)
    # The access ciphertext in the refresh column, and the other way round: neither reads.
    WeblinkConnection.objects.filter(pk=connection.pk).update(
        access_token=refresh, refresh_token=access
    )
    swapped = WeblinkConnection.objects.get(pk=connection.pk)
    assert swapped.access_token is None
    assert swapped.refresh_token is None
    assert swapped.token_unreadable
    # Back in place, but the company changed behind the field's back: neither reads.
    WeblinkConnection.objects.filter(pk=connection.pk).update(
        access_token=access, refresh_token=refresh, company="other"
    )
    moved = WeblinkConnection.objects.get(pk=connection.pk)
    assert moved.access_token is None
    assert moved.token_unreadable


def test_a_v1_ciphertext_is_read_and_rotated_to_v2(key_entry, user):
    connection = make_connection(user)
    # As stored before the associated data bound the company and field: the owner alone.
    old = encrypt_token(TOKEN, associated_data=str(user.pk).encode()).replace("v2:", "v1:", 1)
    WeblinkConnection.objects.filter(pk=connection.pk).update(access_token=old)
    assert WeblinkConnection.objects.get(pk=connection.pk).access_token == TOKEN

    out = io.StringIO()
    call_command("rotate_token_keys", stdout=out)
    assert "re-encrypted" in out.getvalue()

    access, _refresh = raw_tokens(connection.pk)
    assert access.startswith("v2:")
    assert WeblinkConnection.objects.get(pk=connection.pk).access_token == TOKEN
