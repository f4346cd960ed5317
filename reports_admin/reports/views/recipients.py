"""The recipients page: every address across the company's reports, and Replace or Remove
everywhere, which preview their calls and then run as a bulk job."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports_admin.reports import bulk_jobs, selectors
from reports_admin.reports.models import BulkJob
from reports_admin.reports.view_helpers import company_url, render_load_failure
from reports_admin.weblink import WeblinkError


@require_GET
def recipient_list(request: HttpRequest) -> HttpResponse:
    """Every address, how many reports send to it and which; searchable."""
    return _page(request, search=request.GET.get("q", "").strip())


@require_POST
def recipient_change(request: HttpRequest) -> HttpResponse:
    """Replace or Remove everywhere: the preview (a draft job) of every report that sends
    to the address; a bad new address shows next to its field, with what was typed."""
    address = request.POST.get("address", "").strip()
    new_address = request.POST.get("new_address", "").strip()
    replacing = request.POST.get("action") == BulkJob.Action.REPLACE_RECIPIENT
    if replacing:
        try:
            validate_email(new_address)
        except ValidationError:
            error = _("Enter a valid e-mail address, such as ann@example.com.")
            return _page(
                request,
                search=request.POST.get("q", ""),
                field_error={"address": address, "value": new_address, "message": error},
                status=400,
            )
    connection = request.weblink_connection.get()
    try:
        recipients = selectors.recipient_list(connection=connection)
    except WeblinkError as error:
        return render_load_failure(request, "reports/recipients.html", {}, error)
    match = next((r for r in recipients if r.address.casefold() == address.casefold()), None)
    if match is None:
        return _page(request, search="", status=404)
    job = bulk_jobs.bulk_job_draft(
        owner=request.user,
        connection=connection,
        action=(BulkJob.Action.REPLACE_RECIPIENT if replacing else BulkJob.Action.REMOVE_RECIPIENT),
        reports=match.reports,
        address=match.address,
        new_address=new_address if replacing else "",
    )
    return redirect(company_url(request, "reports:job", job.pk))


def _page(
    request: HttpRequest, *, search: str, field_error: dict | None = None, status: int = 200
) -> HttpResponse:
    context: dict = {"search": search, "field_error": field_error}
    try:
        context["recipients"] = selectors.recipient_list(
            connection=request.weblink_connection.get(), search=search
        )
    except WeblinkError as error:
        return render_load_failure(request, "reports/recipients.html", context, error)
    return render(request, "reports/recipients.html", context, status=status)
