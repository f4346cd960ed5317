"""The company's reports, read once and kept in the shared cache: one snapshot per connection.

The API has no call for one report and no server-side search, sort or count, so every report
page works from a snapshot of the whole list. It is read in pages, the first alone (it gives
the count) and the rest in parallel, a few at a time; kept in the shared cache (Redis, or the
database cache), so every web instance and worker sees the same one; and decoded once per
process per version, so a warm page does not unpickle megabytes; what is worked out from a
version's reports (the list's sorted orders) is kept with that decoded copy.

In the cache, per connection (``<prefix>`` holds its id and token fingerprint):
- ``<prefix>:meta``: the newest snapshot's version and when it was read (a few bytes);
- ``<prefix>:data:<version>``: its reports;
- ``<prefix>:fresh``: the version that still counts as fresh, for WEBLINK_REPORTS_CACHE_SECONDS;
- ``<prefix>:lock``: held by the one process reading the list (single flight).
The last snapshot is kept for WEBLINK_REPORTS_STALE_SECONDS and shown, said to be possibly
stale, while a new read fails or another process is reading.
"""

from __future__ import annotations

import contextvars
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from reports_admin.connection.calls import connection_required, weblink_call
from reports_admin.connection.models import WeblinkConnection
from reports_admin.weblink import (
    NotConnected,
    TokenRejected,
    UpstreamUnavailable,
    WeblinkClient,
    WeblinkError,
)
from reports_admin.weblink.metadata import Report, ReportPage

# How often missing rows (short pages, rows that moved while the list was read) are read again.
READ_TRIES = 3
# How often a process that waits for another's read looks whether it has finished.
WAIT_STEP_SECONDS = 0.05
# Decoded snapshots kept per process (one per connection in use).
DECODED_MAX = 64
# Values derived from one decoded snapshot (sorted orders) kept with it, at most.
DERIVED_MAX = 32


@dataclass(frozen=True)
class Snapshot:
    """Every report of the company as read at ``read_at``; ``stale`` when a newer read failed
    or is still under way."""

    reports: tuple[Report, ...]
    read_at: datetime
    version: str
    stale: bool = False
    # Shared by every Snapshot of this version in this process (see ``derived``).
    _derived: dict = field(default_factory=dict, compare=False, repr=False)

    def report(self, report_id: str) -> Report | None:
        report_id = str(report_id)
        return next((r for r in self.reports if r.id == report_id), None)

    def derived[T](self, key: Hashable, make: Callable[[tuple[Report, ...]], T]) -> T:
        """``make(self.reports)``, worked out once per process for this version and ``key``:
        a version's reports never change (our own writes store a new version)."""
        try:
            return self._derived[key]
        except KeyError:
            value = make(self.reports)
            if len(self._derived) >= DERIVED_MAX:
                self._derived.clear()
            self._derived[key] = value
            return value


def snapshot_get(*, connection: WeblinkConnection | None) -> Snapshot:
    """The fresh snapshot, read from Weblink first when there is none.

    When the read fails, or another process is reading, the last snapshot is returned with
    ``stale`` set; with no last snapshot the WeblinkError goes on to the caller.
    """
    connection = connection_required(connection)
    keys = _Keys(connection)
    found = cache.get_many([keys.meta, keys.fresh])
    meta = found.get(keys.meta)
    if meta is not None and found.get(keys.fresh) == meta["version"]:
        snapshot = _decoded(keys, meta)
        if snapshot is not None:
            return snapshot
    return _read(connection, keys, last=meta)


def snapshot_refresh(*, connection: WeblinkConnection | None) -> Snapshot:
    """Reads the list from Weblink now (for Refresh, and before a save)."""
    connection = connection_required(connection)
    keys = _Keys(connection)
    cache.delete(keys.fresh)
    return _read(connection, keys, last=cache.get(keys.meta), fresh=True)


def snapshot_report_put(*, connection: WeblinkConnection | None, report: Report) -> None:
    """Our own write of ``report`` (known in full): the snapshot shows it at once."""
    _change(connection, lambda reports: _put(reports, report))


def snapshot_report_drop(*, connection: WeblinkConnection | None, report_id: str) -> None:
    """Our own delete: the snapshot no longer lists the report."""
    _change(connection, lambda reports: tuple(r for r in reports if r.id != str(report_id)))


