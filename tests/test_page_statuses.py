"""A page whose content cannot be loaded from Weblink answers 502, or 504 when Weblink did
not answer in time, the same on every page; a person not connected gets the page (200)
asking them to connect. Against the simulator over real HTTP."""

import pytest
from django.urls import reverse

from reports_admin.weblink import client as client_module

pytestmark = pytest.mark.django_db

PAGES = ["reports:list", "reports:types", "reports:create", "reports:run_download"]

# Longer than the read timeout set below, so the first call to Weblink times out.
SLOW_ANSWER_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 0.3


@pytest.fixture
def retries(monkeypatch):
    """The client's waits between retries, recorded instead of slept."""
    waits = []
    monkeypatch.setattr(client_module, "sleep", waits.append)
    return waits


def weblink_calls(simulator):
    return [r.path for r in simulator.requests]


@pytest.mark.parametrize("page", PAGES)
def test_a_server_error_upstream_is_a_bad_gateway(client_connected, simulator, retries, page):
    simulator.faults.status = 500
    simulator.log.clear()

    response = client_connected.get(reverse(page, args=["demo"]))

    assert response.status_code == 502
    content = response.content.decode()
    assert "Weblink is not available right now (status 500)" in content
    assert "Retry" in content
    assert weblink_calls(simulator)  # it did ask
    assert retries == []  # a 500 is not retried


@pytest.mark.parametrize("page", PAGES)
def test_an_unavailable_upstream_is_a_bad_gateway_after_the_retries(
    client_connected, simulator, retries, page
):
    simulator.faults.status = 503
    simulator.log.clear()

    response = client_connected.get(reverse(page, args=["demo"]))

    assert response.status_code == 502
    assert "Weblink is not available right now (status 503)" in response.content.decode()
    # The first call to Weblink was tried three times, then the page gave up.
    calls = weblink_calls(simulator)
    assert len(calls) == 3 and len(set(calls)) == 1
    assert retries == [0.2, 0.4]


@pytest.mark.parametrize("page", PAGES)
def test_no_answer_in_time_is_a_gateway_timeout(
    client_connected, simulator, settings, retries, page
):
    settings.WEBLINK_READ_TIMEOUT = READ_TIMEOUT_SECONDS
    simulator.faults.latency = SLOW_ANSWER_SECONDS
    simulator.log.clear()

    response = client_connected.get(reverse(page, args=["demo"]))

    assert response.status_code == 504
    assert "Weblink did not answer in time" in response.content.decode()
    assert len(weblink_calls(simulator)) == 1  # a timed-out read is not retried
    assert retries == []


def test_the_list_results_through_htmx_fail_with_the_same_status(client_connected, simulator):
    simulator.faults.status = 500
    response = client_connected.get(
        reverse("reports:list", args=["demo"]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 502
    content = response.content.decode()
    assert "The reports could not be loaded" in content
    assert "<html" not in content  # only the results part


def test_a_failing_list_call_after_good_metadata_is_a_bad_gateway(client_connected, simulator):
    # The report types are read (and cached) while Weblink works; then only the list fails.
    assert client_connected.get(reverse("reports:types", args=["demo"])).status_code == 200
    simulator.faults.status = 500
    simulator.log.clear()

    response = client_connected.get(reverse("reports:list", args=["demo"]))

    assert response.status_code == 502
    assert "The reports could not be loaded" in response.content.decode()
    assert weblink_calls(simulator) == ["/company/report"]  # the types came from the cache


@pytest.mark.parametrize(
    "page", ["reports:list", "reports:types", "reports:create", "reports:run_download"]
)
def test_a_person_not_connected_is_asked_to_connect(client_signed_in, simulator, weblink_url, page):
    company_path = reverse(page, args=["demo"])
    old_path = company_path.removeprefix("/c/demo")

    response = client_signed_in.get(old_path, follow=True)

    assert response.redirect_chain == [(reverse("connection"), 302)]
    assert "Sign in with Weblink" in response.content.decode()
    # No company of theirs by that name: nothing to show, and nothing asked of Weblink.
    assert client_signed_in.get(company_path).status_code == 404
    assert simulator.requests == []


@pytest.mark.parametrize("url_name", ["reports:list", "reports:types"])
def test_a_token_weblink_refuses_asks_to_connect_again_with_200(
    client_connected, simulator, url_name
):
    simulator.faults.tokens_expired = True

    response = client_connected.get(reverse(url_name, args=["demo"]))

    assert response.status_code == 200
    assert "Connect to Weblink" in response.content.decode()
