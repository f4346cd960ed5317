"""Restore this version: an activity entry's version from before, put back on Weblink.

A changed report gets back what the entry changed, through the same minimal, checked path as
an edit (what changed since on other fields stays); a deleted report is created again, with a
new id. The page shows what changed since the entry and what restoring does.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports_admin.activity.selectors import activity_entry_get
from reports_admin.reports import metadata_cache, selectors, services
from reports_admin.reports.form_flow import VersionFields
from reports_admin.reports.versions import (
    multi_value_keys,
    plan_merge,
    report_differences,
    version_load,
)
from reports_admin.reports.view_helpers import company_url
from reports_admin.weblink import NotFound, PartialUpdate, WeblinkError

TEMPLATE = "activity/restore.html"


@require_http_methods(["GET", "POST"])
def activity_restore(request: HttpRequest, entry_id: int) -> HttpResponseBase:
    # Only under the entry's own company: its report id means nothing in another.
    entry = activity_entry_get(
        user=request.user, entry_id=entry_id, company=request.weblink_connection.company
    )
    if entry is None or not entry.restorable:
        raise Http404
    connection = request.weblink_connection.get()
    posted = request.method == "POST"
    before = version_load(entry.before)
    try:
        # Read fresh to show too: what changed since the entry is the point of this page.
        current = selectors.report_read_fresh(connection=connection, report_id=entry.report_id)
    except NotFound:
        current = None
    except WeblinkError as error:
        messages.error(request, error.message)
        return redirect("activity")
    context = {"entry": entry, "before": before, "current": current}

    if current is None:
        # Deleted (by this entry or since): restoring creates it again.
        if not posted:
            return render(request, TEMPLATE, context)
        try:
            new_id = services.report_recreate(connection=connection, version=before)
        except WeblinkError as error:
            messages.error(request, _restore_failed(error))
            return redirect("activity")
        messages.success(
            request,
            _(
                "Restored “%(name)s” as a new report. Weblink gave it a new id: "
                "#%(new_id)s (it was #%(old_id)s)."
            )
            % {"name": before.name, "new_id": new_id, "old_id": entry.report_id},
        )
        return redirect(company_url(request, "reports:detail", new_id))

    # What the entry left: what changed since is compared with it, and kept.
    after = version_load(entry.after) if entry.after is not None else current
    try:
        fields = metadata_cache.argument_fields_get(connection=connection).value
    except WeblinkError as error:
        messages.error(request, error.message)
        return redirect("activity")
    fields = fields.for_type(current.report_type_id or "")
    plan = plan_merge(
        base=after, wanted=before, current=current, multi_keys=multi_value_keys(fields)
    )
    changed = None
    if posted:
        if not VersionFields.posted(request.POST).matches(current):
            changed = True
        elif plan:
            try:
                services.report_restore(
                    connection=connection, report=current, entry=entry, fields=fields
                )
            except WeblinkError as error:
                messages.error(request, _restore_failed(error))
                return redirect("activity")
            messages.success(
                request,
                _("Restored “%(name)s” to the version from before this change.")
                % {"name": plan.after.name},
            )
            return redirect(company_url(request, "reports:detail", current.id))
    context |= {
        "version": VersionFields.of(current),
        "changed_since": report_differences(after, current, wanted=before),
        "restoring": report_differences(current, plan.after),
        "changed": changed,
    }
    return render(request, TEMPLATE, context, status=409 if changed else 200)


def _restore_failed(error: WeblinkError) -> str:
    """The message of a restore that failed; part-way, what was and was not applied."""
    if not isinstance(error, PartialUpdate):
        return _("Nothing was restored: %(error)s") % {"error": error.message}
    return _(
        "Restoring stopped part-way: %(error)s Applied: %(applied)s. Not applied: %(rest)s."
    ) % {
        "error": error.message,
        "applied": "; ".join(error.applied) or "—",
        "rest": "; ".join(error.not_applied),
    }
