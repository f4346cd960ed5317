"""Previews against the simulator over HTTP: from a report's page, from the report forms'
unsaved settings and from run-and-download; a huge report read no further than 512 KB; the
HTML version only ever in a sandboxed frame of its own; failures with Weblink's reason."""

import dataclasses
import threading
from types import SimpleNamespace

import pytest
from django.urls import reverse

from reports_admin.connection.models import WeblinkConnection
from reports_admin.models import Activity
from reports_admin.reports import preview
from reports_admin.weblink.client import Download
from tests.support.report_forms import form_data
from tests.support.versions import shown_version
from weblink_sim import report_files

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def report(simulator):
    """A seeded report: "Missade samtal Kundtjänst", 50 rows."""
    return simulator.state.reports[0]


@pytest.fixture
def produced(monkeypatch):
    """How many bytes the simulator made of each file, and when it stopped making it."""
    files = []
    render = report_files.render

    def recording_render(file_format, **kwargs):
        file = render(file_format, **kwargs)
        record = SimpleNamespace(arguments=kwargs["arguments"], size=0, finished=threading.Event())
        files.append(record)

        def chunks():
            try:
                for chunk in file.chunks:
                    record.size += len(chunk)
                    yield chunk
            finally:
                file.chunks.close()
                record.finished.set()

        return dataclasses.replace(file, chunks=chunks())

    monkeypatch.setattr(report_files, "render", recording_render)
    return files


@pytest.fixture
def read_from_weblink(monkeypatch):
    """The bytes the dashboard read from Weblink's download streams, and whether each
    stream was closed."""
    seen = SimpleNamespace(bytes=0, opened=0, closed=0)
    iter_chunks, close = Download.iter_chunks, Download.close

    def counting(self, chunk_size=64 * 1024):
        seen.opened += 1
        for chunk in iter_chunks(self, chunk_size):
            seen.bytes += len(chunk)
            yield chunk

    def counting_close(self):
        seen.closed += 1
        close(self)

    monkeypatch.setattr(Download, "iter_chunks", counting)
    monkeypatch.setattr(Download, "close", counting_close)
    return seen


def preview_saved(client, report_id, file_format="csv", **extra):
    url = reverse("reports:preview", args=["demo", report_id])
    return client.post(url, {"preview_format": file_format}, **extra)


def test_the_report_page_has_the_preview(client_connected, report):
    page = client_connected.get(
        reverse("reports:detail", args=["demo", report.id])
    ).content.decode()
    assert f'hx-post="{reverse("reports:preview", args=["demo", report.id])}"' in page
    assert 'id="preview"' in page and "data-preview-cancel" in page


def test_a_saved_report_shows_its_rows_in_place(
    client_connected, simulator, report, read_from_weblink
):
    response = preview_saved(client_connected, report.id, **HTMX)
    assert response.status_code == 200
    table = response.context["table"]
    assert table.header[:2] == ["Period", "Queue"]
    assert len(table.rows) == 50 and not table.more
    html = response.content.decode()
    assert "<html" not in html  # the fragment only
    assert '<th scope="col">Period</th>' in html
    assert "All of the report’s 50 rows" in html
    # The report's own arguments, with CSV asked for.
    [call] = [r for r in simulator.requests if "/download/" in r.path]
    assert call.path.endswith("/download/csv")
    assert read_from_weblink.closed >= 1
    entry = Activity.objects.get(action=Activity.Action.PREVIEWED)
    assert (entry.report_id, entry.outcome) == (str(report.id), Activity.ACCEPTED)
    assert entry.report_name == report.name


def test_without_javascript_the_preview_is_a_page(client_connected, report):
    response = preview_saved(client_connected, report.id)
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert len(response.context["table"].rows) == 50


def test_only_the_first_200_rows_and_that_there_are_more(client_connected, simulator, report):
    simulator.settings.download_rows = 1000
    response = preview_saved(client_connected, report.id, **HTMX)
    table = response.context["table"]
    assert len(table.rows) == preview.MAX_ROWS and table.more
    assert "The report holds more" in response.content.decode()


def test_cells_are_escaped(client_connected, simulator, report, monkeypatch):
    def hostile(file_format, **kwargs):
        body = b'Name,Note\n<b>x</b>,"<script>alert(1)</script>"\n'
        return report_files.ReportFile("text/csv", "x.csv", len(body), iter([body]))

    monkeypatch.setattr(report_files, "render", hostile)
    html = preview_saved(client_connected, report.id, **HTMX).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<b>x</b>" not in html


