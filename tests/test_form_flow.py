"""The report-form flow against the simulator's metadata: binding for a new report, an edit,
a copy, a change of report type and a submission; and that every page with a report form
binds it through the one function."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from reports_admin.connection.selectors import CurrentConnection
from reports_admin.reports import view_helpers
from reports_admin.reports.form_flow import ReportFormMetadata, report_form_bind
from reports_admin.reports.forms import ReportForm, RunForm
from reports_admin.reports.selectors import report_get
from tests.support.report_forms import form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/c/demo/reports/new/"


@pytest.fixture
def metadata(user_connected):
    return ReportFormMetadata.load(connection=CurrentConnection(user_connected, "demo").get())


@pytest.fixture
def make_request(user_connected):
    """A request as the middleware leaves it: the person, their connection and htmx."""
    factory = RequestFactory()

    def make(method="get", data=None, headers=None):
        request = getattr(factory, method)(FORM_URL, data or {}, headers=headers or {})
        request.user = user_connected
        request.weblink_connection = CurrentConnection(user_connected, "demo")
        request.htmx = HtmxDetails(request)
        return request

    return make


@pytest.fixture
def seeded_report(simulator, metadata):
    """The first seeded report (type 1, two recipients), as the dashboard reads it."""
    stored = simulator.state.reports[0]
    assert stored.report_type_id == "1"
    return report_get(connection=metadata.connection, report_id=stored.id)


def type_one_post(**changes):
    """A complete, valid form for report type 1 (Queue - Missed), weekly, as CSV."""
    return form_data(
        **{"interval": "week", "arg-format": "csv", "arg-only_when_data": "on", **changes}
    )


def field_keys(bound):
    return [field.key for field in bound.fields]


def test_the_metadata_comes_from_weblink_then_from_the_cache(user_connected, simulator):
    connection = CurrentConnection(user_connected, "demo").get()
    first = ReportFormMetadata.load(connection=connection)
    simulator.log.clear()
    second = ReportFormMetadata.load(connection=connection)
    assert [t.id for t in first.types] == ["1", "2", "3", "4", "5", "6", "7"]
    assert second.types == first.types
    assert first.stale is False
    assert simulator.requests == []


def test_a_new_report_starts_with_the_first_report_type(make_request, metadata):
    bound = report_form_bind(make_request(), metadata=metadata)

    assert bound.form.initial == {"report_type": "1"}
    assert not bound.form.is_bound
    assert not bound.form.fields["report_type"].disabled
    assert field_keys(bound) == [
        "format",
        "email",
        "only_when_data",
        "report_language",
        "queue_id",
        "option",
    ]
    assert not bound.arguments_form.is_bound
    # The queue pick-list was read for the queue field.
    queue_choices = list(bound.arguments_form.fields["queue_id"].choices)
    assert queue_choices[:2] == [("", "All queues"), ("1101", "Kundtjänst")]
    assert bound.changing_type is False
    assert bound.submitted is False


def test_an_edit_fills_both_forms_from_the_report_and_locks_its_type(
    make_request, metadata, seeded_report
):
    bound = report_form_bind(make_request(), metadata=metadata, source=seeded_report)

    assert bound.form.initial == {
        "name": seeded_report.name,
        "description": seeded_report.description,
        "interval": "day",
        "active": True,
        "email_link_only": False,
        "report_type": "1",
    }
    assert bound.form.fields["report_type"].disabled
    assert bound.arguments_form.initial == {
        "format": "xlsx",
        "email": "teamledare@nordvikenergi.se\nanna.lindqvist@nordvikenergi.se",
        "only_when_data": False,
        "queue_id": "1101",
        "option": "missedCalls",
    }
    assert bound.submitted is False


def test_an_edit_posted_with_another_type_keeps_the_reports_type(
    make_request, metadata, seeded_report
):
    request = make_request("post", type_one_post(report_type="4", **{"arg-user_id": "2201"}))
    bound = report_form_bind(request, metadata=metadata, source=seeded_report)

    assert "user_id" not in field_keys(bound)
    assert "queue_id" in field_keys(bound)
    assert bound.is_valid(), (bound.form.errors, bound.arguments_form.errors)
    assert bound.form.cleaned_data["report_type"] == "1"


def test_a_change_of_type_keeps_the_values_that_still_apply(make_request, metadata):
    request = make_request("post", type_one_post(report_type="4", change_type="1"))
    bound = report_form_bind(request, metadata=metadata)

    assert bound.changing_type is True
    assert bound.submitted is False
    assert field_keys(bound)[-2:] == ["user_id", "include_internal"]
    # The shared fields keep what was typed; the queue and option of type 1 are gone.
    assert bound.arguments_form.initial == {
        "format": "csv",
        "email": "lead@example.com\nboss@example.com",
        "only_when_data": True,
        "include_internal": False,
    }
    assert not bound.arguments_form.is_bound
    # Shown again unbound, with what was typed, so no field says "required" yet.
    assert not bound.form.is_bound
    assert bound.form.initial["name"] == "Missed calls, Support"
    assert bound.form.initial["report_type"] == "4"


def test_a_change_of_type_keeps_a_switch_that_was_turned_off(make_request, metadata):
    request = make_request("post", type_one_post(report_type="4", change_type="1", active=None))
    bound = report_form_bind(request, metadata=metadata)

    assert bound.changing_type is True
    assert bound.form.initial["active"] is False
    assert bound.form.initial["email_link_only"] is False


def test_a_change_of_type_through_htmx_is_a_change_of_type_too(make_request, metadata):
    request = make_request(
        "post",
        type_one_post(report_type="6"),
        headers={"HX-Request": "true", "HX-Trigger": "report-type-field"},
    )
    bound = report_form_bind(request, metadata=metadata)
    assert bound.changing_type is True
    assert bound.submitted is False
    assert "destination_id" in field_keys(bound)
    assert bound.arguments_form.initial["format"] == "csv"


def test_a_plain_post_is_submitted_and_validates(make_request, metadata):
    bound = report_form_bind(make_request("post", type_one_post()), metadata=metadata)

    assert bound.submitted is True
    assert bound.changing_type is False
    assert bound.form.is_bound and bound.arguments_form.is_bound
    assert bound.is_valid(), (bound.form.errors, bound.arguments_form.errors)
    assert bound.form.cleaned_data["report_type"] == "1"
    assert bound.arguments_form.arguments() == {
        "format": ["csv"],
        "email": ["lead@example.com", "boss@example.com"],
        "only_when_data": ["1"],
        "report_language": [],
        "queue_id": ["1104"],
        "option": ["missedCalls"],
    }


def test_a_plain_post_with_errors_shows_them_on_both_forms(make_request, metadata):
    data = type_one_post(name="", **{"arg-email": "not an address", "arg-queue_id": "9999"})
    bound = report_form_bind(make_request("post", data), metadata=metadata)

    assert bound.submitted is True
    assert not bound.is_valid()
    assert "name" in bound.form.errors
    assert set(bound.arguments_form.errors) == {"email", "queue_id"}


def test_a_copy_is_renamed_and_may_take_another_type(make_request, metadata, seeded_report):
    bound = report_form_bind(make_request(), metadata=metadata, source=seeded_report, copy=True)

    assert bound.form.initial["name"] == f"Copy of {seeded_report.name}"
    assert bound.form.initial["name"].startswith("Copy of")
    assert bound.form.initial["report_type"] == "1"
    assert not bound.form.fields["report_type"].disabled
    assert bound.arguments_form.initial["queue_id"] == "1101"
    assert bound.arguments_form.initial["email"].count("@") == 2


def test_the_run_form_binds_through_the_same_flow(make_request, metadata):
    data = {"interval": "day", "report_type": "7", "arg-format": "pdf", "arg-email": "a@b.se"}
    bound = report_form_bind(make_request("post", data), metadata=metadata, form_class=RunForm)
    assert isinstance(bound.form, RunForm)
    assert "name" not in bound.form.fields
    assert bound.is_valid(), (bound.form.errors, bound.arguments_form.errors)
    assert field_keys(bound) == ["format", "email", "only_when_data", "report_language"]


@pytest.fixture
def counted_binds(monkeypatch):
    """Counts the calls of the binding function that the report views use."""
    calls = []
    original = view_helpers.report_form_bind

    def counting(request, **kwargs):
        calls.append((request.resolver_match.view_name, kwargs.get("form_class", ReportForm)))
        return original(request, **kwargs)

    monkeypatch.setattr(view_helpers, "report_form_bind", counting)
    return calls


@pytest.mark.parametrize(
    ("view_name", "with_id", "form_class"),
    [
        ("reports:create", False, ReportForm),
        ("reports:edit", True, ReportForm),
        ("reports:duplicate", True, ReportForm),
        ("reports:run_download", False, RunForm),
    ],
)
def test_every_report_form_page_binds_through_one_function(
    client_connected, simulator, counted_binds, view_name, with_id, form_class
):
    args = ["demo", simulator.state.reports[0].id] if with_id else ["demo"]
    response = client_connected.get(reverse(view_name, args=args))

    assert response.status_code == 200
    assert counted_binds == [(view_name, form_class)]
    assert response.context["form"] is not None