def snapshot_forget(*, connection: WeblinkConnection | None) -> None:
    """Our own write whose result is not known in full (new ids): the next page reads the
    list again. The last snapshot stays as the fallback."""
    if connection is not None:
        cache.delete(_Keys(connection).fresh)


class _Keys:
    def __init__(self, connection: WeblinkConnection) -> None:
        # The fingerprint changes with the token, so a new connection starts afresh.
        self.prefix = f"reports:snapshot:{connection.pk}:{connection.fingerprint}"
        self.meta = f"{self.prefix}:meta"
        self.fresh = f"{self.prefix}:fresh"
        self.lock = f"{self.prefix}:lock"

    def data(self, version: str) -> str:
        return f"{self.prefix}:data:{version}"


@dataclass(frozen=True)
class _Decoded:
    version: str
    reports: tuple[Report, ...]
    derived: dict = field(default_factory=dict)


# Per process: the decoded reports of each connection's newest snapshot, by version, and what
# is derived from them.
_decoded_lock = threading.Lock()
_decoded_copies: OrderedDict[str, _Decoded] = OrderedDict()


def _decoded(keys: _Keys, meta: dict, *, stale: bool = False) -> Snapshot | None:
    """The snapshot ``meta`` describes, decoded once per process; None when its data is gone."""
    version = meta["version"]
    with _decoded_lock:
        held = _decoded_copies.get(keys.prefix)
    if held is None or held.version != version:
        reports = cache.get(keys.data(version))
        if reports is None:
            return None
        held = _Decoded(version, reports)
        _keep_decoded(keys, held)
    read_at = datetime.fromtimestamp(meta["read_at"], UTC)
    return Snapshot(held.reports, read_at, version, stale, held.derived)


def _keep_decoded(keys: _Keys, held: _Decoded) -> None:
    with _decoded_lock:
        _decoded_copies[keys.prefix] = held
        _decoded_copies.move_to_end(keys.prefix)
        while len(_decoded_copies) > DECODED_MAX:
            _decoded_copies.popitem(last=False)


def _store(keys: _Keys, reports: tuple[Report, ...], *, read_at: float, fresh: bool) -> Snapshot:
    version = uuid.uuid4().hex
    meta = {"version": version, "read_at": read_at}
    stale_seconds = settings.WEBLINK_REPORTS_STALE_SECONDS
    cache.set(keys.data(version), reports, timeout=stale_seconds)
    cache.set(keys.meta, meta, timeout=stale_seconds)
    if fresh:
        cache.set(keys.fresh, version, timeout=settings.WEBLINK_REPORTS_CACHE_SECONDS)
    held = _Decoded(version, reports)
    _keep_decoded(keys, held)
    read_at_utc = datetime.fromtimestamp(read_at, UTC)
    return Snapshot(reports, read_at_utc, version, _derived=held.derived)


def _change(
    connection: WeblinkConnection | None,
    change: Callable[[tuple[Report, ...]], tuple[Report, ...]],
) -> None:
    if connection is None:
        return
    keys = _Keys(connection)
    found = cache.get_many([keys.meta, keys.fresh])
    meta = found.get(keys.meta)
    snapshot = _decoded(keys, meta) if meta is not None else None
    if snapshot is None:
        return
    # A snapshot that was stale stays so: only what we wrote is known to be current.
    fresh = found.get(keys.fresh) == meta["version"]
    _store(keys, change(snapshot.reports), read_at=meta["read_at"], fresh=fresh)


def _put(reports: tuple[Report, ...], report: Report) -> tuple[Report, ...]:
    if any(r.id == report.id for r in reports):
        return tuple(report if r.id == report.id else r for r in reports)
    return (*reports, report)


