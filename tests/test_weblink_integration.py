"""The Weblink client against the simulator over real HTTP: every endpoint, the errors the
simulator answers and each of its faults, as the client turns them into WeblinkError."""

import csv
import io

import openpyxl
import pytest

from reports_admin.weblink import (
    BadAnswer,
    InvalidInput,
    NotFound,
    RateLimited,
    TokenRejected,
    TwoFactorRequired,
    UpstreamUnavailable,
    WeblinkClient,
)
from reports_admin.weblink import client as client_module
from reports_admin.weblink.metadata import FieldKind

ARGUMENTS = [("format", "csv"), ("email", "a@example.com")]
FIRST_REPORT = "2583"  # the seed's first report: type 1, two e-mails, queue 1101


@pytest.fixture
def weblink(weblink_url, simulator) -> WeblinkClient:
    """A client signed in to the simulator as admin."""
    return WeblinkClient(simulator.issue_token())


@pytest.fixture
def no_backoff(monkeypatch) -> list[float]:
    """The client's retry delays, recorded instead of slept."""
    delays: list[float] = []
    monkeypatch.setattr(client_module, "sleep", delays.append)
    return delays


def create(weblink: WeblinkClient, **changes) -> str:
    fields = {
        "name": "Test",
        "description": "",
        "interval": "day",
        "active": True,
        "email_link_only": False,
        "report_type_id": "1",
        "arguments": ARGUMENTS,
    }
    return weblink.report_create(**{**fields, **changes})


def calls(simulator, method: str, path: str) -> int:
    return sum(1 for r in simulator.requests if (r.method, r.path) == (method, path))


# Sign-in ------------------------------------------------------------------------------------


def test_sign_in_gives_a_token_the_api_accepts(weblink_url):
    grant = WeblinkClient().sign_in(company="demo", username="admin", password="demo")

    assert grant.expires_in == 3600 and grant.refresh_token
    assert WeblinkClient(grant.access_token).report_types()


def test_sign_in_with_wrong_password_or_company_is_token_rejected(weblink_url):
    with pytest.raises(TokenRejected):
        WeblinkClient().sign_in(company="demo", username="admin", password="wrong")
    with pytest.raises(TokenRejected):
        WeblinkClient().sign_in(company="other", username="admin", password="demo")


def test_two_factor_code_is_asked_for_then_accepted(weblink_url):
    client = WeblinkClient()

    with pytest.raises(TwoFactorRequired) as missing:
        client.sign_in(company="demo", username="secure", password="demo")
    grant = client.sign_in(company="demo", username="secure", password="demo", tfa="123456")

    assert missing.value.status == 402
    assert grant.access_token


def test_refresh_gives_a_new_token_and_uses_the_old_refresh_token_up(weblink_url):
    client = WeblinkClient()
    grant = client.sign_in(company="demo", username="admin", password="demo")

    renewed = client.refresh(company="demo", refresh_token=grant.refresh_token)

    assert renewed.access_token != grant.access_token
    assert WeblinkClient(renewed.access_token).reports(limit=1, limit_from=0).count == 30
    with pytest.raises(TokenRejected):
        client.refresh(company="demo", refresh_token=grant.refresh_token)


def test_a_token_the_api_does_not_know_is_rejected(weblink_url):
    with pytest.raises(TokenRejected):
        WeblinkClient("not-a-token").report_types()


# Metadata -----------------------------------------------------------------------------------


def test_report_types_and_argument_fields(weblink):
    types = weblink.report_types()
    fields = weblink.argument_fields()

    assert (types[0].id, types[0].name, types[0].group) == ("1", "Queue - Missed", "queue")
    assert [f.key for f in fields.shared] == [
        "format",
        "email",
        "only_when_data",
        "report_language",
    ]
    type_1 = {f.key: f for f in fields.for_type("1")}
    assert type_1["format"].mandatory and type_1["format"].type.values == (
        "html",
        "csv",
        "xlsx",
        "pdf",
    )
    assert type_1["queue_id"].type.kind == FieldKind.PBX_QUEUE
    assert type_1["option"].type.values == (
        "missedCalls",
        "queueRapportPerDay",
        "memberRapportPerHour",
    )
    assert fields.for_type("7") == fields.shared  # the type with no fields of its own
    assert {f.type.kind for f in fields.for_type("3")} >= {FieldKind.UNKNOWN}


