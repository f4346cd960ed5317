"""Writes to the company's reports on Weblink: create, update, switch on or off, delete, restore.

Writes are never retried: when one fails, the caller learns exactly what was applied.
Each one is written to the activity log with its outcome, and shows in the report snapshot
at once: changed in place where the result is known in full, else read again on next use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from django.utils.translation import gettext as _

from reports_admin.activity.models import Activity
from reports_admin.activity.services import activity_recorded
from reports_admin.connection.calls import connection_required, weblink_call
from reports_admin.connection.models import WeblinkConnection
from reports_admin.labels import readable_label
from reports_admin.reports.argument_diff import (
    AddArgument,
    ArgumentChange,
    ChangeArgument,
    DeleteArgument,
)
from reports_admin.reports.snapshot import (
    snapshot_forget,
    snapshot_report_drop,
    snapshot_report_put,
)
from reports_admin.reports.versions import (
    SETTINGS,
    MergePlan,
    multi_value_keys,
    plan_merge,
    report_settings,
    version_dump,
    version_load,
)
from reports_admin.weblink import NotFound, PartialUpdate, WeblinkError
from reports_admin.weblink.metadata import ArgumentField, Report, ReportArgument


@dataclass(frozen=True)
class ReportSettings:
    """The report's own values, as the form gives them."""

    name: str
    description: str
    interval: str
    active: bool
    email_link_only: bool


def report_create(
    *,
    connection: WeblinkConnection | None,
    settings: ReportSettings,
    report_type_id: str,
    arguments: Mapping[str, Sequence[str]],
    action: Activity.Action = Activity.Action.CREATED,
) -> str:
    """Creates the report with all its arguments in one call; returns the new id.

    ``action`` is RESTORED when it brings back a deleted report's version.
    """
    with activity_recorded(
        user=connection_required(connection).user,
        company=connection.company,
        action=action,
        report_name=settings.name,
    ) as entry:
        entry.report_id = weblink_call(
            connection=connection,
            operation=lambda client: client.report_create(
                **asdict(settings),
                report_type_id=report_type_id,
                arguments=[(key, value) for key, values in arguments.items() for value in values],
            ),
        )
        created = Report(
            id=entry.report_id,
            **asdict(settings),
            report_type_id=report_type_id,
            added=None,
            arguments=tuple(
                ReportArgument(id="", key=key, value=value)
                for key, values in arguments.items()
                for value in values
            ),
        )
        entry.after = version_dump(created)
    snapshot_forget(connection=connection)
    return entry.report_id


def report_update(
    *,
    connection: WeblinkConnection | None,
    report: Report,
    shown: Report,
    wanted: Report,
    fields: Sequence[ArgumentField],
) -> MergePlan:
    """Applies the person's changes (from ``shown``, the version the form showed, to
    ``wanted``, what they saved) onto ``report`` as Weblink holds it now, with the fewest calls.

    Only the settings that differ are sent (no PATCH when none do), and only what the person
    changed is touched. Raises PartialUpdate, listing what was and was not applied, when a
    call fails.
    """
    return _report_write(
        connection=connection,
        current=report,
        base=shown,
        wanted=wanted,
        multi_keys=multi_value_keys(fields),
        action=Activity.Action.CHANGED,
    )


def report_restore(
    *,
    connection: WeblinkConnection | None,
    report: Report,
    entry: Activity,
    fields: Sequence[ArgumentField],
) -> MergePlan:
    """Puts back the version from before ``entry`` onto ``report`` as it is now: only what the
    entry changed is undone, so what changed since on other fields stays."""
    return _report_write(
        connection=connection,
        current=report,
        base=version_load(entry.after),
        wanted=version_load(entry.before),
        multi_keys=multi_value_keys(fields),
        action=Activity.Action.RESTORED,
    )


def report_recreate(*, connection: WeblinkConnection | None, version: Report) -> str:
    """Creates a deleted report again from its version; returns the new id (Weblink gives it
    a new one)."""
    arguments: dict[str, list[str]] = {}
    for argument in version.arguments:
        arguments.setdefault(argument.key, []).append(argument.value)
    return report_create(
        connection=connection,
        settings=ReportSettings(**report_settings(version)),
        report_type_id=version.report_type_id or "",
        arguments=arguments,
        action=Activity.Action.RESTORED,
    )


