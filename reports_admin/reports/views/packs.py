"""Report packs: export the list's selected reports as a file, import a file after a dry
run (the draft job's page), with the reports the person chooses, and copy the selected
reports to another of the person's companies (the same dry run, in that company)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reports_admin.reports import packs, tasks
from reports_admin.reports.downloads import content_disposition, file_name
from reports_admin.reports.forms import PackCopyForm, PackUploadForm
from reports_admin.reports.view_helpers import (
    NothingSelected,
    company_url,
    load_failure_status,
    next_url,
    selected_reports,
)
from reports_admin.weblink import WeblinkError


@require_POST
def pack_export(request: HttpRequest) -> HttpResponse:
    """The list's #bulk form (or its Export all): the chosen reports as a pack file."""
    back_to = next_url(request, default=company_url(request, "reports:list"))
    connection = request.weblink_connection.get()
    try:
        pack = packs.pack_export(connection=connection, reports=selected_reports(request))
    except (NothingSelected, WeblinkError) as problem:
        messages.error(request, problem.message)
        return redirect(back_to)
    response = HttpResponse(packs.pack_dumps(pack), content_type="application/json")
    name = file_name(_("reports-%(company)s") % {"company": connection.company}, "json")
    response["Content-Disposition"] = content_disposition(name)
    return response


@require_http_methods(["GET", "POST"])
def pack_import(request: HttpRequest) -> HttpResponse:
    """The upload form; a valid pack becomes a draft import job, whose page is the dry run.
    A file that cannot be read is refused next to the field, and nothing is written."""
    if request.method != "POST":
        return render(request, "reports/import.html", {"form": PackUploadForm()})
    form = PackUploadForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            job = packs.import_draft(
                owner=request.user,
                connection=request.weblink_connection.get(),
                pack=form.pack,
            )
        except WeblinkError as error:
            form.add_error(None, error.message)
            status = load_failure_status(error)
        else:
            return redirect(company_url(request, "reports:job", job.pk))
    return render(request, "reports/import.html", {"form": form}, status=status)


@require_POST
def pack_import_confirm(request: HttpRequest) -> HttpResponse:
    """Starts the dry run's job with the ticked reports, created paused unless "active" is
    ticked; a second post of the same form starts nothing."""
    chosen = [int(value) for value in request.POST.getlist("item") if value.isdigit()]
    job, started = packs.import_confirm(
        owner=request.user,
        key=request.POST.get("key", ""),
        chosen=chosen,
        active=request.POST.get("active") == "1",
    )
    if job is None:
        raise Http404
    if started:
        tasks.bulk_job_enqueue(job.pk)
        messages.success(request, _("Started. You can leave this page and come back."))
    else:
        messages.info(request, _("This import was started already; nothing was started again."))
    return redirect(company_url(request, "reports:job", job.pk))


@require_http_methods(["GET", "POST"])
def pack_copy(request: HttpRequest) -> HttpResponse:
    """Copy to…: the list's #bulk form (the ticked reports, or all that match) leads to a form
    that names them by id only, and they are read again from this company's reports each
    time. Its submit is the dry run in the chosen company, whose job page follows, as after
    a file's upload. Only to the person's own other companies (404 for any other)."""
    back_to = next_url(request, default=company_url(request, "reports:list"))
    source = request.weblink_connection.get()
    others = [c for c in request.weblink_connection.all() if c.company != source.company]
    if not others:
        raise Http404
    try:
        reports = selected_reports(request)
    except NothingSelected as problem:
        messages.error(request, problem.message)
        return redirect(back_to)
    # Coming from the list, the form is shown; the form itself posts a target.
    submitted = request.method == "POST" and "target" in request.POST
    form = PackCopyForm(request.POST if submitted else None, companies=[c.company for c in others])
    status = 200
    if submitted:
        target = next((c for c in others if c.company == request.POST["target"]), None)
        if target is None:
            raise Http404
        status = 400
        if form.is_valid():
            try:
                job = packs.pack_copy(
                    owner=request.user,
                    source=source,
                    target=target,
                    reports=reports,
                    recipients=form.new_recipients(),
                )
            except WeblinkError as error:
                form.add_error(None, error.message)
                status = load_failure_status(error)
            except packs.PackError as error:
                form.add_error(None, error.message)
            else:
                return redirect(reverse("reports:job", args=[target.company, job.pk]))
    context = {"form": form, "reports": reports, "next_url": back_to}
    return render(request, "reports/copy.html", context, status=status)
