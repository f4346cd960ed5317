"""Typed objects for what the Weblink API returns.

Parsing lives in the ``parse_*`` functions below; everything else in the product works
with these objects and never with the raw JSON.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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
