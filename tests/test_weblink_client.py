"""The Weblink client against mocked HTTP (responses): requests, errors, retries, downloads."""

import email.utils
import io
import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from reports_admin.weblink import client as client_module
from reports_admin.weblink.client import Download, WeblinkClient
from reports_admin.weblink.errors import (
    BadAnswer,
    InvalidInput,
    NotFound,
    RateLimited,
    TokenRejected,
    TwoFactorRequired,
    UpstreamUnavailable,
    WeblinkError,
)
from reports_admin.weblink.metadata import FieldKind, Option, ReportType

BASE = "https://weblink.test"
TOKEN = "tok-5ecret-7f3a9c"
PASSWORD = "hunter2-password"
CREATE_BODY = {
    "interval": "hour",
    "active": 0,
    "name": "",
    "description": "",
    "email_link_only": 0,
    "report_type_id": "1",
    "arguments": [
        {"key": "format", "value": "csv"},
        {"key": "email", "value": "test@example.com"},
    ],
}
UPDATE_BODY = {
    "interval": "hour",
    "active": 0,
    "name": "Test",
    "description": "",
    "email_link_only": 0,
}
DOWNLOAD_BODY = {
    "interval": "hour",
    "report_type_id": "1",
    "arguments": [
        {"key": "format", "value": "csv"},
        {"key": "email", "value": "test@example.com"},
    ],
}
ARGUMENTS = [("format", "csv"), ("email", "test@example.com")]


@pytest.fixture(autouse=True)
def weblink_settings(settings):
    settings.WEBLINK_API_URL = BASE
    settings.WEBLINK_CONNECT_TIMEOUT = 1.5
    settings.WEBLINK_READ_TIMEOUT = 7.0
    settings.WEBLINK_DOWNLOAD_READ_TIMEOUT = 90.0
    settings.WEBLINK_QUEUES_PATH = "/company/queue"
    settings.WEBLINK_USERS_PATH = "/company/user"
    settings.WEBLINK_CALLBACK_DESTINATIONS_PATH = "/company/callback/destination"


@pytest.fixture(autouse=True)
def sleeps(monkeypatch):
    """The back-off delays the client asked for; nothing actually waits."""
    slept = []
    monkeypatch.setattr(client_module, "sleep", slept.append)
    return slept


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client():
    return WeblinkClient(TOKEN)


def create(c):
    return c.report_create(
        name="",
        description="",
        interval="hour",
        active=False,
        email_link_only=False,
        report_type_id="1",
        arguments=ARGUMENTS,
    )


def update(c):
    return c.report_update(
        "2613", name="Test", description="", interval="hour", active=False, email_link_only=False
    )


def download(c):
    return c.report_download(format="csv", interval="hour", report_type_id="1", arguments=ARGUMENTS)


def sign_in(c):
    return c.sign_in(company="acme", username="anna", password=PASSWORD, tfa="123456")


def refresh(c):
    return c.refresh(company="acme", refresh_token="refresh-abc")


# (call, method, path, query, JSON body, answer) for every call that carries the token.
AUTHENTICATED_CALLS = [
    pytest.param(
        lambda c: c.report_types(), "GET", "/company/report/type", {}, None, [], id="types"
    ),
    pytest.param(
        lambda c: c.argument_fields(),
        "GET",
        "/company/report/argument/fields",
        {},
        None,
        {},
        id="fields",
    ),
    pytest.param(
        lambda c: c.options(FieldKind.PBX_QUEUE), "GET", "/company/queue", {}, None, [], id="queues"
    ),
    pytest.param(
        lambda c: c.options(FieldKind.PBX_USER), "GET", "/company/user", {}, None, [], id="users"
    ),
    pytest.param(
        lambda c: c.options(FieldKind.PBX_APP_CALLBACK_DESTINATION),
        "GET",
        "/company/callback/destination",
        {},
        None,
        [],
        id="destinations",
    ),
    pytest.param(
        lambda c: c.reports(limit=5, limit_from=20),
        "GET",
        "/company/report",
        {"limit": ["5"], "limit_from": ["20"]},
        None,
        {"count": "0", "limit": 5, "limit_from": 20, "reports": []},
        id="reports",
    ),
    pytest.param(create, "POST", "/company/report", {}, CREATE_BODY, {"id": "2613"}, id="create"),
    pytest.param(update, "PATCH", "/company/report/2613", {}, UPDATE_BODY, [], id="update"),
    pytest.param(
        lambda c: c.report_delete(2613), "DELETE", "/company/report/2613", {}, None, [], id="delete"
    ),
    pytest.param(
        lambda c: c.argument_add("2613", key="option", value="missedCalls"),
        "POST",
        "/company/report/2613/argument",
        {},
        {"key": "option", "value": "missedCalls"},
        {"id": "25343"},
        id="argument_add",
    ),
    pytest.param(
        lambda c: c.argument_update("2613", "25343", key="option", value="queueRapportPerDay"),
        "PATCH",
        "/company/report/2613/argument/25343",
        {},
        {"key": "option", "value": "queueRapportPerDay"},
        [],
        id="argument_update",
    ),
    pytest.param(
        lambda c: c.argument_delete("2613", 25343),
        "DELETE",
        "/company/report/2613/argument/25343",
        {},
        None,
        [],
        id="argument_delete",
    ),
    pytest.param(
        lambda c: c.report_send("2613"), "GET", "/company/report/2613/send", {}, None, [], id="send"
    ),
]


