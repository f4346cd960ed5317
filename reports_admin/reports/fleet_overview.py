"""All the person's companies at a glance: each one's reports counted, and a search across them.

Each company is read through its own snapshot (``reports_admin.reports.snapshot``), so a warm
one costs no call to Weblink. The companies are read one after another: a person has few, and
a cold or failing one costs at most its snapshot read, which the client's timeouts and
WEBLINK_REPORTS_READ_SECONDS bound. A company whose reports cannot be read (not connected, the
token refused, Weblink down) says why, and the others are shown all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports.selectors import ReportFilters, reports_matching
from reports_admin.reports.snapshot import snapshot_get
from reports_admin.weblink import WeblinkError
from reports_admin.weblink.metadata import Report

# The most results shown per company; the rest are in that company's own filtered list.
SEARCH_RESULTS_PER_COMPANY = 50

# A connection's state, for the overview (in words in its template).
CONNECTED = "connected"
EXPIRED = "expired"
UNREADABLE = "token_unreadable"


def connection_state(connection: WeblinkConnection) -> str:
    """``connected``, ``expired`` (Weblink refused its token) or ``token_unreadable`` (no
    configured key opens it); either of the last two means it needs reconnecting."""
    if connection.token_unreadable:
        return UNREADABLE
    if connection.state == WeblinkConnection.State.EXPIRED:
        return EXPIRED
    return CONNECTED


@dataclass(frozen=True)
class CompanySummary:
    """One company on the overview; ``problem`` says why its reports could not be read (the
    counts are then None)."""

    connection: WeblinkConnection
    state: str
    report_count: int | None = None
    active_count: int | None = None
    read_at: datetime | None = None
    stale: bool = False
    problem: str = ""


def companies_overview(*, connections: Sequence[WeblinkConnection]) -> list[CompanySummary]:
    """Each company's reports and active reports counted, from its snapshot, in the order of
    ``connections``."""
    summaries = []
    for connection in connections:
        snapshot, problem = _read(lambda c: snapshot_get(connection=c), connection)
        if snapshot is None:
            summary = CompanySummary(connection, connection_state(connection), problem=problem)
        else:
            summary = CompanySummary(
                connection,
                # After the read: a refused token has just marked the connection expired.
                connection_state(connection),
                report_count=len(snapshot.reports),
                active_count=sum(1 for report in snapshot.reports if report.active),
                read_at=snapshot.read_at,
                stale=snapshot.stale,
            )
        summaries.append(summary)
    return summaries


@dataclass(frozen=True)
class CompanyResults:
    """One company's reports that match a search: at most ``limit`` of them, of ``total``;
    ``problem`` says why its reports could not be searched."""

    connection: WeblinkConnection
    reports: tuple[Report, ...] = ()
    total: int = 0
    problem: str = ""

    @property
    def more(self) -> int:
        """How many matches are not shown."""
        return self.total - len(self.reports)


def companies_search(
    *,
    connections: Sequence[WeblinkConnection],
    search: str,
    limit: int = SEARCH_RESULTS_PER_COMPANY,
) -> list[CompanyResults]:
    """The reports of each company whose name or a recipient contains ``search`` (the report
    list's own matching), newest first, at most ``limit`` per company."""
    filters = ReportFilters(search=search)
    results = []
    for connection in connections:
        found, problem = _read(
            lambda c: reports_matching(connection=c, filters=filters), connection
        )
        if found is None:
            results.append(CompanyResults(connection, problem=problem))
        else:
            results.append(CompanyResults(connection, tuple(found[:limit]), total=len(found)))
    return results


def _read[T](
    read: Callable[[WeblinkConnection], T], connection: WeblinkConnection
) -> tuple[T | None, str]:
    """``read(connection)``, or None and why it failed, in words fit to show."""
    try:
        return read(connection), ""
    except WeblinkError as error:
        return None, error.message
