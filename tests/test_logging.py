"""Logs: one access line per request, the request id carried into every record, JSON lines,
and no password in any of it."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import StreamingHttpResponse
from django.test import RequestFactory
from django.urls import reverse

from config.logging import (
    JsonFormatter,
    PlainFormatter,
    RequestIdFilter,
    logging_config,
    request_id,
)
from reports_admin import draining
from reports_admin.web.middleware import RequestLogMiddleware
from reports_admin.weblink import UpstreamUnavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """Everything logged during the test, formatted as the console handler would (plain)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(PlainFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture
def access_records(caplog):
    """The access-log records of the test."""
    caplog.set_level(logging.INFO, logger="reports_admin.access")
    caplog.handler.addFilter(RequestIdFilter())
    return lambda: [r for r in caplog.records if r.name == "reports_admin.access"]


def test_one_access_line_per_request_with_id_user_method_path_status_ms(
    client_signed_in, user, access_records
):
    response = client_signed_in.get("/healthz?secret=not-in-the-log")
    (record,) = access_records()
    assert record.user_id == user.pk
    assert record.method == "GET"
    assert record.path == "/healthz"
    assert record.status == 200
    assert isinstance(record.ms, int) and record.ms >= 0
    assert record.request_id == response["X-Request-ID"]
    assert len(record.request_id) == 32
    message = record.getMessage()
    assert message == f"GET /healthz 200 {record.ms} ms user {user.pk} on {settings.INSTANCE_NAME}"
    assert "not-in-the-log" not in message


def test_the_access_line_names_the_instance(client, access_records, settings):
    settings.INSTANCE_NAME = "web2"
    client.get("/healthz")
    (record,) = access_records()
    assert record.instance == "web2"
    assert record.getMessage().endswith(" on web2")


def test_signed_out_requests_log_no_user(client, access_records):
    client.get(reverse("login"))
    (record,) = access_records()
    assert record.user_id is None
    assert record.getMessage().endswith(f"user - on {settings.INSTANCE_NAME}")


def test_each_request_gets_its_own_id(client, access_records):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second
    assert [r.request_id for r in access_records()] == [first, second]


def test_a_plausible_id_from_the_proxy_is_kept_and_anything_else_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-4f2a.9"})
    assert kept["X-Request-ID"] == "lb-4f2a.9"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\nINFO fake line"})
    assert forged["X-Request-ID"] != "x\nINFO fake line"
    assert len(forged["X-Request-ID"]) == 32


def test_the_request_id_reaches_records_logged_during_the_request(rf):
    seen = []

    def view(request):
        logging.getLogger("reports_admin.weblink").warning("GET /report 503 3 ms")
        seen.append(request_id.get())
        return StreamingHttpResponse([b""])

    handler = _capturing_handler()
    logging.getLogger("reports_admin.weblink").addHandler(handler)
    try:
        RequestLogMiddleware(view)(rf.get("/x", headers={"X-Request-ID": "req-1234"}))
    finally:
        logging.getLogger("reports_admin.weblink").removeHandler(handler)
    assert seen == ["req-1234"]
    assert [r.request_id for r in handler.records] == ["req-1234"]
    assert request_id.get() == "-"  # and it does not leak into the thread's next work


def test_upstream_calls_are_logged_with_the_id_of_the_request_that_made_them(
    client_connected, caplog
):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    response = client_connected.post(reverse("connection_test", args=["demo"]))
    assert response.status_code == 302
    upstream = [r for r in caplog.records if r.name == "reports_admin.weblink"]
    (access,) = [r for r in caplog.records if r.name == "reports_admin.access"]
    assert upstream
    assert {r.request_id for r in upstream} == {access.request_id}
    assert access.request_id == response["X-Request-ID"]


def test_a_streamed_response_is_logged_when_sent_with_the_id_set_while_streaming(
    rf, access_records
):
    ids_while_streaming = []

    def body():
        ids_while_streaming.append(request_id.get())
        yield b"chunk"

    response = RequestLogMiddleware(lambda request: StreamingHttpResponse(body()))(
        rf.get("/download", headers={"X-Request-ID": "dl-1"})
    )
    assert access_records() == []  # not yet: nothing has been sent
    assert b"".join(response.streaming_content) == b"chunk"
    response.close()
    assert ids_while_streaming == ["dl-1"]
    (record,) = access_records()
    assert (record.path, record.status, record.request_id) == ("/download", 200, "dl-1")
    assert (record.bytes, record.ended, record.levelno) == (5, "complete", logging.INFO)


def _stream_of(rf, body):
    return RequestLogMiddleware(lambda request: StreamingHttpResponse(body))(rf.get("/download"))


def test_a_stream_the_client_left_is_logged_as_such_with_the_bytes_sent(rf, access_records):
    response = _stream_of(rf, iter([b"first", b"second"]))
    assert next(iter(response.streaming_content)) == b"first"
    response.close()  # the server, after a write failed: the client has gone
    (record,) = access_records()
    assert (record.bytes, record.ended, record.levelno) == (5, "client gone", logging.WARNING)
    assert record.getMessage().endswith(", 5 bytes, client gone")


@pytest.mark.parametrize(
    ("error", "ended"),
    [(UpstreamUnavailable("cut"), "upstream cut"), (draining.Interrupted(), "shutdown")],
)
def test_a_stream_that_broke_off_says_why(rf, access_records, error, ended):
    def body():
        yield b"12345"
        raise error

    response = _stream_of(rf, body())
    with pytest.raises(type(error)):
        b"".join(response.streaming_content)
    response.close()
    (record,) = access_records()
    assert (record.bytes, record.ended, record.levelno) == (5, ended, logging.WARNING)


def test_an_unsent_stream_is_still_logged_when_closed(rf, access_records):
    response = RequestLogMiddleware(lambda request: StreamingHttpResponse(iter([b"x"])))(
        rf.head("/download")
    )
    response.close()
    assert len(access_records()) == 1


def test_json_formatter_writes_one_json_object_per_line():
    record = logging.LogRecord(
        "reports_admin.access", logging.INFO, __file__, 1, "GET %s 200", ("/x",), None
    )
    record.request_id = "abc"
    record.user_id, record.method, record.path, record.status, record.ms = 7, "GET", "/x", 200, 12
    record.request = RequestFactory().post("/login/", {"password": "in-the-request-object"})
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /x 200"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "reports_admin.access"
    assert {k: entry[k] for k in ("request_id", "user_id", "method", "path", "status", "ms")} == {
        "request_id": "abc",
        "user_id": 7,
        "method": "GET",
        "path": "/x",
        "status": 200,
        "ms": 12,
    }
    assert entry["time"].endswith("+00:00")
    assert "request" not in entry  # objects libraries attach are never dumped
    assert "in-the-request-object" not in line


def test_json_formatter_keeps_a_traceback_on_one_line():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), None)
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: broken" in entry["exception"]
    assert entry["request_id"] == "-"


