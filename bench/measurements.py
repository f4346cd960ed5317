"""The five measurements of the benchmark. Each returns its figures; none judges them."""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import requests

from bench.clients import (
    DOWNLOAD_TIMEOUT,
    DashboardClient,
    SimulatorClient,
    stream_to_nowhere,
    timed,
)
from bench.servers import Dashboard, memory_kb, reset_peak_memory

LIST_PATH = "/reports/"
CREATE_PATH = "/reports/new/"
_ROW = re.compile(r"/reports/(\d+)/edit/")


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
    client: DashboardClient, simulator: SimulatorClient, *, report_id: str, repeats: int
) -> list[CallCount]:
    """Calls made by the warm list and create pages, the edit form, and saving an edit that
    changes one recipient (the form's values as shown, one e-mail address replaced)."""
    edit_path = f"/reports/{report_id}/edit/"
    warm(client, [LIST_PATH, CREATE_PATH, edit_path], times=20)

    def counts(path: str) -> tuple[int, ...]:
        return tuple(
            count_calls(simulator, lambda: client.page(path, new_connection=True))
            for _ in range(repeats)
        )

    saves = tuple(
        _save_one_recipient(client, simulator, report_id=report_id, edit_path=edit_path, n=n)
        for n in range(repeats)
    )
    return [
        CallCount("Report list (warm)", 1, counts(LIST_PATH)),
        CallCount("New report form (warm)", 0, counts(CREATE_PATH)),
        CallCount("Edit form (the read that finds the report)", 1, counts(edit_path)),
        CallCount("Save with one recipient changed (read + PATCH report + PATCH e-mail)", 3, saves),
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
    memory_growth_kb: int  # the most any worker grew in any run


def download_path(report_id: str) -> str:
    return f"/reports/{report_id}/download/"


def download_available(client: DashboardClient, report_id: str) -> bool:
    return client.get(download_path(report_id)).status_code == 200


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
    report = simulator.report(report_id)
    arguments = [
        {"key": key, "value": row["value"]}
        for key, rows in report["arguments"].items()
        if key != "format"
        for row in rows
    ]
    body = {
        "interval": report["interval"],
        "report_type_id": report["report_type_id"],
        "arguments": [*arguments, {"key": "format", "value": "csv"}],
    }
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
        dashboard_times, direct_times, growth = [], [], 0
        expected = None
        for _ in range(runs):
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
        expected, rows, runs, Spread.of(dashboard_times), Spread.of(direct_times), growth
    )


# 4. Concurrency with a slow upstream ---------------------------------------------------------


@dataclass(frozen=True)
class SlowUpstream:
    clients: int
    seconds: float
    latency: float
    completed: int  # good pages finished inside the window
    failed: int
    p50: float
    p99: float
    cpu: float  # share of one CPU the dashboard's workers used
    connections: list[int]  # client connections each worker held, once all had started

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds


def slow_upstream(
    client: DashboardClient,
    simulator: SimulatorClient,
    dashboard: Dashboard,
    *,
    clients: int,
    seconds: float,
    latency: float,
) -> SlowUpstream:
    """``clients`` people load the list page over and over while every API call takes
    ``latency`` seconds.

    They start one after another over the first ``latency`` seconds, as people do, rather
    than all in the same instant; the window of ``seconds`` counted starts once all have.
    """
    sessions = [client.copy() for _ in range(clients)]
    client.session.close()  # so that the workers hold only these people's connections
    results: list[tuple[float, float, bool]] = []  # (finished, seconds taken, good page)
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
                response = session.get(LIST_PATH, timeout=10 * latency + 10)
                good = response.status_code == 200 and rows_shown(response.text) > 0
            except requests.RequestException:
                good = False
            finished = time.perf_counter()
            with lock:
                results.append((finished, finished - started, good))

    simulator.set_faults(latency=latency)
    cpu_before = dashboard.cpu_seconds()
    try:
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
    percentiles = statistics.quantiles(counted, n=100, method="inclusive")
    return SlowUpstream(
        clients=clients,
        seconds=seconds,
        latency=latency,
        completed=len(counted),
        failed=sum(1 for _, _, good in results if not good),
        p50=percentiles[49],
        p99=percentiles[98],
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
