"""All the person's companies: the overview, and the search across them. Pages of no one
company: they show only the signed-in person's own connections, staff included."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports_admin.reports import fleet_overview

# No report name or address comes near it; a longer search is refused, and shown as typed.
SEARCH_MAX_LENGTH = 200


@require_GET
def companies_overview(request: HttpRequest) -> HttpResponse:
    connections = request.weblink_connection.all()
    companies = fleet_overview.companies_overview(connections=connections)
    return render(request, "companies/overview.html", {"companies": companies})


@require_GET
def companies_search(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    context: dict = {"search": search}
    if len(search) > SEARCH_MAX_LENGTH:
        context["search_error"] = _("Search for at most %(count)d characters.") % {
            "count": SEARCH_MAX_LENGTH
        }
    elif search:
        results = fleet_overview.companies_search(
            connections=request.weblink_connection.all(), search=search
        )
        context.update(
            results=[
                {
                    "result": result,
                    # Every match, in that company's own list, when not all are shown here.
                    "list_url": reverse("reports:list", args=[result.connection.company])
                    + "?"
                    + urlencode({"q": search}),
                }
                for result in results
            ],
            found=sum(result.total for result in results),
        )
    return render(request, "companies/search.html", context)
