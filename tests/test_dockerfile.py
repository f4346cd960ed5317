"""The container files, read as text (no Docker engine runs here; CI also runs hadolint).

Dockerfile: stages, base image, non-root user, health check, port, no secret baked in.
.dockerignore: only what runs goes in. config/gunicorn.py: valid, threaded, from the
environment. compose.yaml: two instances, one-shot migrations, PostgreSQL, Redis, demo profile
(the only service with WEBLINK_SIMULATOR on).
"""

from __future__ import annotations

import json
import os
import re
import runpy
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings

try:
    import yaml
except ImportError:  # a dev tool's dependency, not ours: text checks still run without it
    yaml = None

BASE_DIR = Path(__file__).resolve().parent.parent
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
DOCKERIGNORE = (BASE_DIR / ".dockerignore").read_text()
COMPOSE = (BASE_DIR / "compose.yaml").read_text()
SECRET_NAMES = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|KEY", re.IGNORECASE)


@dataclass
class Instruction:
    keyword: str
    arguments: str


def _instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined and comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            found.append(Instruction(keyword.upper(), arguments.strip()))
    return found


def _stages() -> list[list[Instruction]]:
    stages: list[list[Instruction]] = []
    for instruction in _instructions(DOCKERFILE):
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, "the Dockerfile must start with FROM"
        stages[-1].append(instruction)
    return stages


def _final(keyword: str) -> list[Instruction]:
    return [i for i in _stages()[-1] if i.keyword == keyword]


def test_multi_stage_on_python_313_slim():
    stages = _stages()
    assert len(stages) >= 2
    for stage in stages:
        image = stage[0].arguments.split()[0]
        assert image == "python:3.13-slim"


def test_the_runtime_takes_the_virtualenv_from_the_builder():
    builder = _stages()[0][0].arguments.split()[-1]
    copies = [i.arguments for i in _final("COPY")]
    assert any(c.startswith(f"--from={builder} /venv") for c in copies)
    assert not any("pip install" in i.arguments for i in _final("RUN"))


def test_the_final_stage_runs_as_a_non_root_user():
    users = _final("USER")
    assert users, "the final stage sets no USER, so it runs as root"
    user = users[-1].arguments.split(":")[0]
    assert user not in {"root", "0"}
    # Nothing runs as root after the switch except the command itself.
    final = _stages()[-1]
    assert all(i.keyword != "RUN" for i in final[final.index(users[-1]) :])


def test_health_check_and_port():
    (healthcheck,) = _final("HEALTHCHECK")
    assert "CMD" in healthcheck.arguments
    assert "/healthz" in healthcheck.arguments
    assert "curl" not in healthcheck.arguments  # not in the slim image
    assert [i.arguments for i in _final("EXPOSE")] == ["8000"]


def test_the_health_check_command_is_valid_python():
    (healthcheck,) = _final("HEALTHCHECK")
    command = json.loads(healthcheck.arguments[healthcheck.arguments.index("CMD") + 3 :])
    assert command[:2] == ["python", "-c"]
    compile(command[2], "HEALTHCHECK", "exec")


def test_starts_gunicorn_with_our_config():
    (cmd,) = _final("CMD")
    command = json.loads(cmd.arguments)
    assert command[0] == "gunicorn"
    assert "config/gunicorn.py" in command


def test_static_files_are_collected_at_build_time():
    runs = [i.arguments for i in _final("RUN")]
    assert any("collectstatic --noinput" in run for run in runs)


def test_no_secret_is_baked_into_the_image():
    for instruction in _instructions(DOCKERFILE):
        if instruction.keyword in {"ENV", "ARG", "LABEL"}:
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", instruction.arguments)
            names += [instruction.arguments.split("=")[0].split()[0]]
            assert not any(SECRET_NAMES.search(name) for name in names), instruction
    # The throwaway values collectstatic needs live on its RUN line only.
    (collect,) = [i for i in _final("RUN") if "collectstatic" in i.arguments]
    assert "SECRET_KEY=" in collect.arguments


def test_dockerignore_lets_in_only_what_runs():
    entries = [line.strip() for line in DOCKERIGNORE.splitlines()]
    entries = [e for e in entries if e and not e.startswith("#")]
    assert entries[0] == "*", "start from nothing, so no local secret or database slips in"
    allowed = {e[1:].rstrip("/") for e in entries if e.startswith("!")}
    needed = {"manage.py", "config"}
    needed |= {app for app in settings.INSTALLED_APPS if (BASE_DIR / app).is_dir()}
    needed |= {Path(d).relative_to(BASE_DIR).as_posix() for d in settings.STATICFILES_DIRS}
    needed |= {
        Path(d).relative_to(BASE_DIR).as_posix() for t in settings.TEMPLATES for d in t["DIRS"]
    }
    assert needed <= allowed
    assert not allowed & {".env", "db.sqlite3", ".venv", ".git", "tests"}


def test_gunicorn_config_is_threaded_and_read_from_the_environment(monkeypatch):
    from gunicorn.config import Config

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "5")
    values = runpy.run_path(str(BASE_DIR / "config" / "gunicorn.py"))
    config = Config()
    for name, value in values.items():
        if not name.startswith("_") and not isinstance(value, ModuleType):  # settings, hooks
            assert name in config.settings, f"{name} is not a gunicorn setting"
            config.set(name, value)
    assert config.worker_class_str == "gthread"
    assert (config.workers, config.threads) == (3, 5)
    assert config.timeout >= 300  # a long download must not look like a stuck worker
    assert 0 < config.graceful_timeout < 70  # inside compose.yaml's stop_grace_period
    assert config.accesslog is None  # the middleware logs each request, with its id
    assert config.bind == ["0.0.0.0:8000"]


