"""The report snapshot against the simulator over real HTTP: how the list is read (pages,
capped pages, a create during the read), the warm and fresh keys, the stale fallback, our own
writes, single flight across threads, the per-process decoded copy, the selectors on top of
it, and one snapshot shared by two processes through Redis."""

import dataclasses
import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection as db_connection

from reports_admin.connection.selectors import connection_get
from reports_admin.reports import selectors, snapshot
from reports_admin.reports.selectors import (
    SORT_KEYS,
    ReportFilters,
    ReportOrder,
    report_get,
    report_list,
)
from reports_admin.reports.snapshot import (
    snapshot_forget,
    snapshot_get,
    snapshot_refresh,
    snapshot_report_drop,
    snapshot_report_put,
)
from reports_admin.weblink import NotFound, UpstreamUnavailable, WeblinkError

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NEW_FIELDS = {"name": "Extra", "description": "", "interval": "day", "active": True}
NEW_ARGUMENTS = [("format", "csv"), ("email", "extra@example.com")]


@pytest.fixture
def connection(user_connected):
    """The connected person's stored connection, as the pages use it."""
    found = connection_get(user=user_connected, company="demo")
    assert found is not None
    return found


@pytest.fixture
def page_size_10(settings):
    """Read the list 10 reports at a time: the 30 seeded reports take three pages."""
    settings.WEBLINK_LIST_PAGE_SIZE = 10
    return 10


def list_calls(simulator) -> list[dict]:
    """The query of every list call the simulator received, in order."""
    return [r.query for r in simulator.requests if (r.method, r.path) == ("GET", "/company/report")]


def ids(reports) -> list[str]:
    return [r.id for r in reports]


# Reading the list ---------------------------------------------------------------------------


def test_a_cold_read_takes_the_first_page_alone_then_the_rest(connection, simulator, page_size_10):
    stored = ids(simulator.state.reports)
    assert len(stored) == 30
    simulator.log.clear()

    got = snapshot_get(connection=connection)

    assert sorted(ids(got.reports)) == sorted(stored)
    assert len(set(ids(got.reports))) == len(got.reports)
    assert got.stale is False
    calls = list_calls(simulator)
    assert calls[0] == {"limit": "10", "limit_from": "0"}
    assert sorted(int(c["limit_from"]) for c in calls[1:]) == [10, 20]
    assert all(c["limit"] == "10" for c in calls)


def test_pages_capped_by_weblink_still_read_every_report_once(connection, simulator, settings):
    for number in range(95):
        simulator.state.create_report({**NEW_FIELDS, "name": f"Extra {number}"}, "1", NEW_ARGUMENTS)
    stored = ids(simulator.state.reports)
    assert len(stored) == 125
    settings.WEBLINK_LIST_PAGE_SIZE = 100
    simulator.faults.list_page_cap = 50
    simulator.log.clear()

    got = snapshot_get(connection=connection)

    assert len(got.reports) == len(set(ids(got.reports))) == 125
    assert sorted(ids(got.reports)) == sorted(stored)
    offsets = sorted(int(c["limit_from"]) for c in list_calls(simulator))
    assert offsets == [0, 50, 100]


def test_a_report_created_during_the_read_is_in_the_snapshot(connection, simulator, page_size_10):
    simulator.faults.create_during_list = 2

    got = snapshot_get(connection=connection)

    after = ids(simulator.state.reports)
    assert len(after) == 31, "the fault created one report during the read"
    assert len(set(ids(got.reports))) == len(got.reports)
    assert sorted(ids(got.reports)) == sorted(after)
    assert "Created during the read" in [r.name for r in got.reports]


# Fresh, warm and stale ----------------------------------------------------------------------