@pytest.mark.parametrize(
    ("kind", "first", "last"),
    [
        (FieldKind.PBX_QUEUE, ("1101", "Kundtjänst"), ("1106", "Fakturafrågor")),
        (FieldKind.PBX_USER, ("2201", "Anna Lindqvist"), ("2210", "299")),  # no name: extension
        (FieldKind.PBX_APP_CALLBACK_DESTINATION, ("3301", "Kundtjänst återuppringning"), None),
    ],
)
def test_option_lists(weblink, kind, first, last):
    options = weblink.options(kind)

    assert (options[0].id, options[0].label) == first
    if last:
        assert (options[-1].id, options[-1].label) == last


# Reports ------------------------------------------------------------------------------------


def test_reports_page_through_the_list(weblink):
    first = weblink.reports(limit=25, limit_from=0)
    rest = weblink.reports(limit=25, limit_from=25)

    assert (first.count, first.limit, first.limit_from) == (30, 25, 0)
    assert len(first.reports) == 25 and len(rest.reports) == 5
    report = first.reports[0]
    assert report.id == FIRST_REPORT and report.report_type_id == "1" and report.active
    assert report.values("email") == [
        "teamledare@nordvikenergi.se",
        "anna.lindqvist@nordvikenergi.se",
    ]


def test_create_update_and_delete_a_report(weblink, simulator):
    report_id = create(
        weblink, arguments=[*ARGUMENTS, ("queue_id", "1102"), ("option", "missedCalls")]
    )
    weblink.report_update(
        report_id,
        name="Renamed",
        description="Now weekly",
        interval="week",
        active=False,
        email_link_only=True,
    )
    updated = simulator.state.report(report_id)
    weblink.report_delete(report_id)

    assert report_id == "2613"
    assert (updated.name, updated.interval, updated.active, updated.email_link_only) == (
        "Renamed",
        "week",
        False,
        True,
    )
    assert updated.values("queue_id") == ["1102"]
    assert simulator.state.report(report_id) is None


def test_argument_add_update_and_delete(weblink, simulator):
    argument_id = weblink.argument_add(FIRST_REPORT, key="email", value="third@example.com")
    weblink.argument_update(FIRST_REPORT, argument_id, key="email", value="changed@example.com")
    changed = simulator.state.report(FIRST_REPORT).values("email")
    weblink.argument_delete(FIRST_REPORT, argument_id)

    assert argument_id == "25341"
    assert changed[-1] == "changed@example.com"
    assert "changed@example.com" not in simulator.state.report(FIRST_REPORT).values("email")


def test_send_reaches_the_recipients(weblink, simulator):
    weblink.report_send(FIRST_REPORT)

    [sent] = simulator.state.sent
    assert sent.recipients == ("teamledare@nordvikenergi.se", "anna.lindqvist@nordvikenergi.se")


def test_unknown_report_is_not_found(weblink):
    with pytest.raises(NotFound):
        weblink.report_delete("999")


@pytest.mark.parametrize("report_id", ["../x", "1/..", "-1", ""])
def test_ids_that_cannot_exist_never_reach_the_api(weblink, simulator, report_id):
    with pytest.raises(NotFound):
        weblink.report_send(report_id)

    assert simulator.requests == []


# Validation errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"interval": "daily"}, "interval"),
        ({"report_type_id": "99"}, "report_type_id"),
        ({"arguments": [("format", "doc"), ("email", "a@example.com")]}, "format"),
        ({"arguments": [("format", "csv"), ("email", "not-an-email")]}, "email"),
        ({"arguments": [("format", "csv")]}, "email"),
        ({"arguments": [*ARGUMENTS, ("queue_id", "9999")]}, "queue_id"),
        ({"arguments": [*ARGUMENTS, ("user_id", "2201")]}, "user_id"),
    ],
)
def test_invalid_report_is_invalid_input_with_field_errors(weblink, simulator, changes, field):
    with pytest.raises(InvalidInput) as raised:
        create(weblink, **changes)

    assert raised.value.status == 400
    assert raised.value.field_errors[field]
    assert len(simulator.state.reports) == 30


def test_invalid_argument_changes_are_invalid_input(weblink, simulator):
    created = create(weblink)
    email_id = simulator.state.report(created).arguments[1].id

    with pytest.raises(InvalidInput) as bad_value:
        weblink.argument_add(created, key="option", value="sometimes")
    with pytest.raises(InvalidInput) as last_email:
        weblink.argument_delete(created, email_id)

    assert "option" in bad_value.value.field_errors
    assert "email" in last_email.value.field_errors
    assert simulator.state.report(created).values("email") == ["a@example.com"]


# Downloads ----------------------------------------------------------------------------------


def download(weblink: WeblinkClient, file_format: str, arguments=ARGUMENTS) -> tuple[bytes, object]:
    with weblink.report_download(
        format=file_format, interval="day", report_type_id="1", arguments=arguments
    ) as file:
        return b"".join(file.iter_chunks()), file


