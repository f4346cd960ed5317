"""Report pages that change reports: create, edit, duplicate and delete.

Edit and delete check that the report is still the version the page showed (a fresh read):
if not, nothing is written and the page comes back saying what changed elsewhere.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reports_admin.reports import services
from reports_admin.reports.form_flow import BoundReportForm, ReportFormMetadata, VersionFields
from reports_admin.reports.versions import form_version, report_differences, report_fingerprint
from reports_admin.reports.view_helpers import (
    ReportChanged,
    company_url,
    report_form_page,
    with_report,
)
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
        return redirect(company_url(request, "reports:detail", report_id))

    return report_form_page(request, template=FORM_TEMPLATE, context=_context(), on_valid=create)


def _edit_gone(request: HttpRequest, report_id: str) -> HttpResponseBase | None:
    """The report was deleted while the edit form was open: the form comes back with what
    was typed, to create it again (a new report, with a new id) or cancel."""
    version = VersionFields.posted(request.POST)
    shown = version.shown_report()
    if shown is None:
        return None
    return report_form_page(
        request,
        template=FORM_TEMPLATE,
        context={**_context(report=shown), "version": version, "gone": True},
        on_valid=None,
        source=shown,
    )


@require_http_methods(["GET", "POST"])
@with_report(when_gone=_edit_gone)
def report_edit(request: HttpRequest, report: Report) -> HttpResponseBase:
    posted = request.method == "POST"
    version = VersionFields.posted(request.POST) if posted else VersionFields.of(report)
    # What the person's changes are from: the version the form first showed.
    shown = version.shown_report() or report

    def save(bound: BoundReportForm, metadata: ReportFormMetadata) -> HttpResponse:
        settings = _settings(bound)
        wanted = form_version(
            shown,
            settings=asdict(settings),
            arguments=bound.arguments_form.arguments(),
            fields=bound.fields,
        )
        if not version.matches(report):
            raise ReportChanged(
                report_differences(shown, report, wanted=wanted),
                replace(version, fingerprint=report_fingerprint(report)),
            )
        plan = services.report_update(
            connection=request.weblink_connection.get(),
            report=report,
            shown=shown,
            wanted=wanted,
            fields=bound.fields,
        )
        if not plan:
            messages.info(request, _("Nothing to save: no field was changed."))
        elif "save_anyway" in request.POST:
            messages.success(
                request,
                _("Saved your changes to “%(name)s” on top of the changes made elsewhere.")
                % {"name": plan.after.name},
            )
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": plan.after.name})
        return redirect(company_url(request, "reports:detail", report.id))

    return report_form_page(
        request,
        template=FORM_TEMPLATE,
        context={**_context(report=report), "version": version},
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
    """Deletes the report behind a confirmation; one that changed since the confirmation was
    shown is shown again as it is now, not deleted."""
    changed = None
    if request.method == "POST":
        posted = VersionFields.posted(request.POST)
        if not posted.matches(report):
            changed = report_differences(posted.shown_report() or report, report)
        else:
            try:
                services.report_delete(connection=request.weblink_connection.get(), report=report)
            except WeblinkError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("Deleted “%(name)s”. The activity page can restore it.")
                    % {"name": report.name},
                )
                return redirect(company_url(request, "reports:list"))
    context = {"report": report, "version": VersionFields.of(report), "changed": changed}
    return render(
        request, "reports/delete.html", context, status=409 if changed is not None else 200
    )


def _context(*, report: Report | None = None, copy_of: Report | None = None) -> dict:
    return {"report": report, "copy_of": copy_of}


def _settings(bound: BoundReportForm) -> services.ReportSettings:
    data = bound.form.cleaned_data
    return services.ReportSettings(
        name=data["name"],
        description=data["description"],
        interval=data["interval"],
        active=data["active"],
        email_link_only=data["email_link_only"],
    )
