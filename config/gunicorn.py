"""Gunicorn settings for the container (``gunicorn -c config/gunicorn.py``).

Every number can be changed through the environment without rebuilding the image.
"""

import os
import select
import signal

from config.logging import logging_config as _logging_config

wsgi_app = "config.wsgi:application"
# Where to listen: all addresses in a container; 127.0.0.1:8000 behind a proxy on the same host.
bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")

# Threads, not processes, carry the load: a request spends nearly all its time waiting for the
# Weblink API, and a waiting thread costs little memory. A few processes keep one crash, or
# one CPU-bound request, from stalling the rest. Each thread may hold a database connection
# (CONN_MAX_AGE), so workers x threads x instances must stay below PostgreSQL's
# max_connections (100 by default; 2 x 8 x 2 = 32 for compose.yaml).
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# A download streams from Weblink through us for as long as Weblink takes to make the file.
# With gthread the master only watches each worker's heartbeat, which its main loop sends
# between requests, so a long download is not cut; this bounds how long a worker that has
# stopped beating (stuck, not busy) is kept before it is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
# On SIGTERM (a deploy, a scale-down) a stopping worker lets requests under way finish, and
# downloads stream on for DOWNLOAD_GRACE_SECONDS; one still running then is cut short on
# purpose (the browser sees a failed download, the activity log "interrupted"). gunicorn
# kills the worker a few seconds after that, so the cut is logged first. Keep the container
# runtime's stop grace period longer than both (compose.yaml: stop_grace_period).
_download_grace_seconds = int(os.environ.get("DOWNLOAD_GRACE_SECONDS", "60"))
graceful_timeout = _download_grace_seconds + 5
# Kept-alive connections from the proxy in front are reused for this many idle seconds.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# The heartbeat file lives in memory: on a container's overlay file system its writes can
# block a worker long enough to be taken for dead.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - a tmpfs on purpose
# No runtime control socket: nothing here uses gunicornc, and the image's files stay read-only.
control_socket_disable = True

# Replaced by the dashboard's own access log (reports_admin.web.middleware), which has the
# request id, the user, the instance and, for a download, the bytes sent and how it ended;
# gunicorn's would only repeat part of it. Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines (errors, workers starting and dying) through the dashboard's handler, so
# under LOG_FORMAT=json they are JSON lines too. Its access logger stays silent (see above).
logconfig_dict = _logging_config(
    log_format=os.environ.get("LOG_FORMAT", "plain"), level=loglevel.upper()
)
logconfig_dict["loggers"] |= {
    "gunicorn.error": {"level": loglevel.upper(), "propagate": True},
    "gunicorn.access": {"level": "CRITICAL", "propagate": False},
}

# Which peers may say, in X-Forwarded-Proto and the like, how the client reached us: the
# proxies in front when TRUSTED_PROXY_COUNT says there are some (clients can then reach us only
# through them), and nobody otherwise, so a client cannot make itself look like https.
forwarded_allow_ips = os.environ.get(
    "FORWARDED_ALLOW_IPS", "*" if int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) > 0 else ""
)


def on_starting(server: object) -> None:
    """Refuses to start (before any worker) when Django's checks find an error, such as
    missing or malformed WEBLINK_TOKEN_KEYS: gunicorn itself never runs them."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    call_command("check", deploy=True, fail_level="ERROR")


def post_worker_init(worker) -> None:  # noqa: ANN001 - gunicorn's worker class
    """Makes SIGTERM close this worker's copy of the listening socket at once.

    gunicorn's master closes its copy on SIGTERM, but each gthread worker keeps its own until
    its last request has finished: the kernel goes on queueing connections that nobody will
    accept, and they hang. Once every copy is closed, new connections are refused, so the
    proxy moves on to another instance at once, and a replacement can bind the same port.
    """
    stop = worker.handle_exit

    def handle_term(signum: int, frame: object) -> None:
        stop(signum, frame)
        # Run by the worker's main loop, not inside the signal handler, which may have
        # interrupted it anywhere.
        worker.method_queue.defer(lambda: _drain(worker))

    signal.signal(signal.SIGTERM, handle_term)


def _drain(worker) -> None:  # noqa: ANN001 - gunicorn's worker class
    from reports_admin import draining

    draining.begin(_download_grace_seconds)  # /readyz answers 503 from now on
    worker.set_accept_enabled(False)
    for listener in worker.sockets:
        # Connections the kernel has already queued are taken and served, not reset.
        while select.select([listener], [], [], 0)[0]:
            worker.accept(listener)
    # Closed on the loop's next turn: events it has already read may still name a listener.
    worker.method_queue.defer(lambda: [listener.close() for listener in worker.sockets])
