"""The simulator and the dashboard (gunicorn, gthread) as processes on loopback.

Everything they write (database, collected static files, logs) goes into one temporary
folder that is removed at the end. Each process starts in its own session, so Ctrl-C reaches
only the benchmark, which then stops every process it started, by its id.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
STARTUP_SECONDS = 30
STOP_SECONDS = 10
# How long the dashboard's report snapshot stays fresh (WEBLINK_REPORTS_CACHE_SECONDS, 60 s by
# default): longer than any run, so that no figure depends on when the freshness runs out.
# A measurement that needs a cold page drops the snapshot itself (Stack.drop_report_snapshots).
REPORTS_CACHE_SECONDS = 3600


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_kb(pid: int, field: str) -> int:
    """A memory figure of a process from /proc/<pid>/status, such as VmRSS or VmHWM, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(f"/proc/{pid}/status has no {field}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak_memory(pid: int) -> None:
    """Start VmHWM (the peak resident size) afresh from the current size."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # the process has just ended
            # The fields after the command name, which may itself hold spaces and brackets.
            fields = stat.rpartition(")")[2].split()
            if int(fields[1]) == pid:
                children.append(int(entry.name))
    return sorted(children)


@dataclass(frozen=True)
class Dashboard:
    url: str
    workers: int
    threads: int
    process: subprocess.Popen
    log: Path  # everything its processes write

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid)

    def cpu_seconds(self) -> float:
        """CPU time used so far by all the workers together."""
        return sum(cpu_seconds(pid) for pid in self.worker_pids())

    def open_connections(self) -> list[int]:
        """How many client connections each worker holds open right now, most first."""
        port = int(self.url.rpartition(":")[2])
        established = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rpartition(":")[2], 16) == port and fields[3] == "01":
                established.add(f"socket:[{fields[9]}]")
        counts = []
        for pid in self.worker_pids():
            held = 0
            for descriptor in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(FileNotFoundError):  # closed while we looked
                    held += os.readlink(descriptor) in established
            counts.append(held)
        return sorted(counts, reverse=True)


class Stack:
    """The temporary folder, the simulator and the dashboards started in it. A context manager."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        """``env`` adds to or changes the environment the processes get."""
        self.dir = Path(tempfile.mkdtemp(prefix="weblink-bench-"))
        self.simulator_url = ""
        self._processes: list[subprocess.Popen] = []
        self._env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # Production settings serve the collected, content-hashed static files.
            "STATIC_ROOT": str(self.dir / "static"),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Production cookies need https; the benchmark speaks plain http on loopback.
            "SECURE_COOKIES": "false",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{self.dir / 'db.sqlite3'}",
            "WEBLINK_REPORTS_CACHE_SECONDS": str(REPORTS_CACHE_SECONDS),
            **(env or {}),
        }

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start_simulator(self) -> str:
        port = free_port()
        self.simulator_url = f"http://127.0.0.1:{port}"
        process = self.start(
            [PYTHON, "manage.py", "weblink_simulator", "--addrport", f"127.0.0.1:{port}"],
            "simulator",
            extra_env={"WEBLINK_SIMULATOR": "true"},
        )
        _wait_until_serving(f"{self.simulator_url}/_sim/stats", process, self._log("simulator"))
        return self.simulator_url

    def prepare_dashboard(self) -> None:
        """Token key, static files, database and the demo account connected to the simulator."""
        self._env["WEBLINK_API_URL"] = self.simulator_url
        self._env["WEBLINK_TOKEN_KEYS"] = self._manage("generate_token_key").strip()
        self._manage("collectstatic", "--noinput")
        self._manage("migrate", "--noinput")
        self._manage("demo_account", "--demo", "--wait", "10")  # DEBUG is off here

    def drop_report_snapshots(self) -> str:
        """Drops the report snapshot of every connection from the dashboard's shared cache, so
        that the next page reads the list from Weblink; returns how (see _DROP_SNAPSHOTS)."""
        return self.shell(_DROP_SNAPSHOTS)

    def shell(self, code: str) -> str:
        """The last line ``code`` prints, run by ``manage.py shell`` (which may first say
        what it imported)."""
        lines = self.manage("shell", "-c", code).strip().splitlines()
        return lines[-1] if lines else ""

    def manage(self, *args: str) -> str:
        """``manage.py`` with the dashboard's settings, database and cache; its output."""
        return self._manage(*args)

    def start_dashboard(self, *, workers: int, threads: int) -> Dashboard:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [
            GUNICORN,
            "config.wsgi",
            "--worker-class=gthread",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--bind=127.0.0.1:{port}",
            "--graceful-timeout=5",
        ]
        process = self.start(command, f"dashboard-{port}")
        _wait_until_serving(f"{url}/login/", process, self._log(f"dashboard-{port}"))
        return Dashboard(url, workers, threads, process, self._log(f"dashboard-{port}"))

    def start_worker(self) -> subprocess.Popen:
        """The task worker (`manage.py run_worker`) on the dashboard's database, polling every
        0.1 s; its own connection per query, as the worker's tests run it."""
        return self.start(
            [PYTHON, "manage.py", "run_worker", "--interval", "0.1", "--no-startup-delay"],
            "worker",
            extra_env={"CONN_MAX_AGE": "0"},
        )

    def start_instance(self, name: str, port: int, env: dict[str, str]) -> subprocess.Popen:
        """One instance as production runs it: ``gunicorn -c config/gunicorn.py`` on
        127.0.0.1:``port``, logging as ``name``; returns once its /readyz answers 200."""
        # A log of its own: a replacement on the same port must not overwrite the old one's.
        log = f"{name}-{port}-{len(self._processes)}"
        process = self.start(
            [GUNICORN, "--config", "config/gunicorn.py"],
            log,
            extra_env={"BIND": f"127.0.0.1:{port}", "INSTANCE_NAME": name, **env},
        )
        _wait_until_serving(f"http://127.0.0.1:{port}/readyz", process, self._log(log))
        return process

    def log_lines(self) -> list[str]:
        """Every line the processes have logged so far."""
        return [line for log in self.dir.glob("*.log") for line in log.read_text().splitlines()]

    def stop(self, process: subprocess.Popen) -> None:
        """SIGTERM to the process's group, SIGKILL if it is still there after a while."""
        if process.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(process.pid, sig)  # its group id is its own pid
                except ProcessLookupError:
                    break
                try:
                    process.wait(STOP_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if process in self._processes:
            self._processes.remove(process)

    def close(self) -> None:
        for process in reversed(self._processes):
            self.stop(process)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _log(self, name: str) -> Path:
        return self.dir / f"{name}.log"

    def start(
        self, command: list[str], name: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.Popen:
        """Starts ``command`` in the folder's environment, logging to ``<name>.log``;
        ``extra_env`` only for this process (the simulator's app is not the dashboard's)."""
        with self._log(name).open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own commands, no shell
                command,
                cwd=ROOT,
                env={**self._env, **(extra_env or {})},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._processes.append(process)
        return process

    def _manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 - our own command, no shell
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self._env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")
        return result.stdout


# Run by `manage.py shell` with the dashboard's settings, database and cache. Only the report
# snapshot is dropped (the metadata stays cached, as it would after a Refresh of the list); if
# the snapshot module has changed shape, the whole cache is cleared instead.
_DROP_SNAPSHOTS = """
try:
    from reports_admin.connection.models import WeblinkConnection
    from reports_admin.reports.snapshot import snapshot_forget
except ImportError:
    from django.core.cache import cache
    cache.clear()
    print("cache.clear()")
else:
    for connection in WeblinkConnection.objects.all():
        snapshot_forget(connection=connection)
    print("snapshot_forget()")
"""


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            # The first request loads the whole app; /readyz must say ready, not just answer.
            if requests.get(url, timeout=5).status_code == 200:
                return
            time.sleep(0.1)
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise RuntimeError(f"{url} did not come up within {STARTUP_SECONDS} s. Log:\n{tail}")
