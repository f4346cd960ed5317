"""Downloads: a saved report in the format chosen, and a report run once without saving."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports_admin import downloads, report_pages
from reports_admin.connections import NotConnected
from reports_admin.report_forms import ReportForm
from reports_admin.report_pages import ReportFormContext
from reports_admin.views.reports import show_weblink_error, with_report
from reports_admin.weblink import WeblinkError
from reports_admin.weblink.metadata import Report


class RunForm(ReportForm):
    """ReportForm's report type and interval, for a report run once and never saved."""

    name = None
    description = None
    active = None
    email_link_only = None


@require_http_methods(["GET", "POST"])
@with_report
def report_download(request: HttpRequest, report: Report) -> HttpResponseBase:
    """GET offers the formats; POST streams the file, or comes back here saying why not."""
    chosen = request.POST.get("format", "")
    if request.method == "POST" and chosen in downloads.CONTENT_TYPES:
        try:
            return downloads.report_download(user=request.user, report=report, format=chosen)
        except WeblinkError as error:
            messages.error(
                request, _("The file could not be made: %(error)s") % {"error": error.message}
            )
            return redirect(report_pages.next_url(request, default=request.path))
    if request.method == "POST":
        messages.error(request, _("Choose one of the formats."))
    context = {
        "report": report,
        "formats": downloads.FORMAT_CHOICES,
        "chosen": report.format if report.format in downloads.CONTENT_TYPES else "csv",
    }
    return render(request, "reports/download.html", context)


@require_http_methods(["GET", "POST"])
def report_run_download(request: HttpRequest) -> HttpResponseBase:
    """The report form without the saving: type, interval and arguments, then the file."""
    try:
        page = ReportFormContext.load(user=request.user)
    except WeblinkError as error:
        return render(
            request,
            "reports/run_download.html",
            {"load_error": error.message},
            status=200 if isinstance(error, NotConnected) else 502,
        )
    if request.method == "POST":
        form = RunForm(request.POST, report_types=page.types)
    else:
        form = RunForm(report_types=page.types, initial=page.report_initial(None, copy=False))
    step = page.bind_arguments(request, form, None)
    arguments_form = step.arguments_form
    if step.changing_type and request.htmx:
        return render(
            request, "reports/form.html#argument-fields", {"arguments_form": arguments_form}
        )
    if step.changing_type:
        form = RunForm(report_types=page.types, initial=request.POST.dict())
    elif request.method == "POST" and form.is_valid() & arguments_form.is_valid():
        report_type_id = form.cleaned_data["report_type"]
        try:
            return downloads.report_run_download(
                user=request.user,
                name=next(t.name for t in page.types if t.id == report_type_id),
                interval=form.cleaned_data["interval"],
                report_type_id=report_type_id,
                arguments=arguments_form.arguments(),
            )
        except WeblinkError as error:
            show_weblink_error(form, arguments_form, error)
    return render(
        request,
        "reports/run_download.html",
        {"form": form, "arguments_form": arguments_form, "metadata_stale": page.stale},
        status=400 if request.method == "POST" and not step.changing_type else 200,
    )
