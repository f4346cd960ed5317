"""The simulator's companies and tokens in a JSON file, so `make run` keeps them across
restarts (the dashboard's stored tokens for demo keep working)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from weblink_sim import seed

if TYPE_CHECKING:
    from weblink_sim.server import Simulator


def save_state(sim: Simulator, path: Path) -> None:
    """Write every company's reports and their arguments, and the issued tokens, to ``path``.

    Written to a temporary file beside it and renamed over it, so a stop halfway through
    leaves the previous file whole, never half a file.
    """
    data = {
        "companies": {name: company.dump() for name, company in sim.companies.items()},
        "tokens": sim.tokens.dump(),
    }
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_state(sim: Simulator, path: Path) -> bool:
    """Load what :func:`save_state` wrote; False (and the seed kept) when there is no file.

    A company the file does not hold keeps its seed, so a file from before there were several
    companies (one ``company``, demo's) still loads. A company the simulator no longer has is
    left out.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    companies = data["companies"] if "companies" in data else {seed.COMPANY: data["company"]}
    for name, company in companies.items():
        if name in sim.companies:
            sim.companies[name].load(company)
    sim.tokens.load(data["tokens"])
    return True
