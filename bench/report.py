"""The benchmark's results as Markdown: one table, each figure beside its direct figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bench.measurements import (
    CallCount,
    ConnectionReuse,
    DownloadResult,
    Overhead,
    SlowUpstream,
    Spread,
)

# The targets of the benchmark issue.
OVERHEAD_MS = {25: 10.0, 100: 20.0}
DOWNLOAD_MIN_RATIO = 0.5
DOWNLOAD_MAX_GROWTH_MB = 30
SLOW_MIN_PER_SECOND = 28.0
SLOW_MAX_P99 = 1.5


@dataclass(frozen=True)
class Results:
    started: datetime
    seconds: float
    machine: str
    setup: str
    connections: ConnectionReuse
    calls: list[CallCount]
    overhead: list[Overhead]
    slow: SlowUpstream
    download: DownloadResult | None
    download_note: str  # why there is no download figure, when there is none


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _overhead_row(o: Overhead) -> str:
    extra = o.dashboard.median - o.direct.median
    extra_p95 = o.dashboard.p95 - o.direct.p95
    limit = OVERHEAD_MS[o.rows]
    return (
        f"| 1. Report list page, {o.rows} reports: median / p95 of {o.runs} "
        f"| {_ms(o.dashboard.median)} / {_ms(o.dashboard.p95)} ms (CPU {_ms(o.cpu)} ms a page) "
        f"| {_ms(o.direct.median)} / {_ms(o.direct.p95)} ms "
        f"| +{_ms(extra)} / +{_ms(extra_p95)} ms, ×{o.dashboard.median / o.direct.median:.1f} "
        f"| ≤ {limit:.0f} ms more | {_met(extra * 1000 <= limit)} |"
    )


def _calls_row(c: CallCount) -> str:
    seen = sorted(set(c.counts))
    shown = " or ".join(str(n) for n in seen)
    return (
        f"| 2. API calls: {c.page} | {shown} (each of {len(c.counts)} times) | | "
        f"| {c.expected} | {_met(seen == [c.expected])} |"
    )


def _download_rows(d: DownloadResult | None, note: str) -> list[str]:
    if d is None:
        return [f"| 3. Download | not measured: {note} | | | | |"]
    mb = d.size / 1e6
    ratio = d.direct.median / d.dashboard.median
    growth = d.memory_growth_kb / 1024

    def seconds(spread: Spread) -> str:
        taken = f"{spread.median:.1f}" if d.runs == 1 else f"{spread.median:.1f} / {spread.p95:.1f}"
        return f"{taken} s ({mb / spread.median:.1f} MB/s)"

    runs = "one run each way" if d.runs == 1 else f"median / p95 of {d.runs} runs"
    return [
        f"| 3. Download, CSV of {mb:.0f} MB ({d.rows:,} rows): seconds, {runs} "
        f"| {seconds(d.dashboard)} | {seconds(d.direct)} "
        f"| {ratio:.0%} of direct throughput | ≥ {DOWNLOAD_MIN_RATIO:.0%} "
        f"| {_met(ratio >= DOWNLOAD_MIN_RATIO)} |",
        f"| 3. Download: peak growth of the dashboard worker's resident memory | {growth:.1f} MiB "
        f"| | | ≤ {DOWNLOAD_MAX_GROWTH_MB} MiB | {_met(growth <= DOWNLOAD_MAX_GROWTH_MB)} |",
    ]


def _slow_rows(s: SlowUpstream) -> list[str]:
    ideal = s.clients / s.latency
    title = f"4. {s.clients} people for {s.seconds:.0f} s, every API call taking {s.latency:g} s"
    failed = f", {s.failed} failed" if s.failed else ""
    return [
        f"| {title}: pages per second | {s.per_second:.1f} ({s.completed} pages{failed}; "
        f"the workers used {s.cpu:.0%} of a CPU and held "
        f"{' + '.join(str(n) for n in s.connections)} of the connections) "
        f"| {ideal:.0f} (ideal) | {s.per_second / ideal:.0%} of ideal "
        f"| ≥ {SLOW_MIN_PER_SECOND:.0f} | {_met(s.per_second >= SLOW_MIN_PER_SECOND)} |",
        f"| {title}: page time p50 / p99 | {s.p50:.2f} / {s.p99:.2f} s | {s.latency:.2f} s "
        f"| +{_ms(s.p50 - s.latency)} / +{_ms(s.p99 - s.latency)} ms "
        f"| p99 ≤ {SLOW_MAX_P99} s | {_met(s.p99 <= SLOW_MAX_P99)} |",
    ]


def _connections_row(c: ConnectionReuse) -> str:
    return (
        f"| 5. Upstream TCP connections opened for {c.views:,} page views | {c.connections} | | "
        f"| ≤ {c.limit} (workers × threads) | {_met(c.connections <= c.limit)} |"
    )


def markdown(results: Results) -> str:
    r = results
    rows = [
        *(_overhead_row(o) for o in r.overhead),
        *(_calls_row(c) for c in r.calls),
        *_download_rows(r.download, r.download_note),
        *_slow_rows(r.slow),
        _connections_row(r.connections),
    ]
    return "\n".join(
        [
            "# Benchmarks",
            "",
            "What the dashboard costs on top of the Weblink API, measured against the simulator "
            "in one run, so that every figure stands beside its direct counterpart. Written by "
            "`make bench` (`bench/run.py`); run it again rather than editing this file. It "
            "prints figures and never fails on speed.",
            "",
            f"Run of {r.started:%Y-%m-%d %H:%M %Z}, {r.seconds:.0f} s. Machine: {r.machine}.",
            "",
            f"Set-up: {r.setup}",
            "",
            "| Measurement | Through the dashboard | Straight to the simulator | Difference "
            "| Target | Met |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            "## How each figure is taken",
            "",
            "1. A signed-in person's keep-alive session loads `/reports/?per_page=N`, in turn "
            "with the same list call (`GET /company/report?limit=N&limit_from=0`, bearer token "
            "from the simulator's sign-in) made straight to the simulator; both are warmed "
            "first. Times are measured by the client, body included. The difference is of the "
            "medians (and of the p95s); the ratio is of the medians. CPU a page is the "
            "workers' user and system time over the runs, divided by the runs: it changes "
            "little when other work slows the machine, unlike the times.",
            "2. Requests counted by the simulator (`/_sim/stats`) around each page, each "
            "loaded on a new connection after every page has been loaded 20 times, so that "
            "every gunicorn worker has its cache warm. The save posts the edit form with "
            "every value as shown and one e-mail address replaced; the redirect after it is "
            "not followed. The simulator is checked to hold the new address under the old "
            "argument id.",
            "3. The simulator is told how many rows make a CSV of the size wanted (measured "
            "on a small file); the file is then fetched in turns through the dashboard's "
            "download form and straight from the simulator with the same body, both read "
            "to the end by a streaming requests client. Memory: VmHWM of each gunicorn worker "
            "after the download minus its VmRSS before it, with the peak reset "
            "(`/proc/<pid>/clear_refs`) just before.",
            "4. The simulator's `latency` fault delays every API call. Each person has their "
            "own keep-alive session and loads the list page again as soon as the last one "
            "came; they start one after another over the first second, and the window counted "
            "begins once all have. Pages per second count good pages finished inside the "
            "window; p50 and p99 are over those pages. CPU is the workers' user and system "
            "time (`/proc/<pid>/stat`) over the run. A gthread worker keeps each keep-alive "
            "connection it accepted, so the table also says how the people's connections "
            "were spread over the workers (from `/proc/net/tcp`), two seconds in.",
            "5. The simulator counts the TCP connections it accepts. The dashboard is freshly "
            "started, so none are open yet; each page view comes on a new connection from "
            "the browser, so that every worker and thread can take part.",
            "",
        ]
    )
