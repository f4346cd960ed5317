"""Typed objects for what the Weblink API returns.

Parsing lives in the ``parse_*`` functions below; everything else in the product works
with these objects and never with the raw JSON.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports_admin.weblink.errors import BadAnswer


class FieldKind(enum.StrEnum):
    ENUM = "enum"
    EMAIL = "email"
    BOOL = "bool"
    PBX_QUEUE = "pbx_queue"
    PBX_USER = "pbx_user"
    PBX_APP_CALLBACK_DESTINATION = "pbx_app_callback_destination"
    UNKNOWN = "unknown"


# The pick-list kinds, each filled from one of the company's option lists.
OPTION_KINDS = (FieldKind.PBX_QUEUE, FieldKind.PBX_USER, FieldKind.PBX_APP_CALLBACK_DESTINATION)


@dataclass(frozen=True)
class FieldType:
    kind: FieldKind
    raw: str
    values: tuple[str, ...] = ()  # only for ENUM


@dataclass(frozen=True)
class ArgumentField:
    key: str
    description: str
    mandatory: bool
    type: FieldType


@dataclass(frozen=True)
class ArgumentFields:
    """The fields valid for every report type, and those of each type by its id."""

    shared: tuple[ArgumentField, ...]
    by_type: dict[str, tuple[ArgumentField, ...]]

    def for_type(self, report_type_id: str) -> tuple[ArgumentField, ...]:
        """The shared fields followed by the type's own (a key is listed once)."""
        own = self.by_type.get(str(report_type_id), ())
        own_keys = {f.key for f in own}
        return tuple(f for f in self.shared if f.key not in own_keys) + own


@dataclass(frozen=True)
class ReportType:
    id: str
    name: str
    description: str
    group: str
    added: str | None
    class_name: str | None


@dataclass(frozen=True)
class Option:
    """One item of a company's queues, users or callback destinations."""

    id: str
    label: str


@dataclass(frozen=True)
class ReportArgument:
    id: str
    key: str
    value: str
    added: str | None = None


@dataclass(frozen=True)
class Report:
    id: str
    name: str
    description: str
    interval: str | None
    active: bool
    email_link_only: bool
    report_type_id: str | None
    added: str | None
    arguments: tuple[ReportArgument, ...] = ()

    def values(self, key: str) -> list[str]:
        return [a.value for a in self.arguments if a.key == key]

    @property
    def recipients(self) -> list[str]:
        return self.values("email")

    @property
    def format(self) -> str:
        return next(iter(self.values("format")), "")


