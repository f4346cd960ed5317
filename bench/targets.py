"""The count targets of the benchmark, in one table: calls, connections and writes that must
come out exactly so (times are never a target: on a shared machine they are noise).

An issue that changes one of these counts on purpose changes it here, with the reason.
`python -m bench.run --quick` (in .ci/run) fails when a measured count breaks one.
"""

from __future__ import annotations

# API calls of a warm page: every report page reads the snapshot, fresh for the whole run.
LIST_PAGE_CALLS = 0
CREATE_PAGE_CALLS = 0
EDIT_PAGE_CALLS = 0
# A save reads the list afresh (one call per page of the list), then writes only what changed:
# the one e-mail argument.
SAVE_WRITES = 1
# Upstream TCP connections while the dashboard serves many pages: at most one per worker
# thread (each keeps its own keep-alive session to Weblink).
CONNECTIONS_PER_THREAD = 1
# A bulk pause of N active reports: one PATCH per report, nothing retried.
BULK_PAUSE_PATCHES_PER_REPORT = 1


def broken(figures: dict[str, tuple[int, int, str]]) -> list[str]:
    """The figures that break their target; ``figures`` maps a name to (measured, target,
    how it compares: "==" or "<=")."""
    return [
        f"{name}: {measured}, target {how} {target}"
        for name, (measured, target, how) in figures.items()
        if not (measured == target if how == "==" else measured <= target)
    ]