def the_request(api):
    (call,) = api.calls
    return call.request


def assert_json_body(request, body):
    if body is None:
        assert request.body is None
        assert "Content-Type" not in request.headers
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.body) == body


@pytest.mark.parametrize(("call", "method", "path", "query", "body", "answer"), AUTHENTICATED_CALLS)
def test_each_call_sends_exactly_this(api, client, call, method, path, query, body, answer):
    api.add(method, BASE + path, json=answer)

    call(client)

    request = the_request(api)
    url = urlsplit(request.url)
    assert request.method == method
    assert (url.scheme, url.netloc, url.path) == ("https", "weblink.test", path)
    assert parse_qs(url.query) == query
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"
    assert_json_body(request, body)
    assert request.req_kwargs["timeout"] == (1.5, 7.0)
    assert request.req_kwargs["stream"] is True  # read as a stream, bounded


def test_download_sends_exactly_this(api, client):
    api.add("POST", BASE + "/company/report/download/csv", body=b"a,b\n")

    download(client).close()

    request = the_request(api)
    assert request.url == BASE + "/company/report/download/csv"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept-Encoding"] == "identity"
    assert_json_body(request, DOWNLOAD_BODY)
    # Files may take long to produce: the longer read timeout, and a stream.
    assert request.req_kwargs["timeout"] == (1.5, 90.0)
    assert request.req_kwargs["stream"] is True


@pytest.mark.parametrize(
    ("call", "body"),
    [
        (
            sign_in,
            {
                "grant_type": "password",
                "client_id": "external.acme",
                "username": "anna",
                "password": PASSWORD,
                "tfa": "123456",
            },
        ),
        (
            refresh,
            {
                "grant_type": "refresh_token",
                "client_id": "external.acme",
                "refresh_token": "refresh-abc",
            },
        ),
    ],
    ids=["sign_in", "refresh"],
)
@pytest.mark.parametrize("token", [None, TOKEN], ids=["no-token", "with-token"])
def test_sign_in_and_refresh_send_no_bearer_token(api, call, body, token):
    api.add(
        "POST",
        BASE + "/oauth2/user-credentials",
        json={"access_token": "new-token", "expires_in": 3600, "refresh_token": "r2"},
    )

    grant = call(WeblinkClient(token))

    request = the_request(api)
    assert request.method == "POST"
    assert "Authorization" not in request.headers
    assert_json_body(request, body)
    assert (grant.access_token, grant.expires_in, grant.refresh_token) == ("new-token", 3600, "r2")


def test_sign_in_tfa_defaults_to_empty(api):
    api.add("POST", BASE + "/oauth2/user-credentials", json={"access_token": "t"})

    WeblinkClient().sign_in(company="demo", username="admin", password="demo")

    assert json.loads(the_request(api).body)["tfa"] == ""


def test_answers_become_typed_objects(api, client):
    api.add("GET", BASE + "/company/report/type", json=[{"id": "1", "name": "Queue - Missed"}])
    api.add("GET", BASE + "/company/queue", json=[{"id": 17, "name": "Support"}])
    api.add("POST", BASE + "/company/report", json={"id": "2613"})
    api.add("POST", BASE + "/company/report/2613/argument", json={"id": 25343})
    api.add(
        "GET",
        BASE + "/company/report",
        json={"count": "21", "limit": 1, "limit_from": 20, "reports": [{"id": "9"}]},
    )

    assert client.report_types() == [
        ReportType("1", "Queue - Missed", "", "", added=None, class_name=None)
    ]
    assert client.options(FieldKind.PBX_QUEUE) == [Option("17", "Support")]
    assert create(client) == "2613"
    assert client.argument_add("2613", key="option", value="missedCalls") == "25343"
    page = client.reports(limit=1, limit_from=20)
    assert (page.count, page.limit_from, page.reports[0].id) == (21, 20, "9")