@dataclass(frozen=True)
class ReportPage:
    count: int
    limit: int
    limit_from: int
    reports: tuple[Report, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TokenGrant:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int | None = None


# Parsing. Weblink sends ids, counts and flags as strings (sometimes as numbers) and
# PHP encodes an empty object as ``[]``; anything else unexpected is a BadAnswer.

_SIMPLE_KINDS = {
    kind.value: kind for kind in FieldKind if kind not in (FieldKind.ENUM, FieldKind.UNKNOWN)
}
_ENUM = re.compile(r"enum\s*\((.*)\)", re.IGNORECASE | re.DOTALL)
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
# The vendor's example says "all", its text says "any": both mean every report type.
_SHARED_KEYS = ("all", "any")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bad(what: str) -> BadAnswer:
    """``what`` names the part of the answer, translated (``gettext_lazy``)."""
    return BadAnswer(
        _("Weblink sent %(what)s in a shape this dashboard does not understand.") % {"what": what}
    )


def _object(value: object, what: str) -> dict:
    if value == []:  # PHP's empty object
        return {}
    if not isinstance(value, dict):
        raise _bad(what)
    return value


def _list(value: object, what: str) -> list:
    if not isinstance(value, list):
        raise _bad(what)
    return value


def _text(value: object, what: str) -> str | None:
    """A string, a number as a string, or None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _bad(what)
    return str(value)


def _required_text(value: object, what: str) -> str:
    text = _text(value, what)
    if not text:
        raise _bad(what)
    return text


def _flag(value: object, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = (_text(value, what) or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad(what)


def _int(value: object, what: str, default: int) -> int:
    text = _text(value, what)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise _bad(what) from None


def parse_field_type(raw: str | None) -> FieldType:
    """``enum('a', 'b')``, ``email``, ``bool``, ``pbx_*``; anything else is UNKNOWN."""
    raw = raw or ""
    name = raw.strip().lower()
    if name in _SIMPLE_KINDS:
        return FieldType(_SIMPLE_KINDS[name], raw)
    match = _ENUM.fullmatch(raw.strip())
    if match:
        inner = match.group(1)
        values = tuple(single or double for single, double in _QUOTED.findall(inner))
        if not values:  # enum(a, b) without quotes
            values = tuple(part.strip() for part in inner.split(",") if part.strip())
        if values:
            return FieldType(FieldKind.ENUM, raw, values)
    return FieldType(FieldKind.UNKNOWN, raw)


def _argument_field(data: object) -> ArgumentField:
    what = gettext_lazy("an argument field")
    item = _object(data, what)
    return ArgumentField(
        key=_required_text(item.get("key"), what),
        description=_text(item.get("description"), what) or "",
        mandatory=_flag(item.get("mandatory"), what),
        type=parse_field_type(_text(item.get("type"), what)),
    )


def parse_argument_fields(data: object) -> ArgumentFields:
    """The answer of ``GET /company/report/argument/fields``."""
    what = gettext_lazy("the argument fields")
    shared: dict[str, ArgumentField] = {}
    by_type: dict[str, tuple[ArgumentField, ...]] = {}
    for key, fields in _object(data, what).items():
        parsed = tuple(_argument_field(item) for item in _list(fields, what))
        if key in _SHARED_KEYS:
            for argument_field in parsed:
                shared.setdefault(argument_field.key, argument_field)
        else:
            by_type[str(key)] = parsed
    return ArgumentFields(shared=tuple(shared.values()), by_type=by_type)


def parse_report_types(data: object) -> list[ReportType]:
    """The answer of ``GET /company/report/type``."""
    what = gettext_lazy("a report type")
    types = []
    for entry in _list(data, gettext_lazy("the report types")):
        item = _object(entry, what)
        types.append(
            ReportType(
                id=_required_text(item.get("id"), what),
                name=_text(item.get("name"), what) or "",
                description=_text(item.get("description"), what) or "",
                group=_text(item.get("group"), what) or "",
                added=_text(item.get("added"), what),
                class_name=_text(item.get("class_name"), what),
            )
        )
    return types


def parse_options(data: object) -> list[Option]:
    """A list of queues, users or callback destinations, labelled by name, extension or id."""
    what = gettext_lazy("an option list")
    options = []
    for entry in _list(data, what):
        item = _object(entry, what)
        option_id = _required_text(item.get("id"), what)
        label = _text(item.get("name"), what) or _text(item.get("extension"), what) or option_id
        options.append(Option(id=option_id, label=label))
    return options


def _report_arguments(data: object) -> tuple[ReportArgument, ...]:
    """``{key: [{id, value, added}, ...]}`` flattened, one argument per value."""
    what = gettext_lazy("a report's arguments")
    arguments = []
    for key, rows in _object(data, what).items():
        for entry in _list(rows, what):
            row = _object(entry, what)
            arguments.append(
                ReportArgument(
                    id=_text(row.get("id"), what) or "",
                    key=key,
                    value=_text(row.get("value"), what) or "",
                    added=_text(row.get("added"), what),
                )
            )
    return tuple(arguments)


def _report(data: object) -> Report:
    """A report; every key may be missing (the vendor's own example has no id)."""
    what = gettext_lazy("a report")
    item = _object(data, what)
    return Report(
        id=_text(item.get("id"), what) or "",
        name=_text(item.get("name"), what) or "",
        description=_text(item.get("description"), what) or "",
        interval=_text(item.get("interval"), what),
        active=_flag(item.get("active"), what),
        email_link_only=_flag(item.get("email_link_only"), what),
        report_type_id=_text(item.get("report_type_id"), what),
        added=_text(item.get("added"), what),
        arguments=_report_arguments(item.get("arguments") or []),
    )


def parse_report_page(data: object) -> ReportPage:
    """The answer of ``GET /company/report``: ``{count, limit, limit_from, reports}``."""
    what = gettext_lazy("the report list")
    page = _object(data, what)
    reports = tuple(_report(item) for item in _list(page.get("reports"), what))
    return ReportPage(
        count=_int(page.get("count"), what, default=len(reports)),
        limit=_int(page.get("limit"), what, default=len(reports)),
        limit_from=_int(page.get("limit_from"), what, default=0),
        reports=reports,
    )


def parse_created_id(data: object) -> str:
    """The id in a create answer, ``{"id": "2613"}``."""
    what = gettext_lazy("the answer to a create")
    return _required_text(_object(data, what).get("id"), what)


def parse_token_grant(data: object) -> TokenGrant:
    """The sign-in answer: ``access_token`` required, the rest optional."""
    what = gettext_lazy("the sign-in answer")
    grant = _object(data, what)
    expires_in = grant.get("expires_in")
    return TokenGrant(
        access_token=_required_text(grant.get("access_token"), what),
        refresh_token=_text(grant.get("refresh_token"), what),
        expires_in=None if expires_in is None else _int(expires_in, what, default=0),
    )
