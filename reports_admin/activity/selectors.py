"""Reads of the activity log, for the activity page."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from reports_admin.activity.models import Activity


def activity_list(
    *, user: AbstractBaseUser, action: str = "", username: str = ""
) -> QuerySet[Activity]:
    """The entries ``user`` may see, newest first: staff see everyone's, others their own."""
    entries = Activity.objects.all()
    if not user.is_staff:
        entries = entries.filter(user=user)
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


def activity_entry_get(*, user: AbstractBaseUser, entry_id: int) -> Activity | None:
    """The entry with this id, if ``user`` may see it; else None."""
    return activity_list(user=user).filter(id=entry_id).first()
