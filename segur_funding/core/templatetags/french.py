"""French plural agreement for every template: `{{ n }} demande{{ n|pluralize }}`.

Loaded as a template builtin (settings TEMPLATES and the notifications' text engine), so this
`pluralize` replaces Django's everywhere. Django's is English: only 1 is singular, and it writes
« 0 demandes validées ». In French 0 and 1 (any quantity under 2) take the singular.
"""

from django import template

register = template.Library()


def is_plural(value: object) -> bool:
    """True when a quantity (a number, or a sized collection) takes the plural in French."""
    try:
        return abs(float(value)) >= 2  # type: ignore[arg-type]
    except (TypeError, ValueError):
        pass
    try:
        return len(value) >= 2  # type: ignore[arg-type]
    except TypeError:
        return False


@register.filter(is_safe=False)
def pluralize(value: object, arg: str = "s") -> str:
    """Same arguments as Django's: "s", or "singular,plural" suffixes ("peut,peuvent")."""
    if "," not in arg:
        arg = "," + arg
    bits = arg.split(",")
    if len(bits) > 2:
        return ""
    singular, plural = bits[:2]
    return plural if is_plural(value) else singular
