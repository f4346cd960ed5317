"""The HTML previews kept for a few minutes, for the sandboxed frame that shows them.

Weblink's HTML never goes into one of our pages: the page frames a URL of its own that
answers with it. That URL carries a signed, short-lived token naming the stored preview and
the person it was made for, never the report's settings, so it cannot be replayed to run a
report, and nobody else can open it.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.cache import cache

# Long enough for the frame to load, short enough that an old token is worthless.
MAX_AGE_SECONDS = 300
_SALT = "reports.preview-html"
_KEY = "preview-html:{}"


def html_preview_store(*, user: AbstractBaseUser, company: str, content: bytes) -> str:
    """Keeps ``content`` for ``MAX_AGE_SECONDS``; returns the token that opens it, for
    ``user`` under ``company`` only."""
    key = secrets.token_urlsafe(16)
    cache.set(_KEY.format(key), content, timeout=MAX_AGE_SECONDS)
    return signing.dumps({"key": key, "user": user.pk, "company": company}, salt=_SALT)


def html_preview_load(*, user: AbstractBaseUser, company: str, token: str) -> bytes | None:
    """The stored preview ``token`` names, if it is ``user``'s, of ``company`` and not
    expired; else None."""
    try:
        value = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # expired tokens included
        return None
    if value.get("user") != user.pk or value.get("company") != company:
        return None
    return cache.get(_KEY.format(value.get("key", "")))
