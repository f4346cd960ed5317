"""The walls the code keeps, checked on every `make test`.

- Who may import whom: import-linter's contracts in pyproject.toml ([tool.importlinter]) are
  kept, and they name every wing, so a new one cannot slip past them.
- The templates hold no inline script or style, which the Content-Security-Policy would block
  (config/settings.py's SECURE_CSP): scripts and styles come from files in static/.
- The Weblink simulator is an installed app only where WEBLINK_SIMULATOR is on: `make run`,
  the tests and compose's demo profile, never production.
"""

from __future__ import annotations

import json
import os
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

import reports_admin
import reports_admin.weblink

BASE_DIR = Path(__file__).resolve().parent.parent
IMPORTLINTER = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["name"]: contract for contract in IMPORTLINTER["contracts"]}
TEMPLATES_DIR = BASE_DIR / "templates"
TEMPLATES = sorted(path for path in TEMPLATES_DIR.rglob("*") if path.is_file())


def _contract(type_name: str, *, containers: bool = False) -> dict:
    (contract,) = [
        c
        for c in CONTRACTS.values()
        if c["type"] == type_name and bool(c.get("containers")) == containers
    ]
    return contract


def _children(package) -> set[str]:
    return {f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)}


# --- Imports ----------------------------------------------------------------------------------


def test_the_import_contracts_are_kept():
    """`lint-imports`, as .ci/run runs it; on failure, its report says which import broke what."""
    script = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", script, "--no-logo"],
        cwd=BASE_DIR,
        # Wide and plain, so that the contract names and import chains are not wrapped.
        env={**os.environ, "COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"lint-imports found a broken contract:\n{report}"
    for name in CONTRACTS:
        assert f"{name} KEPT" in report, f"contract {name!r} was not checked:\n{report}"


def test_the_contracts_cover_every_wing():
    """Every module of reports_admin is in the layers across wings (migrations are Django's)."""
    layers = _contract("layers")["layers"]
    named = {m.strip().strip("()") for layer in layers for m in re.split(r"[|:]", layer)}
    missing = _children(reports_admin) - named - {"reports_admin.migrations"}
    assert not missing, (
        f"{sorted(missing)} are in no layer of the contract across wings in pyproject.toml "
        "([tool.importlinter]); add each where it belongs"
    )


def test_only_the_weblink_client_may_import_requests():
    """The forbidden contract's sources are everything in reports_admin but the client."""
    sources = set(_contract("forbidden")["source_modules"])
    expected = _children(reports_admin) - {"reports_admin.weblink"}
    expected |= _children(reports_admin.weblink) - {"reports_admin.weblink.client"}
    assert _contract("forbidden")["forbidden_modules"] == ["requests"]
    assert sources == expected, (
        "the contract on `requests` in pyproject.toml should list every module of "
        f"reports_admin but reports_admin.weblink.client: missing {sorted(expected - sources)}, "
        f"not there {sorted(sources - expected)}"
    )


def test_the_dashboard_and_the_simulator_are_independent():
    assert set(_contract("independence")["modules"]) == {"reports_admin", "weblink_sim"}


# --- Templates --------------------------------------------------------------------------------

# A <script> or <style> element and its body; a <script src=...></script> has an empty one.
INLINE_ELEMENT = re.compile(
    r"<(?P<tag>script|style)\b[^>]*>(?P<body>.*?)</(?P=tag)\s*>", re.IGNORECASE | re.DOTALL
)
# An attribute inside a tag: style="...", or an event handler such as onclick="..." (htmx's
# hx-on:... attributes are not matched).
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^<>]*?(?<![\w:-])(?P<name>style)\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[a-zA-Z][^<>]*?(?<![\w:-])(?P<name>on[a-z]+)\s*=", re.IGNORECASE)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _where(template: Path) -> str:
    return template.relative_to(BASE_DIR).as_posix()


