"""Downloads: a saved report in the format chosen, and a report run once without saving."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports_admin.reports import downloads
from reports_admin.reports.form_flow import BoundReportForm, ReportFormMetadata
from reports_admin.reports.forms import RunForm
from reports_admin.reports.view_helpers import (
    download_started_cookie,
    next_url,
    report_form_page,
    with_report,
)
from reports_admin.weblink import FORMATS, WeblinkError
from reports_admin.weblink.metadata import Report


@require_http_methods(["GET", "POST"])
@download_started_cookie
@with_report
def report_download(request: HttpRequest, report: Report) -> HttpResponseBase:
    """GET offers the formats; POST streams the file, or comes back here saying why not."""
    chosen = request.POST.get("format", "")
    if request.method == "POST" and chosen in FORMATS:
        try:
            return downloads.report_download(
                connection=request.weblink_connection.get(), report=report, format=chosen
            )
        except WeblinkError as error:
            messages.error(
                request, _("The file could not be made: %(error)s") % {"error": error.message}
            )
            return redirect(next_url(request, default=request.path))
    if request.method == "POST":
        messages.error(request, _("Choose one of the formats."))
    context = {
        "report": report,
        "formats": FORMATS,
        "chosen": report.format if report.format in FORMATS else FORMATS[0],
    }
    return render(request, "reports/download.html", context)


@require_http_methods(["GET", "POST"])
@download_started_cookie
def report_run_download(request: HttpRequest) -> HttpResponseBase:
    """The report form without the saving: type, interval and arguments, then the file."""

    def run(bound: BoundReportForm, metadata: ReportFormMetadata) -> HttpResponseBase:
        report_type_id = bound.form.cleaned_data["report_type"]
        return downloads.report_run_download(
            connection=request.weblink_connection.get(),
            name=metadata.type_name(report_type_id),
            interval=bound.form.cleaned_data["interval"],
            report_type_id=report_type_id,
            arguments=bound.arguments_form.arguments(),
        )

    return report_form_page(
        request,
        template="reports/run_download.html",
        context={},
        on_valid=run,
        form_class=RunForm,
    )
