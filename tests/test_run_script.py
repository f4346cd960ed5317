"""`make run` (scripts/run.sh): what its first run prints, and what ends it."""

import subprocess

from django.conf import settings

SCRIPT = settings.BASE_DIR / "scripts" / "run.sh"


def test_the_script_is_valid_bash():
    # bash -n reads the script without running it.
    result = subprocess.run(  # noqa: S603 - a fixed command on our own script
        ["bash", "-n", str(SCRIPT)],  # noqa: S607 - bash from PATH, as make run uses it
        check=False,
    )
    assert result.returncode == 0


def test_the_first_run_keeps_the_key_rotation_advice_to_itself():
    text = SCRIPT.read_text()
    assert "manage.py generate_token_key 2>/dev/null)" in text


def test_only_the_dashboard_ending_ends_the_run():
    lines = SCRIPT.read_text().splitlines()
    assert lines[-1] == "wait $web_pid"
    assert not any(line.startswith("wait -n") for line in lines)


def test_the_banner_tells_the_two_demo_sign_ins_apart():
    text = SCRIPT.read_text()
    assert "sign in to the dashboard as demo / demo" in text
    assert "its company is demo; sign in on the Connection page as admin / demo" in text


def test_the_simulator_keeps_its_state_in_a_git_ignored_file():
    text = SCRIPT.read_text()
    assert "--state-file .weblink-simulator.json" in text
    ignored = (settings.BASE_DIR / ".gitignore").read_text().splitlines()
    assert ".weblink-simulator.json" in ignored
