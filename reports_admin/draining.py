"""Whether this process is stopping, and whether streams under way have had their time.

gunicorn's SIGTERM hook (config/gunicorn.py) calls :func:`begin` in each worker. From then on
``/readyz`` answers 503, and a download still streaming once ``grace_seconds`` have passed is
cut short on purpose (see :class:`Interrupted`), so that it fails visibly and is recorded,
instead of being killed with the process. Nothing here imports the rest of the dashboard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_draining = threading.Event()
_grace_over = threading.Event()
_at_grace_end: list[Callable[[], None]] = []


class Interrupted(Exception):
    """Raised into a streamed response whose process stops before the stream has ended: the
    server then aborts the connection, so the client never takes a short body as complete."""


def begin(grace_seconds: float) -> None:
    """Marks the process as draining, and ends the grace period ``grace_seconds`` from now."""
    if _draining.is_set():
        return
    _draining.set()
    timer = threading.Timer(grace_seconds, _end_grace)
    timer.daemon = True  # never keeps a stopping process alive
    timer.start()


def is_draining() -> bool:
    """True once the process has been told to stop."""
    return _draining.is_set()


def grace_over() -> bool:
    """True once streams under way have had their grace period."""
    return _grace_over.is_set()


def at_grace_end(callback: Callable[[], None]) -> None:
    """Calls ``callback`` (in another thread) when the grace period ends."""
    _at_grace_end.append(callback)


def _end_grace() -> None:
    _grace_over.set()
    for callback in _at_grace_end:
        callback()


def reset() -> None:
    """Back to serving: for tests, which drain a process that goes on running."""
    _draining.clear()
    _grace_over.clear()
