"""Plan the fewest calls that turn a report as stored into the report as submitted: its own
settings (one PATCH with only what differs) and its arguments.

The API stores one row per argument value and offers add, change and delete per row, so saving
an edited report means comparing rows with the form's values. This module only plans; it makes
no calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from reports_admin.weblink.metadata import ReportArgument


@dataclass(frozen=True)
class AddArgument:
    """Create a new argument row (``POST /company/report/{id}/argument``)."""

    key: str
    value: str


@dataclass(frozen=True)
class ChangeArgument:
    """Give an existing row a new value (``PATCH .../argument/{argument_id}``)."""

    argument_id: str
    key: str
    value: str


@dataclass(frozen=True)
class DeleteArgument:
    """Remove an existing row (``DELETE .../argument/{argument_id}``); value is the old one."""

    argument_id: str
    key: str
    value: str


ArgumentChange = AddArgument | ChangeArgument | DeleteArgument


def plan_argument_changes(
    stored: Sequence[ReportArgument],
    submitted: Mapping[str, Sequence[str]],
    *,
    managed_keys: Collection[str],
) -> list[ArgumentChange]:
    """Return the calls that make the rows of each managed key hold exactly the submitted values.

    Rows of keys outside ``managed_keys`` are left alone, and submitted keys outside it are
    ignored. A managed key missing from ``submitted`` loses all its rows. Values already stored
    keep their rows whatever their order; the other rows are reused for new values before any is
    added or deleted. All adds and changes come before the deletes, so a mandatory argument is
    never missing between two calls.
    """
    writes: list[ArgumentChange] = []
    deletes: list[ArgumentChange] = []
    # Sorted so the plan does not depend on the order of a set.
    for key in sorted(managed_keys):
        rows = [row for row in stored if row.key == key]
        wanted = Counter(submitted.get(key, ()))
        spare_rows = []
        for row in rows:
            if wanted[row.value] > 0:
                wanted[row.value] -= 1
            else:
                spare_rows.append(row)
        new_values = list(wanted.elements())
        for row, value in zip(spare_rows, new_values, strict=False):
            writes.append(ChangeArgument(argument_id=row.id, key=key, value=value))
        writes.extend(AddArgument(key=key, value=value) for value in new_values[len(spare_rows) :])
        deletes.extend(
            DeleteArgument(argument_id=row.id, key=key, value=row.value)
            for row in spare_rows[len(new_values) :]
        )
    return writes + deletes


def plan_settings_changes(
    stored: Mapping[str, object], wanted: Mapping[str, object]
) -> dict[str, object]:
    """The report's own settings (name, interval, ...) to send: those of ``wanted`` that differ
    from ``stored``, and only those. Empty when nothing differs, so no PATCH is needed."""
    return {name: value for name, value in wanted.items() if stored.get(name) != value}
