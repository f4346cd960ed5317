"""``{% load report_labels %}``: API keys and values in words, ``{{ key|readable_label }}``."""

from django import template

from reports_admin import labels

register = template.Library()


@register.filter
def readable_label(text: str | None) -> str:
    """The translated label of a key or value Weblink uses; "" for none."""
    return labels.readable_label(text) if text else ""
