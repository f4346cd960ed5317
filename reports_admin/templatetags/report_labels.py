"""``{% load report_labels %}``: API keys and values in words, ``{{ key|readable_label }}``."""

from django import template

from reports_admin import report_forms

register = template.Library()


@register.filter
def readable_label(text: str | None) -> str:
    """The translated label of a key or value Weblink uses; "" for none."""
    return report_forms.readable_label(text) if text else ""
