"""Writes to the company's reports on Weblink: create, update, switch on or off, delete.

Writes are never retried: when one fails, the caller learns exactly what was applied.
Each one is written to the activity log with its outcome, and shows in the report snapshot
at once: changed in place where the result is known in full, else read again on next use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

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
    plan_argument_changes,
)
from reports_admin.reports.snapshot import (
    snapshot_forget,
    snapshot_report_drop,
    snapshot_report_put,
)
from reports_admin.weblink import NotFound, PartialUpdate, WeblinkError
from reports_admin.weblink.metadata import ArgumentField, FieldKind, Report


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
) -> str:
    """Creates the report with all its arguments in one call; returns the new id."""
    with activity_recorded(
        user=connection_required(connection).user,
        action=Activity.Action.CREATED,
        report_name=settings.name,
    ) as entry:
        entry.report_id = weblink_call(
            connection=connection,
            operation=lambda client: client.report_create(
                name=settings.name,
                description=settings.description,
                interval=settings.interval,
                active=settings.active,
                email_link_only=settings.email_link_only,
                report_type_id=report_type_id,
                arguments=[(key, value) for key, values in arguments.items() for value in values],
            ),
        )
    snapshot_forget(connection=connection)
    return entry.report_id


def report_update(
    *,
    connection: WeblinkConnection | None,
    report: Report,
    settings: ReportSettings,
    arguments: Mapping[str, Sequence[str]],
    fields: Sequence[ArgumentField],
) -> list[ArgumentChange]:
    """Saves the report's values, then makes the fewest argument calls for the new arguments.

    Only the keys of ``fields`` (what the form showed) are touched: other arguments are kept.
    A single-value field shows the first stored value, so further stored values of its key
    are kept too. Raises PartialUpdate, listing what was and was not applied, when a call fails.
    """
    wanted = {key: list(values) for key, values in arguments.items()}
    for field in fields:
        stored = report.values(field.key)
        if field.type.kind != FieldKind.EMAIL and len(stored) > 1:
            wanted.setdefault(field.key, []).extend(stored[1:])
    plan = plan_argument_changes(
        report.arguments, wanted, managed_keys={field.key for field in fields}
    )
    steps = [_describe_settings(settings)] + [_describe_change(change) for change in plan]
    done: list[str] = []
    with activity_recorded(
        user=connection_required(connection).user,
        action=Activity.Action.CHANGED,
        report_id=report.id,
        report_name=settings.name,
    ):
        try:
            weblink_call(
                connection=connection,
                operation=lambda client: client.report_update(
                    report.id,
                    name=settings.name,
                    description=settings.description,
                    interval=settings.interval,
                    active=settings.active,
                    email_link_only=settings.email_link_only,
                ),
            )
            done.append(steps[0])
            for change, step in zip(plan, steps[1:], strict=True):
                weblink_call(
                    connection=connection,
                    operation=lambda client, c=change: _apply(client, report, c),
                )
                done.append(step)
        except WeblinkError as error:
            raise PartialUpdate(error, applied=done, not_applied=steps[len(done) :]) from error
        finally:
            # New arguments get ids only Weblink knows: the list is read again.
            snapshot_forget(connection=connection)
    return plan


def report_set_active(
    *, connection: WeblinkConnection | None, report: Report, active: bool
) -> Report:
    """Switches the report on or off: one PATCH with ``active`` alone; returns it as it is now."""
    with activity_recorded(
        user=connection_required(connection).user,
        action=Activity.Action.CHANGED,
        report_id=report.id,
        report_name=report.name,
    ):
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


def report_delete(*, connection: WeblinkConnection | None, report: Report) -> None:
    with activity_recorded(
        user=connection_required(connection).user,
        action=Activity.Action.DELETED,
        report_id=report.id,
        report_name=report.name,
    ):
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


def _describe_settings(settings: ReportSettings) -> str:
    return _("Saved name, description, interval and state of “%(name)s”") % {"name": settings.name}


def _describe_change(change: ArgumentChange) -> str:
    match change:
        case AddArgument(key=key, value=value):
            text = _("%(field)s: add %(value)s")
        case ChangeArgument(key=key, value=value):
            text = _("%(field)s: change to %(value)s")
        case DeleteArgument(key=key, value=value):
            text = _("%(field)s: remove %(value)s")
    return text % {"field": readable_label(key), "value": value}
