"""Reads of the activity log: for the activity page, and a report's sends from this dashboard."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery

from reports_admin.activity.models import Activity


def activity_list(
    *, user: AbstractBaseUser, action: str = "", username: str = "", company: str = ""
) -> QuerySet[Activity]:
    """The entries ``user`` may see, newest first: staff see everyone's, others their own;
    those of one Weblink ``company`` when given."""
    entries = Activity.objects.all()
    if not user.is_staff:
        entries = entries.filter(user=user)
    if company:
        entries = entries.filter(company=company)
    if action:
        entries = entries.filter(action=action)
    if username:
        entries = entries.filter(username=username)
    return entries


def activity_people(*, user: AbstractBaseUser) -> list[str]:
    """The user names in the entries ``user`` may see, for the person filter."""
    return list(
        activity_list(user=user).order_by("username").values_list("username", flat=True).distinct()
    )


def activity_companies(*, user: AbstractBaseUser) -> list[str]:
    """The companies in the entries ``user`` may see, for the company filter."""
    return list(
        activity_list(user=user)
        .exclude(company="")
        .order_by("company")
        .values_list("company", flat=True)
        .distinct()
    )


def activity_entry_get(*, user: AbstractBaseUser, entry_id: int, company: str) -> Activity | None:
    """The entry with this id, if ``user`` may see it and it is of ``company``; else None."""
    return activity_list(user=user, company=company).filter(id=entry_id).first()


SEND_HISTORY_SIZE = 20


def _sends(*, company: str) -> QuerySet[Activity]:
    """Every "send now" from this dashboard to reports of the Weblink ``company``, by anyone
    (a report id is only unique within one company)."""
    return Activity.objects.filter(action=Activity.Action.SENT, company=company)


def report_sends(*, report_id: str, company: str) -> list[Activity]:
    """The last ``SEND_HISTORY_SIZE`` sends of the report from this dashboard, newest first."""
    return list(_sends(company=company).filter(report_id=report_id)[:SEND_HISTORY_SIZE])


def reports_last_sent(*, report_ids: Sequence[str], company: str) -> dict[str, Activity]:
    """The last send from this dashboard of each report that has one, in one query."""
    latest = (
        _sends(company=company)
        .filter(report_id=OuterRef("report_id"))
        .order_by("-at", "-id")
        .values("id")[:1]
    )
    # The subquery's row is already a send to this company, so the outer query needs no join
    # to the company; the action still narrows which rows the subquery is run for.
    entries = Activity.objects.filter(
        action=Activity.Action.SENT, report_id__in=report_ids, id=Subquery(latest)
    )
    return {entry.report_id: entry for entry in entries}
