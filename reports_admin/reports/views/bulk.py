"""Bulk actions: the list's #bulk form, the recipients page's actions, the confirmation that
names every report, and the job page that follows the job (htmx polling)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports_admin.reports import bulk_jobs, packs, tasks
from reports_admin.reports.models import BulkJob, BulkJobItem
from reports_admin.reports.view_helpers import (
    NothingSelected,
    company_url,
    next_url,
    selected_reports,
)

# The actions of the list's #bulk form; the recipients page has Replace and Remove everywhere.
LIST_ACTIONS = {
    BulkJob.Action.PAUSE,
    BulkJob.Action.ACTIVATE,
    BulkJob.Action.SEND,
    BulkJob.Action.DELETE,
    BulkJob.Action.ADD_RECIPIENT,
    BulkJob.Action.REMOVE_RECIPIENT,
}
ADDRESS_ACTIONS = {BulkJob.Action.ADD_RECIPIENT, BulkJob.Action.REMOVE_RECIPIENT}
ITEMS_PER_PAGE = 100


@require_POST
def bulk_start(request: HttpRequest) -> HttpResponse:
    """The list's #bulk form: the chosen reports (or all that match the filters it carries)
    and an action; shows the confirmation. Nothing is done yet."""
    back_to = next_url(request, default=company_url(request, "reports:list"))
    action = request.POST.get("action", "")
    if action not in LIST_ACTIONS:
        messages.error(request, _("Choose an action for the selected reports."))
        return redirect(back_to)
    address = request.POST.get("address", "").strip()
    if action in ADDRESS_ACTIONS:
        try:
            validate_email(address)
        except ValidationError:
            context = _selection_context(request, action=action, address=address, back_to=back_to)
            context["address_error"] = _("Enter a valid e-mail address, such as ann@example.com.")
            return render(request, "reports/bulk_address.html", context, status=400)
    try:
        reports = selected_reports(request)
    except NothingSelected as problem:
        messages.error(request, problem.message)
        return redirect(back_to)
    job = bulk_jobs.bulk_job_draft(
        owner=request.user,
        connection=request.weblink_connection.get(),
        action=action,
        reports=reports,
        address=address,
    )
    return redirect(company_url(request, "reports:job", job.pk))


@require_POST
def bulk_confirm(request: HttpRequest) -> HttpResponse:
    """Starts the job of the confirmation's once-only key; a second post of the same form
    finds it started and starts nothing."""
    key = request.POST.get("key", "")
    # An import starts with the reports the person chose (reports:import_confirm).
    job = (
        BulkJob.objects.filter(
            owner=request.user, key=key, connection__company=request.weblink_connection.company
        )
        .exclude(action=BulkJob.Action.IMPORT)
        .first()
    )
    if job is None:
        raise Http404
    typed = request.POST.get("count", "").strip()
    if job.state == BulkJob.State.DRAFT and _count_needed(job) and typed != str(job.items.count()):
        context = _job_context(request, job)
        context["count_error"] = _("Type the number of reports, %(n)s, to go on.") % {
            "n": job.items.count()
        }
        return render(request, "reports/job.html", context, status=400)
    job, started = bulk_jobs.bulk_job_confirm(owner=request.user, key=key)
    if started:
        tasks.bulk_job_enqueue(job.pk)
        messages.success(request, _("Started. You can leave this page and come back."))
    else:
        messages.info(request, _("This job was started already; nothing was started again."))
    return redirect(company_url(request, "reports:job", job.pk))


@require_GET
def bulk_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job: its confirmation while a draft, else each report's outcome, updated by htmx
    polling until it finishes. Only its owner and staff see it."""
    job = _job_visible(request, job_id)
    template = "reports/job.html#progress" if request.htmx else "reports/job.html"
    return render(request, template, _job_context(request, job))


def _job_visible(request: HttpRequest, job_id: int) -> BulkJob:
    # Only under its own company's URL.
    jobs = BulkJob.objects.select_related("owner").filter(
        connection__company=request.weblink_connection.company
    )
    if not request.user.is_staff:
        jobs = jobs.filter(owner=request.user)
    job = jobs.filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def _count_needed(job: BulkJob) -> bool:
    return (
        job.action in (BulkJob.Action.DELETE, BulkJob.Action.SEND)
        and job.items.count() > bulk_jobs.TYPE_COUNT_ABOVE
    )


def _job_context(request: HttpRequest, job: BulkJob) -> dict:
    counts = bulk_jobs.bulk_job_counts(job)
    # An import's choices are made on one page: every report of the pack shows on it.
    per_page = packs.MAX_REPORTS if job.action == BulkJob.Action.IMPORT else ITEMS_PER_PAGE
    items = Paginator(job.items.all(), per_page).get_page(request.GET.get("page"))
    total = sum(counts.values())
    skipped = counts[BulkJobItem.Outcome.SKIPPED]
    return {
        "job": job,
        "counts": counts,
        "total": total,
        "finished_count": total - counts[BulkJobItem.Outcome.NOT_STARTED],
        "items": items,
        "calls": bulk_jobs.call_description(job, bulk_jobs.bulk_job_calls(job)),
        "skipped": skipped,
        "count_needed": job.state == BulkJob.State.DRAFT and _count_needed(job),
        "polling": job.state not in (BulkJob.State.DRAFT, BulkJob.State.FINISHED),
        "outcomes": BulkJobItem.Outcome,
    }


def _selection_context(request: HttpRequest, *, action: str, address: str, back_to: str) -> dict:
    """The #bulk form's selection, to post again with a corrected address."""
    carried = {
        name: request.POST.get(name, "")
        for name in ("all_matching", "q", "type", "interval", "active")
    }
    return {
        "action": action,
        "action_label": BulkJob.Action(action).label,
        "address": address,
        "report_ids": request.POST.getlist("report"),
        "carried": carried,
        "next_url": back_to,
    }
