"""The report list after "The report fleet, part 1", with the test client against the
simulator: sorting by its headers, exact counts, page numbers, the rows' Active switch, Refresh
on a warm snapshot, where a person lands after create and edit, and warm pages that make no
list call. Each write is checked in the simulator's state and in the request it received."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from tests.support.report_forms import form_data
from tests.support.versions import shown_version
from weblink_sim import api

pytestmark = pytest.mark.django_db

LIST = "/company/report"


def list_reads(simulator):
    return [r for r in simulator.requests if r.method == "GET" and r.path == LIST]


def row_ids(page: str) -> list[str]:
    """The reports' ids in the order the list's rows show them."""
    return re.findall(r'<tr id="report-(\d+)">', page)


def header_sorts(page: str) -> dict[str, str]:
    """Each sortable column header's label and its aria-sort."""
    found = re.findall(
        r'<th scope="col" aria-sort="(\w+)"[^>]*>\s*<a [^>]*href="[^"]*">([^<]+)<', page
    )
    return {label.strip(): aria_sort for aria_sort, label in found}


def by_name(reports):
    return [r.id for r in sorted(reports, key=lambda r: r.name.casefold())]


def newest_first(reports):
    """Newest first; a report without a date counts as oldest (ties: the higher id first)."""
    return [r.id for r in sorted(reports, key=lambda r: (r.added or "", int(r.id)), reverse=True)]


@pytest.fixture
def patch_bodies(monkeypatch):
    """The JSON bodies of the PATCH requests the simulator receives, as (path, body): the
    simulator's own log keeps method, path and query only."""
    received = []
    dispatch = api.dispatch

    def recording(sim, request):
        if request.method == "PATCH":
            received.append((request.path, json.loads(request.body or b"null")))
        return dispatch(sim, request)

    monkeypatch.setattr(api, "dispatch", recording)
    return received


# Sorting --------------------------------------------------------------------------------------


def test_sort_by_name_ascending_and_descending(client_connected, simulator):
    reports = simulator.state.reports
    page = client_connected.get(
        reverse("reports:list", args=["demo"]), {"sort": "name", "per_page": 100}
    )
    html = page.content.decode()
    assert row_ids(html) == by_name(reports)
    sorts = header_sorts(html)
    assert sorts["Name"] == "ascending"
    assert {label for label, value in sorts.items() if value != "none"} == {"Name"}

    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"sort": "-name", "per_page": 100}
    ).content.decode()
    assert row_ids(html) == list(reversed(by_name(reports)))
    assert header_sorts(html)["Name"] == "descending"


def test_the_sorted_header_links_to_the_other_way(client_connected, simulator):
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"sort": "name"}
    ).content.decode()
    name_link = re.search(r'aria-sort="ascending"[^>]*>\s*<a [^>]*href="([^"]*)"', html)
    assert "sort=-name" in unescape(name_link.group(1))
    assert "page=1" in unescape(name_link.group(1))


def test_default_order_is_newest_first(client_connected, simulator):
    reports = simulator.state.reports
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 100}
    ).content.decode()
    assert row_ids(html) == newest_first(reports)
    sorts = header_sorts(html)
    assert sorts["Added"] == "descending"
    assert sorts["Name"] == "none"
    # The newest report is first, the ones without a date last.
    dated = [r for r in reports if r.added]
    assert row_ids(html)[0] == max(dated, key=lambda r: r.added).id
    undated = {r.id for r in reports if not r.added}
    assert set(row_ids(html)[-len(undated) :]) == undated


@pytest.mark.parametrize("bad", ["bogus", "-", "--name", "Name", "name;drop", "-added-"])
def test_a_bad_sort_value_falls_back_to_the_default(client_connected, simulator, bad):
    expected = newest_first(simulator.state.reports)
    response = client_connected.get(
        reverse("reports:list", args=["demo"]), {"sort": bad, "per_page": 100}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert row_ids(html) == expected
    assert header_sorts(html)["Added"] == "descending"


def _rename(client, report, name: str):
    """Saves the edit form of ``report`` with only its name changed; the answer."""
    data = form_data(
        name=name,
        description=report.description or "",
        interval=report.interval,
        active="on" if report.active else None,
        report_type=None,
        **{
            "arg-format": report.values("format")[0],
            "arg-queue_id": report.values("queue_id")[0],
            "arg-option": report.values("option")[0],
            "arg-email": "\n".join(report.values("email")),
        },
    )
    url = reverse("reports:edit", args=["demo", report.id])
    return client.post(url, data | shown_version(client, url))


def test_a_warm_sorted_list_shows_our_own_rename_in_its_place_at_once(client_connected, simulator):
    # The order is worked out once per snapshot version: warm it, then change a name.
    for _ in range(2):
        html = client_connected.get(
            reverse("reports:list", args=["demo"]), {"sort": "name", "per_page": 100}
        ).content.decode()
    assert row_ids(html) == by_name(simulator.state.reports)
    report = simulator.state.reports[1]
    assert row_ids(html)[0] != report.id
    assert _rename(client_connected, report, "0 first by name").status_code == 302

    simulator.log.clear()
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"sort": "name", "per_page": 100}
    ).content.decode()
    assert list_reads(simulator) == [], "the snapshot holds our own write"
    assert row_ids(html)[0] == report.id
    assert row_ids(html) == by_name(simulator.state.reports)
    assert "0 first by name" in html
    # A search keeps the order too (it filters the sorted reports).
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"sort": "-name", "q": "first by name"}
    ).content.decode()
    assert row_ids(html) == [report.id]


