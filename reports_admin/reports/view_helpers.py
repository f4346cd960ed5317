"""What the report views share: the report named in the URL, where to go back to, the
report-form flow, a report that changed since its page was shown, and how a Weblink failure
shows on a page."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from reports_admin.reports import selectors
from reports_admin.reports.form_flow import (
    BoundReportForm,
    ReportFormMetadata,
    VersionFields,
    report_form_bind,
)
from reports_admin.reports.forms import ReportForm
from reports_admin.reports.list_params import list_query
from reports_admin.reports.versions import Difference
from reports_admin.weblink import (
    InvalidInput,
    NotConnected,
    NotFound,
    PartialUpdate,
    TokenRejected,
    UpstreamUnavailable,
    WeblinkError,
)
from reports_admin.weblink.metadata import Report

# The random token a download form posts (static/js/app.js), 128 bits in hex.
_DOWNLOAD_TOKEN = re.compile(r"[0-9a-f]{32}")
DOWNLOAD_COOKIE_SECONDS = 60


def download_started_cookie[**P](
    view: Callable[P, HttpResponseBase],
) -> Callable[P, HttpResponseBase]:
    """Marks a file answer with a cookie named after the form's ``download_token``.

    A download never unloads the page, so the page polls for this cookie to learn that the
    file has started and offer its buttons again. It holds nothing secret, so scripts may
    read it; it lives a minute, only as long as the page needs to see it.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        request = args[0]
        response = view(*args, **kwargs)
        token = request.POST.get("download_token", "")
        if isinstance(response, StreamingHttpResponse) and _DOWNLOAD_TOKEN.fullmatch(token):
            response.set_cookie(
                f"download_{token}",
                "1",
                max_age=DOWNLOAD_COOKIE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Strict",
            )
        return response

    return wrapper


def load_failure_status(error: WeblinkError) -> int:
    """The status of a page whose content could not be loaded from Weblink: 504 when Weblink
    did not answer in time, 502 for any other failure, 200 when the person must connect
    (again: a token Weblink refused is the connection's fault, not Weblink's)."""
    if isinstance(error, NotConnected | TokenRejected):
        return 200
    if isinstance(error, UpstreamUnavailable) and error.timed_out:
        return 504
    return 502


class ReportChanged(Exception):
    """The report differs from the version the page showed, so nothing was done.

    ``differences`` say field by field what changed elsewhere; ``version`` holds the hidden
    fields for the page shown again, so that a second submit acts on the report as it is now.
    """

    def __init__(self, differences: list[Difference], version: VersionFields) -> None:
        super().__init__("The report changed since the page was shown.")
        self.differences = differences
        self.version = version


GoneHandler = Callable[[HttpRequest, str], HttpResponseBase | None]


def with_report(
    view: Callable[..., HttpResponseBase] | None = None, /, *, when_gone: GoneHandler | None = None
):
    """Gives ``view`` the report whose id is in the URL: from the snapshot to show a page,
    as Weblink holds it now to act on it (a POST). When it cannot be read (deleted, not
    connected, Weblink down), a page stays where it is and says why, once, with a Retry (or
    Connect); a POST goes back to the list saying that nothing was done, or, for a POST whose
    report was deleted, answers with ``when_gone(request, report_id)`` when that gives a page.

    Use as ``@with_report`` or ``@with_report(when_gone=...)``.
    """
    if view is None:
        return functools.partial(with_report, when_gone=when_gone)

    @functools.wraps(view)
    def with_report_view(request: HttpRequest, report_id: str, **kwargs) -> HttpResponseBase:
        posted = request.method == "POST"
        read = selectors.report_read_fresh if posted else selectors.report_get
        try:
            report = read(connection=request.weblink_connection.get(), report_id=report_id)
        except WeblinkError as error:
            gone_page = (
                when_gone(request, report_id)
                if posted and when_gone and isinstance(error, NotFound)
                else None
            )
            if gone_page is not None:
                return gone_page
            if posted:
                messages.error(request, error.message)
                return redirect(company_url(request, "reports:list"))
            if isinstance(error, NotFound):
                context = {"not_found": True, "error": error.message}
                return render(request, "reports/unavailable.html", context, status=404)
            return render_load_failure(request, "reports/unavailable.html", {}, error)
        return view(request, report, **kwargs)

    return with_report_view


def company_url(request: HttpRequest, name: str, *args: object) -> str:
    """The URL of page ``name`` of the company the request is for (the one in its URL)."""
    return reverse(name, args=[request.weblink_connection.company, *args])


