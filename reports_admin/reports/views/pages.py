"""The list (with its Refresh and its rows' Active switch), a report's page, the report types,
and the metadata refresh."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports_admin.activity import selectors as activity_selectors
from reports_admin.connection.models import WeblinkConnection
from reports_admin.labels import INTERVAL_CHOICES
from reports_admin.reports import metadata_cache, selectors, services
from reports_admin.reports.list_params import (
    PAGE_SIZES,
    list_query,
    pagination,
    sort_choices,
    sort_headers,
)
from reports_admin.reports.list_rows import list_results_key, report_rows
from reports_admin.reports.summary import report_summary
from reports_admin.reports.view_helpers import (
    company_url,
    next_url,
    render_load_failure,
    with_report,
)
from reports_admin.weblink import FORMATS, NotConnected, NotFound, WeblinkError
from reports_admin.weblink.metadata import Report


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    query = list_query(request.GET)
    context = {
        "query": query,
        "page_sizes": PAGE_SIZES,
        "interval_choices": INTERVAL_CHOICES,
        "sort_choices": sort_choices(query),
    }
    template = "reports/list.html#results" if request.htmx else "reports/list.html"
    connection = request.weblink_connection.get()
    try:
        types = metadata_cache.report_types_get(connection=connection)
        listing = selectors.report_list(
            connection=connection,
            offset=query.offset,
            limit=query.per_page,
            filters=query.filters,
            order=query.order,
            type_names={t.id: t.name for t in types.value},
        )
    except WeblinkError as error:
        return render_load_failure(request, template, context, error)
    rows_of = {
        "company": connection.company,
        "report_types": types.value,
        "back_to": request.get_full_path(),
        "last_sent": _last_sent(connection, listing.reports),
    }
    context.update(
        listing=listing,
        results_key=list_results_key(listing, metadata_stale=types.stale, **rows_of),
        # Worked out only when the results are not cached under their key.
        rows=SimpleLazyObject(lambda: report_rows(listing.reports, **rows_of)),
        pagination=SimpleLazyObject(lambda: pagination(request.GET, listing, query)),
        sort_headers=SimpleLazyObject(lambda: sort_headers(request.GET, query)),
        report_types=types.value,
        metadata_stale=types.stale,
    )
    return render(request, template, context)


def _last_sent(connection: WeblinkConnection | None, reports: Sequence[Report]) -> dict:
    """Each report's last send from this dashboard (one query), for the list's rows."""
    if connection is None:
        return {}
    return activity_selectors.reports_last_sent(
        report_ids=[report.id for report in reports], company=connection.company
    )


@require_POST
def reports_refresh(request: HttpRequest) -> HttpResponse:
    """Refresh on the list: the company's reports read again from Weblink now."""
    try:
        selectors.reports_refresh(connection=request.weblink_connection.get())
    except WeblinkError as error:
        messages.error(request, error.message)
    return redirect(next_url(request, default=company_url(request, "reports:list")))


@require_POST
def report_set_active(request: HttpRequest, report_id: str) -> HttpResponse:
    """The Active switch of a row: posts the state wanted (not a toggle), then shows the row
    as it is now, in place through htmx, or back on the list without JavaScript."""
    connection = request.weblink_connection.get()
    # The list page it was on: the posted next, or through htmx the page the row is on.
    shown_on = request.htmx.current_url_abs_path if request.htmx else None
    back_to = next_url(request, default=shown_on or company_url(request, "reports:list"))
    try:
        report = selectors.report_get(connection=connection, report_id=report_id)
        report = services.report_set_active(
            connection=connection, report=report, active=request.POST.get("active") == "1"
        )
    except WeblinkError as error:
        if not request.htmx:
            messages.error(request, error.message)
            return redirect(back_to)
        # A fragment in place of the row; htmx swaps only what answers 2xx.
        context = {"gone": isinstance(error, NotFound), "message": error.message}
        return render(request, "reports/includes/row_problem.html", context)
    if not request.htmx:
        return redirect(back_to)
    types = metadata_cache.report_types_get(connection=connection).value
    (row,) = report_rows(
        [report],
        company=connection.company,
        report_types=types,
        back_to=back_to,
        last_sent=_last_sent(connection, [report]),
    )
    return render(request, "reports/list.html#row", {"row": row})


@require_GET
@with_report
def report_detail(request: HttpRequest, report: Report) -> HttpResponse:
    """The report's page: its settings and arguments, what can be done with it, and its
    sends from this dashboard."""
    connection = request.weblink_connection.get()
    sends = (
        activity_selectors.report_sends(report_id=report.id, company=connection.company)
        if connection
        else []
    )
    context = {
        "report": report,
        "summary": report_summary(connection=connection, report=report),
        "download_formats": FORMATS,
        "sends": sends,
    }
    return render(request, "reports/detail.html", context)


@require_GET
def report_types(request: HttpRequest) -> HttpResponse:
    connection = request.weblink_connection.get()
    try:
        types = metadata_cache.report_types_get(connection=connection)
        fields = metadata_cache.argument_fields_get(connection=connection)
    except WeblinkError as error:
        return render_load_failure(request, "reports/types.html", {}, error)
    context = {
        "types": [(t, fields.value.by_type.get(t.id, ())) for t in types.value],
        "shared_fields": fields.value.shared,
        "metadata_stale": types.stale or fields.stale,
    }
    return render(request, "reports/types.html", context)


@require_POST
def metadata_refresh(request: HttpRequest) -> HttpResponse:
    try:
        metadata_cache.metadata_refresh(connection=request.weblink_connection.get())
    except NotConnected as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Report types, fields and lists are read again from Weblink."))
    return redirect(next_url(request, default=company_url(request, "reports:list")))
