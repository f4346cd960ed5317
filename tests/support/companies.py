"""A second Weblink company for tests: a second simulator, reached by the tokens it issued.

The dashboard has one Weblink address and tells companies apart by their tokens alone, so a
call that carries a token of the second simulator is sent to it instead."""

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from weblink_sim.server import Simulator


@contextmanager
def second_company(monkeypatch, first: Simulator) -> Iterator[tuple[Simulator, str]]:
    """A running second simulator, with its reports renamed "Beta …" so a page shows which
    company it read, and a token of it; calls with its tokens go to it."""
    sim = Simulator()
    sim.start(host="127.0.0.1", port=0)
    # The state hands out copies: rename the stored reports themselves.
    for report in sim.state._reports.values():
        report.name = f"Beta {report.name}"
    tokens = {sim.issue_token()}
    real_send = requests.adapters.HTTPAdapter.send

    def route(adapter, request, *args, **kwargs):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in tokens:
            request.url = request.url.replace(first.base_url, sim.base_url, 1)
        return real_send(adapter, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", route)
    try:
        yield sim, next(iter(tokens))
    finally:
        sim.stop()