def test_a_warm_snapshot_calls_nothing_and_a_forgotten_one_reads_again(connection, simulator):
    first = snapshot_get(connection=connection)
    simulator.log.clear()

    warm = snapshot_get(connection=connection)

    assert simulator.requests == []
    assert warm.version == first.version and warm.reports == first.reports

    snapshot_forget(connection=connection)
    again = snapshot_get(connection=connection)

    assert len(list_calls(simulator)) == 1
    assert again.version != first.version and again.stale is False
    assert ids(again.reports) == ids(first.reports)


def test_refresh_reads_even_a_fresh_snapshot(connection, simulator):
    first = snapshot_get(connection=connection)
    simulator.log.clear()

    refreshed = snapshot_refresh(connection=connection)

    assert len(list_calls(simulator)) == 1
    assert refreshed.version != first.version


def test_a_failed_read_shows_the_last_snapshot_as_stale(connection, simulator):
    good = snapshot_get(connection=connection)
    snapshot_forget(connection=connection)
    simulator.faults.status = 500
    simulator.log.clear()

    stale = snapshot_get(connection=connection)

    assert len(list_calls(simulator)) == 1, "the read was tried"
    assert stale.stale is True
    assert stale.version == good.version and stale.reports == good.reports


def test_a_failed_read_with_no_last_snapshot_raises(connection, simulator):
    simulator.faults.status = 500

    with pytest.raises(WeblinkError) as raised:
        snapshot_get(connection=connection)

    assert raised.value.status == 500
    assert cache.get(snapshot._Keys(connection).lock) is None, "the lock is let go"


def test_our_own_writes_change_the_snapshot_without_calling_weblink(connection, simulator):
    before = snapshot_get(connection=connection)
    renamed = dataclasses.replace(before.reports[0], name="Renamed here")
    created = dataclasses.replace(before.reports[1], id="999001", name="Created here")
    dropped = before.reports[2].id
    simulator.log.clear()

    snapshot_report_put(connection=connection, report=renamed)
    snapshot_report_put(connection=connection, report=created)
    snapshot_report_drop(connection=connection, report_id=dropped)
    after = snapshot_get(connection=connection)

    assert simulator.requests == []
    assert after.stale is False
    assert after.report(renamed.id).name == "Renamed here"
    assert after.report("999001").name == "Created here"
    assert after.report(dropped) is None
    assert len(after.reports) == len(before.reports)
    assert ids(after.reports)[0] == renamed.id, "a changed report keeps its place"


