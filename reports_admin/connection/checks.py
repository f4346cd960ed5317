"""System checks: production refuses to start without a valid WEBLINK_TOKEN_KEYS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from reports_admin.connection.token_keys import TokenKeyError, parse_token_keys

_HINT = (
    "Run `python manage.py generate_token_key` and put its output first in WEBLINK_TOKEN_KEYS: "
    "comma-separated id:key entries, newest first."
)


@register(Tags.security)
def check_token_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Errors for a malformed key list, and for a missing one unless DEBUG is on."""
    value = getattr(settings, "WEBLINK_TOKEN_KEYS", "") or ""
    if not value.strip():
        message = "WEBLINK_TOKEN_KEYS is not set, so Weblink tokens cannot be stored."
        if settings.DEBUG:
            return [Warning(message, hint=_HINT, id="reports_admin.W001")]
        return [Error(message, hint=_HINT, id="reports_admin.E001")]
    try:
        parse_token_keys(value)
    except TokenKeyError as error:
        return [Error(str(error), hint=_HINT, id="reports_admin.E002")]
    return []
