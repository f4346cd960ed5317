"""Fixtures shared by the whole test suite. Add yours below, each with a docstring.

The Weblink simulator runs once per test session on a free loopback port:
- ``weblink_simulator``: the running :class:`~weblink_sim.server.Simulator` (session-wide;
  prefer ``simulator`` unless a session-scoped fixture of yours needs it).
- ``simulator``: the same simulator, reset (reseeded, no faults, empty logs) before and after
  the test. Set faults on ``simulator.faults``, read ``simulator.requests`` and
  ``simulator.state``, get a token with ``simulator.issue_token()``. That is company demo;
  the second company's reports are ``simulator.company("hamnen")``, its tokens
  ``simulator.issue_token(company="hamnen")``.
- ``weblink_url``: ``simulator``'s base URL, also set as ``settings.WEBLINK_API_URL``.
"""

import os
from collections.abc import Iterator

import pytest

from weblink_sim.server import Simulator


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty cache: no metadata, one-time keys or cool-offs left
    over from another test (the cache outlives a test, and is Redis in CI's second pass)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def weblink_simulator() -> Iterator[Simulator]:
    """The Weblink simulator, serving on 127.0.0.1 for the whole test session."""
    sim = Simulator()
    sim.start(host="127.0.0.1", port=0)
    yield sim
    sim.stop()


@pytest.fixture
def simulator(weblink_simulator: Simulator) -> Iterator[Simulator]:
    """The Weblink simulator, freshly reset for this test (and reset again after it)."""
    weblink_simulator.reset()
    yield weblink_simulator
    weblink_simulator.reset()


@pytest.fixture
def weblink_url(simulator: Simulator, settings) -> str:
    """The simulator's base URL, which ``settings.WEBLINK_API_URL`` points at for this test."""
    settings.WEBLINK_API_URL = simulator.base_url
    return simulator.base_url


@pytest.fixture
def user(django_user_model):
    """A dashboard user, not connected to Weblink."""
    return django_user_model.objects.create_user("anna", password="anna-password-123")


@pytest.fixture
def client_signed_in(client, user):
    """The test client, signed in to the dashboard as ``user``."""
    client.force_login(user)
    return client


@pytest.fixture
def user_connected(user, weblink_url):
    """``user``, connected to the simulator as its admin (company demo)."""
    from reports_admin.connection.services import connection_sign_in

    connection_sign_in(user=user, company="demo", username="admin", password="demo")  # noqa: S106
    return user


@pytest.fixture
def client_connected(client_signed_in, user_connected):
    """The test client, signed in as a person connected to the simulator."""
    return client_signed_in


@pytest.fixture
def swedish_catalogue() -> None:
    """Tests that read Swedish need the compiled catalogue, which `make test` builds with
    gettext's msgfmt: skipped without it on a laptop, an error in CI (the CI variable set)."""
    from django.conf import settings

    if not (settings.BASE_DIR / "locale/sv/LC_MESSAGES/django.mo").exists():
        reason = "locale/sv/LC_MESSAGES/django.mo is missing: run `make compilemessages`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