def test_base_url_argument_wins_over_the_setting(api):
    api.add("GET", "http://127.0.0.1:8765/company/report/type", json=[])

    WeblinkClient(TOKEN, base_url="http://127.0.0.1:8765/").report_types()

    assert the_request(api).url == "http://127.0.0.1:8765/company/report/type"


def test_option_paths_come_from_settings(api, settings):
    settings.WEBLINK_USERS_PATH = "/company/pbx/users"
    api.add("GET", BASE + "/company/pbx/users", json=[{"id": "1", "extension": "4001"}])

    assert WeblinkClient(TOKEN).options(FieldKind.PBX_USER) == [Option("1", "4001")]


def test_options_only_for_pick_list_kinds(api, client):
    with pytest.raises(ValueError):
        client.options(FieldKind.EMAIL)
    assert len(api.calls) == 0


def test_no_token_is_refused_before_any_request(api):
    with pytest.raises(TokenRejected):
        WeblinkClient(None).report_types()
    assert len(api.calls) == 0


# Error mapping.


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (401, {"error": "invalid_token"}, TokenRejected, "Connect again."),
        (402, {}, TwoFactorRequired, "two-factor code"),
        (404, {"message": "Not found"}, NotFound, "could not find"),
        (403, {"message": "Forbidden for this user"}, WeblinkError, "Forbidden for this user."),
        (500, "<html>Internal error</html>", UpstreamUnavailable, "status 500"),
        (409, b"", WeblinkError, "status 409"),
        (302, b"", BadAnswer, "redirect"),
    ],
)
def test_statuses_become_errors(api, client, status, body, error, message):
    answer = {"json": body} if isinstance(body, dict) else {"body": body}
    api.add("GET", BASE + "/company/report/type", status=status, **answer)

    with pytest.raises(error) as caught:
        client.report_types()

    assert type(caught.value) is error
    assert caught.value.status == status
    assert message in caught.value.message
    assert str(caught.value) == caught.value.message


def test_a_redirect_is_not_followed(api, client):
    api.add(
        "GET", BASE + "/company/report/type", status=301, headers={"Location": BASE + "/elsewhere"}
    )
    api.add("GET", BASE + "/elsewhere", json=[])

    with pytest.raises(BadAnswer):
        client.report_types()

    assert len(api.calls) == 1


def test_401_at_sign_in_speaks_of_credentials(api):
    api.add("POST", BASE + "/oauth2/user-credentials", status=401, json={"error": "invalid"})

    with pytest.raises(TokenRejected) as caught:
        sign_in(WeblinkClient())

    assert caught.value.message == "Weblink did not accept the company, user name or password."


def test_402_at_sign_in_asks_for_the_two_factor_code(api):
    api.add("POST", BASE + "/oauth2/user-credentials", status=402, json={})

    with pytest.raises(TwoFactorRequired) as caught:
        sign_in(WeblinkClient())

    assert caught.value.status == 402


@pytest.mark.parametrize("status", [400, 422])
def test_invalid_input_with_an_errors_dict(api, client, status):
    api.add(
        "PATCH",
        BASE + "/company/report/2613",
        status=status,
        json={"errors": {"interval": ["Unknown interval."], "name": "Too long"}},
    )

    with pytest.raises(InvalidInput) as caught:
        update(client)

    assert caught.value.status == status
    assert caught.value.field_errors == {"interval": ["Unknown interval."], "name": ["Too long"]}
    assert caught.value.message == (
        "Weblink did not accept the input: interval: Unknown interval.; name: Too long."
    )


def test_invalid_input_prefers_the_message(api, client):
    api.add(
        "POST",
        BASE + "/company/report",
        status=400,
        json={"message": "Missing mandatory argument: email", "errors": {"email": ["Required"]}},
    )

    with pytest.raises(InvalidInput) as caught:
        create(client)

    assert caught.value.message == (
        "Weblink did not accept the input: Missing mandatory argument: email."
    )
    assert caught.value.field_errors == {"email": ["Required"]}


