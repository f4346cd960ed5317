"""A report in words, for its page: type name, interval and arguments as admins say them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports_admin.connection.models import WeblinkConnection
from reports_admin.labels import INTERVAL_CHOICES, readable_label
from reports_admin.reports.form_flow import ReportFormMetadata
from reports_admin.weblink import WeblinkError
from reports_admin.weblink.metadata import FieldKind, Report


@dataclass(frozen=True)
class ReportSummary:
    """A report's type, interval and arguments in words, for its page."""

    type_name: str
    interval: str
    arguments: list[tuple[str, list[str]]]  # (label, values), in the report's order


def report_summary(*, connection: WeblinkConnection | None, report: Report) -> ReportSummary:
    """The report in words; ids and keys as they are when the metadata cannot be read."""
    try:
        metadata = ReportFormMetadata.load(connection=connection)
        fields = metadata.fields_for(report.report_type_id or "")
        options = metadata.options_for(fields)
    except WeblinkError:
        metadata, fields, options = None, (), {}
    kinds = {field.key: field.type.kind for field in fields}
    option_labels = {kind: {o.id: o.label for o in items or ()} for kind, items in options.items()}
    arguments: dict[str, list[str]] = {}
    for argument in report.arguments:
        kind = kinds.get(argument.key)
        value = argument.value
        if kind == FieldKind.BOOL:
            value = _("Yes") if value == "1" else _("No")
        elif kind == FieldKind.ENUM:
            value = readable_label(value)
        elif kind in option_labels:
            value = option_labels[kind].get(value, value)
        arguments.setdefault(readable_label(argument.key), []).append(value)
    type_id = report.report_type_id or ""
    return ReportSummary(
        type_name=metadata.type_name(type_id) if metadata else type_id,
        interval=dict(INTERVAL_CHOICES).get(report.interval, report.interval or ""),
        arguments=list(arguments.items()),
    )
