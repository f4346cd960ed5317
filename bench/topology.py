"""The production topology through a rolling restart: `python -m bench.topology` (.ci/run).

nginx, with the configuration in compose.yaml (its addresses replaced), in front of two
gunicorn instances started with config/gunicorn.py, on PostgreSQL and Redis, against the
simulator. Under steady load on the list and a report page, with "Send now" posted through
its confirmation form now and then and two downloads under way (a short and a long one),
both instances are restarted one after the other, as docs/deploying.md says: SIGTERM to the
old one, which refuses new connections at once; its replacement started on the same port as
soon as the port is free; the next instance only once the replacement's /readyz says 200.
Before them the task worker is restarted in the middle of a bulk pause, confirmed through
the list's bulk form and its confirmation page, with every Weblink call slowed down: SIGTERM,
SIGKILL when it is still finishing the job after a short stop timeout (as a process manager
does), then a new worker, which resumes the job.

It asserts that no request failed or took over 5 s, that every send went out exactly once,
that each download either completed or failed visibly (the long one must fail), never as a
short file the dashboard logged as complete, and that every report of the bulk pause ended
done, or "outcome unknown" for at most the one whose call the restart cut, with no report
PATCHed twice. It prints its figures. Needs nginx, PostgreSQL and Redis on 127.0.0.1 (the
ones .ci/run uses).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg
import redis
import requests

from bench.clients import DashboardClient, SimulatorClient
from bench.measurements import bulk_body, bulk_pause_draft
from bench.servers import ROOT, Stack, free_port

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/13"
REPORT_ID = "2583"  # the simulator's first seeded report
PAGES = ["/c/demo/reports/", f"/c/demo/reports/{REPORT_ID}/"]
RATE = 20  # requests a second, over all the load threads
LOAD_THREADS = 4
SEND_EVERY = 1.0  # seconds
SLOWEST_ALLOWED = 5.0  # seconds
GRACE_SECONDS = 3  # DOWNLOAD_GRACE_SECONDS: short, so a long download outlasts it
# Two downloads started before the restarts: one the instance finishes sending within its
# grace period, one (about 14 MB to a slow browser) it cannot, so that one must fail visibly.
# The long one is far bigger than the sockets between simulator, dashboard, nginx and client
# can hold, so that it is still streaming from the dashboard when the grace period ends.
DOWNLOAD_ROWS = {"short": 20_000, "long": 3_000_000}
DOWNLOAD_RATE = 400_000  # bytes a second: a slow browser
SETTLE_SECONDS = 2  # load before the first restart and after the last
REFUSED_WITHIN = 2.0  # seconds after SIGTERM by which the old instance must refuse
BULK_PREFIX = "Topology bulk"  # the name search that picks the bulk pause's reports
BULK_REPORTS = 8
# Every Weblink call takes this long while the job runs, so that the restart lands mid-call.
BULK_LATENCY = 0.5
# After SIGTERM the worker finishes the job under way; a process manager kills it after its
# stop timeout (compose's stop_grace_period), shortened here so that the kill cuts a call.
WORKER_STOP_SECONDS = 1.0
BULK_SECONDS = 60  # the job must have finished by then


@dataclass
class Figures:
    """What the load saw: each request's seconds, and the failures, described."""

    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    sends: list[str] = field(default_factory=list)  # "sent" or "refused", per confirmation
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, failure: str | None = None) -> None:
        with self.lock:
            self.seconds.append(seconds)
            if failure:
                self.failures.append(failure)