def next_url(request: HttpRequest, *, default: str) -> str:
    """The page the person came from (``next``, when it is one of ours), else ``default``.

    ``next`` is a path only: it must start with a single "/" (not "//" nor "/\\") and have no
    scheme or host, so a bare word such as "day" is never taken for a URL name to reverse
    (``redirect`` would try, and fail with a 500 after the action was done).
    """
    candidate = request.POST.get("next") or request.GET.get("next", "")
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        parts = urlsplit(candidate)
        if not parts.scheme and not parts.netloc:
            return candidate
    return default


def show_weblink_error(bound: BoundReportForm, error: WeblinkError) -> None:
    """Puts what Weblink refused on the form: on the fields it names, else above them."""
    if isinstance(error, InvalidInput) and error.field_errors:
        bound.form.add_api_errors(error.field_errors, others=[bound.arguments_form])
    elif isinstance(error, TokenRejected | NotConnected):
        bound.form.add_error(
            None,
            _(
                "Your Weblink connection has expired, so nothing was done. Connect again "
                "(the link above opens the connection page), then try again: what you typed "
                "is kept."
            ),
        )
    else:
        bound.form.add_error(None, error.message)


def report_form_page(
    request: HttpRequest,
    *,
    template: str,
    context: dict,
    on_valid: Callable[[BoundReportForm, ReportFormMetadata], HttpResponseBase] | None,
    form_class: type[ReportForm] = ReportForm,
    source: Report | None = None,
    copy: bool = False,
) -> HttpResponseBase:
    """The report-form flow of every page that has one (create, edit, duplicate, run and
    download): build the form from the metadata, bind it, swap the argument fields when the
    report type changes, and once both forms are valid call ``on_valid`` to save or run
    (None on a page whose form posts elsewhere).

    What Weblink refuses in ``on_valid`` shows on the form, with everything typed kept; so does
    ``ReportChanged`` (409), with what changed elsewhere. ``context["gone"]``: the report was
    deleted since the form was shown (409 too).
    """
    try:
        metadata = ReportFormMetadata.load(connection=request.weblink_connection.get())
    except WeblinkError as error:
        return render(
            request,
            template,
            {
                **context,
                "load_error": error.message,
                "not_connected": isinstance(error, NotConnected | TokenRejected),
            },
            status=load_failure_status(error),
        )
    bound = report_form_bind(
        request, metadata=metadata, form_class=form_class, source=source, copy=copy
    )
    if bound.changing_type and request.htmx:
        return render(
            request, "reports/form.html#argument-fields", {"arguments_form": bound.arguments_form}
        )
    partial_update = conflict = None
    if on_valid is not None and bound.submitted and bound.is_valid():
        try:
            return on_valid(bound, metadata)
        except ReportChanged as error:
            conflict = error
        except PartialUpdate as error:
            partial_update = error
            show_weblink_error(bound, error.error)
        except WeblinkError as error:
            show_weblink_error(bound, error)
    page = {
        "form": bound.form,
        "arguments_form": bound.arguments_form,
        "metadata_stale": metadata.stale,
        "partial_update": partial_update,
        "conflict": conflict,
    }
    if conflict:
        page["version"] = conflict.version
    status = 409 if conflict or context.get("gone") else 400 if bound.submitted else 200
    return render(request, template, {**context, **page}, status=status)


def render_load_failure(
    request: HttpRequest, template: str, context: dict, error: WeblinkError
) -> HttpResponse:
    """A page whose content could not be loaded: not connected, or the error and a Retry."""
    if isinstance(error, NotConnected | TokenRejected):
        context["not_connected"] = True
    else:
        context["error"] = error.message
    return render(request, template, context, status=load_failure_status(error))


class NothingSelected(Exception):
    """The list's selection names no report, or its reports cannot be read: ``message``
    says which, for the list to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def selected_reports(request: HttpRequest) -> list[Report]:
    """The reports the list's #bulk form names (posted, or in the query of a GET): those
    ticked, or with "all that match" every report its search and filters find, on every page.
    NothingSelected when none is chosen (or none is left) or they cannot be read."""
    data = request.POST if request.method == "POST" else request.GET
    ids = data.getlist("report")
    all_matching = data.get("all_matching") == "1"
    reports = []
    if ids or all_matching:
        try:
            reports = selectors.reports_matching(
                connection=request.weblink_connection.get(),
                filters=list_query(data).filters,
                ids=() if all_matching else ids,
            )
        except WeblinkError as error:
            raise NothingSelected(error.message) from error
    if not reports:
        raise NothingSelected(_("Select at least one report first."))
    return reports
