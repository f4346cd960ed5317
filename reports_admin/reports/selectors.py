"""Reads of the company's reports, page by page, with search and filters.

The API has no call for one report and no server-side search, so both are done here by
reading pages of the list, and never more pages than the answer needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports_admin.connection.calls import weblink_call
from reports_admin.connection.models import WeblinkConnection
from reports_admin.weblink import NotFound
from reports_admin.weblink.metadata import Report, ReportPage

# Page size used when scanning the list for a search or for one report.
SCAN_PAGE_SIZE = 100


@dataclass(frozen=True)
class ReportFilters:
    search: str = ""
    report_type_id: str = ""
    interval: str = ""
    active: str = ""  # "1" active, "0" paused, "" either

    def __bool__(self) -> bool:
        return bool(self.search or self.report_type_id or self.interval or self.active)

    def matches(self, report: Report) -> bool:
        needle = self.search.casefold()
        return (
            (
                not needle
                or needle in report.name.casefold()
                or any(needle in email.casefold() for email in report.values("email"))
            )
            and (not self.report_type_id or report.report_type_id == self.report_type_id)
            and (not self.interval or report.interval == self.interval)
            and (not self.active or report.active == (self.active == "1"))
        )


@dataclass(frozen=True)
class ReportListing:
    reports: tuple[Report, ...]
    offset: int
    # How many reports match: exact when every page was read, else at least this many.
    total: int
    total_is_exact: bool
    # How many of the company's reports were read to answer (for a search).
    searched: int
    company_count: int


def report_list(
    *, connection: WeblinkConnection | None, offset: int, limit: int, filters: ReportFilters
) -> ReportListing:
    """One page of reports; with filters, the matching ones across all pages."""
    if not filters:
        page = _reports_page(connection=connection, limit=limit, limit_from=offset)
        return ReportListing(
            reports=page.reports,
            offset=offset,
            total=page.count,
            total_is_exact=True,
            searched=len(page.reports),
            company_count=page.count,
        )
    # Read until the requested page is full and one more match shows there is a next page.
    wanted = offset + limit + 1
    matches: list[Report] = []
    read = 0
    count = None
    while count is None or read < count:
        page = _reports_page(connection=connection, limit=SCAN_PAGE_SIZE, limit_from=read)
        count = page.count
        if not page.reports:
            break
        read += len(page.reports)
        matches.extend(report for report in page.reports if filters.matches(report))
        if len(matches) >= wanted:
            break
    complete = read >= count or len(matches) < wanted
    return ReportListing(
        reports=tuple(matches[offset : offset + limit]),
        offset=offset,
        total=len(matches),
        total_is_exact=complete,
        searched=read,
        company_count=count,
    )


def report_get(*, connection: WeblinkConnection | None, report_id: str) -> Report:
    """The report with this id, found by reading the list; NotFound when it is not there."""
    read = 0
    while True:
        page = _reports_page(connection=connection, limit=SCAN_PAGE_SIZE, limit_from=read)
        for report in page.reports:
            if report.id == str(report_id):
                return report
        read += len(page.reports)
        if not page.reports or read >= page.count:
            raise NotFound


def _reports_page(
    *, connection: WeblinkConnection | None, limit: int, limit_from: int
) -> ReportPage:
    return weblink_call(
        connection=connection,
        operation=lambda client: client.reports(limit=limit, limit_from=limit_from),
    )