def main() -> int:
    database = f"reports_admin_topology_{os.getpid()}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    redis.Redis.from_url(REDIS_URL, socket_timeout=3).flushdb()
    env = {
        "DATABASE_URL": f"{POSTGRES}/{database}",
        "CACHE_URL": REDIS_URL,
        "LOG_FORMAT": "json",
        "TRUSTED_PROXY_COUNT": "1",
        # Every confirmation may send: the one-time key alone keeps each to one send.
        "SEND_COOLOFF_SECONDS": "0",
    }
    try:
        with Stack(env=env) as stack:
            return _run(stack, env["DATABASE_URL"])
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _run(stack: Stack, database_url: str) -> int:
    simulator = SimulatorClient(stack.start_simulator())
    # Before the dashboard first reads the reports, so that its snapshot holds them.
    for n in range(1, BULK_REPORTS + 1):
        simulator.report_create(bulk_body(BULK_PREFIX, n))
    stack.prepare_dashboard()
    worker = stack.start_worker()  # the same settings, database and cache as the instances
    instance_env = {
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "DOWNLOAD_GRACE_SECONDS": str(GRACE_SECONDS),
    }
    ports = {"web1": free_port(), "web2": free_port()}
    running = {name: stack.start_instance(name, port, instance_env) for name, port in ports.items()}
    proxy_url = _start_nginx(stack, ports)

    person = DashboardClient(proxy_url)
    person.sign_in()
    figures = Figures()
    stop = threading.Event()
    workers = [
        threading.Thread(target=_load, args=(person.copy(), figures, stop))
        for _ in range(LOAD_THREADS)
    ]
    workers.append(threading.Thread(target=_send_now, args=(person.copy(), figures, stop)))
    downloads = []
    for name, rows in DOWNLOAD_ROWS.items():
        simulator.set_download_rows(rows)
        downloads.append(_Download(name, person.copy()))
    for thread in workers:
        thread.start()
    for download in downloads:
        download.start()

    stop.wait(SETTLE_SECONDS)
    # The worker's restart runs beside the instances', so that the downloads' timing holds.
    bulk = _BulkRestart(stack, worker, person.copy(), simulator, figures)
    bulk.start()
    old = []
    for name, port in ports.items():
        old.append(running[name])
        _restart_step(stack, name, port, running, instance_env)
    bulk.join(timeout=BULK_SECONDS * 2)
    if bulk.error:
        raise bulk.error
    simulator.set_faults()
    stop.wait(SETTLE_SECONDS)
    stop.set()
    for thread in workers:
        thread.join(timeout=30)
    for download in downloads:
        download.join(timeout=120)
    for process in old:
        process.wait(timeout=GRACE_SECONDS + 10)

    problems = list(figures.failures)
    problems += _check_sends(figures, simulator)
    problems += _check_downloads(downloads, stack, database_url)
    bulk_problems, bulk_figures = _check_bulk(simulator, database_url, bulk)
    problems += bulk_problems
    _print_figures(figures, downloads)
    print(bulk_figures)
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


def _restart_step(
    stack: Stack, name: str, port: int, running: dict, instance_env: dict[str, str]
) -> None:
    """SIGTERM to one instance; its replacement on the same port as soon as it is free."""
    process = running[name]
    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    probe.request("GET", "/healthz")
    probe.getresponse().read()  # a kept-alive connection, as the proxy holds them
    signalled = time.monotonic()
    process.send_signal(signal.SIGTERM)  # the master; it tells its workers
    refused_after = _wait_refused(port)
    # A request already on its way over a kept-alive connection is still answered, unless the
    # draining worker has closed that idle connection meanwhile (its keep-alive ran out): then
    # there is no answer to check, and the proxy would retry the GET elsewhere.
    try:
        probe.request("GET", "/readyz")
        readyz = probe.getresponse()
        readyz.read()
        status: int | str = readyz.status
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        status = "connection closed by the draining instance"
    probe.close()
    running[name] = stack.start_instance(name, port, instance_env)
    print(
        f"{name}: refused new connections {refused_after * 1000:.0f} ms after SIGTERM; "
        f"/readyz on a kept-alive connection then: {status}; replacement ready "
        f"{time.monotonic() - signalled:.1f} s after SIGTERM"
    )
    if isinstance(status, int) and status != 503:
        raise AssertionError(f"{name}: /readyz answered {status} while stopping")


