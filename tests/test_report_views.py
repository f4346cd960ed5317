"""The report pages against the simulator over real HTTP: list, search, create, edit,
duplicate, delete, the types catalogue, upstream errors, and how many calls pages make."""

import threading

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.support.report_forms import form_data
from tests.support.versions import shown_version

pytestmark = pytest.mark.django_db


def api_calls(simulator):
    return [(r.method, r.path) for r in simulator.requests]


def test_list_pages_through_the_reports(client_connected, simulator):
    count = len(simulator.state.reports)
    response = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 10, "sort": "name"}
    )
    assert response.status_code == 200
    assert len(response.context["rows"]) == 10
    assert f"1–10 of {count}" in response.content.decode()
    # The whole list is read once, into the snapshot, whatever the page shows.
    listing_queries = [r.query for r in simulator.requests if r.path == "/company/report"]
    assert listing_queries == [{"limit": "100", "limit_from": "0"}]

    response = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 10, "page": 2, "sort": "name"}
    )
    assert f"11–20 of {count}" in response.content.decode()
    names = [row.report.name for row in response.context["rows"]]
    assert names == sorted((r.name for r in simulator.state.reports), key=str.casefold)[10:20]


def test_search_by_recipient_and_filters_across_pages(client_connected, simulator):
    wanted = [r for r in simulator.state.reports if any("vaxel" in e for e in r.values("email"))]
    assert wanted, "the seeded company has a report for the switchboard"
    response = client_connected.get(
        reverse("reports:list", args=["demo"]), {"q": "VAXEL", "per_page": 10}
    )
    assert sorted(row.report.id for row in response.context["rows"]) == sorted(r.id for r in wanted)
    assert f"{len(wanted)} of {len(simulator.state.reports)} reports match" in (
        response.content.decode()
    )

    response = client_connected.get(
        reverse("reports:list", args=["demo"]), {"type": "4", "per_page": 100}
    )
    expected = [r.id for r in simulator.state.reports if r.report_type_id == "4"]
    assert sorted(row.report.id for row in response.context["rows"]) == sorted(expected)

    response = client_connected.get(
        reverse("reports:list", args=["demo"]), {"active": "0", "interval": "day"}
    )
    expected = [r.id for r in simulator.state.reports if not r.active and r.interval == "day"]
    assert sorted(row.report.id for row in response.context["rows"]) == sorted(expected)


def test_the_list_shows_changes_at_once_though_its_rows_are_cached(
    client_connected, simulator, swedish_catalogue
):
    response = client_connected.get(reverse("reports:list", args=["demo"]))
    report = response.context["rows"][0].report
    assert report.name in response.content.decode()
    simulator.state.update_report(report.id, {"name": "Renamed on Weblink"})
    client_connected.post(reverse("reports:refresh_reports", args=["demo"]))
    page = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert "Renamed on Weblink" in page
    assert report.name not in page

    # The same rows in another language are rendered again, not taken from the cache.
    page = client_connected.get(
        reverse("reports:list", args=["demo"]), headers={"Accept-Language": "sv"}
    )
    assert ">Aktiv<span" in page.content.decode()
    assert ">Active<span" not in page.content.decode()


def test_empty_and_error_states(client_connected, simulator):
    for report in list(simulator.state.reports):
        simulator.state.delete_report(report.id)
    page = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert "No reports yet." in page

    cache.clear()  # no snapshot to fall back on
    simulator.faults.status = 500
    page = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert "The reports could not be loaded" in page
    assert "Retry" in page


def test_warm_list_and_create_pages_make_no_call(client_connected, simulator):
    client_connected.get(reverse("reports:list", args=["demo"]))
    client_connected.get(reverse("reports:create", args=["demo"]))
    simulator.log.clear()
    client_connected.get(reverse("reports:list", args=["demo"]))
    assert api_calls(simulator) == []

    simulator.log.clear()
    assert client_connected.get(reverse("reports:create", args=["demo"])).status_code == 200
    assert api_calls(simulator) == []


