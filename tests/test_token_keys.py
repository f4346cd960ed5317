import base64
import datetime
import os

import pytest

from reports_admin.connection.token_keys import (
    TokenKeyError,
    UnreadableTokenError,
    configured_keys,
    decrypt_token,
    encrypt_token,
    generate_key_entry,
    key_id_of,
    parse_token_keys,
    token_fingerprint,
)

KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
OTHER_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
TOKEN = "eyJhbGciOi.secret-access-token.sig"
OWNER = b"42"


# The key list parser


def test_parse_keeps_the_order_newest_first():
    keys = parse_token_keys(f"new:{KEY}, old_1:{OTHER_KEY}")

    assert [key.id for key in keys] == ["new", "old_1"]
    assert keys[0].key == base64.urlsafe_b64decode(KEY)
    assert keys[1].key == base64.urlsafe_b64decode(OTHER_KEY)


def test_parse_accepts_a_key_without_padding():
    (key,) = parse_token_keys(f"k:{KEY.rstrip('=')}")

    assert key.key == base64.urlsafe_b64decode(KEY)


def test_a_key_never_shows_in_its_repr():
    (key,) = parse_token_keys(f"k:{KEY}")

    assert KEY not in repr(key)
    assert repr(key.key) not in repr(key)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        (f"a:{KEY},,b:{OTHER_KEY}", "entry 2 is empty"),
        (f"a:{KEY},", "entry 2 is empty"),
        (KEY, "entry 1 is not in the form id:key"),
        (f"bad id:{KEY}", "entry 1 has an invalid key id"),
        (f":{KEY}", "entry 1 has an invalid key id"),
        (f"{'x' * 33}:{KEY}", "entry 1 has an invalid key id"),
        ("a:" + "+" * 43 + "=", "not urlsafe base64"),
        ("a:" + KEY[:-1] + "*", "not urlsafe base64"),
        ("a:A", "not urlsafe base64"),
        ("a:" + base64.urlsafe_b64encode(os.urandom(16)).decode(), "16 bytes, it must be 32"),
        ("a:" + base64.urlsafe_b64encode(os.urandom(33)).decode(), "33 bytes, it must be 32"),
        (f"a:{KEY},a:{OTHER_KEY}", "key id 'a' twice"),
    ],
)
def test_parse_rejects_malformed_lists_without_showing_keys(value, message):
    with pytest.raises(TokenKeyError, match=message) as caught:
        parse_token_keys(value)

    assert KEY.rstrip("=")[:8] not in str(caught.value)
    assert OTHER_KEY.rstrip("=")[:8] not in str(caught.value)


def test_generated_entries_parse_and_differ():
    first, second = generate_key_entry(datetime.date(2026, 3, 1)), generate_key_entry()

    (key,) = parse_token_keys(first)
    assert key.id.startswith("20260301-")
    assert len(key.key) == 32
    assert first != second
    assert parse_token_keys(f"{second},{first}")[0].id == second.partition(":")[0]


def test_configured_keys_follow_the_setting(settings):
    settings.WEBLINK_TOKEN_KEYS = f"one:{KEY}"
    assert [key.id for key in configured_keys()] == ["one"]

    settings.WEBLINK_TOKEN_KEYS = f"two:{OTHER_KEY},one:{KEY}"
    assert [key.id for key in configured_keys()] == ["two", "one"]

    settings.WEBLINK_TOKEN_KEYS = ""
    assert configured_keys() == ()


# Encryption and decryption


def test_round_trip_with_the_newest_key(settings):
    settings.WEBLINK_TOKEN_KEYS = f"new:{KEY},old:{OTHER_KEY}"

    ciphertext = encrypt_token(TOKEN, associated_data=OWNER)

    assert ciphertext.startswith("v2:new:")
    assert key_id_of(ciphertext) == "new"
    assert TOKEN not in ciphertext
    assert decrypt_token(ciphertext, associated_data=OWNER) == TOKEN


