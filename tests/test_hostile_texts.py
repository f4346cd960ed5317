"""Everything that comes from Weblink is text: with the simulator's hostile texts in every
type name and description, field description, option name, report name and error message,
each page shows them escaped, never as HTML (issue 17, item 1)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from weblink_sim.faults import HOSTILE_TEXT

pytestmark = pytest.mark.django_db

# The hostile text's tag name: it must never reach a page as a tag.
RAW = '<span hx-post="/connection/disconnect/"'


def _pages(simulator) -> list[str]:
    """Every page that shows something from Weblink, with a report of each type."""
    first_of_type = {}
    for report in simulator.state.reports:
        first_of_type.setdefault(report.report_type_id, report.id)
    urls = [
        reverse("reports:list", args=["demo"]),
        reverse("reports:types", args=["demo"]),
        reverse("reports:create", args=["demo"]),
        reverse("reports:run_download", args=["demo"]),
        reverse("connection"),
        reverse("activity"),
    ]
    for report_id in first_of_type.values():
        for name in ("detail", "edit", "duplicate", "download", "delete"):
            urls.append(reverse(f"reports:{name}", args=["demo", report_id]))
    return urls


def test_every_page_shows_weblink_texts_as_text(client_connected, simulator):
    simulator.faults.hostile_texts = True
    escaped = escape(HOSTILE_TEXT)
    shown = 0
    for url in _pages(simulator):
        response = client_connected.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert RAW not in html, url
        shown += escaped in html
    # Every page of a report shows its name, so most pages show the text, escaped.
    assert shown >= len(_pages(simulator)) - 3


def test_a_field_description_is_escaped_in_the_form(client_connected, simulator):
    simulator.faults.hostile_texts = True
    # Type 3's target_seconds is a field the dashboard has no help of its own for.
    report = next(r for r in simulator.state.reports if r.report_type_id == "3")
    html = client_connected.get(reverse("reports:edit", args=["demo", report.id])).content.decode()
    assert f'class="form-text">{escape(HOSTILE_TEXT)}' in html
    assert RAW not in html


def test_an_error_text_from_weblink_is_escaped(client_connected, simulator):
    report = simulator.state.reports[0]
    client_connected.get(reverse("reports:edit", args=["demo", report.id]))
    simulator.faults.hostile_texts = True
    simulator.faults.status = 400
    simulator.faults.status_path_prefix = "/company/report/"
    response = client_connected.post(
        reverse("reports:active", args=["demo", report.id]), {"active": "0"}, follow=True
    )
    html = response.content.decode()
    assert escape(HOSTILE_TEXT) in html
    assert RAW not in html