def test_a_huge_report_reads_at_most_512_kb(
    client_connected, simulator, report, produced, read_from_weblink
):
    simulator.settings.download_rows = 11_000_000  # about 500 MB of CSV
    response = preview_saved(client_connected, report.id, **HTMX)
    assert len(response.context["table"].rows) == preview.MAX_ROWS
    assert 0 < read_from_weblink.bytes <= preview.MAX_BYTES
    assert read_from_weblink.closed >= 1
    # The simulator sees the stream closed and stops making the file far before its end.
    assert produced[0].finished.wait(timeout=10)
    assert produced[0].size < 20_000_000


def test_a_failure_shows_weblinks_reason(client_connected, simulator, report):
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = "/company/report/download/"
    response = preview_saved(client_connected, report.id, **HTMX)
    assert response.status_code == 200  # htmx swaps only 2xx
    html = response.content.decode()
    assert "Weblink could not make the preview:" in html
    assert 'role="alert"' in html
    entry = Activity.objects.get(action=Activity.Action.PREVIEWED)
    assert entry.outcome != Activity.ACCEPTED


def test_a_preview_needs_a_post(client_connected, report):
    assert (
        client_connected.get(reverse("reports:preview", args=["demo", report.id])).status_code
        == 405
    )
    assert client_connected.get(reverse("reports:form_preview", args=["demo"])).status_code == 405


def test_the_new_form_previews_its_unsaved_settings(
    client_connected, simulator, produced, read_from_weblink
):
    page = client_connected.get(reverse("reports:create", args=["demo"])).content.decode()
    assert f'hx-post="{reverse("reports:form_preview", args=["demo"])}"' in page
    data = form_data(name="", **{"arg-queue_id": "1105", "preview_format": "csv"})
    response = client_connected.post(reverse("reports:form_preview", args=["demo"]), data, **HTMX)
    assert response.status_code == 200
    assert response.context["table"].header[:2] == ["Period", "Queue"]
    # The settings typed, not saved: nothing was created, and the typed queue was asked for.
    assert ("queue_id", "1105") in produced[0].arguments
    assert ("format", "csv") in produced[0].arguments
    assert not any(r.method == "POST" and r.path == "/company/report" for r in simulator.requests)
    entry = Activity.objects.get(action=Activity.Action.PREVIEWED)
    assert (entry.report_id, entry.outcome) == ("", Activity.ACCEPTED)


def test_the_edit_form_previews_its_unsaved_settings(client_connected, report, produced):
    edit = reverse("reports:edit", args=["demo", report.id])
    page = client_connected.get(edit).content.decode()
    # The type is locked (a disabled select is not posted): a hidden field carries it.
    assert f'name="report_type" value="{report.report_type_id}"' in page
    data = form_data(
        report_type=str(report.report_type_id),
        **{"arg-queue_id": "1105"},
        **shown_version(client_connected, edit),
    )
    response = client_connected.post(reverse("reports:form_preview", args=["demo"]), data, **HTMX)
    assert response.status_code == 200
    assert ("queue_id", "1105") in produced[0].arguments
    # The saved report kept its own queue.
    assert ("queue_id", "1105") not in report.pairs()


def test_run_and_download_has_the_preview(client_connected, produced):
    page = client_connected.get(reverse("reports:run_download", args=["demo"])).content.decode()
    assert f'hx-post="{reverse("reports:form_preview", args=["demo"])}"' in page
    data = {
        "report_type": "2",
        "interval": "week",
        "arg-format": "csv",
        "arg-email": "lead@example.com",
        "arg-queue_id": "1103",
    }
    response = client_connected.post(reverse("reports:form_preview", args=["demo"]), data, **HTMX)
    assert response.context["table"].rows
    assert ("queue_id", "1103") in produced[0].arguments


def test_an_invalid_form_says_what_to_fix_and_calls_nothing(client_connected, simulator):
    data = form_data(**{"arg-email": "not-an-address"})
    response = client_connected.post(reverse("reports:form_preview", args=["demo"]), data, **HTMX)
    assert response.status_code == 200
    assert "The preview needs these fields first:" in response.content.decode()
    assert not any("/download/" in r.path for r in simulator.requests)


def test_html_goes_into_a_sandboxed_frame_of_its_own(client_connected, report):
    response = preview_saved(client_connected, report.id, "html", **HTMX)
    html = response.content.decode()
    frame_url = response.context["frame_url"]
    assert f'<iframe class="preview-frame" sandbox src="{frame_url}"' in html
    # Weblink's HTML is never in our page.
    assert "<table" not in html and "<style" not in html

    frame = client_connected.get(frame_url)
    assert frame.status_code == 200
    assert b"<table" in frame.content
    assert frame["Content-Type"] == "text/html; charset=utf-8"
    policy = frame["Content-Security-Policy"]
    assert "sandbox" in policy.split("; ")
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert frame["X-Content-Type-Options"] == "nosniff"
    # Our own pages may frame it, and only our own.
    page = client_connected.get(reverse("reports:detail", args=["demo", report.id]))
    assert "frame-src 'self'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_a_big_html_report_is_cut_and_says_so(client_connected, simulator, report):
    simulator.settings.download_rows = 100_000
    response = preview_saved(client_connected, report.id, "html", **HTMX)
    assert response.context["html"].cut
    assert "cut at 512 KB" in response.content.decode()
    frame = client_connected.get(response.context["frame_url"])
    assert len(frame.content) == preview.MAX_BYTES


