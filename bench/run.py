"""`make bench`: start the simulator and the dashboard, measure, print and write the table.

Usage: ``.venv/bin/python -m bench.run`` from the project folder. BENCH_DOWNLOAD_MB sets the
size of the downloaded (and previewed) file (default 500). ``BENCH_ONLY=fleet`` runs only
the fleet section (pages with 100 to 5,000 reports), ``BENCH_ONLY=preview`` only the
preview of a big report, and ``BENCH_ONLY=profile`` only the profile of a warm list page
(a whole run takes all three); each puts its section in place of the one in
docs/benchmarks.md, keeping the rest of the document as it was. ``--quick`` (run by .ci/run)
measures small sizes with few repeats, prints the figures, writes nothing, and fails only
when a count breaks its target in bench/targets.py, never on a time.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import signal
import sys
import time
from datetime import datetime

from bench import measurements, report, targets
from bench.clients import DashboardClient, SimulatorClient
from bench.servers import ROOT, Dashboard, Stack

OUTPUT = ROOT / "docs" / "benchmarks.md"
# A gthread worker serves the keep-alive connections it accepted with its own threads, and the
# 32 slow-upstream clients do not split evenly over the workers: each worker needs a thread
# for every client it may be given, or some wait a whole upstream second for a free one.
WORKERS, THREADS = 2, 32
TOTAL_REPORTS = 120  # the simulator has 30; enough for a page of 100
PAGE_RUNS = 200
CALL_REPEATS = 5
DOWNLOAD_BYTES = int(float(os.environ.get("BENCH_DOWNLOAD_MB", "500")) * 1e6)
DOWNLOAD_RUNS = int(os.environ.get("BENCH_DOWNLOAD_RUNS", "1"))
SLOW_CLIENTS, SLOW_SECONDS, SLOW_LATENCY = 32, 15.0, 1.0
SLOW_DOWNLOAD_ROWS = 50  # a small file: section 4 is about waiting on Weblink, not bytes
VIEWS = 1000
ONLY = os.environ.get("BENCH_ONLY", "").strip().lower()
FLEET_SIZES = (100, 1_000, 5_000)
FLEET_LATENCY = 0.1
FLEET_COLD_RUNS = 3
FLEET_WARM_RUNS = 20
PREVIEW_RUNS = 5
BULK_LATENCY = 0.1
BULK_REPORTS = 100
BULK_MEMORY_REPORTS = 1_000  # the worker's memory over a big job, calls without latency
PROFILE_REPORTS, PROFILE_ROWS, PROFILE_RUNS = 1_000, 25, 200

_started = time.monotonic()


def progress(text: str) -> None:
    print(f"[{time.monotonic() - _started:5.0f} s] {text}", file=sys.stderr, flush=True)


def _report_body(name: str, report_type_id: str, interval: str) -> dict:
    return {
        "interval": interval,
        "active": 1,
        "name": name,
        "description": "Made by the benchmark",
        "email_link_only": 0,
        "report_type_id": report_type_id,
        "arguments": [
            {"key": "format", "value": "csv"},
            {"key": "email", "value": "bench@example.com"},
        ],
    }


def prepare_company(simulator: SimulatorClient) -> tuple[str, str]:
    """Enough reports for a page of 100, one to download; returns (to edit, to download).

    The download is hourly callback statistics of every destination: of what the simulator
    offers, the fastest file to make, and one whose dates do not run out.
    """
    page = simulator.report_list(limit=100).json()
    to_edit = next(r["id"] for r in page["reports"] if r["arguments"].get("email"))
    for n in range(int(page["count"]), TOTAL_REPORTS - 1):
        simulator.report_create(_report_body(f"Benchmark report {n + 1}", "7", "day"))
    to_download = simulator.report_create(_report_body("Benchmark download", "6", "hour"))
    return to_edit, to_download


def _machine(load_at_start: float) -> str:
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("Django", "gunicorn", "requests")
    )
    # Other work on the machine slows the dashboard more than the simulator: say how busy it was.
    load = f"load average {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    return (
        f"{os.cpu_count()} CPUs ({load}), {platform.system()} {platform.release()} "
        f"({platform.machine()}), Python {platform.python_version()}, {versions}"
    )


def _setup(reports: str, fresh_seconds: int) -> str:
    return (
        f"dashboard under gunicorn (gthread, {WORKERS} workers × {THREADS} threads), "
        "DEBUG off, SQLite, the database cache (the default) shared by the processes, and "
        "each process's own memory for rendered list results; the report snapshot fresh for "
        f"{fresh_seconds:,} s (`WEBLINK_REPORTS_CACHE_SECONDS`, 60 by default; longer than the "
        "run, so that no figure depends on when the freshness runs out: a cold page drops the "
        "snapshot itself); the simulator (`weblink_sim`) in its own process; "
        f"{reports} reports on the simulator; everything on 127.0.0.1."
    )


def _dashboard_setting(stack: Stack, name: str) -> int:
    """A setting as the dashboard's processes see it (their environment, .env included)."""
    code = f"from django.conf import settings; print(settings.{name})"
    return int(stack.shell(code))


