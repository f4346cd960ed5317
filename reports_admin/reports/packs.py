"""Report packs: reports exported as one versioned JSON file, and imported after a dry run.

A pack holds what Weblink holds of each report (settings, type, arguments) and, for a queue,
user or callback destination, the option's name beside its id, so another company can match
it by name. Everything in a file is untrusted: its size, shape, counts and texts are bounded
and checked, here, at the dry run and again when each report is created.

An import never changes or deletes a report; it only creates, as a bulk job (``bulk_jobs``)
whose items hold the pack's reports. Each report is planned again against a fresh read of
the company's reports just before it is created. Copying to another company is an export
from one connection and ``import_draft`` into another.
"""

from __future__ import annotations

import enum
import json
import secrets
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports_admin.connection.models import WeblinkConnection
from reports_admin.labels import INTERVAL_CHOICES
from reports_admin.reports import services
from reports_admin.reports.metadata_cache import (
    argument_fields_get,
    options_get,
    report_types_get,
)
from reports_admin.reports.models import BulkJob, BulkJobItem
from reports_admin.reports.snapshot import snapshot_get, snapshot_refresh
from reports_admin.weblink import UpstreamUnavailable
from reports_admin.weblink.metadata import (
    OPTION_KINDS,
    ArgumentFields,
    FieldKind,
    Option,
    Report,
    ReportArgument,
    ReportType,
)

FORMAT = "weblink-report-pack"
VERSION = 1
# Bounds on what a file may hold.
MAX_BYTES = 5 * 1024 * 1024
MAX_REPORTS = 500
MAX_ARGUMENTS = 200
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_KEY = 100
MAX_VALUE = 1000
MAX_ID = 20
# A copy's name. Not translated: it is data on Weblink, and the next import looks for it.
COPY_SUFFIX = " (imported)"

_PACK_KEYS = {"format", "version", "company", "exported_at", "reports"}
_REPORT_KEYS = {
    "id",
    "name",
    "description",
    "interval",
    "active",
    "email_link_only",
    "type",
    "arguments",
}
_TYPE_KEYS = {"id", "name"}
_ARGUMENT_KEYS = {"key", "value", "option"}
_INTERVALS = {value for value, _label in INTERVAL_CHOICES}
_OPTION_WORDS = {
    FieldKind.PBX_QUEUE: gettext_lazy("queue"),
    FieldKind.PBX_USER: gettext_lazy("user"),
    FieldKind.PBX_APP_CALLBACK_DESTINATION: gettext_lazy("callback destination"),
}


class PackError(Exception):
    """The file as a whole cannot be read as a pack: nothing of it is imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReportProblem(Exception):
    """One report of a pack cannot be imported; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PackArgument:
    key: str
    value: str
    # The option's name, for a queue, user or callback destination.
    option: str | None = None


@dataclass(frozen=True)
class PackReport:
    """One report of a pack, as the file gives it (checked)."""

    name: str
    description: str
    interval: str
    active: bool
    email_link_only: bool
    type_id: str
    type_name: str
    arguments: tuple[PackArgument, ...]


@dataclass(frozen=True)
class PackEntry:
    """One entry of the file: its report, or why it cannot be read (``problem``)."""

    label: str
    report: PackReport | None
    problem: str = ""


@dataclass(frozen=True)
class Pack:
    company: str
    exported_at: str
    entries: tuple[PackEntry, ...]


# --- Export -----------------------------------------------------------------------------------


