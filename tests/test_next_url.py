"""``next`` is a path on this site only: a bare word, another host, a scheme or a
protocol-relative URL falls back to the default page, after the action, instead of a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

BAD_NEXT = ["day", "//evil.example/x", "https://evil.example/", "javascript:alert(1)"]
GOOD_NEXT = "/c/demo/reports/?page=2"


@pytest.fixture
def client(client_connected):
    """The connected client, answering a server error with its 500 instead of raising it."""
    client_connected.raise_request_exception = False
    return client_connected


@pytest.fixture
def report(simulator):
    return simulator.state.reports[0]


def send(client, report_id, next_value):
    url = reverse("reports:send", args=["demo", report_id])
    key = client.get(url).context["key"]
    return client.post(f"{url}?next={next_value}", {"key": key})


@pytest.mark.parametrize("next_value", BAD_NEXT)
def test_send_with_a_bad_next_goes_to_the_report(client, simulator, report, next_value):
    response = send(client, report.id, next_value)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=["demo", report.id])
    assert [s.report_id for s in simulator.state.sent] == [report.id]


def test_send_keeps_a_good_next(client, simulator, report):
    response = send(client, report.id, GOOD_NEXT)
    assert response.status_code == 302
    assert response["Location"] == GOOD_NEXT


@pytest.mark.parametrize("next_value", BAD_NEXT)
def test_refresh_with_a_bad_next_goes_to_the_list(client, next_value):
    response = client.post(reverse("reports:refresh_metadata", args=["demo"]), {"next": next_value})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:list", args=["demo"])


def test_refresh_keeps_a_good_next(client):
    response = client.post(reverse("reports:refresh_metadata", args=["demo"]), {"next": GOOD_NEXT})
    assert response.status_code == 302
    assert response["Location"] == GOOD_NEXT


@pytest.mark.parametrize("next_value", [*BAD_NEXT, GOOD_NEXT])
def test_a_failed_download_goes_back_to_a_page_of_ours(client, simulator, report, next_value):
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = "/company/report/download/"
    url = reverse("reports:download", args=["demo", report.id])
    response = client.post(url, {"format": "csv", "next": next_value})
    assert response.status_code == 302
    assert response["Location"] == (GOOD_NEXT if next_value == GOOD_NEXT else url)
