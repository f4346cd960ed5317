"""The Weblink simulator over real HTTP, with plain ``requests``: the API as API.md describes it,
its validation, its files, its faults and its control endpoints."""

import csv
import io
import json
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest
import requests

from weblink_sim.server import Simulator

ADMIN = {
    "grant_type": "password",
    "client_id": "external.demo",
    "username": "admin",
    "password": "demo",
    "tfa": "",
}
SECURE = {**ADMIN, "username": "secure", "tfa": "123456"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
VALID_ARGUMENTS = [{"key": "format", "value": "csv"}, {"key": "email", "value": "a@example.com"}]
NEW_REPORT = {
    "interval": "hour",
    "active": 0,
    "name": "Test",
    "description": "",
    "email_link_only": 0,
    "report_type_id": "1",
    "arguments": VALID_ARGUMENTS,
}
DOWNLOAD = {"interval": "day", "report_type_id": "1", "arguments": VALID_ARGUMENTS}
FIRST_REPORT = "2583"  # the seed's first report: type 1, two e-mails, queue 1101


class Api:
    """A requests session against the simulator, signed in as admin."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base_url + path, timeout=10, **kwargs)

    def report(self, report_id: str) -> dict | None:
        reports = self("GET", "/company/report", params={"limit": 1000}).json()["reports"]
        return next((r for r in reports if r["id"] == report_id), None)


@pytest.fixture
def api(simulator: Simulator):
    client = Api(simulator.base_url, simulator.issue_token())
    yield client
    client.session.close()


def sign_in(simulator: Simulator, **fields) -> requests.Response:
    return requests.post(simulator.base_url + "/oauth2/user-credentials", json=fields, timeout=10)


def errors_of(response: requests.Response) -> dict:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"]
    return body["errors"]


# Sign-in ------------------------------------------------------------------------------------


def test_sign_in_answers_a_bearer_token_that_works(simulator):
    response = sign_in(simulator, **ADMIN)

    assert response.status_code == 200
    grant = response.json()
    assert grant["token_type"] == "Bearer"
    assert grant["expires_in"] == 3600
    assert grant["refresh_token"]
    headers = {"Authorization": f"Bearer {grant['access_token']}"}
    types = requests.get(simulator.base_url + "/company/report/type", headers=headers, timeout=10)
    assert types.status_code == 200


def test_sign_in_accepts_a_form_encoded_body(simulator):
    response = requests.post(
        simulator.base_url + "/oauth2/user-credentials", data=ADMIN, timeout=10
    )

    assert response.status_code == 200
    assert response.json()["access_token"]


@pytest.mark.parametrize(
    "change",
    [
        {"password": "wrong"},
        {"username": "nobody"},
        {"client_id": "external.othercompany"},
        {"username": "secure", "password": "wrong", "tfa": "123456"},
    ],
)
def test_sign_in_with_wrong_credentials_is_401(simulator, change):
    response = sign_in(simulator, **{**ADMIN, **change})

    assert response.status_code == 401
    assert "access_token" not in response.json()


@pytest.mark.parametrize("tfa", ["", "000000", None])
def test_sign_in_without_the_right_two_factor_code_is_402(simulator, tfa):
    fields = {**SECURE, "tfa": tfa} if tfa is not None else {**SECURE}
    if tfa is None:
        del fields["tfa"]

    assert sign_in(simulator, **fields).status_code == 402


def test_sign_in_with_the_two_factor_code_succeeds(simulator):
    response = sign_in(simulator, **SECURE)

    assert response.status_code == 200
    assert response.json()["access_token"]


def test_unknown_grant_type_is_400(simulator):
    assert sign_in(simulator, **{**ADMIN, "grant_type": "client_credentials"}).status_code == 400


def test_refresh_token_gives_new_tokens_once(simulator):
    grant = sign_in(simulator, **ADMIN).json()
    refresh = {"grant_type": "refresh_token", "client_id": "external.demo"}

    renewed = sign_in(simulator, **refresh, refresh_token=grant["refresh_token"])
    reused = sign_in(simulator, **refresh, refresh_token=grant["refresh_token"])
    garbage = sign_in(simulator, **refresh, refresh_token="not-a-token")

    assert renewed.status_code == 200
    assert renewed.json()["access_token"] != grant["access_token"]
    headers = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    listing = requests.get(simulator.base_url + "/company/report", headers=headers, timeout=10)
    assert listing.status_code == 200
    assert reused.status_code == 401
    assert garbage.status_code == 401


# Authorisation and routing ------------------------------------------------------------------

API_CALLS = [
    ("GET", "/company/report/type"),
    ("GET", "/company/report/argument/fields"),
    ("GET", "/company/queue"),
    ("GET", "/company/user"),
    ("GET", "/company/callback/destination"),
    ("GET", "/company/report"),
    ("POST", "/company/report"),
    ("PATCH", f"/company/report/{FIRST_REPORT}"),
    ("DELETE", f"/company/report/{FIRST_REPORT}"),
    ("POST", f"/company/report/{FIRST_REPORT}/argument"),
    ("PATCH", f"/company/report/{FIRST_REPORT}/argument/1"),
    ("DELETE", f"/company/report/{FIRST_REPORT}/argument/1"),
    ("GET", f"/company/report/{FIRST_REPORT}/send"),
    ("POST", "/company/report/download/csv"),
]


@pytest.mark.parametrize(("method", "path"), API_CALLS)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YWRtaW46ZGVtbw=="])
def test_every_call_needs_a_valid_bearer_token(simulator, method, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = requests.request(method, simulator.base_url + path, headers=headers, timeout=10)

    assert response.status_code == 401
    assert response.json()["message"]
    assert simulator.state.report(FIRST_REPORT) is not None
    assert simulator.state.sent == []


def test_unknown_path_is_404_and_wrong_method_405(api):
    missing = api("GET", "/company/nothing")
    wrong_method = api("PUT", "/company/report")
    unknown_method = api("TRACE", "/company/report")

    assert missing.status_code == 404
    assert missing.json()["message"]
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "GET, POST"
    assert wrong_method.json()["message"]
    assert unknown_method.status_code == 405
    assert unknown_method.json()["message"]


# Metadata -----------------------------------------------------------------------------------


def test_report_type_1_is_exactly_as_the_vendor_shows_it(api):
    types = api("GET", "/company/report/type").json()

    assert types[0] == {
        "id": "1",
        "name": "Queue - Missed",
        "description": None,
        "group": "queue",
        "added": "2015-06-24 00:00:00",
        "class_name": "ReportQueueMissed",
    }
    assert {"queue", "user", "callback"} <= {t["group"] for t in types}
    assert all(isinstance(t["id"], str) for t in types)


def test_argument_fields_match_the_vendor_text(api):
    fields = api("GET", "/company/report/argument/fields").json()

    assert fields["all"] == [
        {
            "key": "format",
            "description": "The format of the emailed file?",
            "mandatory": "1",
            "type": "enum('html', 'csv', 'xlsx', 'pdf')",
        },
        {
            "key": "email",
            "description": "The email to send the report to?",
            "mandatory": "1",
            "type": "email",
        },
        {"key": "only_when_data", "description": None, "mandatory": "0", "type": "bool"},
        {
            "key": "report_language",
            "description": "Not doing anything, yet",
            "mandatory": "0",
            "type": "enum('en_GB')",
        },
    ]
    assert fields["1"] == [
        {"key": "queue_id", "description": None, "mandatory": "0", "type": "pbx_queue"},
        {
            "key": "option",
            "description": None,
            "mandatory": "0",
            "type": "enum('missedCalls', 'queueRapportPerDay', 'memberRapportPerHour')",
        },
    ]


def test_every_group_has_a_type_with_its_pick_list_and_one_type_has_no_fields(api):
    types = api("GET", "/company/report/type").json()
    fields = api("GET", "/company/report/argument/fields").json()
    field_types = {t["group"]: {f["type"] for f in fields.get(t["id"], [])} for t in types}

    assert "pbx_user" in field_types["user"]
    assert "pbx_app_callback_destination" in field_types["callback"]
    assert any(t["id"] not in fields for t in types)


@pytest.mark.parametrize(
    ("path", "size"),
    [("/company/queue", 6), ("/company/user", 10), ("/company/callback/destination", 4)],
)
def test_option_lists_have_string_ids_and_names(api, path, size):
    items = api("GET", path).json()

    assert len(items) == size
    assert all(isinstance(item["id"], str) and "name" in item for item in items)
    if path == "/company/user":
        assert all(item["extension"] for item in items)


# Listing ------------------------------------------------------------------------------------


def test_report_list_defaults_and_shape(api):
    page = api("GET", "/company/report").json()

    assert (page["count"], page["limit"], page["limit_from"]) == ("30", 25, 0)
    assert len(page["reports"]) == 25
    report = page["reports"][0]
    assert report["id"] == FIRST_REPORT
    assert report["active"] in ("0", "1") and report["report_type_id"] == "1"
    assert [a["value"] for a in report["arguments"]["email"]] == [
        "teamledare@nordvikenergi.se",
        "anna.lindqvist@nordvikenergi.se",
    ]
    argument = report["arguments"]["format"][0]
    assert isinstance(argument["id"], str) and TIMESTAMP.match(argument["added"])


def test_report_list_pages_with_limit_and_limit_from(api):
    page = api("GET", "/company/report", params={"limit": 5, "limit_from": 28}).json()

    assert (page["count"], page["limit"], page["limit_from"]) == ("30", 5, 28)
    assert [r["id"] for r in page["reports"]] == ["2611", "2612"]


def test_report_list_with_a_bad_limit_is_400(api):
    assert "limit" in errors_of(api("GET", "/company/report", params={"limit": "many"}))


def test_seeding_is_deterministic():
    first, second = Simulator().state.reports, Simulator().state.reports

    assert first == second
    assert len(first) == 30


# Writing reports ----------------------------------------------------------------------------


def test_create_answers_the_new_id_and_stores_the_report(api, simulator):
    response = api("POST", "/company/report", json=NEW_REPORT)

    assert response.status_code == 200
    assert response.json() == {"id": "2613"}
    listed = api.report("2613")
    assert listed["name"] == "Test" and listed["interval"] == "hour" and listed["active"] == "0"
    assert listed["arguments"]["format"][0]["id"] == "25341"
    assert TIMESTAMP.match(listed["added"])
    assert simulator.state.report("2613").values("email") == ["a@example.com"]


def test_update_changes_the_report_and_answers_an_empty_list(api, simulator):
    body = {
        "interval": "week",
        "active": 1,
        "name": "Renamed",
        "description": "New",
        "email_link_only": 1,
    }

    response = api("PATCH", f"/company/report/{FIRST_REPORT}", json=body)

    assert response.status_code == 200
    assert response.json() == []
    report = simulator.state.report(FIRST_REPORT)
    assert (report.name, report.interval, report.active, report.email_link_only) == (
        "Renamed",
        "week",
        True,
        True,
    )
    assert report.report_type_id == "1"


def test_delete_removes_the_report(api, simulator):
    response = api("DELETE", f"/company/report/{FIRST_REPORT}")

    assert response.json() == []
    assert simulator.state.report(FIRST_REPORT) is None
    assert api("DELETE", f"/company/report/{FIRST_REPORT}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/company/report/999"),
        ("DELETE", "/company/report/999"),
        ("GET", "/company/report/999/send"),
        ("DELETE", f"/company/report/{FIRST_REPORT}/argument/999"),
        ("DELETE", "/company/report/2584/argument/25200"),  # an argument of another report
    ],
)
def test_unknown_report_or_argument_is_404(api, method, path):
    response = api(method, path, json={"name": "x"})

    assert response.status_code == 404
    assert response.json()["message"]


# Arguments ----------------------------------------------------------------------------------


def test_argument_add_change_and_delete(api, simulator):
    path = f"/company/report/{FIRST_REPORT}/argument"

    added = api("POST", path, json={"key": "email", "value": "third@example.com"})
    argument_id = added.json()["id"]
    changed = api(
        "PATCH", f"{path}/{argument_id}", json={"key": "email", "value": "new@example.com"}
    )
    after_change = simulator.state.report(FIRST_REPORT).values("email")
    deleted = api("DELETE", f"{path}/{argument_id}")

    assert added.status_code == 200 and argument_id == "25341"
    assert changed.json() == []
    assert after_change[-1] == "new@example.com"
    assert deleted.json() == []
    assert "new@example.com" not in simulator.state.report(FIRST_REPORT).values("email")


def test_argument_key_can_change(api, simulator):
    option = next(a for a in simulator.state.report(FIRST_REPORT).arguments if a.key == "option")

    response = api(
        "PATCH",
        f"/company/report/{FIRST_REPORT}/argument/{option.id}",
        json={"key": "only_when_data", "value": "1"},
    )

    assert response.json() == []
    report = simulator.state.report(FIRST_REPORT)
    assert report.values("option") == [] and report.values("only_when_data") == ["1"]


# Validation ---------------------------------------------------------------------------------


def with_arguments(*pairs, type_id="1") -> dict:
    return {
        **NEW_REPORT,
        "report_type_id": type_id,
        "arguments": [{"key": k, "value": v} for k, v in pairs],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_REPORT, "interval": "daily"}, "interval"),
        ({**NEW_REPORT, "report_type_id": "99"}, "report_type_id"),
        ({**NEW_REPORT, "active": "yes"}, "active"),
        ({**NEW_REPORT, "name": 5}, "name"),
        ({**NEW_REPORT, "colour": "red"}, "colour"),
        ({**NEW_REPORT, "arguments": {"format": "csv"}}, "arguments"),
        ({**NEW_REPORT, "arguments": [{"key": "format"}]}, "arguments"),
        ({**NEW_REPORT, "arguments": [["format", "csv"]]}, "arguments"),
        (with_arguments(("format", "doc"), ("email", "a@example.com")), "format"),
        (with_arguments(("format", "csv"), ("email", "not-an-email")), "email"),
        (with_arguments(("format", "csv")), "email"),
        (with_arguments(("email", "a@example.com")), "format"),
        (
            with_arguments(("format", "csv"), ("format", "pdf"), ("email", "a@example.com")),
            "format",
        ),
        (
            with_arguments(("format", "csv"), ("email", "a@example.com"), ("user_id", "2201")),
            "user_id",
        ),
        (
            with_arguments(("format", "csv"), ("email", "a@example.com"), ("queue_id", "9999")),
            "queue_id",
        ),
        (
            with_arguments(("format", "csv"), ("email", "a@example.com"), ("option", "all")),
            "option",
        ),
        (
            with_arguments(("format", "csv"), ("email", "a@x.se"), ("only_when_data", "yes")),
            "only_when_data",
        ),
        (with_arguments(("format", "csv"), ("email", "a@example.com"), type_id="2"), "queue_id"),
        (
            with_arguments(
                ("format", "csv"), ("email", "a@x.se"), ("user_id", "1101"), type_id="4"
            ),
            "user_id",
        ),
        (
            with_arguments(
                ("format", "csv"), ("email", "a@x.se"), ("destination_id", "1"), type_id="6"
            ),
            "destination_id",
        ),
        (
            with_arguments(
                ("format", "csv"), ("email", "a@x.se"), ("target_seconds", "soon"), type_id="3"
            ),
            "target_seconds",
        ),
    ],
)
def test_create_rejects_invalid_bodies_naming_the_field(api, simulator, body, field):
    errors = errors_of(api("POST", "/company/report", json=body))

    assert field in errors
    assert all(isinstance(message, str) for message in errors[field])
    assert len(simulator.state.reports) == 30


def test_create_lists_every_problem_at_once(api):
    body = {**with_arguments(("format", "doc"), ("queue_id", "1")), "interval": "daily"}

    errors = errors_of(api("POST", "/company/report", json=body))

    assert set(errors) == {"interval", "format", "queue_id", "email"}


def test_create_with_a_body_that_is_not_json_is_400(api):
    response = api("POST", "/company/report", data=b"{not json")

    assert response.status_code == 400
    assert response.json()["message"]


def test_a_report_takes_several_email_arguments(api, simulator):
    body = with_arguments(("format", "csv"), ("email", "a@example.com"), ("email", "b@example.com"))

    report_id = api("POST", "/company/report", json=body).json()["id"]

    assert simulator.state.report(report_id).values("email") == ["a@example.com", "b@example.com"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"report_type_id": "2"}, "report_type_id"),
        ({"arguments": VALID_ARGUMENTS}, "arguments"),
        ({"interval": "fortnight"}, "interval"),
        ({"email_link_only": 2}, "email_link_only"),
    ],
)
def test_update_rejects_invalid_bodies(api, simulator, body, field):
    before = simulator.state.report(FIRST_REPORT)

    errors = errors_of(api("PATCH", f"/company/report/{FIRST_REPORT}", json=body))

    assert field in errors
    assert simulator.state.report(FIRST_REPORT) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "colour", "value": "red"}, "colour"),
        ({"key": "format", "value": "pdf"}, "format"),  # the report has a format already
        ({"key": "queue_id", "value": "2201"}, "queue_id"),
        ({"key": "email", "value": "nobody"}, "email"),
        ({"key": "email"}, "body"),
        ({"key": "email", "value": "a@example.com", "extra": 1}, "extra"),
    ],
)
def test_argument_add_rejects_invalid_arguments(api, simulator, body, field):
    errors = errors_of(api("POST", f"/company/report/{FIRST_REPORT}/argument", json=body))

    assert field in errors
    assert len(simulator.state.report(FIRST_REPORT).arguments) == 5


def test_argument_change_is_validated(api, simulator):
    report = simulator.state.report(FIRST_REPORT)
    format_id = next(a.id for a in report.arguments if a.key == "format")
    path = f"/company/report/{FIRST_REPORT}/argument/{format_id}"

    bad_value = errors_of(api("PATCH", path, json={"key": "format", "value": "docx"}))
    # Moving the only format argument to another key would leave the report without one.
    lost_mandatory = errors_of(
        api("PATCH", path, json={"key": "report_language", "value": "en_GB"})
    )

    assert "format" in bad_value and "format" in lost_mandatory
    assert simulator.state.report(FIRST_REPORT) == report


def test_deleting_the_last_mandatory_argument_is_400(api, simulator):
    report_id = api("POST", "/company/report", json=NEW_REPORT).json()["id"]
    email_id = simulator.state.report(report_id).arguments[1].id

    errors = errors_of(api("DELETE", f"/company/report/{report_id}/argument/{email_id}"))

    assert "email" in errors
    assert simulator.state.report(report_id).values("email") == ["a@example.com"]


def test_deleting_one_of_several_emails_is_allowed(api, simulator):
    first_email = simulator.state.report(FIRST_REPORT).arguments[1]

    response = api("DELETE", f"/company/report/{FIRST_REPORT}/argument/{first_email.id}")

    assert response.json() == []
    assert simulator.state.report(FIRST_REPORT).values("email") == [
        "anna.lindqvist@nordvikenergi.se"
    ]


# Sending ------------------------------------------------------------------------------------


def test_send_goes_to_the_reports_email_arguments(api, simulator):
    response = api("GET", f"/company/report/{FIRST_REPORT}/send")

    assert response.status_code == 200
    assert response.json() == []
    [sent] = simulator.state.sent
    assert sent.report_id == FIRST_REPORT
    assert sent.recipients == ("teamledare@nordvikenergi.se", "anna.lindqvist@nordvikenergi.se")


# Downloads ----------------------------------------------------------------------------------


def download(api: Api, file_format: str, body: dict = DOWNLOAD, **kwargs) -> requests.Response:
    return api("POST", f"/company/report/download/{file_format}", json=body, **kwargs)


def test_csv_download_is_a_csv_file_of_call_statistics(api):
    body = {**DOWNLOAD, "arguments": [*VALID_ARGUMENTS, {"key": "queue_id", "value": "1102"}]}

    response = download(api, "csv", body)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="queue-missed-day.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Period", "Queue", "Offered"]
    assert len(rows) == 51
    assert {row[1] for row in rows[1:]} == {"Växel"}
    assert all(int(row[2]) == int(row[3]) + int(row[4]) for row in rows[1:])


def test_xlsx_download_opens_in_openpyxl(api):
    body = {
        **DOWNLOAD,
        "report_type_id": "4",
        "arguments": [*VALID_ARGUMENTS, {"key": "user_id", "value": "2203"}],
    }

    response = download(api, "xlsx", body)

    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert int(response.headers["Content-Length"]) == len(response.content)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "User - Calls"
    assert rows[2][:3] == ("Period", "User", "Extension")
    assert len(rows) == 3 + 50
    assert all(row[1] == "Maria Karlsson" and isinstance(row[3], int) for row in rows[3:])


def test_pdf_download_is_a_well_formed_pdf(api):
    response = download(api, "pdf")
    data = response.content

    assert response.headers["Content-Type"] == "application/pdf"
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    # Every cross-reference entry points at the object it names.
    startxref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[startxref:].startswith(b"xref")
    lines = data[startxref:].split(b"\n")
    count = int(lines[1].split()[1])
    for number, line in enumerate(lines[3 : 2 + count], start=1):
        offset = int(line[:10])
        assert data[offset:].startswith(b"%d 0 obj" % number)
    assert b"(Queue - Missed) Tj" in data and b"/Count 2" in data  # 50 rows make two pages


def test_html_download_is_a_page_with_a_table(api):
    response = download(api, "html")
    text = response.text

    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "<h1>Queue - Missed</h1>" in text
    assert text.count("<tr>") == 51


def test_download_checks_its_body_and_format(api):
    assert "format" in errors_of(download(api, "docx"))
    assert "interval" in errors_of(download(api, "csv", {**DOWNLOAD, "interval": "year"}))
    assert "name" in errors_of(download(api, "csv", {**DOWNLOAD, "name": "x"}))


def test_large_download_streams_in_chunks(api, simulator):
    simulator.settings.download_rows = 200_000

    with download(api, "csv", stream=True) as response:
        assert response.headers["Transfer-Encoding"] == "chunked"
        sizes, newlines = [], 0
        for chunk in response.iter_content(chunk_size=64 * 1024):
            sizes.append(len(chunk))
            newlines += chunk.count(b"\n")

    assert newlines == 200_001
    assert len(sizes) > 100 and max(sizes) <= 64 * 1024


# Faults -------------------------------------------------------------------------------------


def test_latency_delays_every_answer(api, simulator):
    simulator.faults.latency = 0.3
    started = time.monotonic()

    response = api("GET", "/company/report/type")

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_forced_status_answers_every_api_request(api, simulator):
    simulator.faults.status = 503

    responses = [
        api("GET", "/company/report/type"),
        api("POST", "/company/report", json=NEW_REPORT),
    ]
    sign_in_response = sign_in(simulator, **ADMIN)

    assert [r.status_code for r in responses] == [503, 503]
    assert sign_in_response.status_code == 503
    assert responses[0].json()["message"]
    assert len(simulator.state.reports) == 30


def test_forced_status_only_on_a_path_prefix_and_for_a_count(api, simulator):
    simulator.faults.status = 500
    simulator.faults.status_path_prefix = "/company/report/download"
    simulator.faults.status_count = 2

    statuses = [download(api, "csv").status_code for _ in range(3)]

    assert api("GET", "/company/report/type").status_code == 200
    assert statuses == [500, 500, 200]
    assert simulator.faults.status is None


def test_forced_429_says_when_to_retry(api, simulator):
    simulator.faults.status = 429

    response = api("GET", "/company/report")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"


def test_malformed_json_answers(api, simulator):
    simulator.faults.malformed_json = True

    response = api("GET", "/company/report/type")

    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_cut_download_closes_the_connection_after_n_bytes(api, simulator, file_format):
    simulator.faults.cut_download_after = 1000
    received = bytearray()

    with (
        pytest.raises(requests.exceptions.ChunkedEncodingError),
        download(api, file_format, stream=True) as response,
    ):
        for chunk in response.iter_content(chunk_size=100):
            received.extend(chunk)

    assert len(received) == 1000


def test_expired_tokens_answer_401_until_reset(api, simulator):
    simulator.faults.tokens_expired = True

    expired = api("GET", "/company/report/type")
    fresh = Api(simulator.base_url, sign_in(simulator, **ADMIN).json()["access_token"])
    fresh_expired = fresh("GET", "/company/report/type")
    simulator.reset()

    assert expired.status_code == 401 and fresh_expired.status_code == 401
    assert api("GET", "/company/report/type").status_code == 200


def test_list_page_cap_answers_at_most_that_many_reports(api, simulator):
    simulator.faults.list_page_cap = 7

    capped = api("GET", "/company/report", params={"limit": 20, "limit_from": 5}).json()
    small = api("GET", "/company/report", params={"limit": 3}).json()

    assert (capped["count"], capped["limit"], capped["limit_from"]) == ("30", 7, 5)
    assert [r["id"] for r in capped["reports"]] == [str(2588 + i) for i in range(7)]
    assert (small["limit"], len(small["reports"])) == (3, 3)


def test_create_during_list_creates_one_report_before_the_nth_list_read(api, simulator):
    simulator.faults.create_during_list = 2

    first = api("GET", "/company/report", params={"limit": 100}).json()
    second = api("GET", "/company/report", params={"limit": 100}).json()
    third = api("GET", "/company/report", params={"limit": 100}).json()

    assert (first["count"], second["count"], third["count"]) == ("30", "31", "31")
    created = second["reports"][-1]
    original = first["reports"][0]
    assert created["name"] == "Created during the read"
    assert created["id"] not in {r["id"] for r in first["reports"]}
    assert created["report_type_id"] == original["report_type_id"]
    assert created["interval"] == original["interval"]
    values = {key: [a["value"] for a in args] for key, args in created["arguments"].items()}
    assert values == {
        key: [a["value"] for a in args] for key, args in original["arguments"].items()
    }
    assert simulator.faults.create_during_list is None
    assert len(simulator.state.reports) == 31


def test_create_during_list_fires_once_under_parallel_reads(simulator):
    simulator.faults.create_during_list = 3
    token = simulator.issue_token()
    start = threading.Barrier(8)

    def read() -> int:
        start.wait(timeout=10)
        response = requests.get(
            simulator.base_url + "/company/report",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: read(), range(8)))

    assert statuses == [200] * 8
    names = [r.name for r in simulator.state.reports]
    assert names.count("Created during the read") == 1 and len(names) == 31


def test_faults_check_the_new_list_faults_types(simulator):
    with pytest.raises(ValueError, match="list_page_cap"):
        simulator.faults.configure({"list_page_cap": "50"})
    with pytest.raises(ValueError, match="create_during_list"):
        simulator.faults.configure({"create_during_list": True})
    simulator.faults.configure({"list_page_cap": 50, "create_during_list": 2})

    assert simulator.faults.to_json()["list_page_cap"] == 50
    assert simulator.faults.create_during_list == 2


# Observability and control ------------------------------------------------------------------


def test_request_log_records_api_requests(api, simulator):
    api("GET", "/company/report", params={"limit": 5, "limit_from": 10})
    api("DELETE", f"/company/report/{FIRST_REPORT}")
    requests.get(simulator.base_url + "/_sim/stats", timeout=10)

    assert [(r.method, r.path, r.query) for r in simulator.requests] == [
        ("GET", "/company/report", {"limit": "5", "limit_from": "10"}),
        ("DELETE", f"/company/report/{FIRST_REPORT}", {}),
    ]


def test_connections_are_kept_alive_and_counted(api, simulator):
    for _ in range(5):
        api("GET", "/company/report/type")
    for _ in range(2):
        requests.get(simulator.base_url + "/company/report/type", timeout=10)

    assert simulator.connections_accepted == 3
    assert len(simulator.requests) == 7


def test_control_endpoints_drive_the_simulator_over_http(api, simulator):
    control = simulator.base_url + "/_sim/"

    faults = requests.post(control + "faults", json={"status": 502, "status_count": 1}, timeout=10)
    failed = api("GET", "/company/report/type")
    settings = requests.post(control + "settings", json={"download_rows": 3}, timeout=10)
    small = download(api, "csv")
    api("PATCH", "/company/report/2583", json={})  # refused (400), but counted by its path
    stats = requests.get(control + "stats", timeout=10).json()
    bad = requests.post(control + "faults", json={"colour": "red"}, timeout=10)
    simulator.faults.latency = 1
    reset = requests.post(control + "reset", timeout=10)

    assert faults.json()["status"] == 502 and failed.status_code == 502
    assert settings.json() == {"download_rows": 3}
    assert len(small.content.decode("utf-8-sig").splitlines()) == 4
    # Each plain requests call opens its own connection; the api session reuses one.
    assert stats == {
        "requests": 3,
        "connections_accepted": 4,
        "sent": 0,
        "methods": {"GET": 1, "POST": 1, "PATCH": 1},
        "patches": {"/company/report/2583": 1},
    }
    assert bad.status_code == 400
    assert reset.status_code == 200
    assert simulator.faults.latency == 0 and simulator.settings.download_rows == 50
    assert simulator.requests == []


def start_command(*options: str) -> subprocess.Popen:
    """``manage.py weblink_simulator`` on a free port; its first line says the URL."""
    command = [sys.executable, "manage.py", "weblink_simulator", "--addrport", "127.0.0.1:0"]
    return subprocess.Popen(  # noqa: S603 - a fixed command
        [*command, *options],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def stop_command(process: subprocess.Popen) -> str:
    """Ctrl-C, then what it printed after its first two lines."""
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
    return process.stdout.read()


def test_management_command_serves_until_interrupted():
    process = start_command()
    try:
        url = process.stdout.readline().split()[-1]
        demo_sign_in = process.stdout.readline()
        signed_in = requests.post(url + "/oauth2/user-credentials", json=ADMIN, timeout=10)
        rest = stop_command(process)
    finally:
        process.kill()
        process.stdout.close()

    assert url.startswith("http://127.0.0.1:")
    assert "company demo, user admin, password demo" in demo_sign_in and "123456" in demo_sign_in
    assert signed_in.status_code == 200
    assert process.returncode == 0
    assert "stopped" in rest


def test_a_state_file_keeps_reports_and_tokens_across_restarts(tmp_path):
    state_file = tmp_path / "sim.json"
    process = start_command("--state-file", str(state_file))
    try:
        url = process.stdout.readline().split()[-1]
        process.stdout.readline()
        token = requests.post(url + "/oauth2/user-credentials", json=ADMIN, timeout=10).json()
        api = Api(url, token["access_token"])
        created = api("POST", "/company/report", json={**NEW_REPORT, "name": "Kept"}).json()["id"]
        renamed = api("PATCH", f"/company/report/{FIRST_REPORT}", json={"name": "Renamed"})
        api.session.close()
        stop_command(process)
    finally:
        process.kill()
        process.stdout.close()
    assert renamed.status_code == 200
    assert not list(tmp_path.glob("*.tmp"))  # written through a temporary file, renamed

    process = start_command("--state-file", str(state_file))
    try:
        url = process.stdout.readline().split()[-1]
        api = Api(url, token["access_token"])  # the token issued before the restart
        kept, first = api.report(created), api.report(FIRST_REPORT)
        refreshed = requests.post(
            url + "/oauth2/user-credentials",
            json={**ADMIN, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
            timeout=10,
        )
        api.session.close()
        stop_command(process)
    finally:
        process.kill()
        process.stdout.close()
    assert kept["name"] == "Kept"
    assert kept["arguments"]["email"][0]["value"] == "a@example.com"
    assert first["name"] == "Renamed"
    assert refreshed.status_code == 200


def test_without_a_state_file_a_restart_starts_from_the_seed(tmp_path):
    first, second = Simulator(), Simulator(state_file=tmp_path / "none-yet.json")
    assert [r.name for r in second.state.reports] == [r.name for r in first.state.reports]
