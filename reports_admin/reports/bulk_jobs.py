"""Bulk jobs: plan one action over many reports, confirm it once, and run it report by report.

Nothing is ever retried. Each report is claimed (``started_at``) before its call, and its
outcome is written as soon as the call ends, so a worker killed mid-call leaves a report
whose outcome is unknown: ``bulk_jobs_resume`` marks it so, and it is never redone (an
import's report is looked up by name instead, and created only when it is not there).
Each report's write goes through the same services as a single one, so it is an entry in
the activity log with the version from before.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports_admin.connection.models import WeblinkConnection
from reports_admin.reports import packs, sending, services
from reports_admin.reports.models import BulkJob, BulkJobItem
from reports_admin.reports.snapshot import snapshot_refresh
from reports_admin.weblink import (
    NotConnected,
    NotFound,
    PartialUpdate,
    RateLimited,
    SendRefused,
    TokenRejected,
    UpstreamUnavailable,
    WeblinkError,
)
from reports_admin.weblink.metadata import Report

Action = BulkJob.Action
Outcome = BulkJobItem.Outcome
# Items are read and written this many at a time, so memory stays flat however big the job.
CHUNK = 200
# Above this many reports, Delete and Send now ask for the number of reports to be typed.
TYPE_COUNT_ABOVE = 50
UNFINISHED = (BulkJob.State.QUEUED, BulkJob.State.RUNNING)


@dataclass(frozen=True)
class ItemPlan:
    """What the job will do to one report: ``calls`` to Weblink, or skip it for ``skip``."""

    calls: int
    skip: str = ""


def item_plan(job: BulkJob, report: Report) -> ItemPlan:
    """The calls ``job`` makes for ``report`` as it is, or why it leaves it alone."""
    address = job.address.casefold()
    has = [value for value in report.recipients if value.casefold() == address]
    match job.action:
        case Action.PAUSE if not report.active:
            return ItemPlan(0, _("It is paused already."))
        case Action.ACTIVATE if report.active:
            return ItemPlan(0, _("It is active already."))
        case Action.ADD_RECIPIENT if has:
            return ItemPlan(0, _("It sends to %(address)s already.") % {"address": job.address})
        case Action.REMOVE_RECIPIENT | Action.REPLACE_RECIPIENT if not has:
            return ItemPlan(0, _("It does not send to %(address)s.") % {"address": job.address})
        case Action.REMOVE_RECIPIENT if len(has) == len(report.recipients):
            return ItemPlan(
                0, _("It would be left without a recipient, and a report must have one.")
            )
        case Action.REMOVE_RECIPIENT:
            return ItemPlan(len(has))
        case Action.REPLACE_RECIPIENT if any(
            value.casefold() == job.new_address.casefold() for value in report.recipients
        ):
            return ItemPlan(0, _("It sends to %(address)s already.") % {"address": job.new_address})
        case Action.REPLACE_RECIPIENT:
            # One argument PATCH; a second copy of the old address is deleted.
            return ItemPlan(len(has))
    return ItemPlan(1)


def call_description(job: BulkJob, count: int) -> str:
    """The calls of ``job`` in words: "12 argument PATCHes"."""
    match job.action:
        case Action.PAUSE | Action.ACTIVATE:
            text = ngettext("%(n)d report PATCH", "%(n)d report PATCHes", count)
        case Action.DELETE:
            text = ngettext("%(n)d report DELETE", "%(n)d report DELETEs", count)
        case Action.SEND:
            text = ngettext("%(n)d send", "%(n)d sends", count)
        case Action.ADD_RECIPIENT:
            text = ngettext("%(n)d argument POST", "%(n)d argument POSTs", count)
        case Action.IMPORT:
            text = ngettext("%(n)d report POST", "%(n)d report POSTs", count)
        case Action.REMOVE_RECIPIENT:
            text = ngettext("%(n)d argument DELETE", "%(n)d argument DELETEs", count)
        case _:
            text = ngettext("%(n)d argument PATCH", "%(n)d argument PATCHes", count)
    return text % {"n": count}


def bulk_job_draft(
    *,
    owner: AbstractBaseUser,
    connection: WeblinkConnection,
    action: str,
    reports: Iterable[Report],
    address: str = "",
    new_address: str = "",
) -> BulkJob:
    """The job as its confirmation shows it: every report, the ones it will leave alone
    already skipped with the reason. Not started until ``bulk_job_confirm``."""
    job = BulkJob.objects.create(
        owner=owner,
        connection=connection,
        action=action,
        address=address,
        new_address=new_address,
        key=secrets.token_urlsafe(24),
    )
    items = []
    for report in reports:
        plan = item_plan(job, report)
        items.append(
            BulkJobItem(
                job=job,
                report_id=report.id,
                report_name=report.name,
                recipients=", ".join(report.recipients) if action == Action.SEND else "",
                calls=plan.calls,
                outcome=Outcome.SKIPPED if plan.skip else Outcome.NOT_STARTED,
                reason=plan.skip,
                finished_at=timezone.now() if plan.skip else None,
            )
        )
    BulkJobItem.objects.bulk_create(items, batch_size=CHUNK)
    return job


def bulk_job_confirm(*, owner: AbstractBaseUser, key: str) -> tuple[BulkJob | None, bool]:
    """Starts the draft with this once-only key: (the job, whether this call started it).

    Only the first of several posts of one confirmation changes the state, so a double post
    starts one job. (None, False) when ``owner`` has no job with this key.
    """
    job = BulkJob.objects.filter(owner=owner, key=key).first()
    if job is None:
        return None, False
    started = bool(
        BulkJob.objects.filter(pk=job.pk, state=BulkJob.State.DRAFT).update(
            state=BulkJob.State.QUEUED
        )
    )
    job.refresh_from_db()
    return job, started


def bulk_job_counts(job: BulkJob) -> dict[str, int]:
    """How many of the job's reports have each outcome (every outcome, zeros included)."""
    counts = dict.fromkeys(Outcome.values, 0)
    for row in job.items.values("outcome").annotate(n=Count("id")).order_by():
        counts[row["outcome"]] = row["n"]
    return counts