def test_the_frame_url_is_the_persons_own_and_short_lived(
    client_connected, report, django_user_model, client
):
    frame_url = preview_saved(client_connected, report.id, "html", **HTMX).context["frame_url"]
    other = django_user_model.objects.create_user("other", password="pw-other-123")
    client.force_login(other)
    assert client.get(frame_url).status_code == 404
    tampered = frame_url.rstrip("/") + "x/"
    assert client_connected.get(tampered).status_code == 404


def test_an_expired_frame_url_is_refused(client_connected, report, monkeypatch):
    frame_url = preview_saved(client_connected, report.id, "html", **HTMX).context["frame_url"]
    monkeypatch.setattr("reports_admin.reports.preview_store.MAX_AGE_SECONDS", -1)
    assert client_connected.get(frame_url).status_code == 404


def _sent(user, report, outcome=Activity.ACCEPTED, company="demo", **fields):
    return Activity.objects.create(
        user=user,
        company=company,
        username=user.get_username(),
        action=Activity.Action.SENT,
        report_id=str(report.id),
        report_name=report.name,
        outcome=outcome,
        **fields,
    )


def test_the_report_page_lists_its_last_20_sends(client_connected, user, report):
    page = client_connected.get(
        reverse("reports:detail", args=["demo", report.id])
    ).content.decode()
    assert "Not sent from this dashboard yet." in page
    assert "cannot be seen through Weblink’s API" in page

    for _ in range(22):
        _sent(user, report)
    last = _sent(user, report, outcome="Weblink did not answer in time.")
    response = client_connected.get(reverse("reports:detail", args=["demo", report.id]))
    assert response.context["sends"][0] == last
    assert len(response.context["sends"]) == 20
    page = response.content.decode()
    assert f"by {user.get_username()}: it failed. Weblink did not answer in time." in page
    assert "The last 20 sends" in page


def test_sends_of_another_report_or_company_are_not_listed(
    client_connected, user, report, simulator, django_user_model
):
    _sent(user, simulator.state.reports[1])
    # The same report id in another Weblink company is another report.
    other = django_user_model.objects.create_user("elsewhere")
    WeblinkConnection.objects.create(user=other, company="another company", access_token="x" * 20)
    assert user.weblink_connections.get().company != "another company"
    _sent(other, report, company="another company")
    response = client_connected.get(reverse("reports:detail", args=["demo", report.id]))
    assert response.context["sends"] == []


def test_the_list_shows_when_each_report_was_last_sent(client_connected, user):
    response = client_connected.get(reverse("reports:list", args=["demo"]))
    assert "Last sent" in response.content.decode()
    row = response.context["rows"][0]
    report = row.report
    assert row.last_sent_at is None
    key_before = response.context["results_key"]

    entry = _sent(user, report, outcome="Weblink refused it.")
    response = client_connected.get(reverse("reports:list", args=["demo"]))
    row = next(r for r in response.context["rows"] if r.report.id == report.id)
    assert (row.last_sent_at, row.last_sent_accepted) == (entry.at, False)
    # The cached rows are keyed on what they show: a new send misses the cache.
    assert response.context["results_key"] != key_before
    assert '<span class="badge text-bg-danger">failed</span>' in response.content.decode()


def test_the_list_shows_the_last_send_to_this_company_only(
    client_connected, user, simulator, django_user_model
):
    report = simulator.state.reports[0]
    ours = _sent(user, report)
    # Later: the same report id in another Weblink company (another report), and an edit.
    other = django_user_model.objects.create_user("elsewhere")
    WeblinkConnection.objects.create(user=other, company="another company", access_token="x" * 20)
    _sent(other, report, outcome="Weblink refused it.", company="another company")
    Activity.objects.create(
        user=user,
        username=user.get_username(),
        action=Activity.Action.CHANGED,
        report_id=str(report.id),
        report_name=report.name,
        outcome=Activity.ACCEPTED,
    )

    response = client_connected.get(reverse("reports:list", args=["demo"]), {"per_page": 100})
    row = next(r for r in response.context["rows"] if r.report.id == report.id)
    assert (row.last_sent_at, row.last_sent_accepted) == (ours.at, True)