def test_invalid_input_without_details_shows_a_plain_sentence(api, client):
    api.add("POST", BASE + "/company/report", status=400, body="Bad Request")

    with pytest.raises(InvalidInput) as caught:
        create(client)

    assert caught.value.message == "Weblink did not accept the input."
    assert caught.value.field_errors == {}


@pytest.mark.parametrize(
    ("headers", "retry_after", "wait"),
    [
        ({"Retry-After": "30"}, 30.0, "Wait 30 seconds"),
        ({"Retry-After": "1.5"}, 1.5, "Wait 2 seconds"),
        ({}, None, "Wait a moment"),
        ({"Retry-After": "soon"}, None, "Wait a moment"),
    ],
)
def test_429_says_how_long_to_wait(api, client, headers, retry_after, wait):
    api.add("GET", BASE + "/company/report/type", status=429, headers=headers)

    with pytest.raises(RateLimited) as caught:
        client.report_types()

    assert caught.value.retry_after == retry_after
    assert wait in caught.value.message
    assert len(api.calls) == 1  # not retried


def test_read_timeout_may_have_reached_weblink(api, client):
    api.add("POST", BASE + "/company/report", body=requests.ReadTimeout("read timed out"))

    with pytest.raises(UpstreamUnavailable) as caught:
        create(client)

    assert caught.value.timed_out is True
    assert "did not answer in time" in caught.value.message


@pytest.mark.parametrize(
    "exception",
    [requests.ConnectionError("refused"), requests.ConnectTimeout("connect timed out")],
    ids=["refused", "connect-timeout"],
)
def test_connection_errors(api, client, exception):
    api.add("DELETE", BASE + "/company/report/1", body=exception)

    with pytest.raises(UpstreamUnavailable) as caught:
        client.report_delete("1")

    assert caught.value.timed_out is False
    assert caught.value.status is None


def test_other_requests_errors_become_upstream_unavailable(api, client):
    api.add("GET", BASE + "/company/report/type", body=requests.exceptions.ChunkedEncodingError())

    with pytest.raises(UpstreamUnavailable):
        client.report_types()


@pytest.mark.parametrize(
    "body", ["{not json", "<html>maintenance</html>", b"\xff\xfe"], ids=["broken", "html", "bytes"]
)
def test_malformed_json_is_a_bad_answer(api, client, body):
    api.add("GET", BASE + "/company/report/type", body=body, content_type="application/json")

    with pytest.raises(BadAnswer) as caught:
        client.report_types()

    assert "not valid JSON" in caught.value.message


@pytest.mark.parametrize(
    ("call", "method", "path", "answer"),
    [
        (lambda c: c.report_types(), "GET", "/company/report/type", {"id": "1"}),
        (lambda c: c.argument_fields(), "GET", "/company/report/argument/fields", [["format"]]),
        (lambda c: c.reports(limit=1, limit_from=0), "GET", "/company/report", []),
        (create, "POST", "/company/report", ["2613"]),
        (sign_in, "POST", "/oauth2/user-credentials", {"token": "x"}),
    ],
    ids=["types", "fields", "reports", "create", "sign_in"],
)
def test_wrong_shapes_are_bad_answers(api, client, call, method, path, answer):
    api.add(method, BASE + path, json=answer)

    with pytest.raises(BadAnswer):
        call(client)


def test_update_and_delete_accept_an_empty_body(api, client):
    api.add("DELETE", BASE + "/company/report/5", status=204, body=b"")

    assert client.report_delete("5") is None


# Retries.

READS = [
    pytest.param(lambda c: c.report_types(), "/company/report/type", [], id="types"),
    pytest.param(lambda c: c.argument_fields(), "/company/report/argument/fields", {}, id="fields"),
    pytest.param(lambda c: c.options(FieldKind.PBX_QUEUE), "/company/queue", [], id="options"),
    pytest.param(
        lambda c: c.reports(limit=5, limit_from=0),
        "/company/report",
        {"count": "0", "limit": 5, "limit_from": 0, "reports": []},
        id="reports",
    ),
]


@pytest.mark.parametrize(("call", "path", "answer"), READS)
@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_read_is_retried_then_succeeds(api, client, sleeps, call, path, answer, status):
    api.add("GET", BASE + path, status=status)
    api.add("GET", BASE + path, json=answer)

    call(client)

    assert len(api.calls) == 2
    assert sleeps == [0.2]