def bulk_jobs_for(user: AbstractBaseUser, *, company: str = "", limit: int = 10) -> list[BulkJob]:
    """The latest confirmed jobs ``user`` may see: their own, or everyone's for staff; only
    those of ``company`` when one is given."""
    jobs = BulkJob.objects.exclude(state=BulkJob.State.DRAFT).select_related("owner", "connection")
    if not user.is_staff:
        jobs = jobs.filter(owner=user)
    if company:
        jobs = jobs.filter(connection__company=company)
    return list(jobs.annotate(size=Count("items"))[:limit])


def bulk_job_calls(job: BulkJob) -> int:
    """How many calls the confirmation counts for the job."""
    return job.items.aggregate(total=Sum("calls"))["total"] or 0


def bulk_jobs_resume() -> list[int]:
    """At a worker's start: every report whose call began but whose outcome was never written
    becomes "outcome unknown" (never redone); returns the unfinished jobs to run again.

    An import's report is the exception: it is looked up by name when its job goes on, and
    created only when it is not found (``packs.import_item_run``), so it is never created
    twice and never lost.

    Only one worker may start at a time (the worker service is one process): a report under
    way in a live worker would otherwise be marked unknown.
    """
    under_way = BulkJobItem.objects.filter(
        job__state__in=UNFINISHED, outcome=Outcome.NOT_STARTED, started_at__isnull=False
    )
    under_way.filter(job__action=Action.IMPORT).update(started_at=None, resumed=True)
    under_way.exclude(job__action=Action.IMPORT).update(
        outcome=Outcome.UNKNOWN,
        reason=_("The worker stopped during the call, so whether it went through is unknown."),
        finished_at=timezone.now(),
    )
    return list(BulkJob.objects.filter(state__in=UNFINISHED).values_list("pk", flat=True))


