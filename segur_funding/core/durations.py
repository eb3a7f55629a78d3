"""Durations as a French reader expects them (« 3 jours », « 8 heures »)."""


def duration_fr(seconds: int) -> str:
    """The largest whole unit: 259200 → « 3 jours », 28800 → « 8 heures », 90 → « 90 secondes »."""
    for unit, name in ((86400, "jour"), (3600, "heure"), (60, "minute")):
        if seconds >= unit and seconds % unit == 0:
            count = seconds // unit
            return f"{count} {name}{'s' if count > 1 else ''}"
    return f"{seconds} seconde{'s' if seconds > 1 else ''}"
