"""gunicorn's own settings that follow the dashboard's: trusted proxies and log format
(issue 17, item 10); and the default ALLOWED_HOSTS."""

from __future__ import annotations

import json
import logging.config
import runpy
import subprocess
import sys

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from config.settings import BASE_DIR


def gunicorn_config(monkeypatch, **environ: str) -> Config:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(BASE_DIR / "config" / "gunicorn.py"))
    config = Config()
    for name, value in values.items():
        if name in config.settings:
            config.set(name, value)
    return config


@pytest.mark.parametrize(("proxies", "allowed"), [("0", []), ("1", ["*"])])
def test_forwarded_headers_are_trusted_only_behind_configured_proxies(
    monkeypatch, proxies, allowed
):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    config = gunicorn_config(monkeypatch, TRUSTED_PROXY_COUNT=proxies)
    assert config.forwarded_allow_ips == allowed


@pytest.fixture
def restored_logging(settings):
    """gunicorn's Logger configures logging for the process: put the suite's back after."""
    yield
    logging.config.dictConfig(settings.LOGGING)


def test_gunicorn_error_lines_are_json_under_log_format_json(monkeypatch, capsys, restored_logging):
    config = gunicorn_config(monkeypatch, LOG_FORMAT="json")
    logger = Logger(config)
    logger.error("Worker (pid:%s) was sent SIGKILL!", 42)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    entry = json.loads(lines[-1])
    assert entry["logger"] == "gunicorn.error"
    assert entry["message"] == "Worker (pid:42) was sent SIGKILL!"
    assert entry["level"] == "ERROR"
    logger.access_log.info("GET / 200")  # the access logger stays silent
    assert not capsys.readouterr().err.strip()


def test_allowed_hosts_has_no_testserver_outside_the_tests():
    code = "import config.settings as s; print(','.join(s.ALLOWED_HOSTS))"
    environ = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "127.0.0.1,localhost"
