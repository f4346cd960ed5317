"""/healthz and /readyz: no sign-in, no versions, real round trips, never the Weblink API."""

import django
import pytest
import requests
from django.contrib.staticfiles import finders
from django.db.utils import OperationalError

from reports_admin import draining
from reports_admin.web import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_upstream(monkeypatch):
    """Any outgoing HTTP call fails the test: readiness must not depend on Weblink."""

    def refuse(*args, **kwargs):
        raise AssertionError("a health endpoint called out over HTTP")

    monkeypatch.setattr(requests.Session, "send", refuse)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_answers_without_sign_in_and_without_versions(client, no_upstream, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.content.decode()
    assert django.get_version() not in body
    assert "version" not in body.lower()
    assert "Server" not in response.headers
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_head_works_and_writes_are_refused(client, path):
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_ready_checks_database_and_cache(client, no_upstream):
    assert client.get("/readyz").json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
    }


def test_not_ready_when_the_database_fails(client, monkeypatch, no_upstream):
    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", BrokenCursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "cache": "ok"}


def test_not_ready_when_the_cache_loses_what_it_was_given(client, monkeypatch, no_upstream):
    monkeypatch.setattr(health.cache, "get", lambda key, default=None: None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "unavailable"}


def test_not_ready_when_the_cache_raises(client, monkeypatch, no_upstream):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(health.cache, "set", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_the_probe_leaves_nothing_in_the_cache(client, monkeypatch):
    written = []
    real_set = health.cache.set

    def spy(key, *args, **kwargs):
        written.append(key)
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(health.cache, "set", spy)
    client.get("/readyz")
    assert len(written) == 1
    assert health.cache.get(written[0]) is None


@pytest.fixture
def stopping():
    """This process as gunicorn's SIGTERM hook leaves it; serving again afterwards."""
    draining.begin(grace_seconds=3600)
    yield
    draining.reset()


def test_not_ready_at_once_when_the_process_is_stopping(client, no_upstream, stopping):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "stopping"}
    assert client.get("/healthz").status_code == 200  # still alive: it finishes what it holds


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")
