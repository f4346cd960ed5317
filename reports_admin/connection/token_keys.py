"""The keys that protect stored Weblink tokens, and encryption and decryption with them.

``WEBLINK_TOKEN_KEYS`` holds comma-separated ``id:key`` entries, newest first; each key is
the urlsafe base64 of 32 random bytes. The newest key encrypts, any listed key decrypts.
A ciphertext reads ``v1:<key id>:<base64url(nonce + AES-256-GCM ciphertext)>``, and the
owner's id is bound to it as associated data, so it cannot be moved to another person.

No message raised here ever contains a key, a token or a ciphertext.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import os
import re
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

# The version says what the associated data binds: v1 the owner alone; v2 the owner, the
# company and the field (see EncryptedTokenField). New ciphertexts are v2; v1 is still read,
# and rotate_token_keys rewrites it.
FORMAT_VERSION = "v2"
FORMAT_VERSIONS = ("v1", "v2")
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_BASE64URL_PATTERN = re.compile(r"[A-Za-z0-9_-]+={0,2}")


class TokenKeyError(ImproperlyConfigured):
    """WEBLINK_TOKEN_KEYS is missing or malformed."""


class UnreadableTokenError(Exception):
    """No configured key can read a ciphertext: unknown key id, tampered, or another owner's."""


@dataclass(frozen=True)
class TokenKey:
    id: str
    key: bytes = field(repr=False)


def parse_token_keys(value: str) -> tuple[TokenKey, ...]:
    """Parses a WEBLINK_TOKEN_KEYS value into its keys, newest first.

    Raises TokenKeyError, naming the entry at fault, when the value is empty or any
    entry is malformed.
    """
    if not value.strip():
        raise TokenKeyError("WEBLINK_TOKEN_KEYS is empty.")
    keys: dict[str, TokenKey] = {}
    for number, entry in enumerate(value.split(","), start=1):
        key = _parse_entry(number, entry.strip())
        if key.id in keys:
            raise TokenKeyError(f"WEBLINK_TOKEN_KEYS lists the key id {key.id!r} twice.")
        keys[key.id] = key
    return tuple(keys.values())


def _parse_entry(number: int, entry: str) -> TokenKey:
    # Messages name the entry by position and valid id only: the entry may be a bare key.
    where = f"WEBLINK_TOKEN_KEYS entry {number}"
    if not entry:
        raise TokenKeyError(f"{where} is empty.")
    key_id, colon, encoded = entry.partition(":")
    if not colon:
        raise TokenKeyError(f"{where} is not in the form id:key.")
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise TokenKeyError(f"{where} has an invalid key id: use 1-32 letters, digits, - or _.")
    if not _BASE64URL_PATTERN.fullmatch(encoded):
        raise TokenKeyError(f"{where} (key id {key_id!r}): the key is not urlsafe base64.")
    try:
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except binascii.Error:
        raise TokenKeyError(
            f"{where} (key id {key_id!r}): the key is not urlsafe base64."
        ) from None
    if len(key) != KEY_BYTES:
        raise TokenKeyError(
            f"{where} (key id {key_id!r}): the key is {len(key)} bytes, it must be {KEY_BYTES}."
        )
    return TokenKey(id=key_id, key=key)


@functools.lru_cache(maxsize=4)
def _parse_cached(value: str) -> tuple[TokenKey, ...]:
    return parse_token_keys(value)


def configured_keys() -> tuple[TokenKey, ...]:
    """The keys in the WEBLINK_TOKEN_KEYS setting, newest first; empty when it is unset.

    Parsed once per setting value, so tests that change the setting see the new keys.
    """
    value = getattr(settings, "WEBLINK_TOKEN_KEYS", "") or ""
    if not value.strip():
        return ()
    return _parse_cached(value)


def generate_key_entry(today: datetime.date | None = None) -> str:
    """A new ``id:key`` entry: the id is the date plus a random suffix."""
    today = today or datetime.date.today()
    key_id = f"{today:%Y%m%d}-{secrets.token_hex(2)}"
    key = base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=KEY_BYTES * 8)).decode()
    return f"{key_id}:{key}"


def encrypt_token(plaintext: str, *, associated_data: bytes) -> str:
    """Encrypts ``plaintext`` with the newest configured key."""
    keys = configured_keys()
    if not keys:
        raise TokenKeyError(
            "WEBLINK_TOKEN_KEYS is not set: run `manage.py generate_token_key` and set it."
        )
    newest = keys[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(newest.key).encrypt(nonce, plaintext.encode(), associated_data)
    payload = base64.urlsafe_b64encode(nonce + sealed).decode()
    return f"{FORMAT_VERSION}:{newest.id}:{payload}"


def decrypt_token(ciphertext: str, *, associated_data: bytes) -> str:
    """Decrypts a ciphertext made by ``encrypt_token`` with the same associated data.

    Raises UnreadableTokenError when no configured key can read it.
    """
    _version, key_id, payload = _split(ciphertext)
    key = next((k for k in configured_keys() if k.id == key_id), None)
    if key is None:
        raise UnreadableTokenError(f"No configured token key has the id {key_id!r}.")
    try:
        raw = base64.b64decode(payload, altchars=b"-_", validate=True)
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        return AESGCM(key.key).decrypt(nonce, sealed, associated_data).decode()
    except (binascii.Error, ValueError, InvalidTag):
        # ValueError covers a short nonce and bad UTF-8 (UnicodeDecodeError).
        raise UnreadableTokenError(
            f"The token encrypted with key {key_id!r} failed authentication "
            "(tampered, or bound to another owner)."
        ) from None


def key_id_of(ciphertext: str) -> str:
    """The id of the key that encrypted ``ciphertext``; UnreadableTokenError if malformed."""
    return _split(ciphertext)[1]


def version_of(ciphertext: str) -> str:
    """The format version of ``ciphertext``; UnreadableTokenError if malformed."""
    return _split(ciphertext)[0]


def is_ciphertext(value: str) -> bool:
    """Whether ``value`` has the shape of a ciphertext (it says nothing of its keys)."""
    try:
        _split(value)
    except UnreadableTokenError:
        return False
    return True


def _split(ciphertext: str) -> tuple[str, str, str]:
    version, _, rest = ciphertext.partition(":")
    key_id, _, payload = rest.partition(":")
    if version not in FORMAT_VERSIONS or not KEY_ID_PATTERN.fullmatch(key_id) or not payload:
        raise UnreadableTokenError("The value is not a token ciphertext.")
    return version, key_id, payload


def token_fingerprint(token: str) -> str:
    """A short fingerprint to show for a token: 8 hex digits of an HMAC keyed from SECRET_KEY.

    It tells two tokens apart without revealing any part of either.
    """
    return salted_hmac("reports_admin.token_fingerprint", token, algorithm="sha256").hexdigest()[:8]
