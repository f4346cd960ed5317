"""Writes to the activity log: what people did on Weblink through the dashboard, and how it
ended. Services call ``activity_record`` or ``activity_recorded``; entries hold no token or
password. ``activity_prune`` drops the entries older than ``ACTIVITY_RETENTION_DAYS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports_admin.activity.models import Activity
from reports_admin.weblink import message_id

# The outcome of a failure that carries no message for people (a bug, not a Weblink answer).
UNEXPECTED_FAILURE = _("It failed with an unexpected error.")


def activity_record(
    *,
    user: AbstractBaseUser,
    action: Activity.Action,
    report_id: str = "",
    report_name: str = "",
    outcome: str | Promise = Activity.ACCEPTED,
    outcome_id: str = "",
    company: str = "",
) -> Activity:
    """Writes one entry, for the Weblink ``company`` acted on; ``outcome`` is
    ``Activity.ACCEPTED`` or the message the person saw.

    ``outcome_id`` is its English original when the dashboard wrote it (an error's
    ``message_id``); a ``gettext_lazy`` outcome gives its own.
    """
    entry = _entry(
        user=user, action=action, report_id=report_id, report_name=report_name, company=company
    )
    entry.outcome = str(outcome)
    entry.outcome_id = outcome_id or message_id(outcome)
    entry.save()
    return entry


@contextmanager
def activity_recorded(
    *,
    user: AbstractBaseUser,
    action: Activity.Action,
    report_id: str = "",
    report_name: str = "",
    company: str = "",
) -> Iterator[Activity]:
    """Writes one entry, for the Weblink ``company``, when the block ends: accepted, or the
    message of the error it raised.

    The block may fill in the yielded, unsaved entry's ``report_id`` (a new report's id).
    The error goes on to the caller.
    """
    entry = _entry(
        user=user, action=action, report_id=report_id, report_name=report_name, company=company
    )
    try:
        yield entry
    except Exception as error:
        if getattr(error, "message", ""):
            entry.outcome, entry.outcome_id = error.message, getattr(error, "message_id", "")
        else:
            entry.outcome = str(UNEXPECTED_FAILURE)
            entry.outcome_id = message_id(UNEXPECTED_FAILURE)
        entry.save()
        raise
    entry.outcome = Activity.ACCEPTED
    entry.save()


def activity_prune(*, days: int | None = None) -> int:
    """Deletes the entries older than ``days`` (``ACTIVITY_RETENTION_DAYS`` by default);
    returns how many. Their versions go with them, so they can no longer be restored."""
    keep_days = settings.ACTIVITY_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=keep_days)
    deleted, _by_model = Activity.objects.filter(at__lt=cutoff).delete()
    return deleted


def _entry(
    *,
    user: AbstractBaseUser,
    action: Activity.Action,
    report_id: str,
    report_name: str,
    company: str,
) -> Activity:
    """An unsaved entry for ``user``, who is named too, so it outlives their account."""
    return Activity(
        user=user,
        username=user.get_username(),
        action=action,
        report_id=report_id or "",
        report_name=report_name or "",
        company=company,
    )
