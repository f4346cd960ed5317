from io import StringIO

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import connection as db_connection

from reports_admin.connection.checks import check_token_keys
from reports_admin.connection.token_keys import generate_key_entry, parse_token_keys
from reports_admin.models import WeblinkConnection


def run(command, *args):
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def raw_access_tokens():
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, access_token_ciphertext FROM reports_admin_weblinkconnection ORDER BY id"
        )
        return dict(cursor.fetchall())


# generate_token_key


def test_generate_prints_one_valid_entry_and_only_that_on_stdout():
    out, err = run("generate_token_key")

    (key,) = parse_token_keys(out.strip())
    assert len(key.key) == 32
    assert out.count("\n") == 1
    assert "WEBLINK_TOKEN_KEYS" in err
    assert run("generate_token_key")[0] != out


# rotate_token_keys


@pytest.fixture
def connections(settings, django_user_model):
    """Five connections whose tokens use the key OLD_ENTRY; returns (old entry, connections)."""
    old_entry = generate_key_entry()
    settings.WEBLINK_TOKEN_KEYS = old_entry
    made = []
    for number in range(5):
        user = django_user_model.objects.create_user(username=f"user{number}")
        connection = WeblinkConnection(user=user, company="acme", username=user.username)
        connection.set_tokens(access_token=f"token-{number}", refresh_token=f"refresh-{number}")
        connection.save()
        made.append(connection)
    return old_entry, made


@pytest.mark.django_db
def test_rotate_rewrites_every_row_in_batches_and_then_changes_nothing(settings, connections):
    old_entry, made = connections
    new_entry = generate_key_entry()
    new_id = new_entry.partition(":")[0]
    settings.WEBLINK_TOKEN_KEYS = f"{new_entry},{old_entry}"
    before = raw_access_tokens()

    out, _ = run("rotate_token_keys", "--batch-size", "2")

    assert f"Connections: 5; re-encrypted with key '{new_id}': 5; already on it: 0;" in out
    after = raw_access_tokens()
    assert all(after[pk].startswith(f"v2:{new_id}:") and after[pk] != before[pk] for pk in after)

    out, _ = run("rotate_token_keys")

    assert f"re-encrypted with key '{new_id}': 0; already on it: 5; unreadable: 0." in out
    assert raw_access_tokens() == after

    settings.WEBLINK_TOKEN_KEYS = new_entry
    for number, connection in enumerate(made):
        connection.refresh_from_db()
        assert connection.access_token == f"token-{number}"
        assert connection.refresh_token == f"refresh-{number}"


@pytest.mark.django_db
def test_rotate_reports_unreadable_rows_and_leaves_them_alone(settings, connections):
    old_entry, made = connections
    lost = made[1]
    settings.WEBLINK_TOKEN_KEYS = generate_key_entry()
    lost.set_tokens(access_token="token-under-a-lost-key")
    lost.save()
    settings.WEBLINK_TOKEN_KEYS = f"{generate_key_entry()},{old_entry}"
    unreadable_before = raw_access_tokens()[lost.pk]

    out, _ = run("rotate_token_keys")

    assert ": 4; already on it: 0; unreadable: 1." in out
    assert f"No configured key can read the connections with ids {lost.pk};" in out
    assert "token-under-a-lost-key" not in out
    assert raw_access_tokens()[lost.pk] == unreadable_before


@pytest.mark.django_db
def test_rotate_without_keys_says_so(settings):
    settings.WEBLINK_TOKEN_KEYS = ""

    with pytest.raises(CommandError, match="WEBLINK_TOKEN_KEYS is not set"):
        run("rotate_token_keys")


# The system check


def _our_messages():
    # Deployment checks run too, as under `check --deploy`; only ours matter here.
    found = checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)
    return [m for m in found if m.id.startswith("reports_admin.")]


def test_check_passes_with_a_valid_key_list(settings):
    settings.DEBUG = False
    settings.WEBLINK_TOKEN_KEYS = f"{generate_key_entry()},{generate_key_entry()}"

    assert check_token_keys() == []
    assert _our_messages() == []


@pytest.mark.parametrize("value", ["", "  "])
def test_a_missing_key_list_is_an_error_without_debug(settings, value):
    settings.DEBUG = False
    settings.WEBLINK_TOKEN_KEYS = value

    (message,) = _our_messages()

    assert message.id == "reports_admin.E001"
    assert message.level == checks.ERROR
    assert "WEBLINK_TOKEN_KEYS is not set" in message.msg
    assert "generate_token_key" in message.hint


def test_a_missing_key_list_is_a_warning_with_debug(settings):
    settings.DEBUG = True
    settings.WEBLINK_TOKEN_KEYS = ""

    (message,) = check_token_keys()

    assert message.id == "reports_admin.W001"
    assert message.level == checks.WARNING


@pytest.mark.parametrize("debug", [False, True])
def test_a_malformed_key_list_is_an_error_even_with_debug(settings, debug):
    settings.DEBUG = debug
    good = generate_key_entry()
    settings.WEBLINK_TOKEN_KEYS = f"{good},short:AAAA"

    (message,) = _our_messages()

    assert message.id == "reports_admin.E002"
    assert message.level == checks.ERROR
    assert "entry 2 (key id 'short')" in message.msg
    assert good.partition(":")[2] not in message.msg + message.hint
    assert "generate_token_key" in message.hint