def pack_export(*, connection: WeblinkConnection, reports: Iterable[Report]) -> dict:
    """The pack of ``reports`` as plain JSON values: their settings, type and arguments, with
    each queue's, user's or callback destination's name beside its id."""
    types = {t.id: t for t in report_types_get(connection=connection).value}
    fields = argument_fields_get(connection=connection).value
    labels: dict[FieldKind, dict[str, str]] = {}

    def option_name(kind: FieldKind, value: str) -> str | None:
        if kind not in labels:
            options = options_get(connection=connection, kind=kind).value or []
            labels[kind] = {option.id: option.label for option in options}
        return labels[kind].get(value)

    entries = []
    for report in reports:
        type_id = report.report_type_id or ""
        kinds = {
            f.key: f.type.kind for f in fields.for_type(type_id) if f.type.kind in OPTION_KINDS
        }
        arguments = []
        for argument in report.arguments:
            row = {"key": argument.key, "value": argument.value}
            name = (
                option_name(kinds[argument.key], argument.value) if argument.key in kinds else None
            )
            if name is not None:
                row["option"] = name
            arguments.append(row)
        entries.append(
            {
                "id": report.id,
                "name": report.name,
                "description": report.description,
                "interval": report.interval,
                "active": report.active,
                "email_link_only": report.email_link_only,
                "type": {"id": type_id, "name": types[type_id].name if type_id in types else ""},
                "arguments": arguments,
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "company": connection.company,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "reports": entries,
    }


def pack_dumps(pack: dict) -> bytes:
    """The pack as the file's bytes: UTF-8 JSON, indented so that it reads well in a diff."""
    return (json.dumps(pack, ensure_ascii=False, indent=2) + "\n").encode()


# --- Reading a file ---------------------------------------------------------------------------


def pack_parse(data: bytes) -> Pack:
    """The pack in ``data``; PackError when the file as a whole is not one we can read (too
    big, not UTF-8 JSON, not a pack, a newer version, malformed). A report that cannot be
    read is an entry with its ``problem``: the others can still be imported."""
    if len(data) > MAX_BYTES:
        raise PackError(_("The file is over 5 MB. A report pack is at most 5 MB."))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PackError(
            _("The file is not a report pack: it is not text (UTF-8), so not JSON.")
        ) from None
    except (ValueError, RecursionError):
        raise PackError(_("The file is not a report pack: it is not valid JSON.")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PackError(
            _("The file is JSON, but not a report pack: its “format” is not “%(format)s”.")
            % {"format": FORMAT}
        )
    version = document.get("version")
    if not _is_int(version) or version < 1:
        raise _malformed(_("its “version” is not a whole number from 1 up"))
    if version > VERSION:
        raise PackError(
            _(
                "The pack is of version %(version)d, made by a newer dashboard; this one reads "
                "version %(supported)d. Update the dashboard to import it."
            )
            % {"version": version, "supported": VERSION}
        )
    unknown = set(document) - _PACK_KEYS
    if unknown:
        raise _malformed(_("it has unknown keys: %(keys)s") % {"keys": _key_list(unknown)})
    company, exported_at = document.get("company"), document.get("exported_at")
    if not _is_text(company, 100) or not _is_text(exported_at, 40):
        raise _malformed(_("its “company” or “exported_at” is missing or not a short text"))
    reports = document.get("reports")
    if not isinstance(reports, list):
        raise _malformed(_("its “reports” is not a list"))
    if not reports:
        raise PackError(_("The pack holds no reports."))
    if len(reports) > MAX_REPORTS:
        raise PackError(
            _("The pack holds %(count)d reports; at most %(max)d can be imported at once.")
            % {"count": len(reports), "max": MAX_REPORTS}
        )
    return Pack(
        company=company,
        exported_at=exported_at,
        entries=tuple(_entry(number, raw) for number, raw in enumerate(reports, 1)),
    )


def pack_report_load(data: object) -> PackReport:
    """One report of a pack from the file's JSON (or an item's body); ReportProblem when it
    is not one this dashboard can import."""
    if not isinstance(data, dict):
        raise ReportProblem(_("It is not an object with a report's keys."))
    unknown = set(data) - _REPORT_KEYS
    if unknown:
        raise ReportProblem(_("It has unknown keys: %(keys)s.") % {"keys": _key_list(unknown)})
    name, description = data.get("name"), data.get("description")
    if not _is_text(name, MAX_NAME) or not name.strip():
        raise ReportProblem(
            _("Its name is missing or longer than %(max)d characters.") % {"max": MAX_NAME}
        )
    if description is not None and not _is_text(description, MAX_DESCRIPTION):
        raise ReportProblem(
            _("Its description is not a text of at most %(max)d characters.")
            % {"max": MAX_DESCRIPTION}
        )
    if data.get("interval") not in _INTERVALS:
        raise ReportProblem(_("Its interval is not one of hour, day, week or month."))
    if not isinstance(data.get("active"), bool) or not isinstance(
        data.get("email_link_only"), bool
    ):
        raise ReportProblem(_("Its “active” or “email_link_only” is not true or false."))
    if data.get("id") is not None and not _is_text(data["id"], MAX_ID):
        raise ReportProblem(_("Its id is not a short text."))
    report_type = data.get("type")
    if (
        not isinstance(report_type, dict)
        or set(report_type) - _TYPE_KEYS
        or not _is_text(report_type.get("id"), MAX_ID)
        or not _is_text(report_type.get("name", ""), MAX_NAME)
    ):
        raise ReportProblem(_("Its type is not an object with a short “id” and “name”."))
    return PackReport(
        name=name,
        description=description or "",
        interval=data["interval"],
        active=data["active"],
        email_link_only=data["email_link_only"],
        type_id=report_type["id"],
        type_name=report_type.get("name", ""),
        arguments=_arguments(data.get("arguments")),
    )


def pack_report_dump(report: PackReport) -> dict:
    """``report`` as the file's JSON, for an item's body (``pack_report_load`` reads it)."""
    return {
        "name": report.name,
        "description": report.description,
        "interval": report.interval,
        "active": report.active,
        "email_link_only": report.email_link_only,
        "type": {"id": report.type_id, "name": report.type_name},
        "arguments": [
            {"key": a.key, "value": a.value, **({"option": a.option} if a.option else {})}
            for a in report.arguments
        ],
    }


def _entry(number: int, raw: object) -> PackEntry:
    name = raw.get("name") if isinstance(raw, dict) else None
    label = (
        name[:MAX_NAME]
        if isinstance(name, str) and name.strip()
        else _("Report %(number)d of the file") % {"number": number}
    )
    try:
        return PackEntry(label=label, report=pack_report_load(raw))
    except ReportProblem as problem:
        return PackEntry(label=label, report=None, problem=problem.message)


def _arguments(data: object) -> tuple[PackArgument, ...]:
    if not isinstance(data, list) or len(data) > MAX_ARGUMENTS:
        raise ReportProblem(
            _("Its arguments are not a list of at most %(max)d.") % {"max": MAX_ARGUMENTS}
        )
    arguments = []
    for row in data:
        if (
            not isinstance(row, dict)
            or set(row) - _ARGUMENT_KEYS
            or not _is_text(row.get("key"), MAX_KEY)
            or not row["key"]
            or not _is_text(row.get("value"), MAX_VALUE)
            or ("option" in row and not _is_text(row["option"], MAX_NAME))
        ):
            raise ReportProblem(
                _("An argument is not an object of a short “key”, “value” and “option”.")
            )
        arguments.append(PackArgument(row["key"], row["value"], row.get("option")))
    return tuple(arguments)


def _is_text(value: object, max_length: int) -> bool:
    return isinstance(value, str) and len(value) <= max_length


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _key_list(keys: Collection[object]) -> str:
    """A few of ``keys``, short, for a message."""
    shown = sorted(str(key)[:40] for key in keys)[:5]
    return ", ".join(shown) + (", …" if len(keys) > len(shown) else "")


def _malformed(why: str) -> PackError:
    return PackError(_("The file is not a well-formed report pack: %(why)s.") % {"why": why})


# --- Planning ---------------------------------------------------------------------------------


class PlanKind(enum.StrEnum):
    CREATE = "create"
    COPY = "copy"
    IDENTICAL = "identical"
    CANNOT = "cannot"


@dataclass(frozen=True)
class ImportTarget:
    """What the receiving company holds: its types, fields, option lists and reports."""

    types: dict[str, ReportType]
    fields: ArgumentFields
    options: dict[FieldKind, list[Option] | None]
    reports: tuple[Report, ...]


@dataclass(frozen=True)
class ImportPlan:
    """What importing one report does: create ``body`` (under its name), or not, and why."""

    kind: PlanKind
    reason: str
    body: Report | None = None
    # The report found identical, when skipped.
    existing_id: str = ""


def import_target(*, connection: WeblinkConnection, fresh: bool = False) -> ImportTarget:
    """The company's metadata (cached) and its reports: from the snapshot, or with ``fresh``
    read from Weblink now (UpstreamUnavailable when only an older copy could be had)."""
    if fresh:
        snapshot = snapshot_refresh(connection=connection)
        if snapshot.stale:
            raise UpstreamUnavailable(
                _("Weblink could not be reached to read the reports as they are now.")
            )
    else:
        snapshot = snapshot_get(connection=connection)
    return ImportTarget(
        types={t.id: t for t in report_types_get(connection=connection).value},
        fields=argument_fields_get(connection=connection).value,
        options={
            kind: options_get(connection=connection, kind=kind).value for kind in OPTION_KINDS
        },
        reports=snapshot.reports,
    )


def import_plan(report: PackReport, target: ImportTarget, *, active: bool = False) -> ImportPlan:
    """Whether ``report`` is created (as itself or as a copy), skipped as identical to a
    report of the company, or cannot be imported. ``active``: how it would be created.

    A report counts as identical, too, when it differs only in being created paused (or
    active) as the import does, so a pack imported twice creates nothing the second time.
    """
    try:
        body, notes = _resolve(report, target)
    except ReportProblem as problem:
        return ImportPlan(PlanKind.CANNOT, _("Cannot import: %(why)s") % {"why": problem.message})
    note = "".join(f" {text}" for text in notes)

    def twin(name: str) -> Report | None:
        variants = (replace(body, name=name), replace(body, name=name, active=active))
        return next(
            (
                existing
                for existing in target.reports
                if existing.name == name and any(_same(existing, v) for v in variants)
            ),
            None,
        )

    if not any(existing.name == body.name for existing in target.reports):
        return ImportPlan(PlanKind.CREATE, _("Create.") + note, body)
    if found := twin(body.name):
        return ImportPlan(
            PlanKind.IDENTICAL,
            _("Skip: identical to report %(id)s.") % {"id": found.id},
            body,
            found.id,
        )
    copy_name = body.name + COPY_SUFFIX
    if found := twin(copy_name):
        return ImportPlan(
            PlanKind.IDENTICAL,
            _("Skip: a copy imported before, report %(id)s “%(name)s”, is identical.")
            % {"id": found.id, "name": copy_name},
            replace(body, name=copy_name),
            found.id,
        )
    return ImportPlan(
        PlanKind.COPY,
        _(
            "Create as a copy, “%(name)s”: a report of this name exists with other settings "
            "or arguments."
        )
        % {"name": copy_name}
        + note,
        replace(body, name=copy_name),
    )


def _resolve(report: PackReport, target: ImportTarget) -> tuple[Report, list[str]]:
    """The report as it would be created in the target company (its type and options matched
    there), and notes on what was matched differently; ReportProblem when something has no
    match."""
    report_type = target.types.get(report.type_id) or _one(
        [t for t in target.types.values() if report.type_name and t.name == report.type_name]
    )
    if report_type is None:
        raise ReportProblem(
            _("Weblink has no report type with id %(id)s or name “%(name)s” here.")
            % {"id": report.type_id, "name": report.type_name}
        )
    fields = {f.key: f for f in target.fields.for_type(report_type.id)}
    notes, arguments = [], []
    for argument in report.arguments:
        field = fields.get(argument.key)
        if field is None:
            raise ReportProblem(
                _("The report type “%(type)s” has no argument “%(key)s”.")
                % {"type": report_type.name, "key": argument.key}
            )
        value = argument.value
        if field.type.kind in OPTION_KINDS:
            value, note = _option_match(field.type.kind, target.options[field.type.kind], argument)
            if note:
                notes.append(note)
        arguments.append(ReportArgument(id="", key=argument.key, value=value))
    body = Report(
        id="",
        name=report.name,
        description=report.description,
        interval=report.interval,
        active=report.active,
        email_link_only=report.email_link_only,
        report_type_id=report_type.id,
        added=None,
        arguments=tuple(arguments),
    )
    return body, notes


def _option_match(
    kind: FieldKind, options: list[Option] | None, argument: PackArgument
) -> tuple[str, str]:
    """The id of the company's option that ``argument`` names, and a note when it is not the
    file's id and name both. By name first (ids differ between companies), then by id."""
    word = _OPTION_WORDS[kind]
    if options is None:
        raise ReportProblem(
            _("The company's %(option)s list could not be read from Weblink.") % {"option": word}
        )
    if argument.option:
        named = [option for option in options if option.label == argument.option]
        if any(option.id == argument.value for option in named):
            return argument.value, ""
        if len(named) == 1:
            return named[0].id, _(
                "The %(option)s “%(name)s” is %(id)s here (%(file_id)s in the file)."
            ) % {
                "option": word,
                "name": argument.option,
                "id": named[0].id,
                "file_id": argument.value,
            }
        if named:
            raise ReportProblem(
                _("Several of the company's %(option)s choices are named “%(name)s”.")
                % {"option": word, "name": argument.option}
            )
    by_id = next((option for option in options if option.id == argument.value), None)
    if by_id is None:
        raise ReportProblem(
            _("No %(option)s here matches id %(id)s or name “%(name)s”.")
            % {"option": word, "id": argument.value, "name": argument.option or ""}
        )
    if argument.option and by_id.label != argument.option:
        return by_id.id, _(
            "The %(option)s %(id)s is “%(label)s” here (“%(name)s” in the file): matched by id."
        ) % {"option": word, "id": by_id.id, "label": by_id.label, "name": argument.option}
    return by_id.id, ""


def _one[T](items: Sequence[T]) -> T | None:
    return items[0] if len(items) == 1 else None


def _same(a: Report, b: Report) -> bool:
    """Identical: the same type, settings and arguments (order, ids and ``added`` aside)."""
    return (
        a.report_type_id == b.report_type_id
        and (a.name, a.description, a.interval, a.active, a.email_link_only)
        == (b.name, b.description, b.interval, b.active, b.email_link_only)
        and Counter((x.key, x.value) for x in a.arguments)
        == Counter((x.key, x.value) for x in b.arguments)
    )


# --- The import job ---------------------------------------------------------------------------


def import_draft(
    *,
    owner: AbstractBaseUser,
    connection: WeblinkConnection,
    pack: Pack,
    recipients: Sequence[str] | None = None,
) -> BulkJob:
    """The dry run: a draft import job with each report's plan. Reports to create are to do
    (the person chooses among them); the others are skipped, saying why. ``recipients``,
    when given, replace each report's ``email`` arguments (a copy to another company)."""
    # Read fresh: a report deleted a moment ago must not count as there.
    target = import_target(connection=connection, fresh=True)
    job = BulkJob.objects.create(
        owner=owner,
        connection=connection,
        action=BulkJob.Action.IMPORT,
        key=secrets.token_urlsafe(24),
    )
    items = []
    for entry in pack.entries:
        report = entry.report
        if report is not None and recipients is not None:
            report = replace(
                report,
                arguments=tuple(a for a in report.arguments if a.key != "email")
                + tuple(PackArgument("email", address) for address in recipients),
            )
        plan = (
            import_plan(report, target)
            if report is not None
            else ImportPlan(PlanKind.CANNOT, _("Cannot import: %(why)s") % {"why": entry.problem})
        )
        to_do = plan.kind in (PlanKind.CREATE, PlanKind.COPY)
        items.append(
            BulkJobItem(
                job=job,
                report_id=plan.existing_id,
                report_name=entry.label,
                body=pack_report_dump(report) if report is not None else None,
                calls=1 if to_do else 0,
                outcome=BulkJobItem.Outcome.NOT_STARTED if to_do else BulkJobItem.Outcome.SKIPPED,
                reason=plan.reason,
                finished_at=None if to_do else timezone.now(),
            )
        )
    BulkJobItem.objects.bulk_create(items)
    return job


def pack_copy(
    *,
    owner: AbstractBaseUser,
    source: WeblinkConnection,
    target: WeblinkConnection,
    reports: Iterable[Report],
    recipients: Sequence[str] | None = None,
) -> BulkJob:
    """Copying to another company: ``reports`` of ``source`` exported and read back as a file
    would be (the same checks), then a dry run into ``target`` (``import_draft``)."""
    pack = pack_parse(pack_dumps(pack_export(connection=source, reports=reports)))
    return import_draft(owner=owner, connection=target, pack=pack, recipients=recipients)


def import_confirm(
    *, owner: AbstractBaseUser, key: str, chosen: Collection[int], active: bool
) -> tuple[BulkJob | None, bool]:
    """Starts the draft import with this once-only key: the ``chosen`` items (ids) are
    created, active or paused; the others are skipped. (the job, whether this call started
    it); a second post of the same confirmation starts nothing and changes nothing."""
    job = BulkJob.objects.filter(owner=owner, key=key, action=BulkJob.Action.IMPORT).first()
    if job is None:
        return None, False
    with transaction.atomic():
        started = bool(
            BulkJob.objects.filter(pk=job.pk, state=BulkJob.State.DRAFT).update(
                state=BulkJob.State.QUEUED, create_active=active
            )
        )
        if started:
            job.items.filter(outcome=BulkJobItem.Outcome.NOT_STARTED).exclude(pk__in=chosen).update(
                outcome=BulkJobItem.Outcome.SKIPPED,
                reason=_("Not chosen for the import."),
                calls=0,
                finished_at=timezone.now(),
            )
    job.refresh_from_db()
    return job, started


def import_item_run(
    *, job: BulkJob, connection: WeblinkConnection, item: BulkJobItem
) -> tuple[str, str, str]:
    """Plans the item's report again on the company's reports as Weblink holds them now, and
    creates it when it is still to be created: (outcome, reason, the report's id).

    A resumed item (its create began in a worker that stopped) that finds its report under
    the name it would have been created with is done: it is not created twice.
    """
    Outcome = BulkJobItem.Outcome
    try:
        report = pack_report_load(item.body)
    except ReportProblem as problem:
        return Outcome.SKIPPED, _("Cannot import: %(why)s") % {"why": problem.message}, ""
    plan = import_plan(
        report, import_target(connection=connection, fresh=True), active=job.create_active
    )
    if plan.kind == PlanKind.IDENTICAL and item.resumed:
        reason = _(
            "Found by its name, report %(id)s: created before the worker stopped (or by "
            "someone else since). Not created again."
        ) % {"id": plan.existing_id}
        return Outcome.DONE, reason, plan.existing_id
    if plan.kind in (PlanKind.IDENTICAL, PlanKind.CANNOT):
        return Outcome.SKIPPED, plan.reason, plan.existing_id
    body = plan.body
    arguments: dict[str, list[str]] = {}
    for argument in body.arguments:
        arguments.setdefault(argument.key, []).append(argument.value)
    new_id = services.report_create(
        connection=connection,
        settings=services.ReportSettings(
            name=body.name,
            description=body.description,
            interval=body.interval or "",
            active=job.create_active,
            email_link_only=body.email_link_only,
        ),
        report_type_id=body.report_type_id or "",
        arguments=arguments,
    )
    if plan.kind == PlanKind.COPY:
        return Outcome.DONE, _("Created as a copy, “%(name)s”.") % {"name": body.name}, new_id
    return Outcome.DONE, _("Created."), new_id
