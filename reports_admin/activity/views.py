"""The activity page: who did what on Weblink through the dashboard, newest first."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reports_admin.activity import selectors
from reports_admin.activity.models import Activity

PAGE_SIZE = 50


@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """Staff see everyone's entries and may filter by person; others see their own. Anyone
    may filter by company."""
    action = request.GET.get("action", "")
    action = action if action in Activity.Action.values else ""
    person = request.GET.get("person", "") if request.user.is_staff else ""
    # Links to a report or a restore only under a company the reader is connected to.
    my_companies = {c.company for c in request.weblink_connection.all()}
    companies = sorted(set(selectors.activity_companies(user=request.user)) | my_companies)
    company = request.GET.get("company", "")
    company = company if company in companies else ""
    entries = selectors.activity_list(
        user=request.user, action=action, username=person, company=company
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {
        name: value
        for name, value in (("action", action), ("person", person), ("company", company))
        if value
    }
    context = {
        "companies": companies,
        "chosen_company": company,
        "my_companies": my_companies,
        "page": page,
        "action": action,
        "person": person,
        "actions": Activity.Action.choices,
        "people": selectors.activity_people(user=request.user) if request.user.is_staff else [],
        "page_query": urlencode(filters),
    }
    return render(request, "activity/list.html", context)