def _bulk_pause_start(client: DashboardClient, simulator: SimulatorClient) -> str:
    """Drafts the pause on the list's bulk form and confirms it, every Weblink call slowed
    down from then on; returns the job page's path."""
    job_path, confirm = bulk_pause_draft(client, BULK_PREFIX)
    simulator.set_faults(latency=BULK_LATENCY)
    response = client.post("/c/demo/reports/jobs/confirm/", confirm.fields)
    if response.status_code != 302:
        raise AssertionError(f"confirming the bulk pause answered {response.status_code}")
    return job_path


class _BulkRestart(threading.Thread):
    """The bulk pause confirmed, the worker restarted mid-job, then the job page until it
    says the job finished. ``cut``: whether the kill landed during a call."""

    def __init__(
        self,
        stack: Stack,
        worker: subprocess.Popen,
        client: DashboardClient,
        simulator: SimulatorClient,
        figures: Figures,
    ) -> None:
        super().__init__()
        self.stack, self.worker, self.client = stack, worker, client
        self.simulator, self.figures = simulator, figures
        self.cut = False
        self.page = ""
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            job_path = _bulk_pause_start(self.client, self.simulator)
            self._wait_patches(2)  # the second report's call is under way
            self._restart_worker()
            self.page = _wait_job_finished(self.client, job_path, self.figures)
        except BaseException as error:  # handed to the main thread, which raises it
            self.error = error

    def _patches(self) -> int:
        return sum(self.simulator.stats()["patches"].values())

    def _wait_patches(self, count: int) -> None:
        deadline = time.monotonic() + BULK_SECONDS
        while self._patches() < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the bulk pause never made {count} PATCHes")
            time.sleep(0.02)

    def _restart_worker(self) -> None:
        """SIGTERM; if the worker is still finishing the job after WORKER_STOP_SECONDS, SIGKILL
        as soon as its next PATCH has reached the simulator (which holds it BULK_LATENCY), so
        the kill cuts that call. Then a new worker, only once the old one is gone (its start
        settles what the old one left)."""
        signalled = time.monotonic()
        self.worker.send_signal(signal.SIGTERM)
        try:
            self.worker.wait(WORKER_STOP_SECONDS)
            how = "exited after SIGTERM"
        except subprocess.TimeoutExpired:
            self._wait_patches(self._patches() + 1)
            self.worker.kill()
            self.worker.wait(10)
            self.cut = True
            how = f"killed {time.monotonic() - signalled:.1f} s after SIGTERM, during a PATCH"
        self.stack.start_worker()
        print(
            f"worker: {how}; replacement started {time.monotonic() - signalled:.1f} s after SIGTERM"
        )


def _wait_job_finished(client: DashboardClient, job_path: str, figures: Figures) -> str:
    """The job page, as its own polling reads it, until it says the job finished; returns it."""
    deadline = time.monotonic() + BULK_SECONDS
    while True:
        started = time.monotonic()
        response = client.get(job_path, timeout=SLOWEST_ALLOWED * 2)
        figures.add(
            time.monotonic() - started,
            None
            if response.status_code == 200
            else f"GET {job_path} answered {response.status_code}",
        )
        if response.status_code == 200 and "hx-trigger" not in response.text:
            return response.text
        if time.monotonic() > deadline:
            raise AssertionError(f"the bulk pause had not finished after {BULK_SECONDS} s")
        time.sleep(0.2)


def _wait_refused(port: int) -> float:
    """Seconds until a connection to ``port`` is refused; AssertionError after a while."""
    started = time.monotonic()
    while time.monotonic() - started < REFUSED_WITHIN:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return time.monotonic() - started
        time.sleep(0.005)
    raise AssertionError(f"port {port} still accepted {REFUSED_WITHIN} s after SIGTERM")


