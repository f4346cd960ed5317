"""Downloads against the simulator over HTTP: the bytes arrive unchanged with our own
headers, memory stays flat for big files, failures before the first byte give a message
and failures after it abort the response, and the upstream is closed in every case."""

import csv
import dataclasses
import io
import logging
import subprocess
import sys
import threading
import tracemalloc
from types import SimpleNamespace

import openpyxl
import pytest
import requests
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reports_admin import draining
from reports_admin.connection.services import connection_sign_in
from reports_admin.models import Activity
from reports_admin.reports.downloads import CONTENT_TYPES, content_disposition, file_name
from reports_admin.weblink import UpstreamUnavailable
from weblink_sim import report_files

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "html", "pdf", "xlsx"]


@pytest.fixture
def files_sent(monkeypatch):
    """What the simulator sends for each download: its input and the exact bytes it made.

    Report files carry the time they were made (and XLSX its zip timestamps), so two
    requests never give the same bytes: the test compares with what was sent this time.
    """
    sent = []
    render = report_files.render

    def recording_render(file_format, **kwargs):
        file = render(file_format, **kwargs)
        record = SimpleNamespace(
            arguments=kwargs["arguments"], data=bytearray(), finished=threading.Event()
        )
        sent.append(record)

        def chunks():
            try:
                for chunk in file.chunks:
                    record.data.extend(chunk)
                    yield chunk
            finally:
                file.chunks.close()
                record.finished.set()

        return dataclasses.replace(file, chunks=chunks())

    monkeypatch.setattr(report_files, "render", recording_render)
    return sent


class UpstreamWatch:
    """The upstream download responses the dashboard opened, and those it closed."""

    def __init__(self) -> None:
        self.opened: list[requests.Response] = []
        self.closed: list[requests.Response] = []

    def all_closed(self) -> bool:
        """At least one was opened, and every one was closed."""
        closed = {id(response) for response in self.closed}
        return bool(self.opened) and all(id(response) in closed for response in self.opened)


@pytest.fixture
def upstream(monkeypatch):
    """Watches the upstream download responses (see UpstreamWatch)."""
    watch = UpstreamWatch()
    request, close = requests.Session.request, requests.Response.close

    def watched_request(self, method, url, *args, **kwargs):
        response = request(self, method, url, *args, **kwargs)
        if "/company/report/download/" in url:
            watch.opened.append(response)
        return response

    def watched_close(self):
        watch.closed.append(self)
        close(self)

    monkeypatch.setattr(requests.Session, "request", watched_request)
    monkeypatch.setattr(requests.Response, "close", watched_close)
    return watch


@pytest.fixture
def report(simulator):
    """A seeded report whose name is not ASCII: "Missade samtal Kundtjänst", XLSX by default."""
    return simulator.state.reports[0]


def download(client, report_id, file_format):
    return client.post(
        reverse("reports:download", args=["demo", report_id]), {"format": file_format}
    )


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def today():
    return timezone.localdate().isoformat()