def test_csv_download(weblink):
    data, file = download(weblink, "csv", [*ARGUMENTS, ("queue_id", "1104")])

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert file.content_type.startswith("text/csv")
    assert rows[0][:2] == ["Period", "Queue"] and len(rows) == 51
    assert {row[1] for row in rows[1:]} == {"Teknisk support"}


def test_xlsx_download(weblink):
    data, file = download(weblink, "xlsx")

    assert file.content_length == len(data)
    rows = list(openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.values)
    assert rows[0][0] == "Queue - Missed" and rows[2][0] == "Period" and len(rows) == 53


def test_pdf_download(weblink):
    data, file = download(weblink, "pdf")

    assert file.content_type == "application/pdf" and file.content_length == len(data)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_html_download(weblink):
    data, file = download(weblink, "html")

    text = data.decode()
    assert file.content_type.startswith("text/html")
    assert "<table>" in text and text.count("<tr>") == 51


def test_invalid_download_is_invalid_input_before_any_byte(weblink):
    with pytest.raises(InvalidInput) as raised:
        weblink.report_download(format="csv", interval="day", report_type_id="1", arguments=[])

    assert set(raised.value.field_errors) == {"format", "email"}


def test_large_download_streams(weblink, simulator):
    simulator.settings.download_rows = 200_000
    newlines, chunks = 0, 0

    with weblink.report_download(
        format="csv", interval="hour", report_type_id="1", arguments=ARGUMENTS
    ) as file:
        for chunk in file.iter_chunks(chunk_size=64 * 1024):
            newlines += chunk.count(b"\n")
            chunks += 1

    assert newlines == 200_001
    assert chunks > 100


# Faults -------------------------------------------------------------------------------------


def test_a_read_answered_503_is_retried_then_succeeds(weblink, simulator, no_backoff):
    simulator.faults.status = 503
    simulator.faults.status_count = 1

    types = weblink.report_types()

    assert types[0].id == "1"
    assert calls(simulator, "GET", "/company/report/type") == 2
    assert len(no_backoff) == 1


def test_a_create_answered_500_raises_and_is_sent_once(weblink, simulator, no_backoff):
    simulator.faults.status = 500

    with pytest.raises(UpstreamUnavailable) as raised:
        create(weblink)

    assert raised.value.status == 500
    assert calls(simulator, "POST", "/company/report") == 1
    assert no_backoff == []


def test_send_answered_503_is_never_retried(weblink, simulator, no_backoff):
    simulator.faults.status = 503

    with pytest.raises(UpstreamUnavailable):
        weblink.report_send(FIRST_REPORT)

    assert calls(simulator, "GET", f"/company/report/{FIRST_REPORT}/send") == 1


def test_429_is_rate_limited_with_retry_after(weblink, simulator, no_backoff):
    simulator.faults.status = 429

    with pytest.raises(RateLimited) as raised:
        weblink.reports(limit=10, limit_from=0)

    assert raised.value.retry_after == 1.0


def test_malformed_json_is_bad_answer(weblink, simulator):
    simulator.faults.malformed_json = True

    with pytest.raises(BadAnswer):
        weblink.argument_fields()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_cut_download_raises_from_iter_chunks(weblink, simulator, file_format):
    simulator.settings.download_rows = 5000
    simulator.faults.cut_download_after = 10_000
    received = 0

    with (
        pytest.raises(UpstreamUnavailable),
        weblink.report_download(
            format=file_format, interval="day", report_type_id="1", arguments=ARGUMENTS
        ) as file,
    ):
        for chunk in file.iter_chunks():
            received += len(chunk)

    assert received <= 10_000  # never more than the simulator sent before the cut
    assert calls(simulator, "POST", f"/company/report/download/{file_format}") == 1


def test_expired_tokens_are_token_rejected(weblink, simulator):
    simulator.faults.tokens_expired = True

    with pytest.raises(TokenRejected):
        weblink.reports(limit=10, limit_from=0)


def test_latency_beyond_the_read_timeout_is_a_timed_out_failure(weblink_url, simulator, settings):
    settings.WEBLINK_READ_TIMEOUT = 0.2
    simulator.faults.latency = 1.0

    # A read, so that the late answer changes nothing after this test has ended.
    with pytest.raises(UpstreamUnavailable) as raised:
        WeblinkClient(simulator.issue_token()).report_types()

    assert raised.value.timed_out


def test_calls_reuse_pooled_connections(weblink, simulator):
    for _ in range(5):
        weblink.report_types()

    # The client's pool may still hold a connection from an earlier test: at most one new one.
    assert simulator.connections_accepted <= 1
    assert calls(simulator, "GET", "/company/report/type") == 5
