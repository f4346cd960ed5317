"""Versions of a report: what a form showed, what an activity entry keeps, and how to put the
person's own changes on top of the report as it is now.

The API has no version number and no conditional write, so a version is compared by content:
its fingerprint hashes the settings and every argument with its id (order and ``added`` do not
count). A merge is three-way: ``base`` (the version the person started from), ``wanted`` (that
version with the person's changes) and ``current`` (as Weblink holds it now). Only what differs
between base and wanted is applied, so nothing someone else changed is reverted.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports_admin.labels import readable_label
from reports_admin.reports.argument_diff import (
    AddArgument,
    ArgumentChange,
    ChangeArgument,
    DeleteArgument,
    plan_argument_changes,
    plan_settings_changes,
)
from reports_admin.weblink.metadata import ArgumentField, FieldKind, Report, ReportArgument

# The report's own settings, with their labels (the form's).
SETTINGS = {
    "name": gettext_lazy("Name"),
    "description": gettext_lazy("Description"),
    "interval": gettext_lazy("Interval"),
    "active": gettext_lazy("Active"),
    "email_link_only": gettext_lazy("E-mail a link instead of the file"),
}
_SHOWN_SALT = "reports.versions.shown"


def report_settings(report: Report) -> dict[str, object]:
    """The report's own settings by name."""
    return {name: getattr(report, name) for name in SETTINGS}


def version_dump(report: Report) -> dict:
    """The report as plain JSON, for an activity entry or a form: settings and arguments."""
    return {
        "id": report.id,
        "report_type_id": report.report_type_id,
        **report_settings(report),
        "arguments": [{"id": a.id, "key": a.key, "value": a.value} for a in report.arguments],
    }


def version_load(data: dict) -> Report:
    """The report that ``version_dump`` gave ``data`` for."""
    return Report(
        id=data["id"],
        name=data["name"],
        description=data["description"],
        interval=data["interval"],
        active=data["active"],
        email_link_only=data["email_link_only"],
        report_type_id=data["report_type_id"],
        added=None,
        arguments=tuple(ReportArgument(**argument) for argument in data["arguments"]),
    )


def report_fingerprint(report: Report) -> str:
    """A hash of the settings and all arguments with their ids; order and ``added`` ignored."""
    content = {
        "settings": report_settings(report),
        "arguments": sorted([a.id, a.key, a.value] for a in report.arguments),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def shown_sign(report: Report) -> str:
    """The version a form shows, signed, for a hidden field (the base of a later merge)."""
    return signing.dumps(version_dump(report), salt=_SHOWN_SALT, compress=True)


def shown_load(token: str) -> Report | None:
    """The version ``shown_sign`` signed; None when missing or tampered with."""
    try:
        return version_load(signing.loads(token, salt=_SHOWN_SALT))
    except (signing.BadSignature, KeyError, TypeError):
        return None


def form_version(
    shown: Report,
    *,
    settings: Mapping[str, object],
    arguments: Mapping[str, Sequence[str]],
    fields: Sequence[ArgumentField],
) -> Report:
    """``shown`` with what the form holds: its settings, and the arguments of ``fields``.

    Arguments the form does not show are kept. A single-value field shows the first stored
    value, so further stored values of its key are kept too.
    """
    form_keys = {field.key for field in fields}
    typed = {key: list(values) for key, values in arguments.items() if key in form_keys}
    for field in fields:
        stored = shown.values(field.key)
        if field.type.kind != FieldKind.EMAIL and len(stored) > 1:
            typed.setdefault(field.key, []).extend(stored[1:])
    kept = (argument for argument in shown.arguments if argument.key not in form_keys)
    typed_rows = (
        ReportArgument(id="", key=key, value=value)
        for key, values in typed.items()
        for value in values
    )
    return replace(shown, **settings, arguments=(*kept, *typed_rows))


def multi_value_keys(fields: Sequence[ArgumentField]) -> set[str]:
    """The keys that hold a list of values (e-mail addresses); every other key holds one."""
    return {field.key for field in fields if field.type.kind == FieldKind.EMAIL}


@dataclass(frozen=True)
class Difference:
    """One field that differs between two versions; ``yours`` is the person's own value when
    they changed the same field (theirs wins)."""

    label: str
    was: str
    now: str
    yours: str | None = None


def report_differences(
    older: Report, newer: Report, *, wanted: Report | None = None
) -> list[Difference]:
    """Field by field, what differs from ``older`` to ``newer``: settings, then arguments by
    key. With ``wanted`` (older plus the person's changes), marks the fields they changed too."""
    differences = []
    for name, label in SETTINGS.items():
        was, now = getattr(older, name), getattr(newer, name)
        if was != now:
            mine = getattr(wanted, name) if wanted is not None else was
            yours = _setting_text(mine) if mine != was else None
            differences.append(
                Difference(str(label), _setting_text(was), _setting_text(now), yours)
            )
    old, new = _by_key(older), _by_key(newer)
    mine_by_key = _by_key(wanted) if wanted is not None else old
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key, []), new.get(key, [])
        if Counter(was) != Counter(now):
            mine = mine_by_key.get(key, [])
            yours = _values_text(mine) if Counter(mine) != Counter(was) else None
            differences.append(
                Difference(readable_label(key), _values_text(was), _values_text(now), yours)
            )
    return differences