def _load(client: DashboardClient, figures: Figures, stop: threading.Event) -> None:
    interval = LOAD_THREADS / RATE
    turn = 0
    while not stop.is_set():
        path = PAGES[turn % len(PAGES)]
        turn += 1
        started = time.monotonic()
        try:
            status = client.get(path, timeout=SLOWEST_ALLOWED * 2).status_code
            failure = None if status == 200 else f"GET {path} answered {status}"
        except requests.RequestException as error:
            failure = f"GET {path} failed: {error.__class__.__name__}"
        seconds = time.monotonic() - started
        if seconds > SLOWEST_ALLOWED and not failure:
            failure = f"GET {path} took {seconds:.1f} s"
        figures.add(seconds, failure)
        stop.wait(max(0.0, interval - seconds))


def _send_now(client: DashboardClient, figures: Figures, stop: threading.Event) -> None:
    """The confirmation form, then its POST; the page it leads to says sent or refused."""
    path = f"/c/demo/reports/{REPORT_ID}/send/"
    while not stop.wait(SEND_EVERY):
        started = time.monotonic()
        try:
            form = client.form(path, "key")
            response = client.post(path, form.fields)
            if response.status_code != 302:
                raise RuntimeError(f"POST {path} answered {response.status_code}")
            shown = client.page(response.headers["Location"])
        except (requests.RequestException, RuntimeError) as error:
            figures.add(time.monotonic() - started, f"send now: {error}")
            continue
        figures.add(time.monotonic() - started)
        with figures.lock:
            figures.sends.append("sent" if "Sent to" in shown else "refused")


class _Download(threading.Thread):
    """A download through the proxy, read slowly; notes how it ended for the client. The
    request is made at once (the simulator's file size is set for it); the thread reads."""

    def __init__(self, name: str, client: DashboardClient) -> None:
        super().__init__()
        self.name = name
        self.received = 0
        self.outcome = ""  # "complete", or "failed visibly: ..." (the client saw an error)
        path = f"/c/demo/reports/{REPORT_ID}/download/"
        form = client.form(path, "format")
        form.replace("format", "csv")
        self.response = client.post(path, form.fields, stream=True, timeout=SLOWEST_ALLOWED)
        self.request_id = self.response.headers.get("X-Request-ID", "")

    def run(self) -> None:
        try:
            started = time.monotonic()
            for chunk in self.response.iter_content(64 * 1024):
                self.received += len(chunk)
                time.sleep(max(0.0, self.received / DOWNLOAD_RATE - (time.monotonic() - started)))
            self.outcome = "complete"
        except requests.RequestException as error:
            self.outcome = f"failed visibly: {error.__class__.__name__}"


def _check_sends(figures: Figures, simulator: SimulatorClient) -> list[str]:
    sent = figures.sends.count("sent")
    made = simulator.stats()["sent"]
    if not figures.sends:
        return ["no send was confirmed"]
    if made != sent:
        return [f"the pages said {sent} sends, Weblink got {made}"]
    return []


def _check_downloads(downloads: list[_Download], stack: Stack, database_url: str) -> list[str]:
    """Each ended for the client as the dashboard logged it: complete, or cut and logged so,
    in the access log and in the activity log."""
    access = {}
    for line in stack.log_lines():
        if line.startswith("{") and '"reports_admin.access"' in line:
            record = json.loads(line)
            access[record["request_id"]] = record
    problems = []
    if downloads[-1].outcome == "complete":
        problems.append("the long download was not cut: make it longer than the restarts")
    for download in downloads:
        logged = access.get(download.request_id)
        if logged is None:
            problems.append(f"download {download.request_id!r}: no access line")
        elif (logged["ended"] == "complete") != (download.outcome == "complete"):
            problems.append(
                f"download {download.request_id}: the client saw {download.outcome} after "
                f"{download.received} bytes, the dashboard logged {logged['ended']}"
            )
    with psycopg.connect(database_url) as database:
        outcomes = [
            row[0]
            for row in database.execute(
                "SELECT outcome FROM reports_admin_activity WHERE action = 'downloaded'"
            )
        ]
    complete = sum(download.outcome == "complete" for download in downloads)
    interrupted = sum(outcome.startswith("Interrupted") for outcome in outcomes)
    if (outcomes.count("accepted"), interrupted) != (complete, len(downloads) - complete):
        problems.append(f"the activity log says {outcomes}")
    return problems


