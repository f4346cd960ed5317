"""The report-form flow, written once for create, edit, duplicate and run-and-download.

``ReportFormMetadata`` is what a report form is built from (types, fields, pick-lists, read
through the metadata cache); ``report_form_bind`` binds the report form and the argument
form of the chosen report type to a request, and tells whether the person only picked
another report type (through htmx, or the no-JavaScript button), which saves nothing.
``VersionFields`` are the hidden fields that tell which version of the report a form showed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports import metadata_cache
from reports_admin.reports.forms import ArgumentsForm, ReportForm, initial_from_report
from reports_admin.reports.versions import report_fingerprint, shown_load, shown_sign
from reports_admin.weblink.metadata import (
    OPTION_KINDS,
    ArgumentField,
    ArgumentFields,
    FieldKind,
    Option,
    Report,
    ReportType,
)


@dataclass(frozen=True)
class VersionFields:
    """The hidden fields of a form that acts on a saved report: the fingerprint of the version
    the person last saw (a save checks it against a fresh read), and the version the form first
    showed, signed (the person's changes are what differs from it)."""

    fingerprint: str
    shown: str

    @classmethod
    def of(cls, report: Report) -> VersionFields:
        """The fields of a form that shows ``report``."""
        return cls(fingerprint=report_fingerprint(report), shown=shown_sign(report))

    @classmethod
    def posted(cls, data: QueryDict) -> VersionFields:
        """The fields as posted (empty when missing: no version matches them)."""
        return cls(fingerprint=data.get("fingerprint", ""), shown=data.get("shown", ""))

    def matches(self, report: Report) -> bool:
        """``report`` is the version the person last saw."""
        return self.fingerprint == report_fingerprint(report)

    def shown_report(self) -> Report | None:
        """The version the form first showed; None when missing or tampered with."""
        return shown_load(self.shown)


@dataclass(frozen=True)
class ReportFormMetadata:
    """The metadata a report form is built from, read through the cache."""

    connection: WeblinkConnection | None
    types: list[ReportType]
    fields: ArgumentFields
    stale: bool

    @classmethod
    def load(cls, *, connection: WeblinkConnection | None) -> ReportFormMetadata:
        """Raises a WeblinkError when the types or fields cannot be read at all."""
        types = metadata_cache.report_types_get(connection=connection)
        fields = metadata_cache.argument_fields_get(connection=connection)
        return cls(
            connection=connection,
            types=types.value,
            fields=fields.value,
            stale=types.stale or fields.stale,
        )

    def type_name(self, report_type_id: str) -> str:
        return next((t.name for t in self.types if t.id == report_type_id), report_type_id)

    def fields_for(self, report_type_id: str) -> tuple[ArgumentField, ...]:
        return self.fields.for_type(report_type_id)

    def options_for(
        self, fields: tuple[ArgumentField, ...]
    ) -> dict[FieldKind, list[Option] | None]:
        """The pick-lists these fields need, and only those."""
        kinds = {field.type.kind for field in fields} & set(OPTION_KINDS)
        return {
            kind: metadata_cache.options_get(connection=self.connection, kind=kind).value
            for kind in kinds
        }

    def initial(self, source: Report | None, *, copy: bool) -> dict:
        """The report form's first values: from ``source`` (renamed for a copy), else the
        first report type."""
        if source is None:
            return {"report_type": self.types[0].id if self.types else ""}
        return {
            "name": _("Copy of %(name)s") % {"name": source.name} if copy else source.name,
            "description": source.description,
            "interval": source.interval,
            "active": source.active,
            "email_link_only": source.email_link_only,
            "report_type": source.report_type_id,
        }

    def chosen_type_id(self, form: ReportForm, source: Report | None) -> str:
        """The report type whose fields to show: fixed when editing, else what was picked."""
        field = form.fields["report_type"]
        if field.disabled and source is not None:
            return source.report_type_id or ""
        if form.is_bound:
            picked = form.data.get(form.add_prefix("report_type"), "")
            if any(t.id == picked for t in self.types):
                return picked
        return str(form.initial.get("report_type") or (self.types[0].id if self.types else ""))


@dataclass(frozen=True)
class BoundReportForm:
    """A report form and its argument form, bound to one request."""

    form: ReportForm
    arguments_form: ArgumentsForm
    fields: tuple[ArgumentField, ...]
    # The person picked another report type: show the form again, save nothing.
    changing_type: bool
    # The person pressed the form's own button: validate, then save or run.
    submitted: bool

    def is_valid(self) -> bool:
        """Both forms validated (each one, so that both show their errors)."""
        return self.form.is_valid() & self.arguments_form.is_valid()


def report_form_bind(
    request: HttpRequest,
    *,
    metadata: ReportFormMetadata,
    form_class: type[ReportForm] = ReportForm,
    source: Report | None = None,
    copy: bool = False,
) -> BoundReportForm:
    """Binds the report form and the argument form of the chosen report type to ``request``.

    ``source`` is the report edited, or copied when ``copy``: editing locks its report type.
    After a change of report type the fields start with the values typed that still apply.
    """
    editing = source is not None and not copy
    posted = request.method == "POST"
    changing_type = posted and (
        "change_type" in request.POST or request.htmx.trigger == "report-type-field"
    )
    kwargs = {"report_types": metadata.types, "report_type_locked": editing}
    if posted:
        locked_type = {"report_type": source.report_type_id} if editing else None
        form = form_class(request.POST, initial=locked_type, **kwargs)
    else:
        form = form_class(initial=metadata.initial(source, copy=copy), **kwargs)
    fields = metadata.fields_for(metadata.chosen_type_id(form, source))
    if changing_type:
        # Shown again unbound: no field may say "required" before the person has finished.
        # A switch that is off is not posted at all, so it starts off, not at its default.
        typed = request.POST.dict() | {
            name: name in request.POST
            for name, field in form.fields.items()
            if isinstance(field, forms.BooleanField)
        }
        form = form_class(initial=typed, **kwargs)
    options = metadata.options_for(fields)
    optional = form_class.OPTIONAL_ARGUMENTS
    if posted and not changing_type:
        arguments_form = ArgumentsForm(
            request.POST, fields=fields, options=options, optional=optional
        )
    else:
        initial = (
            ArgumentsForm.initial_carried_over(request.POST, fields)
            if changing_type
            else (initial_from_report(source, fields) if source else {})
        )
        arguments_form = ArgumentsForm(
            fields=fields, options=options, optional=optional, initial=initial
        )
    return BoundReportForm(
        form=form,
        arguments_form=arguments_form,
        fields=fields,
        changing_type=changing_type,
        submitted=posted and not changing_type,
    )