def _report_write(
    *,
    connection: WeblinkConnection | None,
    current: Report,
    base: Report,
    wanted: Report,
    multi_keys: set[str],
    action: Activity.Action,
) -> MergePlan:
    """Makes the calls of the merge of ``base`` → ``wanted`` onto ``current``, recording the
    versions before and after; nothing at all (not even an entry) when nothing differs."""
    plan = plan_merge(base=base, wanted=wanted, current=current, multi_keys=multi_keys)
    if not plan:
        return plan
    calls: list[tuple[str, Callable]] = []
    if plan.settings:
        calls.append(
            (
                _describe_settings(plan.settings, plan.after.name),
                lambda client: client.report_update(current.id, **plan.settings),
            )
        )
    calls.extend(
        (_describe_change(change), lambda client, c=change: _apply(client, current, c))
        for change in plan.arguments
    )
    done: list[str] = []
    with activity_recorded(
        user=connection_required(connection).user,
        company=connection.company,
        action=action,
        report_id=current.id,
        report_name=plan.after.name,
    ) as entry:
        entry.before, entry.after = version_dump(current), version_dump(plan.after)
        try:
            for step, operation in calls:
                weblink_call(connection=connection, operation=operation)
                done.append(step)
        except WeblinkError as error:
            snapshot_forget(connection=connection)
            not_applied = [step for step, _ in calls[len(done) :]]
            raise PartialUpdate(error, applied=done, not_applied=not_applied) from error
    if any(isinstance(change, AddArgument) for change in plan.arguments):
        # New arguments get ids only Weblink knows: the list is read again.
        snapshot_forget(connection=connection)
    else:
        snapshot_report_put(connection=connection, report=plan.after)
    return plan


def report_set_active(
    *, connection: WeblinkConnection | None, report: Report, active: bool
) -> Report:
    """Switches the report on or off: one PATCH with ``active`` alone; returns it as it is now."""
    with activity_recorded(
        user=connection_required(connection).user,
        company=connection.company,
        action=Activity.Action.CHANGED,
        report_id=report.id,
        report_name=report.name,
    ) as entry:
        entry.before = version_dump(report)
        entry.after = version_dump(replace(report, active=active))
        try:
            weblink_call(
                connection=connection,
                operation=lambda client: client.report_update(report.id, active=active),
            )
        except NotFound:
            snapshot_report_drop(connection=connection, report_id=report.id)
            raise
    changed = replace(report, active=active)
    snapshot_report_put(connection=connection, report=changed)
    return changed


def report_recipients_change(
    *,
    connection: WeblinkConnection | None,
    report: Report,
    add: str = "",
    remove: str = "",
) -> MergePlan:
    """Adds the address ``add`` and removes every ``email`` argument equal to ``remove``
    (without regard to case), with the fewest argument calls: replacing one address with
    another is one argument PATCH. Recorded with the versions before and after."""
    kept = tuple(
        argument
        for argument in report.arguments
        if not (
            remove and argument.key == "email" and argument.value.casefold() == remove.casefold()
        )
    )
    added = (ReportArgument(id="", key="email", value=add),) if add else ()
    return _report_write(
        connection=connection,
        current=report,
        base=report,
        wanted=replace(report, arguments=kept + added),
        multi_keys={"email"},
        action=Activity.Action.CHANGED,
    )


def report_delete(*, connection: WeblinkConnection | None, report: Report) -> None:
    """Deletes the report; its activity entry keeps its version, so it can be restored."""
    with activity_recorded(
        user=connection_required(connection).user,
        company=connection.company,
        action=Activity.Action.DELETED,
        report_id=report.id,
        report_name=report.name,
    ) as entry:
        entry.before = version_dump(report)
        weblink_call(
            connection=connection, operation=lambda client: client.report_delete(report.id)
        )
    snapshot_report_drop(connection=connection, report_id=report.id)


def _apply(client, report: Report, change: ArgumentChange) -> None:
    match change:
        case AddArgument(key=key, value=value):
            client.argument_add(report.id, key=key, value=value)
        case ChangeArgument(argument_id=argument_id, key=key, value=value):
            client.argument_update(report.id, argument_id, key=key, value=value)
        case DeleteArgument(argument_id=argument_id):
            client.argument_delete(report.id, argument_id)


def _describe_settings(settings: Mapping[str, object], name: str) -> str:
    fields = ", ".join(str(SETTINGS[field]).lower() for field in settings)
    return _("Saved %(fields)s of “%(name)s”") % {"fields": fields, "name": name}


def _describe_change(change: ArgumentChange) -> str:
    match change:
        case AddArgument(key=key, value=value):
            text = _("%(field)s: add %(value)s")
        case ChangeArgument(key=key, value=value):
            text = _("%(field)s: change to %(value)s")
        case DeleteArgument(key=key, value=value):
            text = _("%(field)s: remove %(value)s")
    return text % {"field": readable_label(key), "value": value}