def test_each_encryption_uses_a_fresh_nonce(settings):
    settings.WEBLINK_TOKEN_KEYS = f"k:{KEY}"

    assert encrypt_token(TOKEN, associated_data=OWNER) != encrypt_token(
        TOKEN, associated_data=OWNER
    )


def test_an_older_listed_key_still_decrypts(settings):
    settings.WEBLINK_TOKEN_KEYS = f"old:{OTHER_KEY}"
    ciphertext = encrypt_token(TOKEN, associated_data=OWNER)

    settings.WEBLINK_TOKEN_KEYS = f"new:{KEY},old:{OTHER_KEY}"

    assert decrypt_token(ciphertext, associated_data=OWNER) == TOKEN


def _assert_unreadable_without_leaks(ciphertext, associated_data):
    with pytest.raises(UnreadableTokenError) as caught:
        decrypt_token(ciphertext, associated_data=associated_data)
    text = str(caught.value) + repr(caught.value)
    assert TOKEN not in text
    assert ciphertext.rpartition(":")[2][:8] not in text
    assert caught.value.__cause__ is None


def test_an_unknown_key_id_is_unreadable(settings):
    settings.WEBLINK_TOKEN_KEYS = f"old:{OTHER_KEY}"
    ciphertext = encrypt_token(TOKEN, associated_data=OWNER)

    settings.WEBLINK_TOKEN_KEYS = f"new:{KEY}"

    _assert_unreadable_without_leaks(ciphertext, OWNER)


def test_the_same_id_with_another_key_is_unreadable(settings):
    settings.WEBLINK_TOKEN_KEYS = f"k:{OTHER_KEY}"
    ciphertext = encrypt_token(TOKEN, associated_data=OWNER)

    settings.WEBLINK_TOKEN_KEYS = f"k:{KEY}"

    _assert_unreadable_without_leaks(ciphertext, OWNER)


def test_another_owner_cannot_read_it(settings):
    settings.WEBLINK_TOKEN_KEYS = f"k:{KEY}"
    ciphertext = encrypt_token(TOKEN, associated_data=OWNER)

    _assert_unreadable_without_leaks(ciphertext, b"43")


@pytest.mark.parametrize(
    "tamper",
    [
        # A character well inside the base64 text: the last ones may be only padding bits.
        lambda c: c[:-10] + ("A" if c[-10] != "A" else "B") + c[-9:],
        lambda c: c.rpartition(":")[0] + ":" + "AAAA",
        lambda c: c + "x",
    ],
)
def test_a_tampered_ciphertext_is_unreadable(settings, tamper):
    settings.WEBLINK_TOKEN_KEYS = f"k:{KEY}"
    ciphertext = tamper(encrypt_token(TOKEN, associated_data=OWNER))

    _assert_unreadable_without_leaks(ciphertext, OWNER)


@pytest.mark.parametrize("value", ["", TOKEN, "v9:k:abc", "v1::abc", "v1:k:"])
def test_a_value_that_is_no_ciphertext_is_unreadable(settings, value):
    settings.WEBLINK_TOKEN_KEYS = f"k:{KEY}"

    with pytest.raises(UnreadableTokenError) as caught:
        decrypt_token(value, associated_data=OWNER)
    assert TOKEN not in str(caught.value)


def test_encrypting_without_keys_says_what_to_do(settings):
    settings.WEBLINK_TOKEN_KEYS = ""

    with pytest.raises(TokenKeyError, match="generate_token_key"):
        encrypt_token(TOKEN, associated_data=OWNER)


# The fingerprint


def test_the_fingerprint_is_short_stable_and_reveals_nothing(settings):
    fingerprint = token_fingerprint(TOKEN)

    assert len(fingerprint) == 8
    assert set(fingerprint) <= set("0123456789abcdef")
    assert fingerprint == token_fingerprint(TOKEN)
    assert fingerprint != token_fingerprint(TOKEN + "x")
    assert fingerprint not in TOKEN

    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert token_fingerprint(TOKEN) != fingerprint
