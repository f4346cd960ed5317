"""The control endpoints under ``/_sim/``: not part of the Weblink API.

They let another process (benchmarks, browser tests) do what in-process tests do with the
:class:`~weblink_sim.server.Simulator` object: reset it, set faults and settings, read counts.

- ``POST /_sim/reset``: reseed, clear faults, settings and logs.
- ``GET /_sim/stats``: ``{"requests": n, "connections_accepted": n, "sent": n, "methods":
  {"GET": n, "PATCH": n, ...}, "patches": {path: n, ...}}`` (PATCHes by path: a write made
  twice to one report shows).
- ``GET|POST /_sim/faults``: read, or replace with the JSON body (see ``Faults``).
- ``GET|POST /_sim/settings``: read, or change ``download_rows``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weblink_sim.server import Simulator

PREFIX = "/_sim/"


def handle(sim: Simulator, method: str, path: str, body: bytes) -> tuple[int, object]:
    """The status and JSON body answering one control request."""
    try:
        values = json.loads(body) if body else {}
    except ValueError:
        return 400, {"message": "The body is not valid JSON."}
    route = (method, path.removeprefix(PREFIX))
    try:
        if route == ("POST", "reset"):
            sim.reset()
            return 200, {"reset": True}
        if route == ("GET", "stats"):
            return 200, {
                "requests": len(sim.requests),
                "connections_accepted": sim.connections_accepted,
                "sent": len(sim.state.sent),
                "methods": dict(Counter(request.method for request in sim.requests)),
                "patches": dict(
                    Counter(request.path for request in sim.requests if request.method == "PATCH")
                ),
            }
        if route[1] == "faults" and method in ("GET", "POST"):
            if method == "POST":
                sim.faults.configure(_object(values))
            return 200, sim.faults.to_json()
        if route[1] == "settings" and method in ("GET", "POST"):
            if method == "POST":
                _configure_settings(sim, _object(values))
            return 200, {"download_rows": sim.settings.download_rows}
    except ValueError as error:
        return 400, {"message": str(error)}
    return 404, {"message": "No such control endpoint."}


def _object(values: object) -> dict:
    if not isinstance(values, dict):
        raise ValueError("The body must be a JSON object.")
    return values


def _configure_settings(sim: Simulator, values: dict) -> None:
    if set(values) - {"download_rows"}:
        raise ValueError("The only setting is download_rows.")
    rows = values.get("download_rows", sim.settings.download_rows)
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ValueError("download_rows must be a whole number, 0 or more.")
    sim.settings.download_rows = rows
