"""The README's screenshots, taken from the running dashboard and simulator.

Every run takes them (into a temporary folder), so the tour's pages are checked to render;
only with UPDATE_SCREENSHOTS=1 (`UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest
tests/browser/test_screenshots.py`) do they replace the README's copies in docs/screenshots.
Each page is shot at 1280×800 and, when pngquant is installed (apt-get install pngquant),
squeezed to a palette.
"""

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reports_admin.connection.services import connection_sign_in
from tests.browser.conftest import sign_in

README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where the pictures go: the README's folder only when asked to update it."""
    return README_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path


@pytest.fixture
def tab(browser, live_server, browser_user_connected):
    """A signed-in, connected tab the size of the screenshots."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page)
    yield page
    context.close()


def shoot(page, folder: Path, name: str) -> Path:
    """The viewport as <folder>/<name>.png, made small."""
    path = folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover effects in the picture
    page.screenshot(path=path, animations="disabled", caret="hide")
    if pngquant := shutil.which("pngquant"):
        subprocess.run(  # noqa: S603 (our own fixed arguments)
            [pngquant, "--force", "--skip-if-larger", "--strip", "--ext", ".png", str(path)],
            check=False,  # exit 98/99: already as small as it gets, the original is kept
        )
    return path


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def test_screenshots_of_the_main_pages(
    tab, browser_user_connected, simulator, screenshots, swedish_catalogue, tmp_path
):
    page = tab
    report = simulator.state.reports[0]
    shots = []

    expect(page.get_by_role("table")).to_be_visible()
    shots.append(shoot(page, screenshots, "reports"))

    page.goto("/reports/new/")
    page.get_by_label("Name").fill("Queue statistics, support")
    page.get_by_label("Report type").select_option(label="Queue - Statistics")
    expect(page.get_by_label("Report content")).to_be_visible()
    shots.append(shoot(page, screenshots, "new-report"))

    page.goto(f"/reports/{report.id}/")
    shots.append(shoot(page, screenshots, "report"))
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.get_by_role("region", name="Preview of the report")
    expect(preview.get_by_role("columnheader", name="Period")).to_be_visible()
    # Instant: Bootstrap scrolls smoothly, and the picture would catch it half-way.
    page.get_by_role("heading", name="Preview", exact=True).evaluate(
        "h => h.scrollIntoView({behavior: 'instant'})"
    )
    shots.append(shoot(page, screenshots, "preview"))

    page.goto(f"/reports/{report.id}/send/")
    shots.append(shoot(page, screenshots, "send-now"))
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_text("Sent to")).to_be_visible()

    page.goto("/activity/")
    shots.append(shoot(page, screenshots, "activity"))

    page.goto("/connection/")
    shots.append(shoot(page, screenshots, "connection"))

    # The dry run of a pack: one report new, one changed since (a copy), the rest identical.
    page.goto("/reports/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export all").click()
    pack = json.loads(Path(download.value.path()).read_text())
    pack["reports"][0]["name"] = "Missed calls, evening shift"
    pack["reports"][1]["interval"] = "week"
    (tmp_path / "pack.json").write_text(json.dumps(pack))
    page.goto("/reports/import/")
    page.get_by_label("Report pack").set_input_files(tmp_path / "pack.json")
    page.get_by_role("button", name="Show what would be imported").click()
    expect(page.get_by_text(re.compile(r"This is a dry run"))).to_be_visible()
    shots.append(shoot(page, screenshots, "import"))

    # A second company: All companies, with the switcher open.
    connection_sign_in(
        user=browser_user_connected, company="hamnen", username="admin", password="hamnen"
    )  # noqa: S106
    page.goto("/companies/")
    page.locator(".company-switcher > summary").click()
    expect(page.locator(".company-switcher").get_by_role("link", name="hamnen")).to_be_visible()
    shots.append(shoot(page, screenshots, "companies"))

    page.get_by_role("button", name="browser").click()  # the account menu
    page.get_by_role("button", name="Svenska").click()
    page.goto("/c/demo/reports/")
    expect(page.get_by_role("heading", name="Rapporter", exact=True)).to_be_visible()
    shots.append(shoot(page, screenshots, "reports-sv"))

    for path in shots:
        assert png_size(path) == (1280, 800)
        assert path.stat().st_size < 400_000, f"{path.name} is too big for the README"