def bulk_job_run(job_id: int) -> None:
    """Runs the job's reports that have not started, one call at a time, in order.

    A 429 or 503 fails that report and the next call waits as Retry-After says (capped).
    A 401 stops the job until the person connects again; that report was not carried out
    (Weblink did nothing), so it stays not started.
    """
    job = BulkJob.objects.select_related("connection", "owner").get(pk=job_id)
    if job.state not in (*UNFINISHED, BulkJob.State.WAITING):
        return
    job.state = BulkJob.State.RUNNING
    job.save(update_fields=["state"])
    connection = job.connection
    try:
        snapshot = snapshot_refresh(connection=connection)
        if snapshot.stale:
            raise UpstreamUnavailable(
                _("Weblink could not be reached to read the reports as they are now.")
            )
    except (TokenRejected, NotConnected):
        _job_set(job, BulkJob.State.WAITING)
        return
    except WeblinkError as error:
        _items_fail_remaining(job, error.message)
        _job_set(job, BulkJob.State.FINISHED)
        return
    reports = {report.id: report for report in snapshot.reports}
    wait_until = 0.0
    for item in _items_to_run(job):
        if not _item_claim(item):
            continue
        # What Weblink asked after a 429 or 503, before the next call.
        time.sleep(max(0.0, wait_until - time.monotonic()))
        try:
            if job.action == Action.IMPORT:
                outcome, reason = _import_item_run(job, connection, item)
            else:
                outcome, reason = _item_run(job, connection, reports.get(item.report_id))
        except (TokenRejected, NotConnected):
            BulkJobItem.objects.filter(pk=item.pk).update(started_at=None)
            _job_set(job, BulkJob.State.WAITING)
            return
        except (RateLimited, UpstreamUnavailable) as error:
            outcome, reason = _failure(error)
            if error.status in (429, 503):
                wait = error.retry_after if error.retry_after is not None else 1.0
                wait_until = time.monotonic() + min(wait, settings.BULK_RETRY_AFTER_CAP_SECONDS)
        except WeblinkError as error:
            outcome, reason = _failure(error)
        BulkJobItem.objects.filter(pk=item.pk).update(
            outcome=outcome, reason=reason, finished_at=timezone.now()
        )
    _job_set(job, BulkJob.State.FINISHED)


def _item_run(
    job: BulkJob, connection: WeblinkConnection | None, report: Report | None
) -> tuple[str, str]:
    """Makes the report's calls; (outcome, reason). Errors other than a refused send go on."""
    if report is None:
        raise NotFound
    plan = item_plan(job, report)
    if plan.skip:
        return Outcome.SKIPPED, plan.skip
    try:
        match job.action:
            case Action.PAUSE | Action.ACTIVATE:
                services.report_set_active(
                    connection=connection, report=report, active=job.action == Action.ACTIVATE
                )
            case Action.DELETE:
                services.report_delete(connection=connection, report=report)
            case Action.SEND:
                sending.report_send_once(
                    connection=connection, report=report, claim=f"bulk:{job.key}:{report.id}"
                )
            case Action.ADD_RECIPIENT:
                services.report_recipients_change(
                    connection=connection, report=report, add=job.address
                )
            case Action.REMOVE_RECIPIENT:
                services.report_recipients_change(
                    connection=connection, report=report, remove=job.address
                )
            case Action.REPLACE_RECIPIENT:
                services.report_recipients_change(
                    connection=connection, report=report, add=job.new_address, remove=job.address
                )
    except SendRefused as refusal:
        return Outcome.SKIPPED, refusal.message
    except PartialUpdate as error:
        raise error.error from error
    return Outcome.DONE, ""


def _import_item_run(
    job: BulkJob, connection: WeblinkConnection | None, item: BulkJobItem
) -> tuple[str, str]:
    """Creates the item's report unless it exists already; its id is kept on the item."""
    outcome, reason, report_id = packs.import_item_run(job=job, connection=connection, item=item)
    if report_id:
        BulkJobItem.objects.filter(pk=item.pk).update(report_id=report_id)
    return outcome, reason


def _failure(error: WeblinkError) -> tuple[str, str]:
    if isinstance(error, UpstreamUnavailable) and error.timed_out:
        return Outcome.UNKNOWN, error.message
    if isinstance(error, NotFound):
        return Outcome.FAILED, _("Weblink has no such report (404): it was deleted.")
    return Outcome.FAILED, error.message


def _items_to_run(job: BulkJob) -> Iterator[BulkJobItem]:
    """The job's items not started yet, in order, read a chunk at a time."""
    last = 0
    while True:
        chunk = list(
            job.items.filter(
                pk__gt=last, outcome=Outcome.NOT_STARTED, started_at__isnull=True
            ).order_by("pk")[:CHUNK]
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def _item_claim(item: BulkJobItem) -> bool:
    """Marks the item's call as begun; False when another run has claimed it."""
    with transaction.atomic():
        return bool(
            BulkJobItem.objects.filter(pk=item.pk, started_at__isnull=True).update(
                started_at=timezone.now()
            )
        )


def _items_fail_remaining(job: BulkJob, reason: str) -> None:
    job.items.filter(outcome=Outcome.NOT_STARTED, started_at__isnull=True).update(
        outcome=Outcome.FAILED, reason=reason, finished_at=timezone.now()
    )


def _job_set(job: BulkJob, state: str) -> None:
    job.state = state
    job.finished_at = timezone.now() if state == BulkJob.State.FINISHED else None
    job.save(update_fields=["state", "finished_at"])
