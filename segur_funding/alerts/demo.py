"""Demo reports: each demo lab has reported the quote it received, so that the Ségur team's
queue, the editors' answer pages and the labs' « Mon espace » show one (idempotent)."""

from collections.abc import Iterator

from segur_funding.quotes.models import Quote

from . import services
from .constants import AlertReason
from .models import QuoteAlert

REPORTS = (
    (
        "labo",
        "D-DEMO-0001",
        AlertReason.OTHER,
        "Pouvez-vous confirmer que la maintenance des 6 ans est incluse ?",
    ),
    ("labo2", "D2-DEMO-0001", AlertReason.REMAINDER, "Une ligne de formation semble rester à notre charge."),
)


def demo_load(*, accounts) -> Iterator[str]:
    created = []
    for user_key, number, reason, message in REPORTS:
        quote = Quote.objects.filter(number=number).first()
        if quote is None or QuoteAlert.objects.filter(quote=quote).exists():
            continue
        services.alert_create(quote=quote, user=accounts.users[user_key], reason=reason, message=message)
        created.append(number)
    yield (
        ("Signalements de démonstration : " + ", ".join(created) + ".")
        if created
        else ("Signalements de démonstration déjà présents.")
    )
