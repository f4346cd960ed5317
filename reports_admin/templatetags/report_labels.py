"""``{% load report_labels %}``: API keys and values in words, ``{{ key|readable_label }}``."""

from django import template

from reports_admin import labels

register = template.Library()


@register.filter
def readable_label(text: str | None) -> str:
    """The translated label of a key or value Weblink uses; "" for none."""
    return labels.readable_label(text) if text else ""


@register.filter
def field_type_words(field) -> str:
    """An argument field's type in words ("A queue of the company")."""
    return labels.field_type_words(field.type.kind, field.type.values)


@register.filter
def field_help(field) -> str:
    """An argument field's help: ours for a key we know, else Weblink's description."""
    return labels.field_help(field.key, field.description or "")
