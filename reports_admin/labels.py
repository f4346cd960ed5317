"""Argument keys, values, intervals and formats in admin words, in the active language.

At the bottom of the app: forms, services and templates all use it, and it uses nothing of ours.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

INTERVAL_CHOICES = [
    ("hour", _("Every hour")),
    ("day", _("Every day")),
    ("week", _("Every week")),
    ("month", _("Every month")),
]

# Labels in both languages for the keys and values Weblink is known to use; any other key or
# value gets the generic rule in readable_label(). File formats are the same in every language.
_LABELS = {
    # Argument keys.
    "format": _("Format"),
    "email": _("Recipients"),
    "only_when_data": _("Only when there is data"),
    "report_language": _("Report language"),
    "queue_id": _("Queue"),
    "user_id": _("User"),
    "destination_id": _("Destination"),
    "option": _("Option"),
    # Values of "option".
    "missedCalls": _("Missed calls"),
    "queueRapportPerDay": _("Queue report per day"),
    "memberRapportPerHour": _("Queue member report per hour"),
    "summary": _("Summary"),
    "perHour": _("Per hour"),
    "perDay": _("Per day"),
    "all": _("All"),
    "completed": _("Completed"),
    "failed": _("Failed"),
    # Values of "report_language".
    "en_GB": _("English (UK)"),
    "sv_SE": _("Swedish"),
    # Report type groups.
    "queue": _("Queue"),
    "user": _("User"),
    "callback": _("Callback"),
    "company": _("Company"),
    "csv": "CSV",
    "html": "HTML",
    "pdf": "PDF",
    "xlsx": "XLSX",
}


def readable_label(text: str) -> str:
    """An API key or value in words, in the active language.

    Known ones are translated (``email`` → "Recipients", "Mottagare" in Swedish); others are
    spelled out: ``target_seconds`` → "Target seconds", ``include_internal`` → "Include internal".
    """
    if text in _LABELS:
        return str(_LABELS[text])
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text.removesuffix("_id")).replace("_", " ")
    return words.strip().lower().capitalize()
