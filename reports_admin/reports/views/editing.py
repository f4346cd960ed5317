"""Report pages that change reports: create, edit, duplicate and delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reports_admin.reports import services
from reports_admin.reports.form_flow import BoundReportForm, ReportFormMetadata
from reports_admin.reports.view_helpers import report_form_page, with_report
from reports_admin.weblink import WeblinkError
from reports_admin.weblink.metadata import Report

FORM_TEMPLATE = "reports/form.html"


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponseBase:
    def create(bound: BoundReportForm, metadata: ReportFormMetadata) -> HttpResponse:
        settings = _settings(bound)
        report_id = services.report_create(
            connection=request.weblink_connection.get(),
            settings=settings,
            report_type_id=bound.form.cleaned_data["report_type"],
            arguments=bound.arguments_form.arguments(),
        )
        messages.success(request, _("Created “%(name)s”.") % {"name": settings.name})
        return redirect("reports:detail", report_id)

    return report_form_page(request, template=FORM_TEMPLATE, context=_context(), on_valid=create)


@require_http_methods(["GET", "POST"])
@with_report
def report_edit(request: HttpRequest, report: Report) -> HttpResponseBase:
    def save(bound: BoundReportForm, metadata: ReportFormMetadata) -> HttpResponse:
        settings = _settings(bound)
        services.report_update(
            connection=request.weblink_connection.get(),
            report=report,
            settings=settings,
            arguments=bound.arguments_form.arguments(),
            fields=bound.fields,
        )
        messages.success(request, _("Saved “%(name)s”.") % {"name": settings.name})
        return redirect("reports:detail", report.id)

    return report_form_page(
        request,
        template=FORM_TEMPLATE,
        context=_context(report=report),
        on_valid=save,
        source=report,
    )


@require_GET
@with_report
def report_duplicate(request: HttpRequest, original: Report) -> HttpResponseBase:
    # The form posts to report_create, which saves the copy.
    return report_form_page(
        request,
        template=FORM_TEMPLATE,
        context=_context(copy_of=original),
        on_valid=None,
        source=original,
        copy=True,
    )


@require_http_methods(["GET", "POST"])
@with_report
def report_delete(request: HttpRequest, report: Report) -> HttpResponse:
    if request.method == "POST":
        try:
            services.report_delete(connection=request.weblink_connection.get(), report=report)
        except WeblinkError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Deleted “%(name)s”.") % {"name": report.name})
            return redirect("reports:list")
    return render(request, "reports/delete.html", {"report": report})


def _context(*, report: Report | None = None, copy_of: Report | None = None) -> dict:
    return {"report": report, "copy_of": copy_of, "cancel_url": reverse("reports:list")}


def _settings(bound: BoundReportForm) -> services.ReportSettings:
    data = bound.form.cleaned_data
    return services.ReportSettings(
        name=data["name"],
        description=data["description"],
        interval=data["interval"],
        active=data["active"],
        email_link_only=data["email_link_only"],
    )
