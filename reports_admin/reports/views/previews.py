"""Previews: what a report holds now, shown in the page it was asked from (through htmx),
or on a page of its own without JavaScript.

A saved report is previewed as Weblink holds it now; a report form's settings, not saved,
are POSTed here, never put in a URL that could be replayed. The HTML version is framed from
its own URL, sandboxed, and never put into our page.

Cancel aborts the browser's request. Under WSGI the server cannot see that the browser went
away while the view runs, so "closing the upstream stream" here means: the preview never
reads more than ``preview.MAX_BYTES`` and always closes Weblink's stream once it has read
what it shows (or on a failure), within the client's timeouts; nothing reads on after that.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from reports_admin.reports import downloads, preview
from reports_admin.reports.form_flow import BoundReportForm, ReportFormMetadata, report_form_bind
from reports_admin.reports.forms import RunForm
from reports_admin.reports.preview_store import html_preview_load, html_preview_store
from reports_admin.reports.view_helpers import company_url, load_failure_status, with_report
from reports_admin.weblink import WeblinkError
from reports_admin.weblink.metadata import Report

PREVIEW_FORMATS = ("csv", "html")
# The frame's document: nothing loads, no script runs, and only our pages may frame it.
_FRAME_CSP = {"default-src": [CSP.NONE], "sandbox": True, "frame-ancestors": [CSP.SELF]}


@require_POST
@with_report
def report_preview(request: HttpRequest, report: Report) -> HttpResponse:
    """The saved report as Weblink holds it now."""
    return _preview(
        request,
        report_id=report.id,
        report_name=report.name,
        interval=report.interval or "",
        report_type_id=report.report_type_id or "",
        arguments=[(a.key, a.value) for a in report.arguments],
    )


@require_POST
def report_form_preview(request: HttpRequest) -> HttpResponse:
    """The settings of a report form as typed, not saved: new, edit, duplicate, or run and
    download. Only the report type, the interval and the arguments count."""
    try:
        metadata = ReportFormMetadata.load(connection=request.weblink_connection.get())
    except WeblinkError as error:
        return _render(request, {"error": error.message}, status=load_failure_status(error))
    bound = report_form_bind(request, metadata=metadata, form_class=RunForm)
    if not bound.is_valid():
        return _render(request, {"invalid": _errors(bound)}, status=400)
    arguments = bound.arguments_form.arguments()
    return _preview(
        request,
        interval=bound.form.cleaned_data["interval"],
        report_type_id=bound.form.cleaned_data["report_type"],
        arguments=[(key, value) for key, values in arguments.items() for value in values],
    )


@require_GET
@xframe_options_sameorigin
@csp_override(_FRAME_CSP)
def report_preview_html(request: HttpRequest, token: str) -> HttpResponse:
    """The start of a report's HTML, alone, for the sandboxed frame of a preview."""
    content = html_preview_load(
        user=request.user, company=request.weblink_connection.company, token=token
    )
    if content is None:
        message = _("This preview has expired. Ask for the preview again.")
        return HttpResponse(message, content_type="text/plain; charset=utf-8", status=404)
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _preview(
    request: HttpRequest,
    *,
    interval: str,
    report_type_id: str,
    arguments: Sequence[tuple[str, str]],
    report_id: str = "",
    report_name: str = "",
) -> HttpResponse:
    chosen = request.POST.get("preview_format", "")
    format = chosen if chosen in PREVIEW_FORMATS else PREVIEW_FORMATS[0]
    try:
        result = downloads.report_preview(
            connection=request.weblink_connection.get(),
            format=format,
            interval=interval,
            report_type_id=report_type_id,
            arguments=arguments,
            report_id=report_id,
            report_name=report_name,
        )
    except WeblinkError as error:
        return _render(request, {"error": error.message}, status=load_failure_status(error))
    if isinstance(result, downloads.HtmlPreview):
        token = html_preview_store(
            user=request.user,
            company=request.weblink_connection.company,
            content=result.content,
        )
        context = {"html": result, "frame_url": company_url(request, "reports:preview_html", token)}
    else:
        context = {"table": result}
    return _render(request, context)


def _render(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    """The preview in place through htmx (always 200, as htmx swaps only those), else on a
    page of its own."""
    context |= {"max_rows": preview.MAX_ROWS, "max_kb": preview.MAX_BYTES // 1024}
    if request.htmx:
        return render(request, "reports/preview.html#result", context)
    return render(request, "reports/preview.html", context, status=status)


def _errors(bound: BoundReportForm) -> list[str]:
    """The form's errors, each with its field's label, to show above the preview."""
    messages = []
    for form in (bound.form, bound.arguments_form):
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages += [f"{label}: {error}" if label else error for error in errors]
    return messages