def test_gunicorn_takes_bind_and_the_download_grace_period_from_the_environment(monkeypatch):
    monkeypatch.setenv("BIND", "127.0.0.1:9000")
    monkeypatch.setenv("DOWNLOAD_GRACE_SECONDS", "20")
    values = runpy.run_path(str(BASE_DIR / "config" / "gunicorn.py"))
    assert values["bind"] == "127.0.0.1:9000"
    # Downloads get their grace period, then a few seconds to be cut and logged before the kill.
    assert values["graceful_timeout"] == 25


@pytest.mark.parametrize("token_keys", ["", "not-a-key-list"])
def test_gunicorn_refuses_to_start_when_django_checks_fail(token_keys):
    result = _run_on_starting(WEBLINK_TOKEN_KEYS=token_keys)
    assert result.returncode != 0
    assert "WEBLINK_TOKEN_KEYS" in result.stderr


def test_gunicorn_starts_with_a_valid_production_configuration():
    result = _run_on_starting(WEBLINK_TOKEN_KEYS=os.environ["WEBLINK_TOKEN_KEYS"])
    assert result.returncode == 0, result.stderr


def _run_on_starting(**env: str) -> subprocess.CompletedProcess:
    """gunicorn's on_starting hook, in a fresh process with production settings."""
    script = "import runpy; runpy.run_path('config/gunicorn.py')['on_starting'](None)"
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "false",
            "SECRET_KEY": "s" * 60,
            "ALLOWED_HOSTS": "reports.example.com",
            **env,
        },
        capture_output=True,
        text=True,
    )


# --- compose.yaml ---------------------------------------------------------------------------


def test_compose_text_has_the_pieces():
    for piece in (
        "postgres:",
        "redis:",
        "service_completed_successfully",
        "manage.py",
        "migrate",
        "weblink_simulator",
        "0.0.0.0:8001",
        "profiles: [demo]",
        'WEBLINK_SIMULATOR: "true"',
        "server web1:8000",
        "server web2:8000",
    ):
        assert piece in COMPOSE


def test_compose_holds_no_literal_secret():
    for line in COMPOSE.splitlines():
        key, colon, value = line.strip().partition(":")
        if colon and re.fullmatch(r"(SECRET_KEY|WEBLINK_TOKEN_KEYS)", key):
            assert value.strip().startswith("${"), line


@pytest.fixture
def compose() -> dict:
    if yaml is None:
        pytest.skip("PyYAML is not installed; the text checks above still ran")
    return yaml.safe_load(COMPOSE)


def test_two_dashboard_instances_after_a_one_shot_migration(compose):
    services = compose["services"]
    web = [
        name
        for name, service in services.items()
        if "build" in service and "command" not in service and not service.get("profiles")
    ]
    assert len(web) >= 2
    migrate = services["migrate"]
    assert migrate["command"][-2:] == ["migrate", "--noinput"]
    assert migrate["restart"] == "no"
    for name in web:
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CACHE_URL"].startswith("redis://")
        assert env["DEBUG"] == "false"


def test_postgres_redis_and_a_proxy(compose):
    services = compose["services"]
    images = {name: service.get("image", "") for name, service in services.items()}
    assert any(image.startswith("postgres:") for image in images.values())
    assert any(image.startswith("redis:") for image in images.values())
    proxy = next(s for s in services.values() if s.get("image", "").startswith("nginx:"))
    assert proxy["ports"] == ["8080:8080"]
    nginx = compose["configs"]["nginx"]["content"]
    assert "proxy_buffering off" in nginx  # downloads stream through
    # Every "$" doubled, or compose would take nginx's variables for its own.
    assert not re.search(r"(?<!\$)\$(?!\$)", nginx)
    assert "$$request_id" in nginx


def test_demo_profile_adds_the_simulator(compose):
    simulator = compose["services"]["simulator"]
    assert simulator["profiles"] == ["demo"]
    assert simulator["command"][-3:] == ["weblink_simulator", "--addrport", "0.0.0.0:8001"]
    assert "http://simulator:8001" in COMPOSE  # how the dashboard is pointed at it
    command = shlex.join(compose["services"]["demo-account"]["command"])
    assert "demo_account --demo" in command  # DEBUG is off in compose: the flag is needed


def test_only_the_simulator_has_the_simulator_app(compose):
    """WEBLINK_SIMULATOR installs weblink_sim: on for the demo's simulator, off everywhere else."""
    services = compose["services"]
    simulator = services["simulator"]["environment"]
    assert simulator["WEBLINK_SIMULATOR"] == "true"
    # The simulator runs on the dashboard's own settings otherwise.
    assert {k: v for k, v in simulator.items() if k != "WEBLINK_SIMULATOR"} == {
        k: v for k, v in services["web1"]["environment"].items() if k != "INSTANCE_NAME"
    }
    for name, service in services.items():
        if name != "simulator":
            assert "WEBLINK_SIMULATOR" not in service.get("environment", {}), name


def test_the_image_leaves_the_simulator_out():
    for instruction in _instructions(DOCKERFILE):
        assert "WEBLINK_SIMULATOR" not in instruction.arguments, instruction
