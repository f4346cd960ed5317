"""Strict checks of the bodies the simulator receives, against the seeded metadata.

Every check raises :class:`ApiError`; a body that breaks several rules gets one 400 answer
that lists them all, keyed by the field or argument key at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from weblink_sim import seed

_ENUM = re.compile(r"^enum\((.*)\)$")
_ENUM_VALUE = re.compile(r"'([^']*)'")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")

# The top-level keys of each kind of body.
REPORT_KEYS = ("interval", "active", "name", "description", "email_link_only")
CREATE_KEYS = (*REPORT_KEYS, "report_type_id", "arguments")
DOWNLOAD_KEYS = ("interval", "report_type_id", "arguments")
ARGUMENT_KEYS = ("key", "value")

Errors = dict[str, list[str]]


class ApiError(Exception):
    """An answer other than success: its status and the JSON body to send."""

    def __init__(
        self, status: int, message: str, errors: Errors | None = None, *, extra: dict | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.extra = extra or {}  # further keys of the body, such as OAuth's "error"

    def body(self) -> dict:
        """The JSON body of the answer."""
        body = {"message": self.message, **self.extra}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid(errors: Errors) -> ApiError:
    """The 400 answer for a body that breaks the rules listed in ``errors``."""
    return ApiError(400, "The given data was invalid.", errors)


def fields_for_type(report_type_id: str) -> dict[str, dict]:
    """The argument fields valid for a report type: the shared ones and its own, by key."""
    fields = seed.ARGUMENT_FIELDS["all"] + seed.ARGUMENT_FIELDS.get(report_type_id, [])
    return {field["key"]: field for field in fields}


def report_type(report_type_id: str) -> dict | None:
    """The seeded report type with this id, if there is one."""
    return next((t for t in seed.REPORT_TYPES if t["id"] == report_type_id), None)


# The company's option lists by field type: the seeded ones unless a state says otherwise.
Options = Mapping[str, Sequence[dict]]


def _value_error(field_type: str, value: str, options: Options) -> str | None:
    """Why ``value`` is not a valid value of ``field_type``, or None when it is."""
    if value == "":
        return "This value may not be empty."
    enum = _ENUM.match(field_type)
    if enum:
        allowed = _ENUM_VALUE.findall(enum.group(1))
        return None if value in allowed else f"Must be one of: {', '.join(allowed)}."
    if field_type == "email":
        return None if _EMAIL.match(value) else "Not a valid e-mail address."
    if field_type == "bool":
        return None if value in ("0", "1") else "Must be 0 or 1."
    if field_type == "int":
        return None if value.isdigit() else "Must be a whole number."
    if field_type in options:
        ids = {item["id"] for item in options[field_type]}
        return None if value in ids else "No such item in the company."
    return None


def check_arguments(
    report_type_id: str,
    arguments: Iterable[tuple[str, str]],
    options: Options = seed.OPTION_LISTS,
) -> None:
    """Check a report's whole set of arguments: keys, values, repeats and mandatory ones."""
    errors: Errors = {}
    _check_arguments(report_type_id, arguments, errors, options)
    if errors:
        raise invalid(errors)


def _check_arguments(
    report_type_id: str, arguments: Iterable[tuple[str, str]], errors: Errors, options: Options
) -> None:
    fields = fields_for_type(report_type_id)
    seen: set[str] = set()
    for key, value in arguments:
        field = fields.get(key)
        if field is None:
            message = f"Not a valid argument for report type {report_type_id}."
        elif key in seen and field["type"] != "email":
            # Only e-mail takes several values: one argument per recipient.
            message = "This argument takes one value only."
        else:
            message = _value_error(field["type"], value, options)
        seen.add(key)
        if message:
            errors.setdefault(key, []).append(message)
    for key, field in fields.items():
        if field["mandatory"] == "1" and key not in seen:
            errors.setdefault(key, []).append("This argument is mandatory.")


def parse_object(body: object, allowed: Iterable[str], errors: Errors) -> dict:
    """The body as a dict, noting unknown keys in ``errors``."""
    if not isinstance(body, dict):
        raise invalid({"body": ["Must be a JSON object."]})
    for key in body:
        if key not in allowed:
            errors.setdefault(key, []).append("Unknown field.")
    return body


