"""`make bench`: start the simulator and the dashboard, measure, print and write the table.

Usage: ``.venv/bin/python -m bench.run`` from the project folder. BENCH_DOWNLOAD_MB sets the
size of the downloaded file (default 500).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import signal
import sys
import time
from datetime import datetime

from bench import measurements, report
from bench.clients import DashboardClient, SimulatorClient
from bench.servers import ROOT, Stack

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
VIEWS = 1000

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


def measure() -> report.Results:
    started = datetime.now().astimezone()
    load_at_start = os.getloadavg()[0]
    with Stack() as stack:
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

        progress(f"5. Upstream connections for {VIEWS} page views")
        connections = measurements.connection_reuse(client, simulator, dashboard, views=VIEWS)
        progress("2. API calls per page")
        calls = measurements.api_calls(client, simulator, report_id=edit_id, repeats=CALL_REPEATS)
        progress("1. Page overhead")
        overhead = [
            measurements.page_overhead(client, simulator, dashboard, rows=rows, runs=PAGE_RUNS)
            for rows in (25, 100)
        ]
        progress(f"4. Slow upstream: {SLOW_CLIENTS} people for {SLOW_SECONDS:.0f} s")
        slow = measurements.slow_upstream(
            client,
            simulator,
            dashboard,
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
    return report.Results(
        started=started,
        seconds=time.monotonic() - _started,
        machine=_machine(load_at_start),
        setup=(
            f"dashboard under gunicorn (gthread, {WORKERS} workers × {THREADS} threads), "
            "DEBUG off, SQLite, local-memory cache; the simulator (`weblink_sim`) in its own "
            f"process; {TOTAL_REPORTS} reports on the simulator; everything on 127.0.0.1."
        ),
        connections=connections,
        calls=calls,
        overhead=overhead,
        slow=slow,
        download=download,
        download_note=note,
    )


def main() -> int:
    # A stop from outside (make killed, a CI timeout) cleans up like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = measure()
    text = report.markdown(results)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text)
    print(text)
    progress(f"Written to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
