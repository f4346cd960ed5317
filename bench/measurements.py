"""The measurements of the benchmark. Each returns its figures; none judges them."""

from __future__ import annotations

import functools
import json
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from bench import targets
from bench.clients import (
    DOWNLOAD_TIMEOUT,
    DashboardClient,
    SimulatorClient,
    stream_to_nowhere,
    timed,
)
from bench.html_forms import Form
from bench.servers import Dashboard, memory_kb, reset_peak_memory
from weblink_sim import report_files, seed, validation

LIST_PATH = "/c/demo/reports/"
CREATE_PATH = "/c/demo/reports/new/"
_ROW = re.compile(r"/c/demo/reports/(\d+)/edit/")


@dataclass(frozen=True)
class Spread:
    median: float
    p95: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if len(values) < 2:
            return cls(values[0], values[0])
        return cls(
            statistics.median(values),
            statistics.quantiles(values, n=20, method="inclusive")[-1],
        )


def rows_shown(html: str) -> int:
    """How many reports a list page shows (each has its own edit link)."""
    return len(set(_ROW.findall(html)))


def warm(client: DashboardClient, paths: Sequence[str], *, times: int) -> None:
    """Load each page ``times`` times on new connections, so every worker has it cached."""
    for _ in range(times):
        for path in paths:
            client.page(path, new_connection=True)


# 1. Page overhead ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Overhead:
    rows: int
    runs: int
    dashboard: Spread  # seconds
    direct: Spread
    cpu: float  # seconds of the dashboard's CPU time per page


def page_overhead(
    client: DashboardClient,
    simulator: SimulatorClient,
    dashboard: Dashboard,
    *,
    rows: int,
    runs: int,
) -> Overhead:
    """The warm list page with ``rows`` reports against the same list call made directly,
    taken in turns so that both see the same machine; and the CPU time the dashboard's
    workers spend on a page, which a busy machine hardly changes."""
    path = f"{LIST_PATH}?per_page={rows}"
    shown = rows_shown(client.page(path))
    if shown != rows:
        raise RuntimeError(f"The list page shows {shown} reports, not {rows}.")

    def through_dashboard() -> None:
        if client.get(path).status_code != 200:
            raise RuntimeError(f"GET {path} failed.")

    def direct() -> None:
        simulator.report_list(limit=rows).raise_for_status()

    for _ in range(10):  # warm both connections
        through_dashboard()
        direct()
    dashboard_times, direct_times = [], []
    cpu_before = dashboard.cpu_seconds()
    for _ in range(runs):
        dashboard_times.append(timed(through_dashboard)[1])
        direct_times.append(timed(direct)[1])
    cpu = (dashboard.cpu_seconds() - cpu_before) / runs
    return Overhead(rows, runs, Spread.of(dashboard_times), Spread.of(direct_times), cpu)


# 2. API calls per page -----------------------------------------------------------------------


@dataclass(frozen=True)
class CallCount:
    page: str
    expected: int
    counts: tuple[int, ...]  # one per repetition, each on a new connection


def count_calls(simulator: SimulatorClient, action: Callable[[], object]) -> int:
    """The API requests the simulator received while ``action`` ran."""
    before = simulator.stats()["requests"]
    action()
    return simulator.stats()["requests"] - before


def api_calls(
    client: DashboardClient,
    simulator: SimulatorClient,
    *,
    report_id: str,
    repeats: int,
    list_reads: int,
) -> list[CallCount]:
    """Calls made by the warm list and create pages, the edit form, and saving an edit that
    changes one recipient (the form's values as shown, one e-mail address replaced).

    The pages show the snapshot of the company's reports, fresh for the whole run, so they make
    none; the save reads the list afresh first (``list_reads`` list calls), then writes.
    """
    edit_path = f"/c/demo/reports/{report_id}/edit/"
    warm(client, [LIST_PATH, CREATE_PATH, edit_path], times=20)

    def counts(path: str) -> tuple[int, ...]:
        return tuple(
            count_calls(simulator, lambda: client.page(path, new_connection=True))
            for _ in range(repeats)
        )

    pages = [
        CallCount("Report list (warm: the snapshot)", targets.LIST_PAGE_CALLS, counts(LIST_PATH)),
        CallCount("New report form (warm)", targets.CREATE_PAGE_CALLS, counts(CREATE_PATH)),
        CallCount(
            "Edit form (warm: the report from the snapshot)",
            targets.EDIT_PAGE_CALLS,
            counts(edit_path),
        ),
    ]
    # The saves last: a save may leave the snapshot to be read again by the next page.
    saves = tuple(
        _save_one_recipient(client, simulator, report_id=report_id, edit_path=edit_path, n=n)
        for n in range(repeats)
    )
    reads = f"{list_reads} list {'call' if list_reads == 1 else 'calls'}"
    return [
        *pages,
        CallCount(
            # Only what changed is written: the one e-mail argument, no PATCH of the report.
            f"Save with one recipient changed (the list read afresh, {reads} + PATCH e-mail)",
            list_reads + targets.SAVE_WRITES,
            saves,
        ),
    ]