@dataclass(frozen=True)
class MergePlan:
    """The calls that put the person's changes on ``current``, and the report they leave."""

    settings: dict[str, object]
    arguments: list[ArgumentChange]
    after: Report

    def __bool__(self) -> bool:
        return bool(self.settings or self.arguments)


def plan_merge(
    *, base: Report, wanted: Report, current: Report, multi_keys: Collection[str]
) -> MergePlan:
    """The fewest calls that apply what differs from ``base`` to ``wanted`` onto ``current``.

    A setting or single-value key the person changed takes their value. For a key of
    ``multi_keys`` (e-mail addresses) their added values are added and removed ones removed,
    so an address someone else added meanwhile stays. A key nobody touched is left alone, and
    a value someone deleted meanwhile is added again.
    """
    base_settings = report_settings(base)
    touched = {
        name: value
        for name, value in report_settings(wanted).items()
        if value != base_settings[name]
    }
    settings = plan_settings_changes(report_settings(current), touched)
    old, new, now = _by_key(base), _by_key(wanted), _by_key(current)
    merged: dict[str, list[str]] = {}
    for key in sorted(old.keys() | new.keys()):
        was, mine = Counter(old.get(key, [])), Counter(new.get(key, []))
        if was == mine:
            continue
        if key in multi_keys:
            kept = Counter(now.get(key, [])) - (was - mine)
            merged[key] = list((kept + (mine - was)).elements())
        else:
            merged[key] = new.get(key, [])
    changes = plan_argument_changes(current.arguments, merged, managed_keys=merged.keys())
    return MergePlan(settings, changes, _applied(current, settings, changes))


def _applied(report: Report, settings: dict[str, object], changes: list[ArgumentChange]) -> Report:
    """``report`` once the calls are made; added arguments have no id yet (Weblink gives it)."""
    rows = {argument.id: argument for argument in report.arguments}
    added = []
    for change in changes:
        match change:
            case AddArgument(key=key, value=value):
                added.append(ReportArgument(id="", key=key, value=value))
            case ChangeArgument(argument_id=argument_id, key=key, value=value):
                rows[argument_id] = ReportArgument(id=argument_id, key=key, value=value)
            case DeleteArgument(argument_id=argument_id):
                del rows[argument_id]
    return replace(report, **settings, arguments=(*rows.values(), *added))


def _by_key(report: Report) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for argument in report.arguments:
        values.setdefault(argument.key, []).append(argument.value)
    return values


def _setting_text(value: object) -> str:
    if isinstance(value, bool):
        return _("on") if value else _("off")
    return str(value or "")


def _values_text(values: list[str]) -> str:
    return ", ".join(values) if values else _("(none)")
