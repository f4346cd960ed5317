"""Dates and times for people: in the company's time zone, in the active language's format.

``{% load local_time %}`` then ``{{ report.added|local_datetime }}``. Weblink's timestamps
are naive Swedish local time ("2024-09-02 14:26:51"); the dashboard's own are aware.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone

register = template.Library()

# The API documents its timestamps as Europe/Stockholm local time, whatever TIME_ZONE says.
WEBLINK_TIME_ZONE = ZoneInfo("Europe/Stockholm")


def weblink_datetime(text: str) -> datetime | None:
    """A Weblink timestamp as an aware datetime; None when it is not one."""
    try:
        naive = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except (AttributeError, ValueError):
        return None
    return naive.replace(tzinfo=WEBLINK_TIME_ZONE)


@register.filter(expects_localtime=False)
def local_datetime(value: datetime | str | None, format_name: str = "DATETIME_FORMAT") -> str:
    """``value`` in the current time zone (TIME_ZONE unless changed), formatted for the
    active language with one of Django's format names (DATETIME_FORMAT, DATE_FORMAT,
    SHORT_DATETIME_FORMAT, …). Text that is no timestamp is shown as it is; None as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed = weblink_datetime(value)
        if parsed is None:
            return value
        value = parsed
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, format_name)