def _save_one_recipient(
    client: DashboardClient, simulator: SimulatorClient, *, report_id: str, edit_path: str, n: int
) -> int:
    """Saves the edit form with one e-mail address changed; returns the calls it made.

    Checks on the simulator that the address changed in place (same argument id).
    """
    emails = simulator.report(report_id)["arguments"]["email"]
    old, new = emails[0], f"bench-{n}@example.com"
    form = client.form(edit_path, "csrfmiddlewaretoken", "name")
    field = next(name for name, value in form.fields if old["value"] in value.splitlines())
    form.replace(field, form.value(field).replace(old["value"], new))

    def save() -> None:
        response = client.post(edit_path, form.fields, new_connection=True)
        if response.status_code != 302:
            raise RuntimeError(f"Saving the edit form answered {response.status_code}.")

    calls = count_calls(simulator, save)
    stored = simulator.report(report_id)["arguments"]["email"]
    if {"id": old["id"], "value": new} not in [
        {"id": e["id"], "value": e["value"]} for e in stored
    ]:
        raise RuntimeError("The recipient was not changed in place on the simulator.")
    return calls


# 3. Download ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadResult:
    size: int  # bytes
    rows: int
    runs: int
    dashboard: Spread  # seconds for the whole file
    direct: Spread
    generator: Spread  # seconds the simulator's generator alone takes to make the file
    memory_growth_kb: int  # the most any worker grew in any run

    @property
    def ceiling(self) -> str:
        """What bounds the download: the dashboard when it is clearly slower than direct;
        else the simulator's generator when direct runs near it; else the simulator's HTTP
        server or the client, which only the direct side and the dashboard share."""
        if self.dashboard.median > 1.1 * self.direct.median:
            return "the dashboard"
        if self.direct.median < 1.25 * self.generator.median:
            return "the simulator (its generator)"
        return "the simulator's HTTP server or the client"


def generator_seconds(body: dict, rows: int) -> float:
    """The simulator's CSV of ``rows`` rows for a download ``body``, made in this process and
    thrown away: the generator alone, without HTTP."""
    interval, report_type_id, arguments = validation.parse_download(body)
    file = report_files.render(
        "csv",
        report_type=validation.report_type(report_type_id),
        interval=interval,
        arguments=arguments,
        rows=rows,
        option_lists=seed.DEMO.option_lists,  # the company the benchmark signs in to
    )
    return timed(lambda: sum(len(chunk) for chunk in file.chunks))[1]


def download_path(report_id: str) -> str:
    return f"/c/demo/reports/{report_id}/download/"


def download_available(client: DashboardClient, report_id: str) -> bool:
    return client.get(download_path(report_id)).status_code == 200


def _download_body(report: dict) -> dict:
    """The body of the simulator's download call for a report as its list gives it, as CSV."""
    arguments = [
        {"key": key, "value": row["value"]}
        for key, rows in report["arguments"].items()
        if key != "format"
        for row in rows
    ]
    return {
        "interval": report["interval"],
        "report_type_id": report["report_type_id"],
        "arguments": [*arguments, {"key": "format", "value": "csv"}],
    }