@pytest.mark.parametrize(("call", "path", "answer"), READS)
def test_a_read_is_retried_after_a_connection_error(api, client, sleeps, call, path, answer):
    api.add("GET", BASE + path, body=requests.ConnectionError("reset"))
    api.add("GET", BASE + path, body=requests.ConnectTimeout("slow"))
    api.add("GET", BASE + path, json=answer)

    call(client)

    assert len(api.calls) == 3
    assert sleeps == [0.2, 0.4]


def test_a_read_gives_up_after_two_retries(api, client, sleeps):
    api.add("GET", BASE + "/company/report/type", status=503)

    with pytest.raises(UpstreamUnavailable) as caught:
        client.report_types()

    assert caught.value.status == 503
    assert len(api.calls) == 3
    assert sleeps == [0.2, 0.4]


def test_a_read_gives_up_on_connection_errors_after_two_retries(api, client, sleeps):
    api.add("GET", BASE + "/company/report/type", body=requests.ConnectionError("refused"))
    api.add("GET", BASE + "/company/report/type", body=requests.ConnectionError("refused"))
    api.add("GET", BASE + "/company/report/type", body=requests.ConnectionError("refused"))

    with pytest.raises(UpstreamUnavailable):
        client.report_types()

    assert len(api.calls) == 3
    assert sleeps == [0.2, 0.4]


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("1", 1.0),
        ("0", 0.0),
        ("120", 3.0),
        (email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True), 3.0),
    ],
    ids=["seconds", "zero", "capped", "http-date"],
)
def test_retry_after_is_honoured_but_capped(api, client, sleeps, retry_after, expected):
    api.add("GET", BASE + "/company/report/type", status=503, headers={"Retry-After": retry_after})
    api.add("GET", BASE + "/company/report/type", json=[])

    client.report_types()

    assert sleeps == [expected]


@pytest.mark.parametrize("status", [500, 429, 401])
def test_a_read_is_not_retried_on_other_errors(api, client, sleeps, status):
    api.add("GET", BASE + "/company/report/type", status=status)

    with pytest.raises(WeblinkError):
        client.report_types()

    assert len(api.calls) == 1
    assert sleeps == []


def test_a_read_timeout_is_not_retried(api, client, sleeps):
    api.add("GET", BASE + "/company/report/type", body=requests.ReadTimeout("slow"))

    with pytest.raises(UpstreamUnavailable):
        client.report_types()

    assert len(api.calls) == 1


NEVER_RETRIED = [
    pytest.param(create, "POST", "/company/report", id="create"),
    pytest.param(update, "PATCH", "/company/report/2613", id="update"),
    pytest.param(lambda c: c.report_delete("2613"), "DELETE", "/company/report/2613", id="delete"),
    pytest.param(
        lambda c: c.argument_add("2613", key="email", value="a@example.com"),
        "POST",
        "/company/report/2613/argument",
        id="argument_add",
    ),
    pytest.param(
        lambda c: c.argument_update("2613", "7", key="email", value="a@example.com"),
        "PATCH",
        "/company/report/2613/argument/7",
        id="argument_update",
    ),
    pytest.param(
        lambda c: c.argument_delete("2613", "7"),
        "DELETE",
        "/company/report/2613/argument/7",
        id="argument_delete",
    ),
    pytest.param(sign_in, "POST", "/oauth2/user-credentials", id="sign_in"),
    pytest.param(refresh, "POST", "/oauth2/user-credentials", id="refresh"),
    pytest.param(lambda c: c.report_send("2613"), "GET", "/company/report/2613/send", id="send"),
    pytest.param(download, "POST", "/company/report/download/csv", id="download"),
]


@pytest.mark.parametrize(("call", "method", "path"), NEVER_RETRIED)
@pytest.mark.parametrize(
    "failure",
    [{"status": 503}, {"status": 502}, {"body": requests.ConnectionError("refused")}],
    ids=["503", "502", "connection-error"],
)
def test_writes_send_and_download_are_never_retried(
    api, client, sleeps, call, method, path, failure
):
    api.add(method, BASE + path, **failure)
    api.add(method, BASE + path, json={"id": "1", "access_token": "t"})

    with pytest.raises(UpstreamUnavailable):
        call(client)

    assert len(api.calls) == 1
    assert sleeps == []


