"""Template filters for money: `{{ amount|eur }}` shows 32 940,00 € (French format)."""

from decimal import Decimal, InvalidOperation

from django import template

from segur_funding.core.money import format_eur

register = template.Library()


@register.filter
def eur(value: object) -> str:
    """Decimal, int or decimal string as French euros; empty or unreadable values as "—"."""
    if value is None or value == "":
        return "—"
    try:
        return format_eur(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return "—"
