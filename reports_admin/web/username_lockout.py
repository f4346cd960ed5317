"""Sign-in lockout per user name, whatever the address.

django-axes locks a user name at one address after AXES_FAILURE_LIMIT failures; someone
guessing from many addresses never reaches that. This backend, placed after axes' and before
the one that checks passwords, refuses a user name once its failures from all addresses within
the cool-off reach AXES_USERNAME_FAILURE_LIMIT, a higher limit, so that nobody can cheaply
lock a colleague out. It counts axes' own records, so ``manage.py axes_reset_username NAME``
unlocks it (and the lock ends by itself after the cool-off).
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def username_failures(username: str) -> int:
    """Failed sign-ins for ``username`` from every address within the cool-off."""
    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class UsernameLockoutBackend:
    """Authenticates nobody; refuses a locked user name before its password is checked.

    No ``get_user``: it never signs anyone in, so a session must never name it.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **credentials
    ) -> None:
        if username and username_failures(username) >= settings.AXES_USERNAME_FAILURE_LIMIT:
            if request is not None:
                # axes' middleware then answers with the locked-out page.
                request.axes_locked_out = True
                request.axes_credentials = {"username": username}
            raise PermissionDenied
        return None
