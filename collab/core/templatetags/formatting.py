"""``{% load formatting %}``: ``{{ shift.starts_at|when:"daytime" }}``, ``{{ score|number }}``
(collab.core.formatting)."""

from django import template

from collab.core import formatting

register = template.Library()


@register.filter
def when(value, style: str = "datetime") -> str:
    return formatting.when(value, style)


@register.filter
def number(value, decimals: int = 1) -> str:
    return formatting.number(value, int(decimals))