def test_the_session_keeps_no_retries_of_its_own():
    adapter = client_module._session().get_adapter(BASE)

    assert adapter.max_retries.total == 0


# Path safety.

BAD_IDS = ["../x", "1/2", "-1", "1%2f..", "", " 1", "1 ", "1?x=1", "١", None, True, -1, 1.0]
CALLS_WITH_IDS = [
    pytest.param(lambda c, bad: c.report_delete(bad), id="delete"),
    pytest.param(
        lambda c, bad: c.report_update(
            bad, name="", description="", interval="day", active=True, email_link_only=False
        ),
        id="update",
    ),
    pytest.param(lambda c, bad: c.report_send(bad), id="send"),
    pytest.param(lambda c, bad: c.argument_add(bad, key="k", value="v"), id="argument_add"),
    pytest.param(
        lambda c, bad: c.argument_update(bad, "1", key="k", value="v"), id="argument_update-report"
    ),
    pytest.param(
        lambda c, bad: c.argument_update("1", bad, key="k", value="v"),
        id="argument_update-argument",
    ),
    pytest.param(lambda c, bad: c.argument_delete(bad, "1"), id="argument_delete-report"),
    pytest.param(lambda c, bad: c.argument_delete("1", bad), id="argument_delete-argument"),
]


@pytest.mark.parametrize("call", CALLS_WITH_IDS)
@pytest.mark.parametrize("bad_id", BAD_IDS, ids=repr)
def test_unsafe_ids_never_reach_the_network(api, client, call, bad_id):
    with pytest.raises(NotFound):
        call(client, bad_id)

    assert len(api.calls) == 0


@pytest.mark.parametrize("bad_format", ["../csv", "CSV", "exe", "csv/../x", ""])
def test_unknown_download_formats_never_reach_the_network(api, client, bad_format):
    with pytest.raises(InvalidInput) as caught:
        client.report_download(format=bad_format, interval="day", report_type_id="1", arguments=[])

    assert "format" in caught.value.field_errors
    assert len(api.calls) == 0


# Secrets stay secret.


def test_the_token_never_reaches_the_log(api, client, caplog):
    caplog.set_level(logging.DEBUG)
    api.add("GET", BASE + "/company/report", json={"reports": []})
    api.add("GET", BASE + "/company/report/type", status=401, json={"message": f"bad {TOKEN}"})
    api.add("POST", BASE + "/oauth2/user-credentials", json={"access_token": "new-secret-token"})

    client.reports(limit=5, limit_from=10)
    with pytest.raises(TokenRejected):
        client.report_types()
    sign_in(client)

    assert TOKEN not in caplog.text
    assert PASSWORD not in caplog.text
    assert "new-secret-token" not in caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name == "reports_admin.weblink"]
    assert [line.rsplit(" ", 2)[0] for line in lines] == [
        "GET /company/report 200",
        "GET /company/report/type 401",
        "POST /oauth2/user-credentials 200",
    ]
    assert all(line.endswith(" ms") for line in lines)
    assert "limit" not in caplog.text


def test_failed_calls_are_logged_too(api, client, caplog):
    caplog.set_level(logging.INFO, logger="reports_admin.weblink")
    api.add("POST", BASE + "/company/report", body=requests.ConnectTimeout("slow"))

    with pytest.raises(UpstreamUnavailable):
        create(client)

    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("POST /company/report ConnectTimeout ")


@pytest.mark.parametrize("status", [400, 403, 422])
def test_the_token_never_reaches_an_error(api, client, status):
    api.add(
        "POST",
        BASE + "/company/report",
        status=status,
        json={"message": f"Token {TOKEN} is odd", "errors": {"name": [f"near {TOKEN}"]}},
    )

    with pytest.raises(WeblinkError) as caught:
        create(client)

    error = caught.value
    for text in (str(error), repr(error), error.message, repr(getattr(error, "field_errors", ""))):
        assert TOKEN not in text
    assert "[token]" in error.message


def test_the_token_is_not_in_the_exception_of_a_connection_error(api, client):
    api.add("GET", BASE + "/company/report/type", body=requests.ConnectionError("refused"))

    with pytest.raises(UpstreamUnavailable) as caught:
        client.report_types()

    assert TOKEN not in repr(caught.value)
    assert TOKEN not in caught.value.message


