#!/usr/bin/env bash
# Creates .venv with Python >= 3.12 and installs the project (with EXTRAS, e.g. "dev")
# whenever pyproject.toml is newer than the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
extras=${EXTRAS:-}

find_python() {
    for candidate in python3.13 python3.12 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
    # pyenv keeps versions that are not on PATH.
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
        [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
    return 1
}

if [ ! -x "$venv/bin/python" ]; then
    if ! python=$(find_python); then
        echo "error: Python 3.12 or newer is needed, and none was found on PATH." >&2
        echo "Install it (python.org, your package manager or pyenv) and run make again." >&2
        exit 1
    fi
    echo "Creating $venv with $("$python" --version)"
    "$python" -m venv "$venv"
fi

stamp="$venv/.installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -e ".${extras:+[$extras]}"
    touch "$stamp"
fi
