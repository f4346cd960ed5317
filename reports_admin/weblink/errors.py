"""The one exception family the Weblink client raises.

Views turn these into messages for people: ``.message`` is always a sentence fit to show,
translated, and never contains a token.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


def message_id(text: str | Promise) -> str:
    """The English original (the msgid) of a text marked with ``gettext_lazy``, so it can be
    stored and translated when shown; "" for any other text, such as Weblink's own."""
    if not isinstance(text, Promise):
        return ""
    with translation.override(None):
        return str(text)


class WeblinkError(Exception):
    """Any failure talking to Weblink; ``status`` is the HTTP status when there was one.

    ``message_id`` is the English original of ``message`` when it is one of the dashboard's
    own texts without values in it (a default message, or any ``gettext_lazy`` text), else "".
    """

    default_message = gettext_lazy("Weblink could not complete the request.")

    def __init__(self, message: str | Promise | None = None, *, status: int | None = None) -> None:
        chosen = message or self.default_message
        # A plain string, in the language of the request that met the error.
        self.message = str(chosen)
        self.message_id = message_id(chosen)
        self.status = status
        super().__init__(self.message)


class TokenRejected(WeblinkError):
    """401: the stored token (or the credentials at sign-in) were not accepted."""

    default_message = gettext_lazy("Weblink did not accept the stored token. Connect again.")


class TwoFactorRequired(WeblinkError):
    """402: the two-factor code is missing, wrong or expired."""

    default_message = gettext_lazy(
        "Weblink needs the current two-factor code: it was missing, wrong or expired."
    )


class NotFound(WeblinkError):
    """404, or an id that cannot exist (refused before any request)."""

    default_message = gettext_lazy("Weblink could not find that item. It may have been deleted.")


class InvalidInput(WeblinkError):
    """400 or 422: Weblink refused the values sent; ``field_errors`` by field key."""

    default_message = gettext_lazy("Weblink did not accept the input.")

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.field_errors = field_errors or {}


class RateLimited(WeblinkError):
    """429: too many requests; ``retry_after`` in seconds when Weblink said."""

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        if message is None and retry_after is None:
            message = _("Weblink is receiving too many requests. Wait a moment and try again.")
        elif message is None:
            seconds = max(1, math.ceil(retry_after))
            message = ngettext(
                "Weblink is receiving too many requests. Wait %(seconds)d second and try again.",
                "Weblink is receiving too many requests. Wait %(seconds)d seconds and try again.",
                seconds,
            ) % {"seconds": seconds}
        super().__init__(message, status=status)
        self.retry_after = retry_after


class UpstreamUnavailable(WeblinkError):
    """Timeouts, connection errors, 5xx and broken downloads.

    ``timed_out`` is true when the request may have reached Weblink but no answer came
    (a read timeout): a write may then have happened. ``retry_after`` in seconds when Weblink
    said how long to wait (a 503's Retry-After).
    """

    default_message = gettext_lazy("Weblink is not available right now. Try again in a moment.")

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        timed_out: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.timed_out = timed_out
        self.retry_after = retry_after


class BadAnswer(WeblinkError):
    """Malformed JSON, an unexpected shape, or a redirect."""

    default_message = gettext_lazy("Weblink sent an answer this dashboard does not understand.")


class NotConnected(WeblinkError):
    """The person has no usable Weblink connection: they must connect first."""

    default_message = gettext_lazy("Connect to Weblink first: there is no usable connection.")


class PartialUpdate(WeblinkError):
    """An edit failed part-way: ``applied`` went through, ``not_applied`` did not."""

    def __init__(
        self, error: WeblinkError, *, applied: Sequence[str], not_applied: Sequence[str]
    ) -> None:
        super().__init__(error.message, status=error.status)
        self.message_id = error.message_id
        self.error = error
        self.applied = list(applied)
        self.not_applied = list(not_applied)


class SendRefused(Exception):
    """Nothing was sent, on purpose: the confirmation was used already, or the report was
    sent a moment ago. ``message`` says which. Not a WeblinkError: Weblink was not asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
