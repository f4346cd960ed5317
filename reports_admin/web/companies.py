"""Which company to show: the home page, a company's own home, and the URLs from before there
were several companies (the same page under the person's company, or a chooser)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from reports_admin.connection.selectors import CURRENT_COMPANY, connection_first


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The report list of the company shown last (else the first), or the Connection page."""
    first = connection_first(
        request.weblink_connection.all(), remembered=request.session.get(CURRENT_COMPANY)
    )
    if first is None:
        return redirect("connection")
    return redirect("reports:list", first.company)


@require_safe
def company_home(request: HttpRequest) -> HttpResponse:
    return redirect("reports:list", request.weblink_connection.company)


@require_safe
def company_choose(request: HttpRequest, **_path_parts: object) -> HttpResponse:
    """An old URL (``/reports/12/``): the same page under the person's one company; with
    several, a page that links it under each (ids are per company, so none is guessed)."""
    connections = request.weblink_connection.all()
    if not connections:
        return redirect("connection")
    query = request.META.get("QUERY_STRING", "")
    links = [
        (
            connection,
            reverse("company_home", args=[connection.company])
            + request.path_info.lstrip("/")
            + (f"?{query}" if query else ""),
        )
        for connection in connections
    ]
    if len(links) == 1:
        return redirect(links[0][1])
    return render(request, "companies_choose.html", {"links": links})
