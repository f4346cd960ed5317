"""The Swedish catalogue is complete: `makemessages` over the code and templates (as `make
messages` runs it, in a copy of the project) leaves no string untranslated and none fuzzy,
and every translation keeps its placeholders."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path("locale/sv/LC_MESSAGES/django.po")
# What `make messages` leaves out: the simulator is a developer's tool, in English only.
IGNORED = [".venv", "weblink_sim", "tests", "bench", "staticfiles"]
NOT_COPIED = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*.mo", "*.sqlite3", "staticfiles", ".*_cache", ".hypothesis"
)


@pytest.fixture(scope="module")
def gettext_tools() -> dict[str, str]:
    """gettext's programs (makemessages and compilemessages need them), by name."""
    tools = {name: shutil.which(name) for name in ("xgettext", "msgmerge", "msgfmt", "msgattrib")}
    if not all(tools.values()):
        missing = "gettext is not installed (apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must check the Swedish catalogue")
        pytest.skip(f"{missing}; the catalogue check is skipped")
    return tools


def _msgids(po_text: str) -> list[str]:
    """The msgids of the entries msgattrib printed (the header's empty one left out)."""
    entries = re.findall(r'^msgid ((?:".*"\n)+)', po_text, flags=re.MULTILINE)
    texts = ["".join(re.findall(r'"(.*)"', entry)) for entry in entries]
    return [text for text in texts if text]


def _entries(msgattrib: str, po_file: Path, *flags: str) -> list[str]:
    result = subprocess.run(  # noqa: S603 (our own fixed arguments)
        [msgattrib, "--no-obsolete", *flags, str(po_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    return _msgids(result.stdout)


def test_every_string_has_a_swedish_translation(gettext_tools, tmp_path, settings, monkeypatch):
    copy = tmp_path / "project"
    shutil.copytree(settings.BASE_DIR, copy, ignore=NOT_COPIED)
    # makemessages writes into the first of LOCALE_PATHS: the copy's, never the real one.
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages", locale=["sv"], ignore_patterns=IGNORED, add_location="file", verbosity=0
    )
    refreshed = copy / CATALOGUE
    msgattrib = gettext_tools["msgattrib"]
    assert _entries(msgattrib, refreshed, "--untranslated") == [], (
        "Strings without a Swedish translation: run `make messages` and translate them in "
        f"{CATALOGUE}"
    )
    assert _entries(msgattrib, refreshed, "--only-fuzzy") == [], (
        f"Fuzzy (guessed) Swedish translations: check them in {CATALOGUE}, then drop the "
        "'fuzzy' flag"
    )


def test_the_catalogue_compiles_with_every_placeholder_kept(gettext_tools, tmp_path):
    result = subprocess.run(  # noqa: S603 (our own fixed arguments)
        [gettext_tools["msgfmt"], "--check", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_compiles_the_catalogue():
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    assert "compilemessages" in dockerfile
    assert "COPY --from=builder /src/locale ./locale" in dockerfile