# Single flight and the decoded copy ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_threads_reading_at_once_read_the_list_once(user_connected, simulator, page_size_10):
    threads_count = 8
    connections = [
        connection_get(user=user_connected, company="demo") for _ in range(threads_count)
    ]
    simulator.faults.latency = 0.3
    simulator.log.clear()
    start = threading.Barrier(threads_count)
    results: dict[int, object] = {}

    def read(number: int) -> None:
        try:
            start.wait(timeout=10)
            try:
                results[number] = snapshot_get(connection=connections[number])
            except UpstreamUnavailable as error:
                results[number] = error
        finally:
            db_connection.close()

    threads = [threading.Thread(target=read, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads), "a reader hung"
    assert len(results) == threads_count
    # The pages of one read: the first, then offsets 10 and 20.
    assert sorted(int(c["limit_from"]) for c in list_calls(simulator)) == [0, 10, 20]
    snapshots = [r for r in results.values() if not isinstance(r, Exception)]
    assert snapshots, "at least the reader got the snapshot"
    assert len({s.version for s in snapshots}) == 1
    assert all(len(s.reports) == 30 for s in snapshots)
    for error in (r for r in results.values() if isinstance(r, Exception)):
        assert "not ready yet" in str(error)


@pytest.mark.django_db(transaction=True)
def test_refreshes_at_once_read_the_list_once_and_all_get_it_fresh(
    user_connected, simulator, page_size_10
):
    """Saves, sends and downloads read the report afresh: when several do at once, one reads
    and the others wait for that read, never taking the older snapshot."""
    threads_count = 4
    connections = [
        connection_get(user=user_connected, company="demo") for _ in range(threads_count)
    ]
    old = snapshot_get(connection=connections[0])
    simulator.faults.latency = 0.3
    simulator.log.clear()
    start = threading.Barrier(threads_count)
    results: dict[int, object] = {}

    def refresh(number: int) -> None:
        try:
            start.wait(timeout=10)
            results[number] = snapshot_refresh(connection=connections[number])
        finally:
            db_connection.close()

    threads = [threading.Thread(target=refresh, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads), "a refresh hung"
    assert sorted(int(c["limit_from"]) for c in list_calls(simulator)) == [0, 10, 20]
    assert len(results) == threads_count
    assert all(not r.stale and r.version != old.version for r in results.values())
    assert len({r.version for r in results.values()}) == 1


class CountingCache:
    """The cache, counting the reads of each key with ``get``."""

    def __init__(self, real) -> None:
        self.real = real
        self.gets: list[str] = []

    def get(self, key, *args, **kwargs):
        self.gets.append(key)
        return self.real.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_snapshot_is_decoded_once_per_process_per_version(connection, simulator, monkeypatch):
    first = snapshot_get(connection=connection)
    # As in another process: the cache holds the snapshot, this process has no decoded copy.
    monkeypatch.setattr(snapshot, "_decoded_copies", type(snapshot._decoded_copies)())
    counting = CountingCache(cache)
    monkeypatch.setattr(snapshot, "cache", counting)
    data_key = snapshot._Keys(connection).data(first.version)
    simulator.log.clear()

    decoded = snapshot_get(connection=connection)
    again = snapshot_get(connection=connection)

    assert simulator.requests == []
    assert decoded.version == again.version == first.version
    assert ids(decoded.reports) == ids(first.reports)
    assert counting.gets.count(data_key) == 1
    assert again.reports is decoded.reports


# Selectors on the snapshot ------------------------------------------------------------------

# Names in the opposite order of the ids, so sorting by name is not sorting by id.
TYPE_NAMES = {
    "1": "Zulu",
    "2": "Yankee",
    "3": "X-ray",
    "4": "Whiskey",
    "5": "Victor",
    "6": "Uniform",
    "7": "Tango",
}
INTERVALS = {"hour": 0, "day": 1, "week": 2, "month": 3}


def sort_value(report, key: str):
    """The value each column sorts by, written out independently of the selectors."""
    return {
        "name": lambda r: r.name.casefold(),
        "type": lambda r: TYPE_NAMES.get(r.report_type_id, r.report_type_id).casefold(),
        "interval": lambda r: INTERVALS[r.interval],
        "state": lambda r: r.active,
        "format": lambda r: r.format,
        "recipients": lambda r: ", ".join(r.recipients).casefold(),
        "added": lambda r: (r.added or "", int(r.id)),
    }[key](report)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_report_list_sorts_by_every_key(connection, simulator, key, descending):
    listing = report_list(
        connection=connection,
        offset=0,
        limit=1000,
        filters=ReportFilters(),
        order=ReportOrder(key=key, descending=descending),
        type_names=TYPE_NAMES,
    )

    values = [sort_value(r, key) for r in listing.reports]
    assert sorted(ids(listing.reports)) == sorted(ids(simulator.state.reports))
    assert values == sorted(values, reverse=descending)
    assert len(set(map(repr, values))) > 1, "the column has more than one value"


def test_report_list_sorts_types_by_their_names(connection, simulator):
    listing = report_list(
        connection=connection,
        offset=0,
        limit=1000,
        filters=ReportFilters(),
        order=ReportOrder(key="type", descending=False),
        type_names=TYPE_NAMES,
    )

    # By name Tango (7) comes first and Zulu (1) last; by id it would be the other way round.
    assert listing.reports[0].report_type_id == "7"
    assert listing.reports[-1].report_type_id == "1"


def test_a_search_has_an_exact_total_and_pages(connection, simulator):
    needle = "ledning"
    wanted = [
        r.id
        for r in simulator.state.reports
        if needle in r.name.casefold() or any(needle in e for e in r.values("email"))
    ]
    assert len(wanted) > 3

    listing = report_list(
        connection=connection, offset=2, limit=3, filters=ReportFilters(search="LEDNING")
    )

    assert listing.total == len(wanted)
    assert listing.company_count == 30
    assert len(listing.reports) == 3 and listing.offset == 2
    assert set(ids(listing.reports)) <= set(wanted)


def test_report_get_finds_a_report(connection, simulator):
    stored = simulator.state.reports[5]

    found = report_get(connection=connection, report_id=stored.id)

    assert (found.id, found.name, found.recipients) == (
        stored.id,
        stored.name,
        stored.values("email"),
    )


def test_report_get_of_a_missing_id_in_a_fresh_snapshot_does_not_read_again(connection, simulator):
    snapshot_get(connection=connection)
    simulator.log.clear()

    with pytest.raises(NotFound):
        report_get(connection=connection, report_id="999999")

    assert simulator.requests == []


def test_report_get_reads_once_more_for_an_id_not_in_an_old_snapshot(
    connection, simulator, monkeypatch
):
    monkeypatch.setattr(selectors, "NOT_FOUND_REREAD_AFTER", timedelta(0))
    snapshot_get(connection=connection)
    new_id = simulator.state.create_report(NEW_FIELDS, "1", NEW_ARGUMENTS)
    simulator.log.clear()

    found = report_get(connection=connection, report_id=new_id)

    assert found.name == "Extra"
    assert len(list_calls(simulator)) == 1
    simulator.log.clear()

    with pytest.raises(NotFound):
        report_get(connection=connection, report_id="999999")

    assert len(list_calls(simulator)) == 1, "read once more, then not found"


# Across processes ---------------------------------------------------------------------------

OTHER_PROCESS = """
import json, django
django.setup()
from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports.snapshot import snapshot_get
given = json.loads(input())
connection = WeblinkConnection(
    pk=given["pk"], user_id=given["user_id"], fingerprint=given["fingerprint"]
)
connection.access_token = given["token"]
got = snapshot_get(connection=connection)
print(json.dumps({"version": got.version, "ids": [r.id for r in got.reports], "stale": got.stale}))
"""


# The Redis database this test uses when the suite itself runs on another cache.
OWN_REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def redis_cache_url(settings) -> str:
    """CACHE_URL when it is Redis (CI's second pass), else Redis database 12 on this machine
    for this test alone; skipped, saying why, on a laptop without Redis."""
    cache_url = os.environ.get("CACHE_URL", "")
    if cache_url.startswith("redis://"):
        return cache_url
    import redis

    try:
        redis.Redis.from_url(OWN_REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {OWN_REDIS_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": OWN_REDIS_URL,
        }
    }
    return OWN_REDIS_URL


def test_another_process_reads_the_snapshot_from_redis(
    connection, simulator, weblink_url, redis_cache_url
):
    cache_url = redis_cache_url
    warm = snapshot_get(connection=connection)
    simulator.log.clear()
    given = {
        "pk": connection.pk,
        "user_id": connection.user_id,
        "fingerprint": connection.fingerprint,
    }
    given["token"] = connection.access_token

    result = subprocess.run(  # noqa: S603 - our own interpreter, no shell
        [sys.executable, "-c", OTHER_PROCESS],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "CACHE_URL": cache_url,
            "WEBLINK_API_URL": weblink_url,
        },
        input=json.dumps(given) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    other = json.loads(result.stdout.strip().splitlines()[-1])
    assert list_calls(simulator) == [], "the other process read the list again"
    assert other == {"version": warm.version, "ids": ids(warm.reports), "stale": False}
    assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