def test_log_format_json_selects_the_json_formatter():
    assert logging_config(log_format="json")["handlers"]["console"]["formatter"] == "json"
    assert logging_config(log_format="plain")["handlers"]["console"]["formatter"] == "plain"


def test_no_password_from_a_sign_in_post_reaches_the_logs(client, django_user_model, log_lines):
    django_user_model.objects.create_user("bertil", password="correct-horse-battery-42")
    wrong = client.post(
        reverse("login"), {"username": "bertil", "password": "wrong-staple-password-17"}
    )
    assert wrong.status_code == 200  # the form again, with an error
    right = client.post(
        reverse("login"), {"username": "bertil", "password": "correct-horse-battery-42"}
    )
    assert right.status_code == 302
    lines = log_lines()
    assert any("POST /login/ 302" in line for line in lines)
    text = "\n".join(lines)
    assert "wrong-staple-password-17" not in text
    assert "correct-horse-battery-42" not in text


def _record(message, *args):
    record = logging.LogRecord(
        "reports_admin.weblink", logging.INFO, __file__, 1, message, args, None
    )
    record.request_id = "abc"
    return record


def test_plain_lines_escape_a_newline_in_a_value():
    line = PlainFormatter().format(_record("%s 200 3 ms", "GET /x\nFAKE 200"))
    assert "\n" not in line
    assert line.endswith("INFO reports_admin.weblink [abc] GET /x\\nFAKE 200 200 3 ms")


def test_plain_lines_escape_c0_c1_del_and_unicode_line_breaks():
    line = PlainFormatter().format(_record("a\rb\tc\x00d\x1be\x7ff\x85g\x9bh\u2028i\u2029j"))
    assert line.endswith("a\\rb\\tc\\x00d\\x1be\\x7ff\\x85g\\x9bh\\u2028i\\u2029j")
    assert len(line.splitlines()) == 1
    assert PlainFormatter().format(_record("Grüße /räkning")).endswith("Grüße /räkning")


def test_a_forged_line_in_the_request_path_stays_on_the_access_line(client, log_lines):
    client.get("/c/demo/reports/%0AINFO%20forged")
    (line,) = [line for line in log_lines() if "reports_admin.access" in line]
    assert "GET /c/demo/reports/\\nINFO forged " in line
    assert not any(line.startswith("INFO forged") for line in log_lines())


def test_plain_lines_keep_a_traceback_readable():
    try:
        raise ValueError("broken")
    except ValueError:
        record = _record("failed for %s", "/x\ny")
        record.exc_info = sys.exc_info()
    first, *traceback = PlainFormatter().format(record).splitlines()
    assert first.endswith("failed for /x\\ny")
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[-1] == "ValueError: broken"


def test_json_lines_keep_the_raw_text_of_a_forged_value():
    line = JsonFormatter().format(_record("%s 200", "GET /x\nFAKE\u2028 200\x85"))
    assert "\n" not in line
    assert json.loads(line)["message"] == "GET /x\nFAKE\u2028 200\x85 200"


def test_the_plain_format_setting_uses_the_escaping_formatter():
    assert logging_config()["formatters"]["plain"] == {"()": PlainFormatter}


def _capturing_handler():
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())
    handler.records = []
    handler.emit = handler.records.append
    return handler


def test_each_record_is_written_once_even_with_debug_on():
    """Django's own console handler (active with DEBUG) must not repeat our lines."""
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('marker-request'); "
        "logging.getLogger('django.server').info('marker-runserver-line')"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "WEBLINK_TOKEN_KEYS": os.environ["WEBLINK_TOKEN_KEYS"],
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr.count("marker-request") == 1
    assert "WARNING django.request [-] marker-request" in result.stderr
    assert "marker-runserver-line" not in result.stderr  # the access line says it already