def download(
    client: DashboardClient,
    simulator: SimulatorClient,
    dashboard: Dashboard,
    *,
    report_id: str,
    size: int,
    runs: int,
) -> DownloadResult:
    """A CSV of about ``size`` bytes through the dashboard and straight from the simulator,
    in turns, with the peak growth of every dashboard worker's resident memory."""
    body = _download_body(simulator.report(report_id))
    path = download_path(report_id)
    form = client.form(path, "csrfmiddlewaretoken", "format")
    form.replace("format", "csv")

    def direct() -> int:
        return stream_to_nowhere(simulator.download("csv", body))

    def through_dashboard(new_connection: bool = False) -> int:
        response = client.post(
            path, form.fields, new_connection=new_connection, stream=True, timeout=DOWNLOAD_TIMEOUT
        )
        if response.headers.get("Content-Type", "").split(";")[0] != "text/csv":
            raise RuntimeError(f"The dashboard's download answered {response.status_code}.")
        return stream_to_nowhere(response)

    # How many rows make ``size`` bytes, from a small file; then warm every worker with it.
    sample_rows = 20_000
    simulator.set_download_rows(sample_rows)
    rows = round(size * sample_rows / direct())
    for _ in range(4):
        through_dashboard(new_connection=True)
    simulator.set_download_rows(rows)
    try:
        dashboard_times, direct_times, generator_times, growth = [], [], [], 0
        expected = None
        for _ in range(runs):
            generator_times.append(generator_seconds(body, rows))
            length, seconds = timed(direct)
            direct_times.append(seconds)
            workers = dashboard.worker_pids()
            for pid in workers:
                reset_peak_memory(pid)
            before = {pid: memory_kb(pid, "VmRSS") for pid in workers}
            dashboard_length, seconds = timed(through_dashboard)
            dashboard_times.append(seconds)
            growth = max(growth, *(memory_kb(pid, "VmHWM") - before[pid] for pid in workers))
            if dashboard_length != length or expected not in (None, length):
                raise RuntimeError("The dashboard and the simulator sent files of different sizes.")
            expected = length
    finally:
        simulator.set_download_rows(50)
    return DownloadResult(
        expected,
        rows,
        runs,
        Spread.of(dashboard_times),
        Spread.of(direct_times),
        Spread.of(generator_times),
        growth,
    )


# 4. Concurrency with a slow upstream ---------------------------------------------------------


@dataclass(frozen=True)
class SlowUpstream:
    clients: int
    seconds: float
    latency: float
    rows: int  # rows of the CSV each person downloads
    calls: int  # API calls of one download through the dashboard (no one else about)
    direct: Spread  # seconds of the same calls made straight to the simulator, with the latency
    direct_runs: int
    completed: int  # whole files received inside the window
    failed: int
    failures: dict[str, int]  # why they failed: status code or exception, how often
    p50: float
    p99: float
    cpu: float  # share of one CPU the dashboard's workers used
    connections: list[int]  # client connections each worker held, once all had started

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds

    @property
    def ideal_per_second(self) -> float:
        return self.clients / self.direct.median


def _direct_download(
    simulator: SimulatorClient, *, page_size: int, concurrency: int, body: dict
) -> None:
    """What a download through the dashboard asks of Weblink, straight to the simulator: the
    list read afresh (the first page alone, the rest ``concurrency`` at a time), the file."""
    first = simulator.report_list(limit=page_size).json()
    offsets = range(len(first["reports"]), int(first["count"]), page_size)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        pages = pool.map(lambda n: simulator.report_list(limit=page_size, limit_from=n), offsets)
        for page in pages:
            page.raise_for_status()
    if stream_to_nowhere(simulator.download("csv", body)) == 0:
        raise RuntimeError("The simulator's download was empty.")


