"""The simulator's company and tokens in a JSON file, so `make run` keeps them across restarts
(the dashboard's stored token for demo keeps working)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weblink_sim.server import Simulator


def save_state(sim: Simulator, path: Path) -> None:
    """Write the reports, their arguments and the issued tokens to ``path``.

    Written to a temporary file beside it and renamed over it, so a stop halfway through
    leaves the previous file whole, never half a file.
    """
    data = {"company": sim.state.dump(), "tokens": sim.tokens.dump()}
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_state(sim: Simulator, path: Path) -> bool:
    """Load what :func:`save_state` wrote; False (and the seed kept) when there is no file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    sim.state.load(data["company"])
    sim.tokens.load(data["tokens"])
    return True