def test_a_warm_list_takes_its_results_from_this_process_cache(
    client_connected, simulator, monkeypatch
):
    from reports_admin.reports.views import pages

    url = reverse("reports:list", args=["demo"]) + "?per_page=10"
    first = client_connected.get(url)
    made = []
    monkeypatch.setattr(pages, "report_rows", lambda *a, **k: made.append("rows") or [])
    monkeypatch.setattr(pages, "pagination", lambda *a, **k: made.append("pages"))
    again = client_connected.get(url)
    # The same results, from the cache under the same key, with no rows or page links
    # worked out for them.
    assert again.context["results_key"] == first.context["results_key"]
    assert again.content.decode().count("page-link") == first.content.decode().count("page-link")
    assert row_ids(again.content.decode()) == row_ids(first.content.decode())
    assert len(row_ids(again.content.decode())) == 10
    assert made == []
    # Another page of the same list is another key.
    other = client_connected.get(url + "&page=2")
    assert other.context["results_key"] != first.context["results_key"]
    assert made == ["rows", "pages"]


def test_the_cached_filters_follow_the_language_and_the_search(
    client_connected, simulator, swedish_catalogue
):
    url = reverse("reports:list", args=["demo"])
    english = client_connected.get(url, {"q": "samtal"}).content.decode()
    assert "Search name or recipient" in english
    assert 'name="q" value="samtal"' in english
    swedish = client_connected.get(
        url, {"q": "samtal"}, headers={"accept-language": "sv"}
    ).content.decode()
    assert "Sök på namn eller mottagare" in swedish
    assert "Rapporttyp" in swedish
    other = client_connected.get(url, {"q": "kund"}).content.decode()
    assert 'name="q" value="kund"' in other


# Counts and page numbers ----------------------------------------------------------------------


def test_a_search_shows_exact_counts(client_connected, simulator):
    reports = simulator.state.reports
    needle = "kundtjänst"
    matching = [
        r
        for r in reports
        if needle in r.name.casefold() or any(needle in e.casefold() for e in r.values("email"))
    ]
    assert 1 < len(matching) < len(reports)
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"q": "Kundtjänst"}
    ).content.decode()
    assert f"{len(matching)} of {len(reports)} reports match." in html
    assert sorted(row_ids(html)) == sorted(r.id for r in matching)

    paused = [r for r in reports if not r.active]
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"active": "0"}
    ).content.decode()
    assert f"{len(paused)} of {len(reports)} reports match." in html


def test_no_filter_shows_the_company_count(client_connected, simulator):
    count = len(simulator.state.reports)
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 10}
    ).content.decode()
    assert f"{count} reports." in html
    assert "match." not in html
    # The count is the company's, not the page's.
    assert len(row_ids(html)) == 10 < count


PAGE_LINK = r'<a class="page-link" href="[^"]*"><span class="visually-hidden">Page </span>(\d+)</a>'
CURRENT_PAGE = r'<li class="page-item active" aria-current="page"><span class="page-link">(\d+)<'


def page_numbers(html: str) -> tuple[list[int], list[int]]:
    """The numbered page links, and the page(s) marked current."""
    links = [int(n) for n in re.findall(PAGE_LINK, html)]
    current = [int(n) for n in re.findall(CURRENT_PAGE, html)]
    return links, current


