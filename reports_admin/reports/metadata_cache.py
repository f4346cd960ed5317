"""Report types, argument fields and option lists, cached per Weblink connection.

Metadata changes rarely, so pages read it from the cache. Each entry is kept twice: a fresh
copy that expires after WEBLINK_METADATA_CACHE_SECONDS, and a last good copy that outlives
it, used (and flagged as possibly stale) when Weblink cannot be reached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from reports_admin.connection.calls import weblink_call
from reports_admin.connection.models import WeblinkConnection
from reports_admin.weblink import NotConnected, TokenRejected, WeblinkClient, WeblinkError
from reports_admin.weblink.metadata import (
    OPTION_KINDS,
    ArgumentFields,
    FieldKind,
    Option,
    ReportType,
)

# How long the last good copy is kept for use during an outage upstream.
LAST_GOOD_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Cached[T]:
    value: T
    stale: bool = False


def report_types_get(*, connection: WeblinkConnection | None) -> Cached[list[ReportType]]:
    return _cached(connection=connection, name="types", fetch=lambda client: client.report_types())


def argument_fields_get(*, connection: WeblinkConnection | None) -> Cached[ArgumentFields]:
    return _cached(
        connection=connection, name="fields", fetch=lambda client: client.argument_fields()
    )


def options_get(
    *, connection: WeblinkConnection | None, kind: FieldKind
) -> Cached[list[Option] | None]:
    """One of the company's pick-lists; ``None`` when it cannot be fetched at all."""
    try:
        return _cached(
            connection=connection, name=f"options:{kind}", fetch=lambda c: c.options(kind)
        )
    except (NotConnected, TokenRejected):
        raise
    except WeblinkError:
        return Cached(None, stale=True)


def metadata_refresh(*, connection: WeblinkConnection | None) -> None:
    """Forgets the fresh copies so the next read asks Weblink (last good copies stay)."""
    prefix = _key_prefix(connection)
    names = ["types", "fields", *(f"options:{kind}" for kind in OPTION_KINDS)]
    cache.delete_many([f"{prefix}:fresh:{name}" for name in names])


def _key_prefix(connection: WeblinkConnection | None) -> str:
    if connection is None:
        raise NotConnected
    # The fingerprint changes with the token, so a new connection starts with a clean cache.
    return f"weblink:metadata:{connection.pk}:{connection.fingerprint}"


def _cached[T](
    *, connection: WeblinkConnection | None, name: str, fetch: Callable[[WeblinkClient], T]
) -> Cached[T]:
    prefix = _key_prefix(connection)
    fresh_key, last_good_key = f"{prefix}:fresh:{name}", f"{prefix}:last-good:{name}"
    value = cache.get(fresh_key)
    if value is not None:
        return Cached(value)
    try:
        value = weblink_call(connection=connection, operation=fetch)
    except (NotConnected, TokenRejected):
        raise
    except WeblinkError:
        last_good = cache.get(last_good_key)
        if last_good is None:
            raise
        return Cached(last_good, stale=True)
    cache.set(fresh_key, value, timeout=settings.WEBLINK_METADATA_CACHE_SECONDS)
    cache.set(last_good_key, value, timeout=LAST_GOOD_SECONDS)
    return Cached(value)