def test_templates_are_found():
    assert (TEMPLATES_DIR / "base.html") in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: _where(path))
def test_no_inline_script_or_style_element(template: Path):
    """Scripts come from files (<script src>, {% htmx_script %}); styles from static/css."""
    text = template.read_text()
    found = [
        f"{_where(template)}:{_line(text, match.start())}: <{match['tag']}> with a body "
        f"({match['body'].strip()[:60]!r})"
        for match in INLINE_ELEMENT.finditer(text)
        if match["body"].strip()
    ]
    found += [
        f"{_where(template)}:{_line(text, match.start('name'))}: inline {match['name']}= handler"
        for match in HANDLER_ATTRIBUTE.finditer(text)
    ]
    assert not found, (
        "the CSP blocks inline scripts; move them into a file in static/js/:\n" + "\n".join(found)
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: _where(path))
def test_no_style_attribute(template: Path):
    text = template.read_text()
    found = [
        f"{_where(template)}:{_line(text, match.start('name'))}: style= attribute"
        for match in STYLE_ATTRIBUTE.finditer(text)
    ]
    assert not found, (
        "the CSP blocks inline styles; use a class (Bootstrap's, or one in static/css/app.css):\n"
        + "\n".join(found)
    )


# --- The simulator is not in production -------------------------------------------------------

# What .ci/run's `check --deploy` step gives the production settings, and nothing else.
PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "reports.example.com",
    "SECRET_KEY": "s" * 60,
    "WEBLINK_TOKEN_KEYS": os.environ["WEBLINK_TOKEN_KEYS"],
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
}
APPS_AND_COMMANDS = """
import json

import environ

# The settings' own default: a local .env (make run's) must not decide the answer.
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)

import django
from django.apps import apps
from django.conf import settings
from django.core.management import get_commands

django.setup()
print(json.dumps({
    "installed_apps": settings.INSTALLED_APPS,
    "apps": [config.name for config in apps.get_app_configs()],
    "commands": sorted(get_commands()),
}))
"""


def _production(**env: str) -> dict:
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", APPS_AND_COMMANDS],
        cwd=BASE_DIR,
        env={**PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_leave_the_simulator_out():
    loaded = _production()
    assert "weblink_sim" not in loaded["installed_apps"], loaded["installed_apps"]
    assert "weblink_sim" not in loaded["apps"]
    assert "reports_admin" in loaded["apps"]
    assert "weblink_simulator" not in loaded["commands"]


def test_weblink_simulator_true_installs_the_simulator():
    loaded = _production(WEBLINK_SIMULATOR="true")
    assert "weblink_sim" in loaded["apps"]
    assert "weblink_simulator" in loaded["commands"]


def test_the_test_settings_install_the_simulator():
    assert settings.WEBLINK_SIMULATOR is True
    assert "weblink_sim" in settings.INSTALLED_APPS


def test_make_run_turns_the_simulator_on_for_the_simulator_alone():
    lines = (BASE_DIR / "scripts" / "run.sh").read_text().splitlines()
    commands = [line for line in lines if "manage.py" in line and not line.startswith("#")]
    simulator = [line for line in commands if "weblink_simulator" in line]
    assert simulator, "scripts/run.sh no longer starts `manage.py weblink_simulator`"
    for line in commands:
        on = "WEBLINK_SIMULATOR=true" in line
        assert on == (line in simulator), f"scripts/run.sh: {line.strip()}"
    assert not any(line.startswith("export WEBLINK_SIMULATOR") for line in lines)


@pytest.mark.parametrize("path", sorted((BASE_DIR / "static/css").glob("*.css")), ids=str)
def test_every_stylesheet_closes_what_it_opens(path):
    # An unclosed @media block silently confines every later rule to its media query.
    css = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    depth = 0
    for char in css:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, f"{path.name}: a }} closes nothing"
    assert depth == 0, f"{path.name}: {depth} block(s) left open"