def test_page_numbers_link_every_page_and_mark_the_current_one(client_connected, simulator):
    for number in range(5):
        simulator.state.create_report(
            {"name": f"Extra {number}", "interval": "day", "active": True},
            "1",
            [("format", "xlsx")],
        )
    total = len(simulator.state.reports)
    assert total >= 30
    last = -(-total // 10)

    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 10}
    ).content.decode()
    links, current = page_numbers(html)
    assert current == [1]
    assert sorted(links + current) == list(range(1, last + 1))
    pages_nav = re.search(r'<nav [^>]*aria-label="Pages">.*?</nav>', html, re.S).group(0)
    assert pages_nav.count('aria-current="page"') == 1
    for number in links:
        assert f"per_page=10&amp;page={number}" in html

    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 10, "page": last}
    ).content.decode()
    links, current = page_numbers(html)
    assert current == [last]
    assert sorted(links + current) == list(range(1, last + 1))
    assert f"{(last - 1) * 10 + 1}–{total} of {total}" in html


# The Active switch ----------------------------------------------------------------------------


def active_report(simulator):
    return next(r for r in simulator.state.reports if r.active)


def test_switch_off_without_htmx(client_connected, simulator, patch_bodies):
    report = active_report(simulator)
    client_connected.get(reverse("reports:list", args=["demo"]))
    simulator.log.clear()

    response = client_connected.post(
        reverse("reports:active", args=["demo", report.id]), {"active": "0"}
    )
    assert response.status_code == 302
    assert response.url == reverse("reports:list", args=["demo"])
    patches = [r for r in simulator.requests if r.method == "PATCH"]
    assert [(r.path, r.query) for r in patches] == [(f"/company/report/{report.id}", {})]
    assert patch_bodies == [(f"/company/report/{report.id}", {"active": 0})]
    assert [(r.method, r.path) for r in simulator.requests] == [
        ("PATCH", f"/company/report/{report.id}")
    ]
    assert simulator.state.report(report.id).active is False
    # Nothing else changed.
    after = simulator.state.report(report.id)
    assert (after.name, after.interval, after.arguments) == (
        report.name,
        report.interval,
        report.arguments,
    )

    # The list shows it paused at once.
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 100}
    ).content.decode()
    row = re.search(rf'<tr id="report-{report.id}">.*?</tr>', html, re.S).group(0)
    assert 'aria-checked="false"' in row
    assert 'name="active" value="1"' in row


def test_switch_without_htmx_goes_back_to_the_page_it_was_on(client_connected, simulator):
    report = active_report(simulator)
    back = reverse("reports:list", args=["demo"]) + "?sort=name&page=2&per_page=10"
    response = client_connected.post(
        reverse("reports:active", args=["demo", report.id]), {"active": "0", "next": back}
    )
    assert response.status_code == 302
    assert response.url == back
    assert simulator.state.report(report.id).active is False


