"""What the report pages read from a request: list parameters, pagination, form metadata."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports_admin import metadata_cache
from reports_admin.report_forms import (
    INTERVAL_CHOICES,
    ArgumentsForm,
    ReportForm,
    initial_from_report,
    readable_label,
)
from reports_admin.selectors import ReportFilters, ReportListing
from reports_admin.weblink import WeblinkError
from reports_admin.weblink.metadata import (
    OPTION_KINDS,
    ArgumentField,
    ArgumentFields,
    FieldKind,
    Option,
    Report,
    ReportType,
)

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


@dataclass(frozen=True)
class ListQuery:
    page: int
    per_page: int
    filters: ReportFilters

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _positive_int(text: str | None, default: int) -> int:
    try:
        return max(1, int(text or default))
    except ValueError:
        return default


def list_query(params: QueryDict) -> ListQuery:
    """The list page's parameters, with anything odd replaced by its default."""
    per_page = _positive_int(params.get("per_page"), DEFAULT_PAGE_SIZE)
    interval = params.get("interval", "")
    active = params.get("active", "")
    return ListQuery(
        page=_positive_int(params.get("page"), 1),
        per_page=per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
        filters=ReportFilters(
            search=params.get("q", "").strip(),
            report_type_id=params.get("type", "") if params.get("type", "").isdigit() else "",
            interval=interval if interval in dict(INTERVAL_CHOICES) else "",
            active=active if active in ("0", "1") else "",
        ),
    )


def next_url(request: HttpRequest, *, default: str) -> str:
    """The page the person came from (``next``, when it is one of ours), else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@dataclass(frozen=True)
class Pagination:
    first: int  # 1-based number of the first row shown, 0 when none
    last: int
    total: int
    total_is_exact: bool
    previous_url: str | None
    next_url: str | None


def pagination(params: QueryDict, listing: ReportListing, query: ListQuery) -> Pagination:
    def url_for(page: int) -> str:
        return "?" + urlencode({**params.dict(), "page": page})

    shown = len(listing.reports)
    has_next = listing.offset + shown < listing.total or not listing.total_is_exact
    return Pagination(
        first=listing.offset + 1 if shown else 0,
        last=listing.offset + shown,
        total=listing.total,
        total_is_exact=listing.total_is_exact,
        previous_url=url_for(query.page - 1) if query.page > 1 else None,
        next_url=url_for(query.page + 1) if has_next and shown else None,
    )


# An id no report has, reversed once per page and then replaced by each row's id: reverse()
# is slow enough that six calls a row would be most of a long list's cost.
_ID_MARK = "9876543210123"


@dataclass(frozen=True)
class ReportRow:
    """One row of the report list, with everything it shows worked out in Python."""

    report: Report
    type_name: str
    interval_label: str
    recipients: str
    urls: dict[str, str]


def report_rows(
    reports: Sequence[Report], *, report_types: Sequence[ReportType], back_to: str
) -> list[ReportRow]:
    """The list's rows; ``back_to`` is where send now returns to."""
    type_names = {t.id: t.name for t in report_types}
    interval_labels = dict(INTERVAL_CHOICES)
    patterns = {
        name: reverse(f"reports:{name}", args=[_ID_MARK])
        for name in ("detail", "edit", "send", "download", "duplicate", "delete")
    }
    patterns["send"] += "?" + urlencode({"next": back_to})
    return [
        ReportRow(
            report=report,
            type_name=type_names.get(report.report_type_id, report.report_type_id or ""),
            interval_label=interval_labels.get(report.interval, report.interval or ""),
            recipients=", ".join(report.recipients),
            urls={name: url.replace(_ID_MARK, report.id) for name, url in patterns.items()},
        )
        for report in reports
    ]


def report_rows_key(rows: Sequence[ReportRow]) -> str:
    """A digest of everything the rows show, in the current language: the rendered rows can
    be cached under it, and any change to a report, a type name or the language misses."""
    return hashlib.blake2b(repr((get_language(), rows)).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class ReportFormContext:
    """The metadata a report form is built from, read through the cache."""

    types: list[ReportType]
    fields: ArgumentFields
    stale: bool

    @classmethod
    def load(cls, *, user: AbstractBaseUser) -> ReportFormContext:
        types = metadata_cache.report_types_get(user=user)
        fields = metadata_cache.argument_fields_get(user=user)
        return cls(types=types.value, fields=fields.value, stale=types.stale or fields.stale)

    def report_initial(self, source: Report | None, *, copy: bool) -> dict:
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

    def fields_for(self, report_type_id: str) -> tuple[ArgumentField, ...]:
        return self.fields.for_type(report_type_id)

    def options_for(
        self, *, user: AbstractBaseUser, fields: tuple[ArgumentField, ...]
    ) -> dict[FieldKind, list[Option] | None]:
        """The pick-lists these fields need, and only those."""
        kinds = {field.type.kind for field in fields} & set(OPTION_KINDS)
        return {kind: metadata_cache.options_get(user=user, kind=kind).value for kind in kinds}

    def bind_arguments(
        self, request: HttpRequest, form: ReportForm, source: Report | None
    ) -> ArgumentsStep:
        """The argument fields of the report type ``form`` shows, bound to what was posted.

        Picking another report type shows the form again without saving: through htmx when
        the select changes, or through a plain submit button when JavaScript is off. Its
        fields then start with the values typed that still apply.
        """
        fields = self.fields_for(self.chosen_type_id(form, source))
        options = self.options_for(user=request.user, fields=fields)
        changing_type = request.method == "POST" and (
            "change_type" in request.POST or request.htmx.trigger == "report-type-field"
        )
        if request.method == "POST" and not changing_type:
            arguments_form = ArgumentsForm(request.POST, fields=fields, options=options)
        else:
            initial = (
                carried_over_initial(request.POST, fields)
                if changing_type
                else (initial_from_report(source, fields) if source else {})
            )
            arguments_form = ArgumentsForm(fields=fields, options=options, initial=initial)
        return ArgumentsStep(
            arguments_form=arguments_form, fields=fields, changing_type=changing_type
        )


@dataclass(frozen=True)
class ArgumentsStep:
    """The argument form of a report form, and whether the person only changed the type."""

    arguments_form: ArgumentsForm
    fields: tuple[ArgumentField, ...]
    changing_type: bool


def carried_over_initial(post: QueryDict, fields: tuple[ArgumentField, ...]) -> dict:
    """Values typed for the previous report type that still apply to the new one."""
    initial = {}
    for field in fields:
        name = f"arg-{field.key}"
        if field.type.kind == FieldKind.BOOL:
            initial[field.key] = name in post
        elif name in post:
            initial[field.key] = post[name]
    return initial


@dataclass(frozen=True)
class ReportSummary:
    """A report's type, interval and arguments in words, for its page."""

    type_name: str
    interval: str
    arguments: list[tuple[str, list[str]]]  # (label, values), in the report's order


def report_summary(*, user: AbstractBaseUser, report: Report) -> ReportSummary:
    """The report in words; ids and keys as they are when the metadata cannot be read."""
    try:
        page = ReportFormContext.load(user=user)
        fields = page.fields_for(report.report_type_id or "")
        options = page.options_for(user=user, fields=fields)
    except WeblinkError:
        page, fields, options = None, (), {}
    types = {t.id: t.name for t in page.types} if page else {}
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
    return ReportSummary(
        type_name=types.get(report.report_type_id, report.report_type_id or ""),
        interval=dict(INTERVAL_CHOICES).get(report.interval, report.interval or ""),
        arguments=list(arguments.items()),
    )
