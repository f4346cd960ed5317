"""How often a person may try to connect to Weblink: sign-in and pasted tokens.

Without a limit, a dashboard account could guess Weblink passwords and two-factor codes
through us at full speed. Attempts are counted in the shared cache (atomic ``add`` and
``incr``, so every web instance counts together), for a minute from the first one: per
person, and for sign-in also per company and user name, whoever tries them.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.utils.translation import ngettext

from reports_admin.weblink import WeblinkError

WINDOW_SECONDS = 60


class TooManyAttempts(WeblinkError):
    """Too many connection attempts this minute; ``wait_seconds`` until the next."""

    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        message = ngettext(
            "Too many attempts to connect. Wait %(seconds)d second and try again.",
            "Too many attempts to connect. Wait %(seconds)d seconds and try again.",
            wait_seconds,
        ) % {"seconds": wait_seconds}
        super().__init__(message, status=429)


def connect_attempt_count(*, user: AbstractBaseUser, company: str = "", username: str = "") -> None:
    """Counts one attempt for ``user`` (and for ``company`` and ``username`` when given);
    raises TooManyAttempts when any of them is past WEBLINK_CONNECT_ATTEMPTS this minute."""
    now = time.time()
    keys = [f"connect-attempts:user:{user.pk}"]
    if username:
        # Hashed: the cache need not hold user names; folded: Weblink may not tell case apart.
        name = hashlib.sha256(f"{company}\0{username}".casefold().encode()).hexdigest()
        keys.append(f"connect-attempts:name:{name}")
    waits = [_wait_seconds(key, now) for key in keys]
    if any(waits):
        raise TooManyAttempts(max(waits))


def _wait_seconds(key: str, now: float) -> int:
    """Counts one attempt on ``key``: 0 while within the limit, else the seconds to wait."""
    cache.add(f"{key}:since", now, timeout=WINDOW_SECONDS)
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return 0
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new minute begins
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        return 0
    if count <= settings.WEBLINK_CONNECT_ATTEMPTS:
        return 0
    since = cache.get(f"{key}:since", now)
    return max(1, math.ceil(since + WINDOW_SECONDS - now))
