"""Demo funding requests (SPEC §5): one advance in the ASP queue, one advance paid. Idempotent."""

from collections.abc import Iterator

from segur_funding.core import clock
from segur_funding.quotes.models import Quote

from . import services
from .models import FundingRequest


def demo_load(*, accounts) -> Iterator[str]:
    users = accounts.users
    lines = []
    queued = Quote.objects.filter(editor=accounts.editor, number="D-DEMO-0002").first()
    if queued is not None and not FundingRequest.objects.filter(quote=queued).exists():
        services.advance_request_file(quote=queued, user=users["editeur"])
        lines.append(f"avance du devis {queued.number} à instruire par l'ASP")
    paid = Quote.objects.filter(editor=accounts.editor, number="D-DEMO-0003").first()
    if paid is not None and not FundingRequest.objects.filter(quote=paid).exists():
        request = services.advance_request_file(quote=paid, user=users["editeur"])
        services.funding_request_validate(request=request, user=users["asp"])
        services.payment_record(
            request=request,
            user=users["asp"],
            paid_on=clock.today(),
            reference="ASP-DEMO-AV-0003",
        )
        lines.append(f"avance du devis {paid.number} versée (solde à demander)")
    if lines:
        yield "Demandes de financement de démonstration : " + " ; ".join(lines) + "."
    else:
        yield "Demandes de financement de démonstration déjà présentes."