def test_switch_off_through_htmx_answers_the_row(client_connected, simulator, patch_bodies):
    report = active_report(simulator)
    client_connected.get(reverse("reports:list", args=["demo"]))
    simulator.log.clear()

    response = client_connected.post(
        reverse("reports:active", args=["demo", report.id]),
        {"active": "0"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/reports/?sort=name",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="report-{report.id}">')
    assert "<html" not in html
    assert 'aria-checked="false"' in html
    assert 'name="active" value="1"' in html
    assert report.name in html
    assert patch_bodies == [(f"/company/report/{report.id}", {"active": 0})]
    assert [(r.method, r.path) for r in simulator.requests] == [
        ("PATCH", f"/company/report/{report.id}")
    ]
    assert simulator.state.report(report.id).active is False


def test_switch_posts_the_state_wanted_not_a_toggle(client_connected, simulator, patch_bodies):
    report = active_report(simulator)
    url = reverse("reports:active", args=["demo", report.id])
    for _ in range(2):
        response = client_connected.post(url, {"active": "0"}, HTTP_HX_REQUEST="true")
        assert 'aria-checked="false"' in response.content.decode()
    assert simulator.state.report(report.id).active is False
    assert [body for _, body in patch_bodies] == [{"active": 0}, {"active": 0}]


def test_switch_on_activates(client_connected, simulator, patch_bodies):
    report = next(r for r in simulator.state.reports if not r.active)
    client_connected.get(reverse("reports:list", args=["demo"]))
    simulator.log.clear()

    response = client_connected.post(
        reverse("reports:active", args=["demo", report.id]), {"active": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'aria-checked="true"' in response.content.decode()
    assert patch_bodies == [(f"/company/report/{report.id}", {"active": 1})]
    assert simulator.state.report(report.id).active is True

    response = client_connected.post(
        reverse("reports:active", args=["demo", report.id]), {"active": "1"}
    )
    assert response.status_code == 302
    assert simulator.state.report(report.id).active is True


def test_switch_on_a_report_deleted_meanwhile(client_connected, simulator):
    report = active_report(simulator)
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 100}
    ).content.decode()
    assert report.id in row_ids(html)
    simulator.state.delete_report(report.id)

    response = client_connected.post(
        reverse("reports:active", args=["demo", report.id]), {"active": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "no longer exists" in response.content.decode()
    assert simulator.state.report(report.id) is None

    simulator.log.clear()
    html = client_connected.get(
        reverse("reports:list", args=["demo"]), {"per_page": 100}
    ).content.decode()
    assert report.id not in row_ids(html)
    assert f"{len(simulator.state.reports)} reports." in html


def test_switch_on_a_deleted_report_without_htmx(client_connected, simulator):
    report = active_report(simulator)
    client_connected.get(reverse("reports:list", args=["demo"]))
    simulator.state.delete_report(report.id)

    response = client_connected.post(
        reverse("reports:active", args=["demo", report.id]), {"active": "0"}, follow=True
    )
    assert response.redirect_chain == [(reverse("reports:list", args=["demo"]), 302)]
    assert report.id not in row_ids(response.content.decode())


def test_switch_refuses_get(client_connected, simulator):
    report = active_report(simulator)
    response = client_connected.get(reverse("reports:active", args=["demo", report.id]))
    assert response.status_code == 405
    assert simulator.state.report(report.id).active is True


# Refresh ------------------------------------------------------------------------------------


def test_refresh_reads_the_reports_again(client_connected, simulator):
    html = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert "As of " in html
    report = simulator.state.report(row_ids(html)[0])
    simulator.state.update_report(report.id, {"name": "Renamed"})

    simulator.log.clear()
    html = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert report.name in html
    assert ">Renamed<" not in html
    assert list_reads(simulator) == []

    response = client_connected.post(reverse("reports:refresh_reports", args=["demo"]))
    assert response.status_code == 302
    assert response.url == reverse("reports:list", args=["demo"])
    assert len(list_reads(simulator)) >= 1

    html = client_connected.get(reverse("reports:list", args=["demo"])).content.decode()
    assert ">Renamed<" in html
    assert f">{report.name}<" not in html
    assert "As of " in html


def test_refresh_goes_back_to_the_page_it_was_on(client_connected, simulator):
    back = reverse("reports:list", args=["demo"]) + "?sort=-name&per_page=10"
    response = client_connected.post(
        reverse("reports:refresh_reports", args=["demo"]), {"next": back}
    )
    assert response.status_code == 302
    assert response.url == back


# Where create and edit land -------------------------------------------------------------------


def test_after_create_the_person_lands_on_the_report(client_connected, simulator):
    before = {r.id for r in simulator.state.reports}
    response = client_connected.post(reverse("reports:create", args=["demo"]), form_data())
    assert response.status_code == 302
    [new_id] = {r.id for r in simulator.state.reports} - before
    assert simulator.state.report(new_id).name == "Missed calls, Support"
    assert response.url == reverse("reports:detail", args=["demo", new_id])

    page = client_connected.get(response.url)
    assert page.status_code == 200
    assert "Created “Missed calls, Support”." in page.content.decode()


def test_after_edit_the_person_lands_on_the_report(client_connected, simulator):
    report = simulator.state.reports[1]
    response = _rename(client_connected, report, "Renamed in the form")
    assert response.status_code == 302
    assert response.url == reverse("reports:detail", args=["demo", report.id])
    assert simulator.state.report(report.id).name == "Renamed in the form"

    page = client_connected.get(response.url).content.decode()
    assert "Saved “Renamed in the form”." in page
    assert "Renamed in the form" in page


# Warm pages -----------------------------------------------------------------------------------


def test_warm_pages_make_no_list_call(client_connected, simulator):
    report = simulator.state.reports[0]
    assert client_connected.get(reverse("reports:list", args=["demo"])).status_code == 200
    simulator.log.clear()

    pages = [
        reverse("reports:detail", args=["demo", report.id]),
        reverse("reports:edit", args=["demo", report.id]),
        reverse("reports:list", args=["demo"]) + "?q=samtal",
        reverse("reports:list", args=["demo"]) + "?sort=name&page=2&per_page=10",
        reverse("reports:send", args=["demo", report.id]),
    ]
    for url in pages:
        response = client_connected.get(url)
        assert response.status_code == 200, url
        assert report.name in response.content.decode() or "samtal" in url or "page=2" in url
        assert list_reads(simulator) == [], url
