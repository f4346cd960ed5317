"""The report list's query parameters, its sortable columns and its pagination."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports_admin.labels import INTERVAL_CHOICES
from reports_admin.reports.selectors import SORT_KEYS, ReportFilters, ReportListing, ReportOrder

# The sortable columns' headings, for the phone's "Sort by" menu (its headers are hidden).
SORT_LABELS = {
    "name": gettext_lazy("Name"),
    "type": gettext_lazy("Report type"),
    "interval": gettext_lazy("Interval"),
    "state": gettext_lazy("Active"),
    "format": gettext_lazy("Format"),
    "recipients": gettext_lazy("Recipients"),
    "added": gettext_lazy("Added"),
}
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


@dataclass(frozen=True)
class ListQuery:
    page: int
    per_page: int
    filters: ReportFilters
    order: ReportOrder

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
    sort = params.get("sort", "")
    key = sort.removeprefix("-")
    return ListQuery(
        page=_positive_int(params.get("page"), 1),
        per_page=per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
        filters=ReportFilters(
            search=params.get("q", "").strip(),
            report_type_id=params.get("type", "") if params.get("type", "").isdigit() else "",
            interval=interval if interval in dict(INTERVAL_CHOICES) else "",
            active=active if active in ("0", "1") else "",
        ),
        order=ReportOrder(key, sort.startswith("-")) if key in SORT_KEYS else ReportOrder(),
    )


@dataclass(frozen=True)
class SortHeader:
    """A column header: where a click sorts, and what ``aria-sort`` says now."""

    key: str
    url: str
    aria_sort: str  # "ascending", "descending" or "none"


def sort_headers(params: QueryDict, query: ListQuery) -> dict[str, SortHeader]:
    """Each sortable column's header; a click on the sorted column turns the order round,
    on another sorts by it ascending (the date newest first)."""
    headers = {}
    for key in SORT_KEYS:
        if key == query.order.key:
            aria_sort = "descending" if query.order.descending else "ascending"
            descending = not query.order.descending
        else:
            aria_sort = "none"
            descending = key == "added"
        sort = f"-{key}" if descending else key
        url = "?" + urlencode({**params.dict(), "sort": sort, "page": 1})
        headers[key] = SortHeader(key=key, url=url, aria_sort=aria_sort)
    return headers


@dataclass(frozen=True)
class SortChoice:
    """One order of the "Sort by" menu: the ``sort`` value it submits, in words."""

    value: str
    label: str
    selected: bool


def sort_choices(query: ListQuery) -> list[SortChoice]:
    """Every column in both directions, the list's current order selected."""
    current = f"-{query.order.key}" if query.order.descending else query.order.key
    return [
        SortChoice(
            value=value,
            label=template % {"column": SORT_LABELS[key]},
            selected=value == current,
        )
        for key in SORT_KEYS
        for value, template in (
            (key, _("%(column)s, ascending")),
            (f"-{key}", _("%(column)s, descending")),
        )
    ]


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for a gap ("…")
    url: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    first: int  # 1-based number of the first row shown, 0 when none
    last: int
    total: int
    previous_url: str | None
    next_url: str | None
    pages: list[PageLink]


# How many page numbers either side of the current one; the first and last always show.
PAGE_WINDOW = 2


def pagination(params: QueryDict, listing: ReportListing, query: ListQuery) -> Pagination:
    def url_for(page: int) -> str:
        return "?" + urlencode({**params.dict(), "page": page})

    shown = len(listing.reports)
    page_count = max(1, -(-listing.total // query.per_page))
    numbers = sorted(
        {1, page_count}
        | set(
            range(max(1, query.page - PAGE_WINDOW), min(page_count, query.page + PAGE_WINDOW) + 1)
        )
    )
    pages: list[PageLink] = []
    for number in numbers:
        if pages and pages[-1].number is not None and number - pages[-1].number > 1:
            pages.append(PageLink(number=None, url="", current=False))
        pages.append(PageLink(number=number, url=url_for(number), current=number == query.page))
    return Pagination(
        first=listing.offset + 1 if shown else 0,
        last=listing.offset + shown,
        total=listing.total,
        previous_url=url_for(query.page - 1) if query.page > 1 else None,
        next_url=url_for(query.page + 1) if query.page < page_count else None,
        pages=pages,
    )
