"""Send now: the confirmation page, and the POST that sends the report once."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports_admin.reports import sending
from reports_admin.reports.view_helpers import company_url, next_url, with_report
from reports_admin.weblink import SendRefused, UpstreamUnavailable, WeblinkError
from reports_admin.weblink.metadata import Report


@require_http_methods(["GET", "POST"])
@with_report
def report_send(request: HttpRequest, report: Report) -> HttpResponse:
    """GET asks to confirm, naming the report and its recipients; POST sends it."""
    back_to = next_url(request, default=company_url(request, "reports:detail", report.id))
    if request.method == "POST":
        try:
            recipients = sending.report_send(
                connection=request.weblink_connection.get(),
                report=report,
                key=request.POST.get("key", ""),
            )
        except SendRefused as refusal:
            messages.warning(request, refusal.message)
        except UpstreamUnavailable as error:
            # A timeout's message already says the outcome is unknown: "Not sent" would lie.
            if error.timed_out:
                messages.error(request, error.message)
            else:
                messages.error(request, _("Not sent: %(error)s") % {"error": error.message})
        except WeblinkError as error:
            messages.error(request, _("Not sent: %(error)s") % {"error": error.message})
        else:
            messages.success(request, _("Sent to %(to)s.") % {"to": ", ".join(recipients)})
        return redirect(back_to)
    context = {"report": report, "key": sending.send_key_new(), "next_url": back_to}
    return render(request, "reports/send_confirm.html", context)
