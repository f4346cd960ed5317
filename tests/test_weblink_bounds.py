"""Weblink's answers are bounded: their size, the whole time of a call, and every scan of the
list; each failure gets a clear page, never a 500 (issue 17, item 3)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from reports_admin.weblink import BadAnswer, UpstreamUnavailable, WeblinkClient
from weblink_sim.api import ENDLESS_COUNT


@pytest.fixture
def weblink(weblink_url, simulator) -> WeblinkClient:
    return WeblinkClient(simulator.issue_token(), base_url=weblink_url)


def test_an_oversized_answer_is_cut_off(weblink, simulator, settings):
    settings.WEBLINK_MAX_JSON_BYTES = 100_000
    simulator.faults.json_padding_bytes = 5_000_000
    with pytest.raises(BadAnswer, match="larger than 0.1 MB"):
        WeblinkClient(weblink._token, base_url=weblink._base_url).report_types()


def test_an_answer_larger_than_it_says_is_cut_off_while_read(weblink, settings, monkeypatch):
    settings.WEBLINK_MAX_JSON_BYTES = 1_000
    # As if the answer came chunked, with no length said.
    monkeypatch.setattr("reports_admin.weblink.client._content_length", lambda response: None)
    with pytest.raises(BadAnswer):
        WeblinkClient(weblink._token, base_url=weblink._base_url).reports(limit=50, limit_from=0)


def test_a_dripping_answer_is_cut_off_at_the_total_timeout(weblink, simulator, settings):
    settings.WEBLINK_TOTAL_TIMEOUT = 0.5
    simulator.faults.drip_seconds = 0.05  # the types would take over a minute
    client = WeblinkClient(weblink._token, base_url=weblink._base_url)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable) as caught:
        client.report_types()
    assert caught.value.timed_out
    assert time.monotonic() - started < 2


@pytest.mark.django_db
def test_pages_get_a_clear_error_page_for_an_oversized_or_dripping_answer(
    client_connected, simulator, settings
):
    settings.WEBLINK_MAX_JSON_BYTES = 100_000
    simulator.faults.json_padding_bytes = 5_000_000
    response = client_connected.get(reverse("reports:list", args=["demo"]))
    assert response.status_code == 502
    assert "larger than 0.1 MB" in response.content.decode()

    simulator.faults.clear()
    settings.WEBLINK_TOTAL_TIMEOUT = 0.3
    simulator.faults.drip_seconds = 0.05
    response = client_connected.get(reverse("reports:types", args=["demo"]))
    assert response.status_code == 504
    assert "did not send its whole answer in time" in response.content.decode()


@pytest.mark.django_db
def test_a_list_that_never_ends_stops_when_pages_add_nothing(client_connected, simulator, settings):
    settings.WEBLINK_LIST_PAGE_SIZE = 10
    settings.WEBLINK_LIST_CONCURRENCY = 4
    simulator.faults.endless_list = True
    response = client_connected.get(reverse("reports:list", args=["demo"]))
    assert response.status_code == 200
    lists = [r for r in simulator.requests if r.path == "/company/report"]
    # The first page, then one batch of pages that added nothing.
    assert len(lists) == 1 + 4
    assert str(ENDLESS_COUNT) not in response.content.decode()