def test_no_cookie_travels_between_calls(api, client):
    api.add("GET", BASE + "/company/report/type", json=[], headers={"Set-Cookie": "PHPSESSID=a1"})
    api.add("GET", BASE + "/company/report/type", json=[])

    client.report_types()
    WeblinkClient("someone-else").report_types()

    assert "Cookie" not in api.calls[1].request.headers


def test_one_session_per_thread():
    sessions = []
    thread = threading.Thread(target=lambda: sessions.append(client_module._session()))
    thread.start()
    thread.join()

    assert client_module._session() is client_module._session()
    assert sessions[0] is not client_module._session()


# Downloads.


def test_download_chunks_arrive_with_their_length(api, client):
    data = bytes(range(256)) * 600  # 153,600 bytes
    api.add(
        "POST",
        BASE + "/company/report/download/csv",
        body=data,
        content_type="text/csv",
        auto_calculate_content_length=True,
    )

    with download(client) as file:
        assert file.content_length == len(data)
        assert file.content_type == "text/csv"
        chunks = list(file.iter_chunks())

    assert [len(c) for c in chunks] == [65536, 65536, 22528]
    assert b"".join(chunks) == data


def test_download_without_a_length(api, client):
    api.add("POST", BASE + "/company/report/download/csv", body=b"a,b\n")

    file = download(client)

    assert file.content_length is None
    assert b"".join(file.iter_chunks(chunk_size=2)) == b"a,b\n"


def test_download_of_an_encoded_body_has_no_length(api, client):
    api.add(
        "POST",
        BASE + "/company/report/download/csv",
        body=b"",
        headers={"Content-Length": "20", "Content-Encoding": "br"},
    )

    assert download(client).content_length is None


def test_a_download_ending_short_is_an_error(api, client):
    api.add(
        "POST",
        BASE + "/company/report/download/csv",
        body=b"only ten b",
        headers={"Content-Length": "100"},
    )

    file = download(client)

    with pytest.raises(UpstreamUnavailable) as caught:
        b"".join(file.iter_chunks())
    assert "broke off" in caught.value.message


class BreakingStream(io.RawIOBase):
    """Gives some bytes, then fails like a cut connection."""

    def __init__(self):
        self.sent = False

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent:
            raise ConnectionResetError("connection reset by peer")
        self.sent = True
        buffer[:5] = b"first"
        return 5


def test_a_download_breaking_mid_stream_is_an_error(api, client):
    api.add(
        "POST",
        BASE + "/company/report/download/csv",
        body=io.BufferedReader(BreakingStream(), buffer_size=5),
    )

    file = download(client)
    received = []

    with pytest.raises(UpstreamUnavailable):
        for chunk in file.iter_chunks(chunk_size=5):
            received.append(chunk)
    assert received == [b"first"]


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, TokenRejected), (400, InvalidInput), (404, NotFound), (500, UpstreamUnavailable)],
)
def test_download_status_is_checked_before_returning(api, client, status, error):
    api.add(
        "POST",
        BASE + "/company/report/download/csv",
        status=status,
        json={"message": "No such queue"},
    )

    with pytest.raises(error):
        download(client)


class PooledBody(io.BytesIO):
    """A response body that records when its connection goes back to the pool."""

    released = False

    def release_conn(self):
        self.released = True


def make_response(body: bytes, headers: dict[str, str]) -> tuple[requests.Response, PooledBody]:
    raw = PooledBody(body)
    response = requests.Response()
    response.status_code = 200
    response.raw = raw
    response.headers.update(headers)
    return response, raw


def test_close_closes_the_response():
    response, raw = make_response(b"data", {})

    Download(response).close()

    assert raw.closed
    assert raw.released


def test_the_context_manager_closes_the_response():
    response, raw = make_response(b"data", {})

    with Download(response):
        pass

    assert raw.closed


def test_reading_to_the_end_gives_the_connection_back():
    response, raw = make_response(b"data", {"Content-Length": "4"})

    assert list(Download(response).iter_chunks()) == [b"data"]
    assert raw.released


def test_a_body_shorter_than_its_length_is_an_error():
    response, raw = make_response(b"data", {"Content-Length": "10"})

    with pytest.raises(UpstreamUnavailable):
        list(Download(response).iter_chunks())
    assert raw.released


def test_stopping_early_closes_the_response():
    response, raw = make_response(b"abcdef", {})
    chunks = Download(response).iter_chunks(chunk_size=2)

    assert next(chunks) == b"ab"
    chunks.close()

    # Unread bytes remain: the connection is closed, not handed back to the pool.
    assert raw.closed