def slow_upstream(
    client: DashboardClient,
    simulator: SimulatorClient,
    dashboard: Dashboard,
    *,
    report_id: str,
    rows: int,
    page_size: int,
    concurrency: int,
    clients: int,
    seconds: float,
    latency: float,
    direct_runs: int = 3,
) -> SlowUpstream:
    """``clients`` people download a small CSV of report ``report_id`` through the dashboard
    over and over while every API call takes ``latency`` seconds: each download asks Weblink
    (the list read afresh, then the file), where a warm list page no longer does.

    They start one after another over the first ``latency`` seconds, as people do, rather
    than all in the same instant; the window of ``seconds`` counted starts once all have. A
    person whose download failed waits ``latency`` seconds before trying again, as someone
    reading the message would, rather than sending failures as fast as they come back.
    """
    path = download_path(report_id)
    form = client.form(path, "csrfmiddlewaretoken", "format")
    form.replace("format", "csv")
    simulator.set_download_rows(rows)

    def download_through(session: DashboardClient) -> tuple[bool, str]:
        response = session.post(path, form.fields, stream=True, timeout=10 * latency + 10)
        kind = response.headers.get("Content-Type", "").split(";")[0]
        if response.status_code != 200 or kind != "text/csv":
            response.close()
            return False, str(response.status_code)
        return stream_to_nowhere(response) > 0, "empty file"

    good, why = download_through(client)  # once with no latency: the calls it makes
    calls = count_calls(simulator, lambda: download_through(client))
    if not good:
        raise RuntimeError(f"The dashboard's download of report {report_id} failed ({why}).")
    body = _download_body(simulator.report(report_id))
    sessions = [client.copy() for _ in range(clients)]
    client.session.close()  # so that the workers hold only these people's connections
    results: list[tuple[float, float, bool]] = []  # (finished, seconds taken, whole file)
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    starts: list[float] = []
    barrier = threading.Barrier(clients, action=lambda: starts.append(time.perf_counter()))

    def person(index: int, session: DashboardClient) -> None:
        barrier.wait()
        end = starts[0] + latency + seconds
        time.sleep(index * latency / clients)  # this person's turn to start
        while time.perf_counter() < end:
            started = time.perf_counter()
            try:
                good, why = download_through(session)
            except requests.RequestException as error:
                good, why = False, type(error).__name__
            finished = time.perf_counter()
            with lock:
                results.append((finished, finished - started, good))
                if not good:
                    failures[why] += 1
            if not good:
                time.sleep(latency)

    simulator.set_faults(latency=latency)
    try:
        direct = [
            timed(
                functools.partial(
                    _direct_download,
                    simulator,
                    page_size=page_size,
                    concurrency=concurrency,
                    body=body,
                )
            )[1]
            for _ in range(direct_runs)
        ]
        cpu_before = dashboard.cpu_seconds()
        threads = [
            threading.Thread(target=person, args=(i, s), daemon=True)
            for i, s in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        # Keep-alive connections stay with the worker that accepted them: see how they spread.
        time.sleep(2 * latency)
        connections = dashboard.open_connections()
        for thread in threads:
            thread.join(2 * latency + seconds + 10 * latency + 30)
    finally:
        simulator.set_faults()
    cpu = (dashboard.cpu_seconds() - cpu_before) / (time.perf_counter() - starts[0])
    window_start, window_end = starts[0] + latency, starts[0] + latency + seconds
    counted = [taken for end, taken, good in results if good and window_start <= end <= window_end]
    if len(counted) >= 2:
        percentiles = statistics.quantiles(counted, n=100, method="inclusive")
        p50, p99 = percentiles[49], percentiles[98]
    else:
        p50 = p99 = counted[0] if counted else float("nan")
    return SlowUpstream(
        clients=clients,
        seconds=seconds,
        latency=latency,
        rows=rows,
        calls=calls,
        direct=Spread.of(direct),
        direct_runs=direct_runs,
        completed=len(counted),
        failed=sum(failures.values()),
        failures=dict(failures.most_common()),
        p50=p50,
        p99=p99,
        cpu=cpu,
        connections=connections,
    )


# 5. Connection reuse -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionReuse:
    views: int
    connections: int
    limit: int  # workers x threads


def connection_reuse(
    client: DashboardClient, simulator: SimulatorClient, dashboard: Dashboard, *, views: int
) -> ConnectionReuse:
    """TCP connections the simulator accepts while a freshly started dashboard serves
    ``views`` list pages, one after another, each on a new connection from the browser."""
    before = simulator.stats()["connections_accepted"]
    for _ in range(views):
        client.page(LIST_PATH, new_connection=True)
    opened = simulator.stats()["connections_accepted"] - before
    return ConnectionReuse(views, opened, dashboard.workers * dashboard.threads)


# 6. The report fleet -------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetPage:
    page: str
    times: Spread  # seconds
    calls: int  # API calls over all the loads


@dataclass(frozen=True)
class FleetSize:
    reports: int
    latency: float  # seconds every API call took
    cold_runs: int
    cold: Spread  # seconds of the cold list page with the latency
    cold_bare: Spread  # the same without any latency: the dashboard's (and simulator's) own time
    cold_calls: tuple[int, ...]  # API calls of each cold list page, with the latency
    warm_runs: int
    warm: list[FleetPage]

    @property
    def round_trips(self) -> float:
        """The cold list page's time in upstream round trips, the dashboard's time included."""
        return self.cold.median / self.latency

    @property
    def upstream_round_trips(self) -> float:
        """The cold list page's time in round trips, the time it takes without latency left out."""
        return (self.cold.median - self.cold_bare.median) / self.latency


def fleet_body(n: int) -> dict:
    """The body of the benchmark's ``n``-th fleet report: daily, paused, one recipient."""
    return {
        "interval": "day",
        "active": 0,
        "name": f"Fleet report {n}",
        "description": "Made by the benchmark's fleet section",
        "email_link_only": 0,
        "report_type_id": "7",
        "arguments": [
            {"key": "format", "value": "csv"},
            {"key": "email", "value": f"fleet-{n}@example.com"},
        ],
    }


def fleet_grow(simulator: SimulatorClient, total: int, *, threads: int = 8) -> str:
    """Creates reports through the API, in ``threads`` threads with no latency, until the
    simulator holds ``total``; returns the id of the last one created."""
    simulator.set_faults()
    count = int(simulator.report_list(limit=1).json()["count"])
    numbers = list(range(count + 1, total + 1))
    if not numbers:
        raise ValueError(f"The simulator already holds {count} reports, not fewer than {total}.")
    created: dict[int, str] = {}

    def create(share: list[int]) -> None:
        own = SimulatorClient(simulator.url)  # a session (and token) of its own
        for n in share:
            created[n] = own.report_create(fleet_body(n))

    workers = [
        threading.Thread(target=create, args=(numbers[i::threads],), daemon=True)
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    held = int(simulator.report_list(limit=1).json()["count"])
    if held != total or len(created) != len(numbers):
        raise RuntimeError(f"The simulator holds {held} reports, not {total}.")
    return created[numbers[-1]]


def fleet_size(
    client: DashboardClient,
    simulator: SimulatorClient,
    *,
    reports: int,
    report_id: str,
    search: str,
    drop_snapshot: Callable[[], None],
    latency: float,
    cold_runs: int,
    warm_runs: int,
) -> FleetSize:
    """The cold list page (the snapshot dropped first) without and with ``latency`` on every
    API call; then, with the latency, the warm list, a search, a report's page and its edit
    form, each warmed on new connections (every worker) and timed on a keep-alive session."""

    def list_page(path: str = LIST_PATH) -> None:
        html = client.page(path)
        if rows_shown(html) == 0:
            raise RuntimeError(f"GET {path} shows no reports.")

    def cold(runs: int) -> tuple[list[float], list[int]]:
        times, calls = [], []
        for _ in range(runs):
            drop_snapshot()
            before = simulator.stats()["requests"]
            times.append(timed(list_page)[1])
            calls.append(simulator.stats()["requests"] - before)
        return times, calls

    simulator.set_faults()
    bare, _calls = cold(cold_runs)
    simulator.set_faults(latency=latency)
    try:
        times, calls = cold(cold_runs)
        # The snapshot stays fresh for WEBLINK_REPORTS_CACHE_SECONDS (an hour in the benchmark,
        # bench/servers.py): any read of the list in what follows would show in the counts.
        pages = [
            ("Report list", LIST_PATH),
            ("Search", f"{LIST_PATH}?q={search.replace(' ', '+')}"),
            ("Report's page", f"/c/demo/reports/{report_id}/"),
            ("Edit form", f"/c/demo/reports/{report_id}/edit/"),
        ]
        if report_id not in client.page(pages[1][1]):
            raise RuntimeError(f"The search for {search!r} does not show report {report_id}.")
        warm(client, [path for _, path in pages], times=4)
        warm_pages = []
        for name, path in pages:
            load = functools.partial(client.page, path)
            load()  # the keep-alive connection's worker, once more
            before = simulator.stats()["requests"]
            page_times = [timed(load)[1] for _ in range(warm_runs)]
            warm_pages.append(
                FleetPage(name, Spread.of(page_times), simulator.stats()["requests"] - before)
            )
    finally:
        simulator.set_faults()
    return FleetSize(
        reports=reports,
        latency=latency,
        cold_runs=cold_runs,
        cold=Spread.of(times),
        cold_bare=Spread.of(bare),
        cold_calls=tuple(calls),
        warm_runs=warm_runs,
        warm=warm_pages,
    )


# 7. Preview of a big report ------------------------------------------------------------------

PREVIEW_LIMIT_BYTES = 512 * 1024
_PREVIEW_ROWS_SHOWN = re.compile(r"The first (\d+) rows")


@dataclass(frozen=True)
class PreviewResult:
    size: int  # bytes of the whole file, estimated from a sample of its rows
    runs: int
    dashboard: Spread  # seconds for the preview page, whole answer
    first_rows: Spread  # seconds to the first 64 KB straight from the simulator
    rows_shown: int
    read_bytes: int  # file bytes the dashboard's workers read for one preview, at most


_PREVIEW_READ = re.compile(rb"Preview: (\d+) bytes of the file read from Weblink")


def _preview_reads(dashboard: Dashboard) -> list[int]:
    """The bytes of the file each preview so far read from Weblink, as the dashboard logs."""
    return [int(n) for n in _PREVIEW_READ.findall(dashboard.log.read_bytes())]


def preview(
    client: DashboardClient,
    simulator: SimulatorClient,
    dashboard: Dashboard,
    *,
    report_id: str,
    size: int,
    runs: int,
) -> PreviewResult:
    """The report page's Preview of a CSV of about ``size`` bytes, against the first rows of
    the same file straight from the simulator, and how much of the file the workers read."""
    body = _download_body(simulator.report(report_id))
    path = f"/c/demo/reports/{report_id}/preview/"
    form = client.form(f"/c/demo/reports/{report_id}/", "csrfmiddlewaretoken")
    fields = [(k, v) for k, v in form.fields if k == "csrfmiddlewaretoken"]
    fields.append(("preview_format", "csv"))

    def through_dashboard() -> str:
        response = client.post(path, fields, timeout=DOWNLOAD_TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"The dashboard's preview answered {response.status_code}.")
        return response.text

    def first_rows() -> int:
        with simulator.download("csv", body) as response:
            return len(next(response.iter_content(64 * 1024)))

    for _ in range(4):
        through_dashboard()  # every worker warm
    sample_rows = 20_000
    simulator.set_download_rows(sample_rows)
    sample_size = stream_to_nowhere(simulator.download("csv", body))
    rows = round(size * sample_rows / sample_size)
    simulator.set_download_rows(rows)
    try:
        dashboard_times, first_times, shown = [], [], 0
        logged = len(_preview_reads(dashboard))
        for _ in range(runs):
            first_times.append(timed(first_rows)[1])
            html, seconds = timed(through_dashboard)
            dashboard_times.append(seconds)
            match = _PREVIEW_ROWS_SHOWN.search(html)
            shown = int(match.group(1)) if match else 0
    finally:
        simulator.set_download_rows(50)
    return PreviewResult(
        size=round(rows * sample_size / sample_rows),
        runs=runs,
        dashboard=Spread.of(dashboard_times),
        first_rows=Spread.of(first_times),
        rows_shown=shown,
        read_bytes=max(_preview_reads(dashboard)[logged:]),
    )


# 8. Bulk jobs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkPause:
    reports: int
    latency: float  # seconds every API call took
    patches: int  # PATCHes the simulator received for the job
    paused: int  # of the reports, how many the simulator holds paused at the end
    seconds: float  # from the confirmation's POST until the job page says it finished
    direct: float  # seconds of the same PATCHes made one after another, straight
    memory_kb: tuple[int, int, int]  # the worker's resident size: at the start, peak, at the end
    samples: int  # how often the worker's memory was read over the job


_NOT_PATCHED = {"report_type_id", "arguments"}  # API.md: PATCH takes the rest


def bulk_body(prefix: str, n: int) -> dict:
    """An active daily report named ``<prefix> <n>``, for a bulk pause to pause."""
    return {**fleet_body(n), "active": 1, "name": f"{prefix} {n}"}


def _grow_active(simulator: SimulatorClient, prefix: str, reports: int, threads: int = 8) -> None:
    """Creates ``reports`` active reports named ``<prefix> <n>`` through the API."""

    def create(share: range) -> None:
        own = SimulatorClient(simulator.url)
        for n in share:
            own.report_create(bulk_body(prefix, n))

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(create, (range(i + 1, reports + 1, threads) for i in range(threads))))


def bulk_pause_draft(client: DashboardClient, prefix: str) -> tuple[str, Form]:
    """The list's #bulk form, "pause" for all the active reports that match a search for
    ``prefix``; returns the confirmation page's path and its form (POST it to
    /c/demo/reports/jobs/confirm/ to start the job)."""
    # The list first: it reads the reports (a dropped snapshot again) and sets the CSRF cookie.
    client.page(f"{LIST_PATH}?q={prefix.replace(' ', '+')}&active=1")
    # The form's actions are buttons; Django takes the cookie's secret as the token as well.
    token = client.session.cookies["csrftoken"]
    start = client.post(
        "/c/demo/reports/bulk/",
        [
            ("csrfmiddlewaretoken", token),
            ("action", "pause"),
            ("all_matching", "1"),
            ("q", prefix),
            ("active", "1"),
        ],
    )
    if start.status_code != 302:
        raise RuntimeError(f"The bulk form answered {start.status_code}.")
    job_path = start.headers["Location"]
    return job_path, client.form(job_path, "csrfmiddlewaretoken", "key")


def bulk_pause(
    client: DashboardClient,
    simulator: SimulatorClient,
    *,
    worker_pid: int,
    drop_snapshot: Callable[[], None],
    prefix: str,
    reports: int,
    latency: float,
) -> BulkPause:
    """A bulk pause of ``reports`` new active reports as a person makes it: all that match a
    search for ``prefix`` on the list's #bulk form, the confirmation, then the job page until
    the worker (pid ``worker_pid``) has finished; with ``latency`` on every API call. The
    worker's resident memory is read every 50 ms over the job. Then the same PATCHes straight
    to the simulator, one after another, as the direct counterpart."""
    simulator.set_faults()
    _grow_active(simulator, prefix, reports)
    drop_snapshot()
    job_path, confirm = bulk_pause_draft(client, prefix)
    simulator.set_faults(latency=latency)
    try:
        patches_before = simulator.stats()["methods"].get("PATCH", 0)
        first = memory_kb(worker_pid, "VmRSS")
        samples = [first]
        began = time.perf_counter()
        response = client.post("/c/demo/reports/jobs/confirm/", confirm.fields)
        if response.status_code != 302:
            raise RuntimeError(f"Confirming the bulk pause answered {response.status_code}.")
        deadline = began + 60 + 2 * reports * (latency + 0.1)
        next_look = began
        while True:
            samples.append(memory_kb(worker_pid, "VmRSS"))
            if time.perf_counter() >= next_look:  # the job page, as its own polling would
                if "hx-trigger" not in client.page(job_path):
                    break
                next_look = time.perf_counter() + 0.2
            if time.perf_counter() > deadline:
                raise RuntimeError(f"The bulk pause of {reports} reports did not finish.")
            time.sleep(0.05)
        seconds = time.perf_counter() - began
        patches = simulator.stats()["methods"].get("PATCH", 0) - patches_before
    finally:
        simulator.set_faults()
    mine = [
        r
        for r in _all_reports(simulator)
        if r["name"].startswith(f"{prefix} ") and r["name"][len(prefix) + 1 :].isdigit()
    ]
    paused = sum(1 for r in mine if not int(r["active"]))
    body = {key: value for key, value in bulk_body(prefix, 0).items() if key not in _NOT_PATCHED}
    simulator.set_faults(latency=latency)
    try:
        direct = timed(
            lambda: [
                simulator.report_patch(r["id"], {**body, "name": r["name"], "active": 0})
                for r in mine
            ]
        )[1]
    finally:
        simulator.set_faults()
    return BulkPause(
        reports=reports,
        latency=latency,
        patches=patches,
        paused=paused,
        seconds=seconds,
        direct=direct,
        memory_kb=(first, max(samples), samples[-1]),
        samples=len(samples),
    )


def _all_reports(simulator: SimulatorClient) -> list[dict]:
    reports, limit_from = [], 0
    while True:
        page = simulator.report_list(limit=100, limit_from=limit_from).json()
        reports += page["reports"]
        limit_from += len(page["reports"])
        if not page["reports"] or limit_from >= int(page["count"]):
            return reports


# 9. Where a warm list page spends its time ---------------------------------------------------

# Run by `manage.py shell` with the dashboard's settings, database and cache (the Stack's):
# Django's test client sends the page through the whole middleware stack in this process, as
# the signed-in person (their session cookie): first timed with each part of the page (see
# PAGE_PARTS) timed on its own, then under cProfile. The last line it prints is JSON: the
# median page in ms, each part's median, the template loader, and each function's
# [file, line, name, calls, own seconds, cumulative seconds] over the profiled runs.
_PROFILE_CODE = """
import cProfile, importlib, json, pstats, statistics, time
from django.conf import settings
from django.template import engines
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
client.cookies[settings.SESSION_COOKIE_NAME] = {session!r}
parts = {parts!r}
spent, depth = {{}}, [0]
def timing(label, function):
    def timed(*args, **kwargs):
        # Only the outermost part counts, should one call another.
        depth[0] += 1
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
    return timed
found = {{}}
for label, module_name, attribute in parts:
    module = importlib.import_module(module_name)
    if hasattr(module, attribute):
        found[label] = (module, attribute, getattr(module, attribute))
def page():
    response = client.get({path!r})
    assert response.status_code == 200, response.status_code
for _ in range({runs}):
    page()
for label, (module, attribute, function) in found.items():
    setattr(module, attribute, timing(label, function))
times, by_part = [], {{label: [] for label in found}}
for _ in range({runs}):
    spent.clear()
    started = time.perf_counter()
    page()
    times.append(time.perf_counter() - started)
    for label in found:
        by_part[label].append(spent.get(label, 0.0))
    by_part.setdefault("rest", []).append(times[-1] - sum(spent.values()))
for label, (module, attribute, function) in found.items():
    setattr(module, attribute, function)
loader = engines["django"].engine.template_loaders[0]
profiler = cProfile.Profile()
profiler.enable()
for _ in range({runs}):
    page()
profiler.disable()
stats = pstats.Stats(profiler).stats
rows = [[f, n, name, nc, tt, ct] for (f, n, name), (cc, nc, tt, ct, _c) in stats.items()]
print(json.dumps({{
    "page": statistics.median(times),
    "parts": {{label: statistics.median(values) for label, values in by_part.items()}},
    "loader": f"{{type(loader).__module__}}.{{type(loader).__qualname__}}",
    "functions": rows,
}}))
"""

# The parts of a warm list page timed on their own: (what it is, module, the function the
# page calls there). A part whose function is not found is left out, and its time counts
# in the rest.
PAGE_PARTS = [
    ("the session and the user (a cache read, a query)", "django.contrib.auth", "get_user"),
    (
        "the person's Weblink connections (a query)",
        "reports_admin.connection.selectors",
        "connections_list",
    ),
    (
        "the report types (a shared cache read)",
        "reports_admin.reports.metadata_cache",
        "report_types_get",
    ),
    (
        "the page of the snapshot (a shared cache read, the sorted order from memory)",
        "reports_admin.reports.selectors",
        "report_list",
    ),
    ('"Last sent" (a query)', "reports_admin.reports.views.pages", "_last_sent"),
    (
        "rendering the page (the results and filters from this process's memory)",
        "reports_admin.reports.views.pages",
        "render",
    ),
]


@dataclass(frozen=True)
class ProfiledFunction:
    name: str  # module path and function, or a group of modules
    calls: float  # per page
    own: float  # seconds a page in the function itself
    cumulative: float  # seconds a page in it and what it called


@dataclass(frozen=True)
class Profile:
    reports: int
    rows: int
    runs: int
    overhead: Overhead  # the warm page over HTTP, beside the direct call
    in_process: float  # seconds: the median page through the test client, unprofiled
    parts: dict[str, float]  # seconds: each part's median in those runs, and "rest"
    loader: str  # the template loader the settings give
    profiled: float  # seconds a page under cProfile
    by_cumulative: list[ProfiledFunction]  # our code's functions
    by_own: list[ProfiledFunction]
    by_area: list[ProfiledFunction]  # own time summed over a part of the code


# The checkout's own files are named from its top: ``reports_admin/...``.
_CHECKOUT = f"{Path(__file__).resolve().parents[1]}/"


def _short(path: str) -> str:
    """A function's file as a module path: ``django/template/base.py``, ``reports_admin/...``."""
    if path.startswith("~") or path.startswith("<"):
        return path
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3" else tail
    return path.removeprefix(_CHECKOUT)


def _area(path: str) -> str:
    """The part of the code a file belongs to: a Django package, our wing, the standard
    library or Python's built-ins."""
    short = _short(path)
    if short.startswith(("~", "<")):
        return "Python built-ins (C)"
    parts = short.split("/")
    if parts[0] in ("django", "reports_admin") and len(parts) > 2:
        return "/".join(parts[:2])
    if "/site-packages/" in path:
        return parts[0]
    if "/lib/python3" in path:
        return "Python standard library"
    return parts[0]


def profile_list(
    client: DashboardClient,
    simulator: SimulatorClient,
    dashboard: Dashboard,
    *,
    run_code: Callable[[str], str],
    rows: int,
    runs: int,
    top: int = 12,
) -> Profile:
    """The warm list page with ``rows`` reports: its overhead over HTTP, then the same page
    ``runs`` times in a process of its own (``run_code``: the dashboard's settings) under
    cProfile; the ``top`` functions by cumulative and by own time, and own time by area."""
    reports = int(simulator.report_list(limit=1).json()["count"])
    overhead = page_overhead(client, simulator, dashboard, rows=rows, runs=runs)
    session = next(v for k, v in client.session.cookies.items() if k.endswith("sessionid"))
    code = _PROFILE_CODE.format(
        session=session, path=f"{LIST_PATH}?per_page={rows}", runs=runs, parts=PAGE_PARTS
    )
    result = json.loads(run_code(code))
    functions = [
        ProfiledFunction(
            f"{_short(file)}:{line}({name})" if line else name, calls / runs, own / runs, cum / runs
        )
        for file, line, name, calls, own, cum in result["functions"]
    ]
    areas: Counter[str] = Counter()
    for file, _line, _name, _calls, own, _cum in result["functions"]:
        areas[_area(file)] += own / runs
    return Profile(
        reports=reports,
        rows=rows,
        runs=runs,
        overhead=overhead,
        in_process=result["page"],
        parts=result["parts"],
        loader=result["loader"],
        profiled=sum(f.own for f in functions),
        # Ours only: Django's handler and each middleware wrap the whole page.
        by_cumulative=sorted(
            (f for f in functions if f.name.startswith("reports_admin/")),
            key=lambda f: -f.cumulative,
        )[:top],
        by_own=sorted(functions, key=lambda f: -f.own)[:top],
        by_area=[ProfiledFunction(area, 0, own, own) for area, own in areas.most_common(top)],
    )
