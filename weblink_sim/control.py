"""The control endpoints under ``/_sim/``: not part of the Weblink API.

They let another process (benchmarks, browser tests) do what in-process tests do with the
:class:`~weblink_sim.server.Simulator` object: reset it, set faults and settings, read counts.

- ``POST /_sim/reset``: reseed every company, clear faults, settings and logs. With the body
  ``{"company": name}``: reseed that company only (its reports and sends); nothing else changes.
- ``GET /_sim/companies``: ``{name: {"reports": n, "sent": n}, ...}``, the first company first.
- ``GET /_sim/stats``: ``{"requests": n, "connections_accepted": n, "sent": n, "methods":
  {"GET": n, "PATCH": n, ...}, "patches": {path: n, ...}}`` (PATCHes by path: a write made
  twice to one report shows; sends of every company).
- ``GET|POST /_sim/faults``: read, or replace with the JSON body (see ``Faults``; its
  ``company`` must be one of the simulator's).
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
            return 200, _reset(sim, _object(values))
        if route == ("GET", "companies"):
            return 200, {
                name: {"reports": len(company.reports), "sent": len(company.sent)}
                for name, company in sim.companies.items()
            }
        if route == ("GET", "stats"):
            return 200, {
                "requests": len(sim.requests),
                "connections_accepted": sim.connections_accepted,
                "sent": sum(len(company.sent) for company in sim.companies.values()),
                "methods": dict(Counter(request.method for request in sim.requests)),
                "patches": dict(
                    Counter(request.path for request in sim.requests if request.method == "PATCH")
                ),
            }
        if route[1] == "faults" and method in ("GET", "POST"):
            if method == "POST":
                values = _object(values)
                _known_company(sim, values.get("company"))
                sim.faults.configure(values)
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


def _known_company(sim: Simulator, name: object) -> None:
    """Refuse a company name the simulator does not serve (None, for all of them, is fine)."""
    if name is not None and (not isinstance(name, str) or name not in sim.companies):
        raise ValueError(f"No such company; the simulator has {', '.join(sim.companies)}.")


def _reset(sim: Simulator, values: dict) -> dict:
    if set(values) - {"company"}:
        raise ValueError("The only key of a reset is company.")
    name = values.get("company")
    _known_company(sim, name)
    if name is None:
        sim.reset()
        return {"reset": True}
    sim.company(name).reset()
    return {"reset": True, "company": name}


def _configure_settings(sim: Simulator, values: dict) -> None:
    if set(values) - {"download_rows"}:
        raise ValueError("The only setting is download_rows.")
    rows = values.get("download_rows", sim.settings.download_rows)
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ValueError("download_rows must be a whole number, 0 or more.")
    sim.settings.download_rows = rows
