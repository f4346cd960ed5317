"""Send now: e-mail a report to its recipients at once, exactly once per intended send.

``GET /company/report/{id}/send`` has a side effect and cannot be undone, so it is never
retried. Each confirmation form carries a one-time key, claimed atomically in the cache
(``cache.add``, which is atomic in Redis too, so it holds across processes); and a report
just sent is not sent again for SEND_COOLOFF_SECONDS, whoever asks.
"""

from __future__ import annotations

import math
import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports_admin.activity.models import Activity
from reports_admin.activity.services import activity_recorded
from reports_admin.connection.calls import connection_required, weblink_call
from reports_admin.connection.models import WeblinkConnection
from reports_admin.weblink import SendRefused, UpstreamUnavailable, WeblinkError
from reports_admin.weblink.metadata import Report

# How long a used key is remembered: longer than anyone keeps a confirmation page open.
SEND_KEY_SECONDS = 24 * 3600
_KEY = re.compile(r"[A-Za-z0-9_-]{32}")


def send_key_new() -> str:
    """A fresh one-time key for a confirmation form."""
    return secrets.token_urlsafe(24)


def report_send(*, connection: WeblinkConnection | None, report: Report, key: str) -> list[str]:
    """Asks Weblink once to e-mail ``report`` now; returns the recipients it goes to.

    ``key`` is the confirmation form's one-time key. Raises SendRefused when it is not valid
    or was used before, or the report is cooling off; see ``report_send_once``.
    """
    connection = connection_required(connection)
    if not _KEY.fullmatch(key or ""):
        raise SendRefused(_("This confirmation is not valid, so nothing was sent. Try again."))
    return report_send_once(connection=connection, report=report, claim=key)


def report_send_once(
    *, connection: WeblinkConnection | None, report: Report, claim: str
) -> list[str]:
    """Sends ``report`` unless ``claim`` (a one-time key, or a bulk job's key and the report)
    was claimed before or the report is cooling off; returns the recipients it goes to.

    Raises SendRefused for a used claim or a cool-off, and a WeblinkError when the call
    fails; when no answer came, the error says the outcome is unknown. Every attempt but a
    used claim is written to the activity log.
    """
    connection = connection_required(connection)
    if not cache.add(f"send:key:{claim}", True, timeout=SEND_KEY_SECONDS):
        raise SendRefused(
            _("This confirmation was used already, so “%(name)s” was not sent again.")
            % {"name": report.name}
        )
    with activity_recorded(
        user=connection.user,
        company=connection.company,
        action=Activity.Action.SENT,
        report_id=report.id,
        report_name=report.name,
    ):
        cooloff_key = _cooloff_key(connection=connection, report=report)
        _cooloff_claim(cooloff_key, report)
        try:
            weblink_call(
                connection=connection, operation=lambda client: client.report_send(report.id)
            )
        except UpstreamUnavailable as error:
            if error.timed_out:
                # The request went out and may have been carried out: keep the cool-off.
                # Lazy, so the activity log can show it in the reader's language.
                raise UpstreamUnavailable(
                    gettext_lazy(
                        "Weblink did not answer in time, so the outcome is unknown; check the "
                        "recipients' inbox before trying again."
                    ),
                    status=error.status,
                    timed_out=True,
                ) from error
            cache.delete(cooloff_key)
            raise
        except WeblinkError:
            # Weblink said no: nothing went out, so sending again right away is fine.
            cache.delete(cooloff_key)
            raise
    return report.recipients


def _cooloff_key(*, connection: WeblinkConnection, report: Report) -> str:
    # Per connection: the company may be only what the person typed with a pasted token, so
    # keyed on it, anyone could block another company's send.
    return f"send:cooloff:{connection.pk}:{report.id}"


def _cooloff_claim(cooloff_key: str, report: Report) -> None:
    """Claims the report's cool-off, or raises SendRefused saying how long is left."""
    seconds = settings.SEND_COOLOFF_SECONDS
    if seconds <= 0:
        return
    until = time.time() + seconds
    if cache.add(cooloff_key, until, timeout=seconds):
        return
    left = max(1, math.ceil((cache.get(cooloff_key) or until) - time.time()))
    raise SendRefused(
        _(
            "“%(name)s” was already sent a moment ago, so it was not sent again. "
            "Wait %(seconds)s seconds to send it again."
        )
        % {"name": report.name, "seconds": left}
    )