def _read(
    connection: WeblinkConnection, keys: _Keys, *, last: dict | None, fresh: bool = False
) -> Snapshot:
    """Reads the list behind the single-flight lock, or waits for whoever holds it (for its
    result when ``fresh``, else only while there is no last snapshot to show)."""
    limit = settings.WEBLINK_REPORTS_READ_SECONDS
    until = time.monotonic() + limit
    # The deadline is checked between pages, so the lock outlives it by one page's timeout.
    lock_seconds = math.ceil(limit + settings.WEBLINK_READ_TIMEOUT)
    while not cache.add(keys.lock, True, timeout=lock_seconds):
        snapshot = _wait(keys, last=last, until=until, fresh=fresh)
        if snapshot is not None:
            return snapshot
        # That read ended with nothing newer (it failed): try to read it here.
    try:
        read_at = time.time()
        reports = weblink_call(
            connection=connection,
            operation=lambda client: _read_all(client, deadline=time.monotonic() + limit),
        )
    except (NotConnected, TokenRejected):
        raise
    except WeblinkError:
        stale = _decoded(keys, last, stale=True) if last is not None else None
        if stale is None:
            raise
        return stale
    else:
        # Stored before the lock goes, so that whoever waits finds it.
        return _store(keys, reports, read_at=read_at, fresh=True)
    finally:
        cache.delete(keys.lock)


def _wait(keys: _Keys, *, last: dict | None, until: float, fresh: bool) -> Snapshot | None:
    """Another process is reading: a page gets the last snapshot at once; a refresh (and a
    page with no last snapshot) waits for that read's result. None when the read ended with
    nothing newer; UpstreamUnavailable when it goes on past ``until``."""
    if last is not None and not fresh:
        stale = _decoded(keys, last, stale=True)
        if stale is not None:
            return stale
    seen = last["version"] if last is not None else None
    while time.monotonic() < until:
        meta = cache.get(keys.meta)
        if meta is not None and meta["version"] != seen:
            snapshot = _decoded(keys, meta)
            if snapshot is not None:
                return snapshot
        if cache.get(keys.lock) is None:
            return None
        time.sleep(WAIT_STEP_SECONDS)
    raise UpstreamUnavailable(
        _("The report list is being read from Weblink and is not ready yet. Try again.")
    )


def _read_all(client: WeblinkClient, *, deadline: float) -> tuple[Report, ...]:
    """Every report: the first page alone, then the rest in parallel; de-duplicated by id.

    Offsets shift while the list is read (a report added or deleted) and Weblink may answer
    fewer rows than asked, so a short page's missing rows, and rows missing from the count,
    are read again, up to READ_TRIES times. WEBLINK_MAX_REPORTS and the deadline bound it, and
    pages that add nothing new end it: a ``count`` that never ends cannot make it run on.
    """
    page_size = settings.WEBLINK_LIST_PAGE_SIZE
    most = settings.WEBLINK_MAX_REPORTS
    batch = max(1, settings.WEBLINK_LIST_CONCURRENCY)
    first = client.reports(limit=page_size, limit_from=0)
    found = {r.id: r for r in first.reports}
    count = min(first.count, most)
    # Weblink answered fewer rows than asked though more exist: that is its page size.
    if 0 < len(first.reports) < min(page_size, count):
        page_size = len(first.reports)
    ranges = [(offset, page_size) for offset in range(len(first.reports), count, page_size)]
    with ThreadPoolExecutor(max_workers=batch) as pool:
        for _try in range(READ_TRIES):
            again = []
            # A batch at a time, so that a batch adding nothing new stops the read early.
            for start in range(0, len(ranges), batch):
                _check_deadline(deadline)
                known = len(found)
                some = ranges[start : start + batch]
                for (offset, limit), page in zip(some, _pages(pool, client, some), strict=True):
                    found.update((r.id, r) for r in page.reports)
                    count = max(count, min(page.count, most))
                    expected = min(limit, count - offset)
                    if 0 < len(page.reports) < expected:
                        again.append((offset + len(page.reports), expected - len(page.reports)))
                if len(found) == known or len(found) >= most:
                    return tuple(found.values())[:most]
            if len(found) < count and not again:
                # Rows moved while the list was read: read the tail once more.
                tail = max(0, min(len(found), count) - page_size)
                again = [(offset, page_size) for offset in range(tail, count, page_size)]
            if not again:
                break
            ranges = again
    return tuple(found.values())[:most]


def _pages(
    pool: ThreadPoolExecutor, client: WeblinkClient, ranges: Iterable[tuple[int, int]]
) -> list[ReportPage]:
    # Each page keeps the request's context (its id in the log lines).
    futures = [
        pool.submit(contextvars.copy_context().run, client.reports, limit=limit, limit_from=offset)
        for offset, limit in ranges
    ]
    return [future.result() for future in futures]


def _check_deadline(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise UpstreamUnavailable(
            _("Reading the report list from Weblink took too long, so it was stopped."),
            timed_out=True,
        )
