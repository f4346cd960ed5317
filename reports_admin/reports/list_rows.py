"""The report list's rows, worked out in Python, and the digest the list's results are cached
under."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language

from reports_admin.activity.models import Activity
from reports_admin.labels import INTERVAL_CHOICES
from reports_admin.reports.selectors import ReportListing
from reports_admin.weblink import FORMATS
from reports_admin.weblink.metadata import Report, ReportType

# An id no report has, reversed once per page and then replaced by each row's id: reverse()
# is slow enough that six calls a row would be most of a long list's cost.
_ID_MARK = "9876543210123"


@dataclass(frozen=True)
class ReportRow:
    """One row of the report list, with everything it shows worked out in Python."""

    report: Report
    type_name: str
    interval_label: str
    recipients: str
    urls: dict[str, str]
    # The last "send now" from this dashboard: when, and whether Weblink accepted it.
    last_sent_at: datetime | None = None
    last_sent_accepted: bool = False

    @property
    def download_formats(self) -> tuple[str, ...]:
        """The formats the row's menu downloads in one click (the same for every row)."""
        return FORMATS


def report_rows(
    reports: Sequence[Report],
    *,
    company: str,
    report_types: Sequence[ReportType],
    back_to: str,
    last_sent: Mapping[str, Activity],
) -> list[ReportRow]:
    """The list's rows, linking to pages of ``company``; ``back_to`` is where send now
    returns to; ``last_sent``: each report's last send from this dashboard, by report id."""
    type_names = {t.id: t.name for t in report_types}
    interval_labels = dict(INTERVAL_CHOICES)
    patterns = {
        name: reverse(f"reports:{name}", args=[company, _ID_MARK])
        for name in ("detail", "edit", "send", "download", "duplicate", "delete", "active")
    }
    patterns["send"] += "?" + urlencode({"next": back_to})
    return [
        ReportRow(
            report=report,
            type_name=type_names.get(report.report_type_id, report.report_type_id or ""),
            interval_label=interval_labels.get(report.interval, report.interval or ""),
            recipients=", ".join(report.recipients),
            urls={name: url.replace(_ID_MARK, report.id) for name, url in patterns.items()},
            last_sent_at=sent.at if sent else None,
            last_sent_accepted=bool(sent and sent.accepted),
        )
        for report in reports
        for sent in [last_sent.get(report.id)]
    ]


def list_results_key(
    listing: ReportListing,
    *,
    company: str,
    report_types: Sequence[ReportType],
    back_to: str,
    last_sent: Mapping[str, Activity],
    metadata_stale: bool,
) -> str:
    """A digest of everything the list's results show (the counts, the rows as
    ``report_rows`` makes them, the sort headers and page links), in the current language:
    their rendering can be cached under it, and any change to a report, a type name, a send,
    the page's address or the language misses. Worked out without the rows, so that a page
    whose results are cached needs none.

    Every report of a snapshot version stays as it is (a change is a new version), so the
    version and a report's id stand for all of it, and the version and the address (its
    search, filters, sort and page) for the counts.
    """
    type_names = {t.id: t.name for t in report_types}
    shown = [
        (
            report.id,
            type_names.get(report.report_type_id),
            sent.at if sent else None,
            bool(sent and sent.accepted),
        )
        for report in listing.reports
        for sent in [last_sent.get(report.id)]
    ]
    text = repr(
        (get_language(), company, listing.version, listing.stale, metadata_stale, back_to, shown)
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