@pytest.mark.parametrize("file_format", FORMATS)
def test_each_format_arrives_unchanged_with_our_headers(
    client_connected, simulator, report, files_sent, upstream, file_format
):
    response = download(client_connected, report.id, file_format)
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)

    [sent] = files_sent
    assert body == bytes(sent.data)
    assert len(body) > 1000
    # The report's own arguments, with its format replaced by the chosen one.
    expected = [(k, v) for k, v in report.pairs() if k != "format"] + [("format", file_format)]
    assert sorted(sent.arguments) == sorted(expected)

    assert response["Content-Type"] == CONTENT_TYPES[file_format]
    assert response["Content-Disposition"] == (
        f'attachment; filename="Missade samtal Kundtjanst-{today()}.{file_format}"; '
        f"filename*=utf-8''Missade%20samtal%20Kundtj%C3%A4nst-{today()}.{file_format}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    # XLSX and PDF come with a length, which is passed on; CSV and HTML stream without.
    if file_format in ("xlsx", "pdf"):
        assert response["Content-Length"] == str(len(body))
    else:
        assert not response.has_header("Content-Length")
    assert upstream.all_closed()


def test_the_files_open(client_connected, report):
    body = b"".join(download(client_connected, report.id, "csv").streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Period", "Queue"]
    assert len(rows) == 51

    body = b"".join(download(client_connected, report.id, "xlsx").streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    assert next(sheet.iter_rows(values_only=True))[0] == "Queue - Missed"


def test_html_is_an_attachment_and_never_shown_on_our_origin(client_connected, report):
    response = download(client_connected, report.id, "html")
    b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_file_names_are_safe():
    date = today()
    assert file_name("Queue / Växel", "csv") == f"Queue - Växel-{date}.csv"
    assert file_name('..\\..\\etc"passwd\r\nX-Evil: 1', "pdf") == f"etc-passwd-X-Evil- 1-{date}.pdf"
    assert file_name("", "xlsx") == f"report-{date}.xlsx"
    assert file_name("///", "xlsx") == f"report-{date}.xlsx"
    assert len(file_name("x" * 500, "csv")) == 80 + len(f"-{date}.csv")


def test_content_disposition_has_an_ascii_name_and_the_real_one():
    assert content_disposition("plain-2024-09-02.csv") == (
        'attachment; filename="plain-2024-09-02.csv"'
    )
    assert content_disposition("Köstatistik Växel.csv") == (
        'attachment; filename="Kostatistik Vaxel.csv"; '
        "filename*=utf-8''K%C3%B6statistik%20V%C3%A4xel.csv"
    )


@pytest.mark.parametrize("status", [404, 500])
def test_upstream_failure_before_the_first_byte_gives_a_message_not_a_file(
    client_connected, simulator, report, files_sent, upstream, status
):
    simulator.faults.status = status
    simulator.faults.status_path_prefix = "/company/report/download/"
    response = download(client_connected, report.id, "csv")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:download", args=["demo", report.id])
    assert not response.has_header("Content-Disposition")
    [message] = shown(response)
    assert message.startswith("The file could not be made: ")
    assert files_sent == []
    assert upstream.all_closed()

    # The page they came from shows the message.
    page = client_connected.get(response["Location"]).content.decode()
    assert "The file could not be made" in page


def test_a_failure_goes_back_to_the_page_the_download_started_from(
    client_connected, simulator, report
):
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = "/company/report/download/"
    detail = reverse("reports:detail", args=["demo", report.id])
    for next_url, expected in [(detail, detail), ("https://elsewhere.example/", None)]:
        response = client_connected.post(
            reverse("reports:download", args=["demo", report.id]),
            {"format": "csv", "next": next_url},
        )
        assert response["Location"] == (
            expected or reverse("reports:download", args=["demo", report.id])
        )
    page = client_connected.get(detail).content.decode()
    assert "The file could not be made" in page


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_cut_mid_stream_raises_instead_of_ending_the_file(
    client_connected, simulator, report, files_sent, upstream, file_format
):
    simulator.settings.download_rows = 20_000
    simulator.faults.cut_download_after = 200_000
    response = download(client_connected, report.id, file_format)
    assert response.status_code == 200
    received = bytearray()
    with pytest.raises(UpstreamUnavailable):
        for chunk in response.streaming_content:
            received.extend(chunk)
    assert 0 < len(received) <= 200_000
    assert len(received) < len(files_sent[0].data)
    assert upstream.all_closed()
    entry = Activity.objects.get(action=Activity.Action.DOWNLOADED)
    assert entry.outcome == (
        "The download from Weblink broke off before the file was complete. Try again."
    )


# response.close() ends the request as the WSGI server would, and Django then closes the
# database connection: that needs a real transaction, not the test's wrapping one.
@pytest.mark.django_db(transaction=True)
def test_the_browser_going_away_closes_the_upstream(
    client_connected, simulator, report, files_sent, upstream
):
    # About 23 MB, far more than the socket buffers hold: the simulator is still sending.
    simulator.settings.download_rows = 500_000
    response = download(client_connected, report.id, "csv")
    assert next(iter(response.streaming_content))
    response.close()  # what the WSGI server does when the browser goes away
    assert upstream.all_closed()
    # The simulator sees the connection closed, and stops making the file part-way.
    assert files_sent[0].finished.wait(timeout=10)
    assert len(files_sent[0].data) < 15_000_000
    entry = Activity.objects.get(action=Activity.Action.DOWNLOADED)
    assert entry.outcome == (
        "Interrupted: the browser stopped the download before the file was complete."
    )


@pytest.mark.django_db(transaction=True)  # response.close() closes the database connection
def test_a_download_outlasting_the_grace_period_fails_and_is_logged_as_interrupted(
    client_connected, simulator, report, upstream, caplog
):
    simulator.settings.download_rows = 500_000
    response = download(client_connected, report.id, "csv")
    chunks = iter(response.streaming_content)
    assert next(chunks)
    caplog.set_level(logging.INFO, logger="reports_admin.access")
    draining.begin(grace_seconds=3600)
    try:
        # What the timer does when the grace period is over, while the file is streaming:
        # the access line is logged from that thread; the server's own thread then fails at
        # its next chunk and closes the response, which records the outcome.
        draining._end_grace()
        with pytest.raises(draining.Interrupted):
            next(chunks)
        response.close()
    finally:
        draining.reset()
    assert upstream.all_closed()
    entry = Activity.objects.get(action=Activity.Action.DOWNLOADED)
    assert entry.outcome == "Interrupted: the dashboard restarted before the file was complete."
    (line,) = [r for r in caplog.records if r.name == "reports_admin.access"]
    assert (line.status, line.ended, line.levelno) == (200, "shutdown", logging.WARNING)
    assert line.bytes > 0


@pytest.mark.django_db(transaction=True)  # response.close() closes the database connection
def test_the_next_chunk_after_the_grace_period_raises_so_the_server_aborts(
    client_connected, simulator, report
):
    simulator.settings.download_rows = 500_000
    response = download(client_connected, report.id, "csv")
    # The file's own chunks, under the access log's wrapper, as the server reads them.
    stream = response._resource_closers[0].__self__
    assert next(stream)
    draining.begin(grace_seconds=3600)
    try:
        draining._grace_over.set()
        with pytest.raises(draining.Interrupted):
            next(stream)
    finally:
        draining.reset()
    response.close()
    entry = Activity.objects.get(action=Activity.Action.DOWNLOADED)
    assert entry.outcome == "Interrupted: the dashboard restarted before the file was complete."


# response.close() ends the request as the WSGI server would, and Django then closes the
# database connection: that needs a real transaction, not the test's wrapping one.
@pytest.mark.django_db(transaction=True)
def test_a_response_never_read_still_closes_the_upstream(client_connected, report, upstream):
    response = download(client_connected, report.id, "pdf")
    response.close()
    assert upstream.all_closed()


def test_an_unknown_format_is_refused_before_any_call(client_connected, simulator, report):
    response = download(client_connected, report.id, "exe")
    assert response.status_code == 200
    assert "Choose one of the formats." in response.content.decode()
    assert not any("/download/" in r.path for r in simulator.requests)


def test_the_download_page_offers_the_formats(client_connected, report):
    page = client_connected.get(
        reverse("reports:download", args=["demo", report.id])
    ).content.decode()
    for file_format in FORMATS:
        assert f'value="{file_format}"' in page
    assert 'value="xlsx" checked' in page  # the report's own format first


RUN_FORM = {
    "report_type": "2",
    "interval": "week",
    "arg-format": "csv",
    "arg-email": "lead@example.com",
    "arg-queue_id": "1103",
}


def test_run_and_download_streams_the_file_and_saves_nothing(
    client_connected, simulator, files_sent, upstream
):
    before = [r.id for r in simulator.state.reports]
    response = client_connected.post(reverse("reports:run_download", args=["demo"]), RUN_FORM)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    [sent] = files_sent
    assert body == bytes(sent.data)
    assert sorted(sent.arguments) == [
        ("email", "lead@example.com"),
        ("format", "csv"),
        ("queue_id", "1103"),
    ]
    assert response["Content-Disposition"] == (
        f'attachment; filename="Queue - Statistics-{today()}.csv"'
    )
    assert [r.id for r in simulator.state.reports] == before
    assert not any(r.method == "POST" and r.path == "/company/report" for r in simulator.requests)
    assert upstream.all_closed()
    entry = Activity.objects.get(action=Activity.Action.DOWNLOADED)
    assert (entry.report_id, entry.report_name, entry.outcome) == ("", "", Activity.ACCEPTED)


def test_run_and_download_checks_the_form_before_any_call(client_connected, simulator):
    response = client_connected.post(
        reverse("reports:run_download", args=["demo"]), {**RUN_FORM, "arg-email": "not an address"}
    )
    assert response.status_code == 400
    assert response.context["arguments_form"].errors["email"]
    assert not any("/download/" in r.path for r in simulator.requests)


def test_run_and_download_shows_an_upstream_failure_on_the_form(client_connected, simulator):
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = "/company/report/download/"
    response = client_connected.post(reverse("reports:run_download", args=["demo"]), RUN_FORM)
    assert response.status_code == 400
    assert not response.has_header("Content-Disposition")
    assert "Weblink is not available right now (status 500)." in response.content.decode()
    assert 'value="lead@example.com"' in response.content.decode() or (
        "lead@example.com" in response.content.decode()
    )


def test_run_and_download_swaps_the_fields_of_another_type(client_connected):
    response = client_connected.post(
        reverse("reports:run_download", args=["demo"]),
        {**RUN_FORM, "report_type": "4"},
        headers={"HX-Request": "true", "HX-Trigger": "report-type-field"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="argument-fields"')
    assert 'name="arg-user_id"' in page
    assert 'name="arg-queue_id"' not in page
    assert "lead@example.com" in page  # what was typed and still applies is kept


# A big file, through a simulator in its own process: the test process then holds only the
# dashboard's side, and the simulator's (slow, pure Python) file maker gets its own core.
# 1.5 million rows make an HTML file of about 190 MB in 15-25 s: the most that keeps this
# test near 30 s on a busy two-core machine.
BIG_ROWS = 1_500_000


@pytest.fixture
def simulator_process(settings):
    """A simulator served by ``manage.py weblink_simulator`` in a child process."""
    process = subprocess.Popen(  # noqa: S603 - our own command, no shell
        [sys.executable, "manage.py", "weblink_simulator", "--addrport", "127.0.0.1:0"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert " at http://" in line, line
        settings.WEBLINK_API_URL = line.split(" at ", 1)[1].strip()
        yield settings.WEBLINK_API_URL
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_big_file_streams_with_flat_memory(client_signed_in, user, simulator_process):
    connection_sign_in(user=user, company="demo", username="admin", password="demo")
    requests.post(
        f"{simulator_process}/_sim/settings", json={"download_rows": BIG_ROWS}, timeout=5
    ).raise_for_status()
    received = 0
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        response = download(client_signed_in, "2583", "html")
        for chunk in response.streaming_content:
            received += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert received > 180_000_000
    assert peak - baseline < 30_000_000


@pytest.fixture
def download_bodies(monkeypatch):
    """The download bodies the simulator received, before its strict validation."""
    from weblink_sim import validation

    bodies = []
    parse = validation.parse_download

    def recording_parse(body):
        bodies.append(body)
        return parse(body)

    monkeypatch.setattr(validation, "parse_download", recording_parse)
    return bodies


def test_run_and_download_recipients_are_optional_and_sent_only_when_given(
    client_connected, download_bodies
):
    form = client_connected.get(reverse("reports:run_download", args=["demo"])).context[
        "arguments_form"
    ]
    assert not form.fields["email"].required
    # The simulator, strict like Weblink's own example, wants an address for a download:
    # its refusal shows at the field, which stays so the person can add one.
    response = client_connected.post(
        reverse("reports:run_download", args=["demo"]), {**RUN_FORM, "arg-email": ""}
    )
    [body] = download_bodies
    assert "email" not in [argument["key"] for argument in body["arguments"]]
    assert response.status_code == 400
    assert response.context["arguments_form"].errors["email"] == ["This argument is mandatory."]
    assert 'name="arg-email"' in response.content.decode()
    # With an address, it is sent, and the file comes.
    response = client_connected.post(reverse("reports:run_download", args=["demo"]), RUN_FORM)
    assert response.status_code == 200
    assert {"key": "email", "value": "lead@example.com"} in download_bodies[1]["arguments"]


def test_run_and_download_labels_the_interval_as_the_period_covered(client_connected):
    response = client_connected.get(reverse("reports:run_download", args=["demo"]))
    field = response.context["form"].fields["interval"]
    assert str(field.label) == "Period the report covers"
    assert "Every day" not in response.content.decode()


def test_a_cut_before_the_first_chunk_gets_our_error_page(
    client_connected, simulator, report, upstream
):
    simulator.settings.download_rows = 20_000
    simulator.faults.cut_download_after = 1_000  # well before the first 64 KiB
    response = download(client_connected, report.id, "csv")
    assert response.status_code == 302  # back to the page, saying why: no bare 500
    page = client_connected.get(response["Location"]).content.decode()
    assert "broke off before the file was complete" in page
    assert upstream.all_closed()
    entry = Activity.objects.get(action=Activity.Action.DOWNLOADED)
    assert entry.outcome == (
        "The download from Weblink broke off before the file was complete. Try again."
    )


@pytest.mark.django_db(transaction=True)  # response.close() closes the database connection
def test_the_access_log_says_when_a_streamed_file_was_cut(
    client_connected, simulator, report, caplog
):
    simulator.settings.download_rows = 20_000
    simulator.faults.cut_download_after = 200_000
    response = download(client_connected, report.id, "csv")
    with pytest.raises(UpstreamUnavailable):
        for _chunk in response.streaming_content:
            pass
    response.close()
    lines = [r for r in caplog.records if r.name == "reports_admin.access"]
    assert lines[-1].getMessage().startswith(f"POST /c/demo/reports/{report.id}/download/ 200 ")
    assert lines[-1].ended == "upstream cut"
    assert lines[-1].levelname == "WARNING"


def test_a_started_file_sets_the_cookie_its_page_waits_for(client_connected, simulator, report):
    token = "0123456789abcdef" * 2
    url = reverse("reports:download", args=["demo", report.id])
    response = client_connected.post(url, {"format": "csv", "download_token": token})
    b"".join(response.streaming_content)
    cookie = response.cookies[f"download_{token}"]
    assert cookie.value == "1"
    assert cookie["max-age"] == 60 and cookie["samesite"] == "Strict"
    assert not cookie["httponly"]  # the page's script reads it

    # Not for a token that is not ours to name a cookie after, nor when no file came.
    response = client_connected.post(url, {"format": "csv", "download_token": "x; path=/"})
    assert not [name for name in response.cookies if name.startswith("download_")]
    simulator.faults.status = 500
    response = client_connected.post(url, {"format": "csv", "download_token": token})
    assert response.status_code == 302 and f"download_{token}" not in response.cookies


def test_the_rows_download_in_one_click_without_a_token_in_the_cached_rows(
    client_connected, simulator
):
    report = simulator.state.reports[0]
    page = client_connected.get(
        reverse("reports:list", args=["demo"]), {"q": report.name}
    ).content.decode()
    download_url = reverse("reports:download", args=["demo", report.id])
    for file_format in FORMATS:
        assert (
            f'form="row-download" formaction="{download_url}" name="format" value="{file_format}"'
        ) in page
    # The one form the buttons post holds the CSRF token, outside the cached rows.
    form = page[page.index('<form id="row-download"') :]
    form = form[: form.index("</form>")]
    assert "csrfmiddlewaretoken" in form and 'name="download_token"' in form
    rows = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "csrfmiddlewaretoken" not in rows