def _check_interval(body: dict, errors: Errors) -> None:
    if body.get("interval") not in seed.INTERVALS:
        errors.setdefault("interval", []).append(f"Must be one of: {', '.join(seed.INTERVALS)}.")


def _check_flag(body: dict, key: str, errors: Errors) -> bool | None:
    value = body[key]
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1") and not isinstance(value, float):
        return str(value) == "1"
    errors.setdefault(key, []).append("Must be 0 or 1.")
    return None


def _check_text(body: dict, key: str, errors: Errors, *, nullable: bool) -> None:
    value = body[key]
    if value is None and nullable:
        return
    if not isinstance(value, str):
        errors.setdefault(key, []).append("Must be a string.")
    elif len(value) > 255:
        errors.setdefault(key, []).append("At most 255 characters.")


def _parse_argument(item: object) -> tuple[str, str] | None:
    """One ``{key, value}`` item as a pair, or None when it has another shape."""
    if not isinstance(item, dict) or set(item) != set(ARGUMENT_KEYS):
        return None
    key, value = item["key"], item["value"]
    if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return key, str(value)


def _check_type_and_arguments(
    body: dict, errors: Errors, options: Options
) -> tuple[str, list[tuple[str, str]]]:
    """The report type id and the arguments, which are checked against that type's fields."""
    value = body.get("report_type_id")
    report_type_id = str(value) if isinstance(value, str | int) else ""
    type_known = not isinstance(value, bool) and report_type(report_type_id) is not None
    if not type_known:
        errors.setdefault("report_type_id", []).append("Unknown report type.")
    items = body.get("arguments")
    pairs = [_parse_argument(item) for item in items] if isinstance(items, list) else [None]
    if None in pairs:
        errors.setdefault("arguments", []).append("Must be a list of {key, value} objects.")
    elif type_known:
        _check_arguments(report_type_id, pairs, errors, options)
    return report_type_id, pairs


def _check_report_fields(body: dict, errors: Errors) -> dict:
    """The report's own fields present in ``body``, with flags as booleans."""
    changes: dict = {}
    if "interval" in body:
        _check_interval(body, errors)
        changes["interval"] = body["interval"]
    for key in ("active", "email_link_only"):
        if key in body:
            changes[key] = _check_flag(body, key, errors)
    if "name" in body:
        _check_text(body, "name", errors, nullable=False)
        changes["name"] = body["name"]
    if "description" in body:
        _check_text(body, "description", errors, nullable=True)
        changes["description"] = body["description"]
    return changes


def parse_report_create(
    body: object, options: Options = seed.OPTION_LISTS
) -> tuple[dict, str, list[tuple[str, str]]]:
    """A create body as (report fields, report type id, arguments)."""
    errors: Errors = {}
    body = parse_object(body, CREATE_KEYS, errors)
    if "interval" not in body:
        errors.setdefault("interval", []).append("This field is required.")
    fields = _check_report_fields(body, errors)
    report_type_id, arguments = _check_type_and_arguments(body, errors, options)
    if errors:
        raise invalid(errors)
    return fields, report_type_id, arguments


def parse_report_update(body: object) -> dict:
    """A PATCH body as the report fields to change."""
    errors: Errors = {}
    body = parse_object(body, REPORT_KEYS, errors)
    for key in ("report_type_id", "arguments"):
        if key in errors:
            errors[key] = ["Cannot be changed here: create a new report or use the argument calls."]
    changes = _check_report_fields(body, errors)
    if errors:
        raise invalid(errors)
    return changes


def parse_download(
    body: object, options: Options = seed.OPTION_LISTS
) -> tuple[str, str, list[tuple[str, str]]]:
    """A download body as (interval, report type id, arguments)."""
    errors: Errors = {}
    body = parse_object(body, DOWNLOAD_KEYS, errors)
    _check_interval(body, errors)
    report_type_id, arguments = _check_type_and_arguments(body, errors, options)
    if errors:
        raise invalid(errors)
    return body["interval"], report_type_id, arguments


def parse_argument(body: object) -> tuple[str, str]:
    """An argument body ``{key, value}`` as a pair."""
    errors: Errors = {}
    body = parse_object(body, ARGUMENT_KEYS, errors)
    pair = None if errors else _parse_argument(body)
    if pair is None:
        errors.setdefault("body", []).append("Must be an object with a string key and value.")
        raise invalid(errors)
    return pair