def _check_bulk(
    simulator: SimulatorClient, database_url: str, bulk: _BulkRestart
) -> tuple[list[str], str]:
    """Every report of the job ended done, or "outcome unknown" for the one whose call the
    kill cut (shown so on the job page); no report was PATCHed twice. Problems, figures."""
    with psycopg.connect(database_url) as database:
        items = database.execute(
            "SELECT report_id, outcome FROM reports_admin_bulkjobitem"
        ).fetchall()
    patches = simulator.stats()["patches"]
    outcomes = Counter(outcome for _, outcome in items)
    problems = []
    if len(items) != BULK_REPORTS:
        problems.append(f"the bulk pause had {len(items)} reports, not {BULK_REPORTS}")
    if set(outcomes) - {"done", "unknown"} or outcomes["unknown"] != int(bulk.cut):
        problems.append(f"the bulk pause ended with outcomes {dict(outcomes)}")
    if outcomes["unknown"] and "Outcome unknown" not in bulk.page:
        problems.append("the job page does not say which outcome is unknown")
    most = 0
    for report_id, outcome in items:
        made = patches.get(f"/company/report/{report_id}", 0)
        most = max(most, made)
        if made > 1 or (outcome == "done" and made != 1):
            problems.append(f"report {report_id} ({outcome}) was PATCHed {made} times")
    figures = (
        f"bulk pause: {len(items)} reports, {outcomes['done']} done, "
        f"{outcomes['unknown']} outcome unknown, {sum(patches.values())} PATCHes, "
        f"at most {most} per report"
    )
    return problems, figures


def _print_figures(figures: Figures, downloads: list[_Download]) -> None:
    seconds = sorted(figures.seconds)
    p99 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))] if seconds else 0.0
    print(
        f"requests: {len(seconds)}, failures: {len(figures.failures)}, "
        f"longest: {max(seconds, default=0):.3f} s, p99: {p99:.3f} s, "
        f"sends: {figures.sends.count('sent')} sent, {figures.sends.count('refused')} refused"
    )
    for download in downloads:
        print(f"{download.name} download: {download.outcome}, {download.received} bytes")


def _start_nginx(stack: Stack, ports: dict[str, int]) -> str:
    """nginx in the foreground with compose.yaml's configuration; returns its URL."""
    port = free_port()
    content = _compose_nginx_config()
    for name, upstream_port in ports.items():
        content = content.replace(f"server {name}:8000", f"server 127.0.0.1:{upstream_port}")
    content = content.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    folder = stack.dir / "nginx"
    folder.mkdir()
    temps = " ".join(
        f"{kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        # As root, nginx's workers would switch to a user that cannot use this folder.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        + "events {}\nhttp {\n"
        + f"access_log {folder}/access.log;\n{temps}\n"
        + content
        + "}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = stack.start([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")], "nginx")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return f"http://127.0.0.1:{port}"
        except requests.ConnectionError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    raise RuntimeError("nginx did not start:\n" + (folder / "error.log").read_text())


def _compose_nginx_config() -> str:
    """The nginx configuration in compose.yaml, "$$" (compose's escape) read as "$"."""
    text = (ROOT / "compose.yaml").read_text()
    block = re.search(r"\n  nginx:\n(?:    #.*\n)*    content: \|\n((?:      .*\n|\n)+)", text)
    if block is None:
        raise RuntimeError("compose.yaml has no inline nginx configuration")
    lines = [line[6:] for line in block.group(1).splitlines()]
    return "\n".join(lines).replace("$$", "$") + "\n"


if __name__ == "__main__":
    sys.exit(main())