def test_stale_metadata_is_used_when_weblink_fails(client_connected, simulator):
    client_connected.get(reverse("reports:create", args=["demo"]))
    client_connected.post(reverse("reports:refresh_metadata", args=["demo"]))
    simulator.faults.status = 503
    simulator.log.clear()
    response = client_connected.get(reverse("reports:create", args=["demo"]))
    assert response.status_code == 200
    assert "may be out of date" in response.content.decode()
    assert ("GET", "/company/report/type") in api_calls(simulator)  # it did ask Weblink


@pytest.mark.parametrize(
    ("report_type", "arguments"),
    [
        ("1", {"arg-queue_id": "1101", "arg-option": "missedCalls"}),
        ("2", {"arg-queue_id": "1102", "arg-option": "perDay"}),
        ("3", {"arg-queue_id": "1103", "arg-target_seconds": "20"}),
        ("4", {"arg-user_id": "2203", "arg-include_internal": "on"}),
        ("5", {"arg-user_id": "2210"}),
        ("6", {"arg-destination_id": "3302", "arg-option": "failed"}),
        ("7", {}),
    ],
)
def test_create_each_report_type(client_connected, simulator, report_type, arguments):
    data = {
        "name": f"New type {report_type}",
        "description": "",
        "interval": "week",
        "report_type": report_type,
        "arg-format": "csv",
        "arg-email": "a@example.com, b@example.com",
        "arg-only_when_data": "on",
        **arguments,
    }
    response = client_connected.post(reverse("reports:create", args=["demo"]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    created = [r for r in simulator.state.reports if r.name == f"New type {report_type}"]
    assert len(created) == 1
    report = created[0]
    assert report.report_type_id == report_type
    assert report.active is False
    assert report.values("email") == ["a@example.com", "b@example.com"]
    assert report.values("only_when_data") == ["1"]
    for name, value in arguments.items():
        assert report.values(name.removeprefix("arg-")) == ["1" if value == "on" else value]
    assert report.values("report_language") == []  # empty optional fields are not sent
    posts = [c for c in api_calls(simulator) if c[0] == "POST" and c[1].startswith("/company")]
    assert posts == [("POST", "/company/report")]


def test_form_errors_are_shown_before_any_call(client_connected, simulator):
    client_connected.get(reverse("reports:create", args=["demo"]))
    simulator.log.clear()
    response = client_connected.post(
        reverse("reports:create", args=["demo"]),
        form_data(name="", **{"arg-email": "not-an-address"}),
    )
    assert response.status_code == 400
    assert "This field is required." in response.context["form"].errors["name"]
    assert "not-an-address" in str(response.context["arguments_form"].errors["email"])
    assert "not-an-address" in response.content.decode()  # what was typed is kept
    assert api_calls(simulator) == []


def test_changing_the_type_keeps_the_values_that_still_apply(client_connected, simulator):
    response = client_connected.post(
        reverse("reports:create", args=["demo"]),
        form_data(report_type="4", change_type="1"),
    )
    assert response.status_code == 200
    arguments_form = response.context["arguments_form"]
    assert "user_id" in arguments_form.fields
    assert "queue_id" not in arguments_form.fields
    assert arguments_form.initial["email"] == "lead@example.com\nboss@example.com"
    assert arguments_form.initial["format"] == "xlsx"
    assert not response.context["form"].errors

    response = client_connected.post(
        reverse("reports:create", args=["demo"]),
        form_data(report_type="6"),
        headers={"HX-Request": "true", "HX-Trigger": "report-type-field"},
    )
    page = response.content.decode()
    assert 'id="argument-fields"' in page
    assert "<html" not in page
    assert "Destination" in page


def test_edit_adds_changes_and_removes_recipients(client_connected, simulator):
    report = simulator.state.reports[0]
    old_emails = report.values("email")
    assert len(old_emails) == 2
    form = client_connected.get(reverse("reports:edit", args=["demo", report.id])).context["form"]
    assert form.initial["name"] == report.name

    simulator.log.clear()
    data = form_data(
        name=report.name,
        description=report.description or "",
        interval=report.interval,
        report_type=None,
        **{
            "arg-format": report.values("format")[0],
            "arg-queue_id": report.values("queue_id")[0],
            "arg-option": report.values("option")[0],
            "arg-email": f"{old_emails[0]}\nnew@example.com\nthird@example.com",
        },
    )
    response = client_connected.post(
        url := reverse("reports:edit", args=["demo", report.id]),
        data | shown_version(client_connected, url),
    )
    assert response.status_code == 302
    edited = simulator.state.report(report.id)
    assert sorted(edited.values("email")) == sorted(
        [old_emails[0], "new@example.com", "third@example.com"]
    )
    # The settings did not change: no PATCH of the report, only the argument calls.
    writes = [c for c in api_calls(simulator) if c[0] != "GET"]
    assert writes == [
        ("PATCH", writes[0][1]),
        ("POST", f"/company/report/{report.id}/argument"),
    ]
    assert writes[0][1].startswith(f"/company/report/{report.id}/argument/")


def test_one_recipient_edit_is_exactly_one_argument_patch(client_connected, simulator):
    report = simulator.state.reports[1]
    data = form_data(
        name=report.name,
        description=report.description or "",
        interval=report.interval,
        active="on" if report.active else None,
        report_type=None,
        **{
            "arg-format": report.values("format")[0],
            "arg-queue_id": report.values("queue_id")[0],
            "arg-option": report.values("option")[0],
            "arg-only_when_data": "on",
            "arg-email": "someone.else@example.com",
        },
    )
    client_connected.get(reverse("reports:edit", args=["demo", report.id]))
    simulator.log.clear()
    response = client_connected.post(
        url := reverse("reports:edit", args=["demo", report.id]),
        data | shown_version(client_connected, url),
    )
    assert response.status_code == 302
    calls = api_calls(simulator)
    assert calls.count(("GET", "/company/report")) == 1  # the read that finds the report
    assert [c for c in calls if c[0] != "GET"] == [("PATCH", calls[-1][1])]
    assert calls[-1][1].startswith(f"/company/report/{report.id}/argument/")
    assert simulator.state.report(report.id).values("email") == ["someone.else@example.com"]


def test_unknown_arguments_survive_an_edit(client_connected, simulator):
    report = simulator.state.reports[0]
    simulator.state.add_unchecked_argument(report.id, "legacy_flag", "x")
    data = form_data(
        name="Renamed",
        report_type=None,
        **{
            "arg-format": report.values("format")[0],
            "arg-queue_id": report.values("queue_id")[0],
            "arg-option": report.values("option")[0],
            "arg-email": "\n".join(report.values("email")),
        },
    )
    response = client_connected.post(
        url := reverse("reports:edit", args=["demo", report.id]),
        data | shown_version(client_connected, url),
    )
    assert response.status_code == 302
    edited = simulator.state.report(report.id)
    assert edited.name == "Renamed"
    assert edited.values("legacy_flag") == ["x"]


def test_emptying_an_optional_field_deletes_its_argument(client_connected, simulator):
    report = simulator.state.reports[1]
    assert report.values("only_when_data") == ["1"]
    data = form_data(
        name=report.name,
        interval=report.interval,
        report_type=None,
        **{
            "arg-format": report.values("format")[0],
            "arg-queue_id": "",
            "arg-option": report.values("option")[0],
            "arg-email": "\n".join(report.values("email")),
        },
    )
    response = client_connected.post(
        url := reverse("reports:edit", args=["demo", report.id]),
        data | shown_version(client_connected, url),
    )
    assert response.status_code == 302
    edited = simulator.state.report(report.id)
    assert edited.values("only_when_data") == []
    assert edited.values("queue_id") == []


def test_delete_behind_a_confirmation(client_connected, simulator):
    report = simulator.state.reports[2]
    page = client_connected.get(
        reverse("reports:delete", args=["demo", report.id])
    ).content.decode()
    assert report.name in page
    assert simulator.state.report(report.id) is not None
    url = reverse("reports:delete", args=["demo", report.id])
    response = client_connected.post(url, shown_version(client_connected, url))
    assert response.status_code == 302
    assert simulator.state.report(report.id) is None


def test_duplicate_opens_a_prefilled_create_form(client_connected, simulator):
    report = simulator.state.reports[0]
    response = client_connected.get(reverse("reports:duplicate", args=["demo", report.id]))
    assert response.context["form"].initial["name"] == f"Copy of {report.name}"
    assert response.context["arguments_form"].initial["queue_id"] == report.values("queue_id")[0]
    assert f'action="{reverse("reports:create", args=["demo"])}"' in response.content.decode()


def test_upstream_field_errors_land_on_their_fields(client_connected, simulator):
    simulator.faults.status = 503
    simulator.faults.status_path_prefix = "/company/queue"
    response = client_connected.get(reverse("reports:create", args=["demo"]))
    assert "could not be loaded" in str(response.context["arguments_form"]["queue_id"].help_text)
    simulator.faults.clear()

    response = client_connected.post(
        reverse("reports:create", args=["demo"]), form_data(**{"arg-queue_id": "9999"})
    )
    assert response.status_code == 400
    assert response.context["arguments_form"].errors["queue_id"]
    assert "Missed calls, Support" in response.content.decode()


def assert_input_kept_after_one_call(response, simulator):
    assert response.status_code == 400
    page = response.content.decode()
    assert "Missed calls, Support" in page
    assert "boss@example.com" in page
    assert response.context["form"].non_field_errors()
    assert api_calls(simulator).count(("POST", "/company/report")) == 1  # never retried


def test_upstream_500_on_save_keeps_the_input(client_connected, simulator):
    client_connected.get(reverse("reports:create", args=["demo"]))  # warm the metadata cache
    simulator.faults.configure({"status": 500, "status_path_prefix": "/company/report"})
    simulator.log.clear()
    response = client_connected.post(reverse("reports:create", args=["demo"]), form_data())
    assert_input_kept_after_one_call(response, simulator)


@pytest.fixture
def hanging_create(simulator):
    """The simulator's create waits until the test lets it go, as a slow Weblink would; it
    is let go, and waited for, before the test ends (so it cannot leak into the next)."""
    release, finished = threading.Event(), threading.Event()
    create_report = simulator.state.create_report

    def slow_create_report(*args, **kwargs):
        release.wait(timeout=10)
        try:
            return create_report(*args, **kwargs)
        finally:
            finished.set()

    simulator.state.create_report = slow_create_report
    yield
    release.set()
    assert finished.wait(timeout=10)
    del simulator.state.create_report


def test_upstream_timeout_on_save_keeps_the_input(
    client_connected, simulator, settings, hanging_create
):
    client_connected.get(reverse("reports:create", args=["demo"]))
    settings.WEBLINK_READ_TIMEOUT = 0.2
    simulator.log.clear()
    response = client_connected.post(reverse("reports:create", args=["demo"]), form_data())
    assert_input_kept_after_one_call(response, simulator)
    assert "did not answer in time" in response.content.decode()


def test_expired_token_during_save_keeps_the_input(client_connected, simulator):
    client_connected.get(reverse("reports:create", args=["demo"]))
    simulator.faults.tokens_expired = True
    response = client_connected.post(reverse("reports:create", args=["demo"]), form_data())
    assert response.status_code == 400
    page = response.content.decode()
    assert "connection has expired" in page
    assert "Missed calls, Support" in page
    assert not any(r.name == "Missed calls, Support" for r in simulator.state.reports)


def test_types_catalogue(client_connected, simulator):
    page = client_connected.get(reverse("reports:types", args=["demo"])).content.decode()
    assert "Queue - Missed" in page
    # In admin words: no keys, raw types or Weblink's own help for known fields.
    assert "A queue of the company" in page
    assert "One of: HTML, CSV, XLSX, PDF" in page
    assert "One of: Missed calls, Queue report per day, Queue member report per hour" in page
    assert "Who receives the report: one address per line." in page
    for raw in ("pbx_queue", "queue_id", "enum(", "The email to send the report to?"):
        assert raw not in page
    # An argument nobody told us about keeps Weblink's description.
    assert "Answer within this many seconds" in page


def test_a_failure_half_way_lists_what_was_and_was_not_applied(client_connected, simulator):
    report = simulator.state.reports[0]
    emails = report.values("email")
    data = form_data(
        name="Renamed half-way",
        interval=report.interval,
        report_type=None,
        **{
            "arg-format": "pdf",
            "arg-queue_id": report.values("queue_id")[0],
            "arg-option": report.values("option")[0],
            "arg-email": "\n".join(emails),
        },
    )
    client_connected.get(reverse("reports:edit", args=["demo", report.id]))
    simulator.faults.configure(
        {"status": 500, "status_path_prefix": f"/company/report/{report.id}/argument"}
    )
    response = client_connected.post(
        url := reverse("reports:edit", args=["demo", report.id]),
        data | shown_version(client_connected, url),
    )
    assert response.status_code == 400
    partial = response.context["partial_update"]
    assert partial.applied == ["Saved name, description of “Renamed half-way”"]
    assert partial.not_applied == ["Format: change to pdf"]
    page = response.content.decode()
    assert "Applied on Weblink:" in page
    assert "Not applied:" in page
    assert 'value="Renamed half-way"' in page
    assert simulator.state.report(report.id).name == "Renamed half-way"
    assert simulator.state.report(report.id).values("format") == report.values("format")


def test_a_report_page_that_fails_to_load_stays_with_a_retry_saying_it_once(
    client_connected, simulator
):
    report = simulator.state.reports[0]
    simulator.faults.configure({"status": 500, "status_path_prefix": "/company/report"})
    url = reverse("reports:detail", args=["demo", report.id])
    response = client_connected.get(url)
    assert response.status_code == 502
    page = response.content.decode()
    assert page.count("Weblink is not available right now (status 500).") == 1
    assert f'href="{url}">Retry</a>' in page
    assert list(response.context["messages"]) == []


def test_a_deleted_report_says_so_and_leads_back_to_the_list(client_connected, simulator):
    response = client_connected.get(reverse("reports:detail", args=["demo", "999999"]))
    assert response.status_code == 404
    assert f'href="{reverse("reports:list", args=["demo"])}"' in response.content.decode()
    assert "Retry" not in response.content.decode()


def test_a_report_page_when_not_connected_offers_connect(client_connected, simulator):
    simulator.faults.tokens_expired = True
    response = client_connected.get(reverse("reports:detail", args=["demo", "1"]))
    assert response.status_code == 200
    assert f'href="{reverse("connection")}">Connect</a>' in response.content.decode()


def test_a_company_the_person_is_not_connected_to_has_no_pages(client_signed_in, simulator):
    response = client_signed_in.get(reverse("reports:detail", args=["demo", "1"]))
    assert response.status_code == 404
    assert simulator.requests == []


def test_the_duplicate_pages_breadcrumb_says_duplicate(client_connected, simulator):
    report = simulator.state.reports[0]
    page = client_connected.get(
        reverse("reports:duplicate", args=["demo", report.id])
    ).content.decode()
    crumbs = page[page.index('class="breadcrumb"') : page.index("</ol>")]
    assert 'aria-current="page">Duplicate</li>' in crumbs
    assert f'href="{reverse("reports:detail", args=["demo", report.id])}"' in crumbs


def test_the_weblink_badge_and_the_account_menu_are_told_apart(client_connected):
    page = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert "Weblink: demo" in page
    assert "Account: anna" in page
