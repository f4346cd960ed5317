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

# The same intervals for a report run once: the period its data covers.
PERIOD_CHOICES = [
    ("hour", _("One hour")),
    ("day", _("One day")),
    ("week", _("One week")),
    ("month", _("One month")),
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
    # Weblink calls it "option"; its values choose what the report shows.
    "option": _("Report content"),
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


# Our own help for the argument keys we know; Weblink's description is used for any other.
_HELP = {
    "format": _("The kind of file the report is made as."),
    "email": _("Who receives the report: one address per line."),
    "only_when_data": _("Send nothing when the report has no calls in its period."),
    "report_language": _("The language of the report's headings."),
    "queue_id": _("The queue the report covers."),
    "user_id": _("The user the report covers."),
    "destination_id": _("The callback destination the report covers."),
    "option": _("What the report shows."),
}

# What an optional pick-list says when nothing is picked, by the field's type.
_NOTHING_PICKED = {
    "pbx_queue": _("All queues"),
    "pbx_user": _("All users"),
    "pbx_app_callback_destination": _("All callback destinations"),
}

# The field types in words, by kind, for the report types page.
_TYPE_WORDS = {
    "email": _("E-mail addresses"),
    "bool": _("On or off"),
    "pbx_queue": _("A queue of the company"),
    "pbx_user": _("A user of the company"),
    "pbx_app_callback_destination": _("A callback destination of the company"),
}


def field_help(key: str, weblink_text: str) -> str:
    """The help of an argument field: ours for a key we know, else Weblink's own text."""
    return str(_HELP[key]) if key in _HELP else weblink_text


def nothing_picked(kind: str) -> str:
    """The choice an optional pick-list or list of values shows for "none chosen"."""
    return str(_NOTHING_PICKED.get(kind, _("Any")))


def field_type_words(kind: str, values: tuple[str, ...] = ()) -> str:
    """A field's type in words: "One of: CSV, HTML", "A queue of the company", "Text"."""
    if kind == "enum":
        return str(_("One of: %(values)s")) % {
            "values": ", ".join(readable_label(value) for value in values)
        }
    return str(_TYPE_WORDS.get(kind, _("Text")))


def readable_label(text: str) -> str:
    """An API key or value in words, in the active language.

    Known ones are translated (``email`` → "Recipients", "Mottagare" in Swedish); others are
    spelled out: ``target_seconds`` → "Target seconds", ``include_internal`` → "Include internal".
    """
    if text in _LABELS:
        return str(_LABELS[text])
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text.removesuffix("_id")).replace("_", " ")
    return words.strip().lower().capitalize()
