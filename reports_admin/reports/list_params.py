"""The report list's query parameters and its pagination."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from reports_admin.labels import INTERVAL_CHOICES
from reports_admin.reports.selectors import ReportFilters, ReportListing

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


@dataclass(frozen=True)
class ListQuery:
    page: int
    per_page: int
    filters: ReportFilters

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _positive_int(text: str | None, default: int) -> int:
    try:
        return max(1, int(text or default))
    except ValueError:
        return default


def list_query(params: QueryDict) -> ListQuery:
    """The list page's parameters, with anything odd replaced by its default."""
    per_page = _positive_int(params.get("per_page"), DEFAULT_PAGE_SIZE)
    interval = params.get("interval", "")
    active = params.get("active", "")
    return ListQuery(
        page=_positive_int(params.get("page"), 1),
        per_page=per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
        filters=ReportFilters(
            search=params.get("q", "").strip(),
            report_type_id=params.get("type", "") if params.get("type", "").isdigit() else "",
            interval=interval if interval in dict(INTERVAL_CHOICES) else "",
            active=active if active in ("0", "1") else "",
        ),
    )


@dataclass(frozen=True)
class Pagination:
    first: int  # 1-based number of the first row shown, 0 when none
    last: int
    total: int
    total_is_exact: bool
    previous_url: str | None
    next_url: str | None


def pagination(params: QueryDict, listing: ReportListing, query: ListQuery) -> Pagination:
    def url_for(page: int) -> str:
        return "?" + urlencode({**params.dict(), "page": page})

    shown = len(listing.reports)
    has_next = listing.offset + shown < listing.total or not listing.total_is_exact
    return Pagination(
        first=listing.offset + 1 if shown else 0,
        last=listing.offset + shown,
        total=listing.total,
        total_is_exact=listing.total_is_exact,
        previous_url=url_for(query.page - 1) if query.page > 1 else None,
        next_url=url_for(query.page + 1) if has_next and shown else None,
    )
