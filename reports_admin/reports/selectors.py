"""Reads of the company's reports, from the snapshot: one page of a searched, filtered and
sorted list, and one report.

The API has no call for one report and no server-side search, sort or count, so all of them
are done here on the snapshot (``reports_admin.reports.snapshot``), which a warm page reads
without calling Weblink.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports.snapshot import Snapshot, snapshot_get, snapshot_refresh
from reports_admin.weblink import NotFound, UpstreamUnavailable
from reports_admin.weblink.metadata import Report

# The columns the list sorts by, and the order of the intervals (shortest first).
SORT_KEYS = ("name", "type", "interval", "state", "format", "recipients", "added")
_INTERVAL_ORDER = {"hour": 0, "day": 1, "week": 2, "month": 3}
# A report missing from a snapshot older than this is looked for in a fresh read.
NOT_FOUND_REREAD_AFTER = timedelta(seconds=5)


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
class ReportOrder:
    """The column the list is sorted by; newest first unless the person chose otherwise."""

    key: str = "added"
    descending: bool = True


@dataclass(frozen=True)
class ReportListing:
    reports: tuple[Report, ...]
    offset: int
    # How many reports match the search and filters, and how many the company has.
    total: int
    company_count: int
    read_at: datetime
    stale: bool
    version: str  # the snapshot's


def report_list(
    *,
    connection: WeblinkConnection | None,
    offset: int,
    limit: int,
    filters: ReportFilters,
    order: ReportOrder = ReportOrder(),  # noqa: B008 (frozen)
    type_names: Mapping[str, str] | None = None,
) -> ReportListing:
    """One page of the reports that match ``filters``, sorted by ``order``; ``type_names``
    (by id) sort the type column by name."""
    snapshot = snapshot_get(connection=connection)
    type_names = type_names or {}
    # Sorted once per snapshot version in this process; filtering the sorted reports keeps
    # their order. The type column's order also depends on the types' names.
    names = tuple(sorted(type_names.items())) if order.key == "type" else ()
    matches = snapshot.derived(
        ("sorted", order.key, order.descending, names),
        lambda reports: tuple(
            sorted(reports, key=_sort_key(order.key, type_names), reverse=order.descending)
        ),
    )
    # Without filters (most pages) every report matches: no need to ask each one.
    if filters:
        matches = [report for report in matches if filters.matches(report)]
    return ReportListing(
        reports=tuple(matches[offset : offset + limit]),
        offset=offset,
        total=len(matches),
        company_count=len(snapshot.reports),
        read_at=snapshot.read_at,
        stale=snapshot.stale,
        version=snapshot.version,
    )


def report_get(*, connection: WeblinkConnection | None, report_id: str) -> Report:
    """The report with this id, from the snapshot; NotFound when it is not there.

    A report missing from an older snapshot may have been created since (on Weblink's own
    portal, say): the list is read again once before it counts as not found.
    """
    snapshot = snapshot_get(connection=connection)
    report = snapshot.report(report_id)
    if report is None and _older_than(snapshot, NOT_FOUND_REREAD_AFTER):
        report = snapshot_refresh(connection=connection).report(report_id)
    if report is None:
        raise NotFound
    return report


def reports_matching(
    *, connection: WeblinkConnection | None, filters: ReportFilters, ids: Collection[str] = ()
) -> list[Report]:
    """The reports that match ``filters`` (all that match), or those of ``ids`` when given,
    in the list's default order, from the snapshot."""
    wanted = {str(report_id) for report_id in ids}
    reports = [
        report
        for report in snapshot_get(connection=connection).reports
        if (report.id in wanted if wanted else filters.matches(report))
    ]
    reports.sort(key=_sort_key("added", {}), reverse=True)
    return reports


@dataclass(frozen=True)
class Recipient:
    """One address, as first spelt, and the reports that send to it (in any case)."""

    address: str
    reports: tuple[Report, ...]


def recipient_list(*, connection: WeblinkConnection | None, search: str = "") -> list[Recipient]:
    """Every address across the company's reports, without regard to case, that contains
    ``search``; sorted by address."""
    found: dict[str, tuple[str, list[Report]]] = {}
    for report in snapshot_get(connection=connection).reports:
        for address in dict.fromkeys(value.casefold() for value in report.recipients):
            spelt = next(v for v in report.recipients if v.casefold() == address)
            found.setdefault(address, (spelt, []))[1].append(report)
    needle = search.casefold()
    return [
        Recipient(spelt, tuple(reports))
        for address, (spelt, reports) in sorted(found.items())
        if needle in address
    ]


def reports_refresh(*, connection: WeblinkConnection | None) -> None:
    """Reads the company's reports from Weblink again now."""
    snapshot_refresh(connection=connection)


def report_read_fresh(*, connection: WeblinkConnection | None, report_id: str) -> Report:
    """The report as Weblink holds it now (the whole list read again); NotFound when gone,
    UpstreamUnavailable when only an older snapshot could be had."""
    snapshot = snapshot_refresh(connection=connection)
    if snapshot.stale:
        raise UpstreamUnavailable(
            _("Weblink could not be reached to read the report as it is now, so nothing was done.")
        )
    report = snapshot.report(report_id)
    if report is None:
        raise NotFound
    return report


def _older_than(snapshot: Snapshot, age: timedelta) -> bool:
    return timezone.now() - snapshot.read_at > age


def _sort_key(key: str, type_names: Mapping[str, str]):
    """A key function for ``key``; ties keep the snapshot's order (sort is stable)."""
    match key:
        case "name":
            return lambda r: r.name.casefold()
        case "type":
            return lambda r: type_names.get(r.report_type_id, r.report_type_id or "").casefold()
        case "interval":
            return lambda r: _INTERVAL_ORDER.get(r.interval or "", len(_INTERVAL_ORDER))
        case "state":
            return lambda r: r.active
        case "format":
            return lambda r: r.format
        case "recipients":
            return lambda r: ", ".join(r.recipients).casefold()
        case _:
            # Weblink's timestamps sort as text; a report without one counts as oldest.
            return lambda r: (r.added or "", int(r.id) if r.id.isdigit() else 0)
