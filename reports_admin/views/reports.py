"""Report pages: the list, a report's page, create/edit, duplicate, delete, the types."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports_admin import metadata_cache, selectors, services
from reports_admin.connections import NotConnected
from reports_admin.downloads import FORMAT_CHOICES
from reports_admin.report_forms import (
    INTERVAL_CHOICES,
    ArgumentsForm,
    ReportForm,
)
from reports_admin.report_pages import (
    PAGE_SIZES,
    ReportFormContext,
    list_query,
    next_url,
    pagination,
    report_rows,
    report_rows_key,
    report_summary,
)
from reports_admin.weblink import InvalidInput, TokenRejected, WeblinkError
from reports_admin.weblink.metadata import Report


def with_report(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Gives ``view`` the report whose id is in the URL; when it cannot be read (deleted,
    not connected, Weblink down), goes back to the list saying why."""

    @functools.wraps(view)
    def with_report_view(request: HttpRequest, report_id: str, **kwargs) -> HttpResponseBase:
        try:
            report = selectors.report_get(user=request.user, report_id=report_id)
        except WeblinkError as error:
            messages.error(request, error.message)
            return redirect("reports:list")
        return view(request, report, **kwargs)

    return with_report_view


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    query = list_query(request.GET)
    context = {"query": query, "page_sizes": PAGE_SIZES, "interval_choices": INTERVAL_CHOICES}
    try:
        types = metadata_cache.report_types_get(user=request.user)
        listing = selectors.report_list(
            user=request.user, offset=query.offset, limit=query.per_page, filters=query.filters
        )
    except NotConnected:
        context["not_connected"] = True
    except WeblinkError as error:
        context["error"] = error.message
    else:
        rows = report_rows(
            listing.reports, report_types=types.value, back_to=request.get_full_path()
        )
        context.update(
            listing=listing,
            rows=rows,
            rows_key=report_rows_key(rows),
            report_types=types.value,
            metadata_stale=types.stale,
            pagination=pagination(request.GET, listing, query),
        )
    template = "reports/list.html#results" if request.htmx else "reports/list.html"
    return render(request, template, context)


@require_GET
@with_report
def report_detail(request: HttpRequest, report: Report) -> HttpResponse:
    """The report's page: its settings and arguments, and what can be done with it."""
    context = {
        "report": report,
        "summary": report_summary(user=request.user, report=report),
        "download_formats": FORMAT_CHOICES,
    }
    return render(request, "reports/detail.html", context)


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    return _report_form_page(request, report=None)


@require_http_methods(["GET", "POST"])
@with_report
def report_edit(request: HttpRequest, report: Report) -> HttpResponse:
    return _report_form_page(request, report=report)


@require_GET
@with_report
def report_duplicate(request: HttpRequest, original: Report) -> HttpResponse:
    return _report_form_page(request, report=None, copy_of=original)


@require_http_methods(["GET", "POST"])
@with_report
def report_delete(request: HttpRequest, report: Report) -> HttpResponse:
    if request.method == "POST":
        try:
            services.report_delete(user=request.user, report=report)
        except WeblinkError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Deleted “%(name)s”.") % {"name": report.name})
            return redirect("reports:list")
    return render(request, "reports/delete.html", {"report": report})


@require_GET
def report_types(request: HttpRequest) -> HttpResponse:
    context = {}
    try:
        types = metadata_cache.report_types_get(user=request.user)
        fields = metadata_cache.argument_fields_get(user=request.user)
    except NotConnected:
        context["not_connected"] = True
    except WeblinkError as error:
        context["error"] = error.message
    else:
        context.update(
            types=[(t, fields.value.by_type.get(t.id, ())) for t in types.value],
            shared_fields=fields.value.shared,
            metadata_stale=types.stale or fields.stale,
        )
    return render(request, "reports/types.html", context)


@require_POST
def metadata_refresh(request: HttpRequest) -> HttpResponse:
    try:
        metadata_cache.metadata_refresh(user=request.user)
    except NotConnected as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Report types, fields and lists are read again from Weblink."))
    return redirect(next_url(request, default=reverse("reports:list")))


def _report_form_page(
    request: HttpRequest, *, report: Report | None, copy_of: Report | None = None
) -> HttpResponse:
    """The create and edit form, both for showing and for saving."""
    try:
        page = ReportFormContext.load(user=request.user)
    except WeblinkError as error:
        return render(
            request,
            "reports/form.html",
            {"report": report, "load_error": error.message},
            status=200 if isinstance(error, NotConnected) else 502,
        )
    editing = report is not None
    source = report or copy_of
    if request.method == "POST":
        form = ReportForm(
            request.POST,
            report_types=page.types,
            report_type_locked=editing,
            initial={"report_type": report.report_type_id} if editing else None,
        )
    else:
        form = ReportForm(
            report_types=page.types,
            report_type_locked=editing,
            initial=page.report_initial(source, copy=copy_of is not None),
        )
    step = page.bind_arguments(request, form, source)
    arguments_form = step.arguments_form
    if step.changing_type and request.htmx:
        return render(
            request, "reports/form.html#argument-fields", {"arguments_form": arguments_form}
        )
    if step.changing_type:
        form = ReportForm(
            report_types=page.types, report_type_locked=editing, initial=request.POST.dict()
        )
    elif request.method == "POST" and form.is_valid() & arguments_form.is_valid():
        response = _save(request, form, arguments_form, report=report, fields=step.fields)
        if response:
            return response

    return render(
        request,
        "reports/form.html",
        {
            "form": form,
            "arguments_form": arguments_form,
            "report": report,
            "copy_of": copy_of,
            "metadata_stale": page.stale,
            "cancel_url": reverse("reports:list"),
        },
        status=400 if request.method == "POST" and not step.changing_type else 200,
    )


def _save(request, form, arguments_form, *, report, fields) -> HttpResponse | None:
    """Saves on Weblink; returns a redirect on success, None to show the form again."""
    data = form.cleaned_data
    settings = services.ReportSettings(
        name=data["name"],
        description=data["description"],
        interval=data["interval"],
        active=data["active"],
        email_link_only=data["email_link_only"],
    )
    arguments = arguments_form.arguments()
    try:
        if report is None:
            services.report_create(
                user=request.user,
                settings=settings,
                report_type_id=data["report_type"],
                arguments=arguments,
            )
            messages.success(request, _("Created “%(name)s”.") % {"name": settings.name})
        else:
            services.report_update(
                user=request.user,
                report=report,
                settings=settings,
                arguments=arguments,
                fields=fields,
            )
            messages.success(request, _("Saved “%(name)s”.") % {"name": settings.name})
    except services.PartialUpdate as error:
        form.partial_update = error
        show_weblink_error(form, arguments_form, error.error)
        return None
    except WeblinkError as error:
        show_weblink_error(form, arguments_form, error)
        return None
    return redirect("reports:list")


def show_weblink_error(
    form: ReportForm, arguments_form: ArgumentsForm, error: WeblinkError
) -> None:
    """Puts what Weblink refused on the form: on the fields it names, else above them."""
    if isinstance(error, InvalidInput) and error.field_errors:
        form.add_api_errors(error.field_errors, others=[arguments_form])
    elif isinstance(error, TokenRejected | NotConnected):
        form.add_error(
            None,
            _(
                "Your Weblink connection has expired, so nothing was done. Connect again "
                "(the link above opens the connection page), then try again: what you typed "
                "is kept."
            ),
        )
    else:
        form.add_error(None, error.message)
