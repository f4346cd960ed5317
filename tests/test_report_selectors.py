"""The report selectors against the simulator over real HTTP: one page of the list, a search
across pages (exact or partial totals), finding one report, and what they do unconnected."""

import pytest

from reports_admin.connection.selectors import connection_get
from reports_admin.reports import selectors
from reports_admin.reports.selectors import ReportFilters, report_get, report_list
from reports_admin.weblink import NotConnected, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(user_connected):
    """The connected person's stored connection, as the pages use it."""
    found = connection_get(user=user_connected)
    assert found is not None
    return found


@pytest.fixture
def small_scan_pages(monkeypatch):
    """Scan the list 10 reports at a time, so the 30 seeded reports take three pages."""
    monkeypatch.setattr(selectors, "SCAN_PAGE_SIZE", 10)
    return 10


def list_calls(simulator):
    """The query of every list call the simulator received, in order."""
    return [r.query for r in simulator.requests if (r.method, r.path) == ("GET", "/company/report")]


def test_no_filters_reads_one_page_and_takes_the_apis_count(connection, simulator):
    stored = simulator.state.reports
    simulator.log.clear()
    listing = report_list(connection=connection, offset=10, limit=5, filters=ReportFilters())

    assert [r.id for r in listing.reports] == [r.id for r in stored[10:15]]
    assert listing.total == len(stored)
    assert listing.company_count == len(stored)
    assert listing.total_is_exact is True
    assert listing.offset == 10
    assert listing.searched == 5
    assert list_calls(simulator) == [{"limit": "5", "limit_from": "10"}]


def test_filters_collect_matches_across_pages_with_an_exact_total(
    connection, simulator, small_scan_pages
):
    stored = simulator.state.reports
    wanted = [r.id for r in stored if r.report_type_id == "2"]
    assert 2 < len(wanted) < 10, "the seeded company has a few reports of type 2"
    # Spread over more than one scan page, so a one-page answer would miss some.
    pages = {i // small_scan_pages for i, r in enumerate(stored) if r.report_type_id == "2"}
    assert len(pages) > 1
    simulator.log.clear()

    listing = report_list(
        connection=connection, offset=0, limit=10, filters=ReportFilters(report_type_id="2")
    )

    assert [r.id for r in listing.reports] == wanted
    assert listing.total == len(wanted)
    assert listing.total_is_exact is True
    assert listing.searched == len(stored)
    assert listing.company_count == len(stored)
    # Every page was read, once each, and no further.
    assert list_calls(simulator) == [
        {"limit": "10", "limit_from": "0"},
        {"limit": "10", "limit_from": "10"},
        {"limit": "10", "limit_from": "20"},
    ]


def test_search_matches_names_and_recipients_ignoring_case(connection, simulator):
    stored = simulator.state.reports
    by_recipient = [r.id for r in stored if any("vaxel@" in e for e in r.values("email"))]
    assert by_recipient
    listing = report_list(
        connection=connection, offset=0, limit=50, filters=ReportFilters(search="VAXEL@")
    )
    assert [r.id for r in listing.reports] == by_recipient

    listing = report_list(
        connection=connection, offset=0, limit=50, filters=ReportFilters(search="köstatistik")
    )
    assert [r.name for r in listing.reports] == [
        r.name for r in stored if "köstatistik" in r.name.casefold()
    ]


def test_filters_stop_reading_once_the_page_and_one_more_match_are_found(
    connection, simulator, small_scan_pages
):
    stored = simulator.state.reports
    active = [r.id for r in stored if r.active]
    assert len(active) > 8, "most seeded reports are active"
    simulator.log.clear()

    # Two matches on the page and one more to show there is a next page: the first scan
    # page has more than enough, so the other pages are never read.
    listing = report_list(
        connection=connection, offset=2, limit=2, filters=ReportFilters(active="1")
    )

    assert [r.id for r in listing.reports] == active[2:4]
    assert listing.total_is_exact is False
    assert listing.total >= 5
    assert listing.searched == small_scan_pages
    assert listing.searched < listing.company_count == len(stored)
    assert list_calls(simulator) == [{"limit": "10", "limit_from": "0"}]


def test_filters_with_no_match_read_everything_and_say_none(connection, simulator):
    listing = report_list(
        connection=connection,
        offset=0,
        limit=10,
        filters=ReportFilters(search="no report is called anything like this"),
    )
    assert listing.reports == ()
    assert listing.total == 0
    assert listing.total_is_exact is True
    assert listing.searched == len(simulator.state.reports)


def test_report_get_finds_a_report_on_a_later_page(connection, simulator, small_scan_pages):
    stored = simulator.state.reports
    last = stored[-1]
    assert len(stored) > 2 * small_scan_pages
    simulator.log.clear()

    report = report_get(connection=connection, report_id=last.id)

    assert report.id == last.id
    assert report.name == last.name
    assert report.report_type_id == last.report_type_id
    assert report.values("email") == last.values("email")
    calls = list_calls(simulator)
    assert [c["limit_from"] for c in calls] == ["0", "10", "20"]


def test_report_get_stops_at_the_page_that_holds_the_report(
    connection, simulator, small_scan_pages
):
    second_page_report = simulator.state.reports[small_scan_pages + 1]
    simulator.log.clear()
    report = report_get(connection=connection, report_id=int(second_page_report.id))
    assert report.id == second_page_report.id
    assert [c["limit_from"] for c in list_calls(simulator)] == ["0", "10"]


def test_report_get_of_a_missing_id_is_not_found(connection, simulator, small_scan_pages):
    stored = simulator.state.reports
    simulator.state.delete_report(stored[3].id)
    simulator.log.clear()

    with pytest.raises(NotFound):
        report_get(connection=connection, report_id=stored[3].id)
    # It looked through the whole list, and no further.
    assert [c["limit_from"] for c in list_calls(simulator)] == ["0", "10", "20"]

    with pytest.raises(NotFound):
        report_get(connection=connection, report_id="999999999")


def test_report_get_in_an_empty_company_is_not_found(connection, simulator):
    for report in simulator.state.reports:
        simulator.state.delete_report(report.id)
    simulator.log.clear()
    with pytest.raises(NotFound):
        report_get(connection=connection, report_id="2583")
    assert len(list_calls(simulator)) == 1


def test_without_a_connection_nothing_is_asked(simulator, weblink_url):
    with pytest.raises(NotConnected):
        report_list(connection=None, offset=0, limit=10, filters=ReportFilters())
    with pytest.raises(NotConnected):
        report_list(connection=None, offset=0, limit=10, filters=ReportFilters(search="x"))
    with pytest.raises(NotConnected):
        report_get(connection=None, report_id="2583")
    assert simulator.requests == []