def measure_fleet(
    stack: Stack, simulator: SimulatorClient, client: DashboardClient
) -> report.Fleet:
    """6. Pages with FLEET_SIZES reports on the simulator (reset first, then grown)."""
    started = datetime.now().astimezone()
    began, load_at_start = time.monotonic(), os.getloadavg()[0]
    simulator.reset()  # the company's 30 seeded reports; tokens stay valid
    client.page(measurements.LIST_PATH)  # the report types cached, as on any warm page
    how_dropped: list[str] = []
    page_size = _dashboard_setting(stack, "WEBLINK_LIST_PAGE_SIZE")
    concurrency = _dashboard_setting(stack, "WEBLINK_LIST_CONCURRENCY")

    def drop_snapshot() -> None:
        how_dropped.append(stack.drop_report_snapshots())

    sizes = []
    for reports in FLEET_SIZES:
        progress(f"6. Fleet: growing the simulator to {reports:,} reports")
        report_id = measurements.fleet_grow(simulator, reports)
        progress(f"6. Fleet: {reports:,} reports, cold and warm pages")
        sizes.append(
            measurements.fleet_size(
                client,
                simulator,
                reports=reports,
                report_id=report_id,
                search=measurements.fleet_body(reports)["name"],
                drop_snapshot=drop_snapshot,
                latency=FLEET_LATENCY,
                cold_runs=FLEET_COLD_RUNS,
                warm_runs=FLEET_WARM_RUNS,
            )
        )
    return report.Fleet(
        started=started,
        seconds=time.monotonic() - began,
        machine=_machine(load_at_start),
        setup=_setup(
            ", ".join(f"{n:,}" for n in FLEET_SIZES),
            _dashboard_setting(stack, "WEBLINK_REPORTS_CACHE_SECONDS"),
        ),
        sizes=sizes,
        page_size=page_size,
        concurrency=concurrency,
        how_dropped=" or ".join(f"`{how}`" for how in sorted(set(how_dropped))),
    )


def _start(stack: Stack) -> tuple[SimulatorClient, Dashboard, DashboardClient, str, str]:
    """The simulator and the signed-in dashboard; returns the reports to edit and download."""
    progress("Starting the simulator")
    simulator = SimulatorClient(stack.start_simulator())
    simulator.reset()
    progress("Preparing the dashboard: token key, static files, database, demo account")
    stack.prepare_dashboard()
    edit_id, download_id = prepare_company(simulator)
    progress(f"Starting the dashboard: gunicorn gthread, {WORKERS} x {THREADS}")
    dashboard = stack.start_dashboard(workers=WORKERS, threads=THREADS)
    client = DashboardClient(dashboard.url)
    client.sign_in()
    return simulator, dashboard, client, edit_id, download_id


def measure_preview(
    simulator: SimulatorClient, dashboard: Dashboard, client: DashboardClient, report_id: str
) -> report.Preview:
    """7. The preview of a report of DOWNLOAD_BYTES."""
    started, load_at_start = datetime.now().astimezone(), os.getloadavg()[0]
    progress(f"7. Preview of a {DOWNLOAD_BYTES / 1e6:.0f} MB report, {PREVIEW_RUNS} runs")
    result = measurements.preview(
        client, simulator, dashboard, report_id=report_id, size=DOWNLOAD_BYTES, runs=PREVIEW_RUNS
    )
    return report.Preview(started=started, machine=_machine(load_at_start), result=result)


