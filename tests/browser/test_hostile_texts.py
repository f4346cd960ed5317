"""In a real browser: Weblink's texts holding htmx attributes do nothing (issue 17, item 1)."""

from django.core.cache import cache
from playwright.sync_api import expect

from reports_admin.connection.models import WeblinkConnection
from weblink_sim.faults import HOSTILE_TEXT


def test_htmx_attributes_in_weblink_texts_do_nothing(connected_page, simulator):
    page = connected_page
    simulator.faults.hostile_texts = True
    cache.clear()  # the list and types were read at sign-in, before the fault
    posted = []
    page.on(
        "request", lambda request: posted.append(request.url) if request.method == "POST" else None
    )
    report = next(r for r in simulator.state.reports if r.report_type_id == "2")
    for url in ("/reports/", f"/reports/{report.id}/", f"/reports/{report.id}/edit/"):
        page.goto(url)
        page.wait_for_function("() => window.htmx !== undefined")
        page.wait_for_load_state("networkidle")
        # The text is shown as it came, tags and all.
        expect(page.locator("main")).to_contain_text(HOSTILE_TEXT)
    assert not [url for url in posted if "disconnect" in url]
    assert WeblinkConnection.objects.filter(user__username="browser").exists()