def measure_preview_only() -> report.Preview:
    with Stack() as stack:
        simulator, dashboard, client, _edit, download_id = _start(stack)
        return measure_preview(simulator, dashboard, client, download_id)


def measure_bulk(
    stack: Stack, simulator: SimulatorClient, client: DashboardClient, *, quick: bool = False
) -> list[measurements.BulkPause]:
    """8. Bulk pauses run by the task worker, started here as a process of its own."""
    worker = stack.start_worker()
    runs = [("Bulk pause", BULK_REPORTS, BULK_LATENCY)]
    if quick:
        runs = [("Bulk pause", 10, 0.01)]
    else:
        runs.append(("Bulk memory", BULK_MEMORY_REPORTS, 0.0))
    results = []
    for prefix, reports, latency in runs:
        progress(f"8. Bulk pause of {reports:,} reports, {latency * 1000:.0f} ms a call")
        results.append(
            measurements.bulk_pause(
                client,
                simulator,
                worker_pid=worker.pid,
                drop_snapshot=stack.drop_report_snapshots,
                prefix=prefix,
                reports=reports,
                latency=latency,
            )
        )
    stack.stop(worker)
    return results


def quick() -> int:
    """Small sizes, few repeats: prints the figures; 1 when a count breaks its target."""
    with Stack() as stack:
        simulator, dashboard, client, edit_id, download_id = _start(stack)
        progress("Quick: connections, calls, overhead, download, bulk pause")
        connections = measurements.connection_reuse(client, simulator, dashboard, views=50)
        page_size = _dashboard_setting(stack, "WEBLINK_LIST_PAGE_SIZE")
        reports = int(simulator.report_list(limit=1).json()["count"])
        calls = measurements.api_calls(
            client, simulator, report_id=edit_id, repeats=2, list_reads=-(-reports // page_size)
        )
        overhead = measurements.page_overhead(client, simulator, dashboard, rows=25, runs=10)
        download = measurements.download(
            client, simulator, dashboard, report_id=download_id, size=int(20e6), runs=1
        )
        (bulk,) = measure_bulk(stack, simulator, client, quick=True)
    print(report.quick_markdown(connections, calls, overhead, download, bulk))
    figures = {
        c.page: (next((n for n in c.counts if n != c.expected), c.expected), c.expected, "==")
        for c in calls
    }
    figures["Upstream connections"] = (
        connections.connections,
        connections.limit * targets.CONNECTIONS_PER_THREAD,
        "<=",
    )
    figures[f"PATCHes of a bulk pause of {bulk.reports} reports"] = (
        bulk.patches,
        bulk.reports * targets.BULK_PAUSE_PATCHES_PER_REPORT,
        "==",
    )
    broken = targets.broken(figures)
    for line in broken:
        print(f"Count target broken: {line}", file=sys.stderr)
    progress("Quick: " + ("counts broken" if broken else "every count on target"))
    return 1 if broken else 0


def measure_fleet_only() -> report.Fleet:
    with Stack() as stack:
        simulator, _dashboard, client, _edit, _download = _start(stack)
        return measure_fleet(stack, simulator, client)


def measure_profile(
    stack: Stack,
    simulator: SimulatorClient,
    dashboard: Dashboard,
    client: DashboardClient,
    *,
    alone: bool,
) -> report.ProfileSection:
    """9. Where a warm list page of PROFILE_ROWS spends its time, with the simulator reset and
    grown to PROFILE_REPORTS."""
    started, load_at_start = datetime.now().astimezone(), os.getloadavg()[0]
    progress(f"9. Profile: the simulator reset and grown to {PROFILE_REPORTS:,} reports")
    simulator.reset()  # the company's 30 seeded reports; tokens stay valid
    measurements.fleet_grow(simulator, PROFILE_REPORTS)
    stack.drop_report_snapshots()
    measurements.warm(client, [measurements.LIST_PATH], times=4)
    progress(f"9. Profile: the warm list page of {PROFILE_ROWS}, {PROFILE_RUNS} runs")
    profile = measurements.profile_list(
        client, simulator, dashboard, run_code=stack.shell, rows=PROFILE_ROWS, runs=PROFILE_RUNS
    )
    setup = _setup(
        f"{PROFILE_REPORTS:,}", _dashboard_setting(stack, "WEBLINK_REPORTS_CACHE_SECONDS")
    )
    return report.ProfileSection(
        started=started,
        machine=_machine(load_at_start),
        setup=setup,
        profile=profile,
        load=load_at_start,
        cpus=os.cpu_count() or 1,
        alone=alone,
    )


def measure_profile_only() -> report.ProfileSection:
    with Stack() as stack:
        simulator, dashboard, client, _edit, _download = _start(stack)
        return measure_profile(stack, simulator, dashboard, client, alone=True)


def measure() -> report.Results:
    started = datetime.now().astimezone()
    load_at_start = os.getloadavg()[0]
    with Stack() as stack:
        simulator, dashboard, client, edit_id, download_id = _start(stack)

        progress(f"5. Upstream connections for {VIEWS} page views")
        connections = measurements.connection_reuse(client, simulator, dashboard, views=VIEWS)
        page_size = _dashboard_setting(stack, "WEBLINK_LIST_PAGE_SIZE")
        concurrency = _dashboard_setting(stack, "WEBLINK_LIST_CONCURRENCY")
        fresh_seconds = _dashboard_setting(stack, "WEBLINK_REPORTS_CACHE_SECONDS")
        reports = int(simulator.report_list(limit=1).json()["count"])
        progress("2. API calls per page")
        calls = measurements.api_calls(
            client,
            simulator,
            report_id=edit_id,
            repeats=CALL_REPEATS,
            list_reads=-(-reports // page_size),
        )
        progress("1. Page overhead")
        overhead = [
            measurements.page_overhead(client, simulator, dashboard, rows=rows, runs=PAGE_RUNS)
            for rows in (25, 100)
        ]
        progress(f"4. Slow upstream: {SLOW_CLIENTS} people downloading for {SLOW_SECONDS:.0f} s")
        slow = measurements.slow_upstream(
            client,
            simulator,
            dashboard,
            report_id=download_id,
            rows=SLOW_DOWNLOAD_ROWS,
            page_size=page_size,
            concurrency=concurrency,
            clients=SLOW_CLIENTS,
            seconds=SLOW_SECONDS,
            latency=SLOW_LATENCY,
        )
        download, note = None, ""
        if measurements.download_available(client, download_id):
            progress(
                f"3. Download of {DOWNLOAD_BYTES / 1e6:.0f} MB, {DOWNLOAD_RUNS} run(s) each way"
            )
            download = measurements.download(
                client,
                simulator,
                dashboard,
                report_id=download_id,
                size=DOWNLOAD_BYTES,
                runs=DOWNLOAD_RUNS,
            )
        else:
            note = f"the dashboard has no {measurements.download_path('<id>')} page"
            progress(f"3. Download: not measured, {note}")
        preview = measure_preview(simulator, dashboard, client, download_id)
        bulk = measure_bulk(stack, simulator, client)
        # These two last: they reset the simulator and grow it to thousands of reports.
        profile = measure_profile(stack, simulator, dashboard, client, alone=False)
        fleet = measure_fleet(stack, simulator, client.copy())
    return report.Results(
        started=started,
        seconds=time.monotonic() - _started,
        machine=_machine(load_at_start),
        setup=_setup(str(reports), fresh_seconds),
        connections=connections,
        calls=calls,
        overhead=overhead,
        slow=slow,
        download=download,
        download_note=note,
        bulk=bulk,
        fleet=fleet,
        preview=preview,
        profile=profile,
    )


def main() -> int:
    # A stop from outside (make killed, a CI timeout) cleans up like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if ONLY not in ("", "fleet", "preview", "profile"):
        print(
            f"BENCH_ONLY={ONLY!r}: the sections that run alone are 'fleet', 'preview' and "
            "'profile'.",
            file=sys.stderr,
        )
        return 2
    if sys.argv[1:] == ["--quick"]:
        return quick()
    document = OUTPUT.read_text() if OUTPUT.exists() else ""
    if ONLY == "fleet":
        text = report.merge_fleet(document, measure_fleet_only())
    elif ONLY == "preview":
        text = report.merge_preview(document, measure_preview_only())
    elif ONLY == "profile":
        text = report.merge_profile(document, measure_profile_only())
    else:
        text = report.markdown(measure())
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text)
    print(text)
    progress(f"Written to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
