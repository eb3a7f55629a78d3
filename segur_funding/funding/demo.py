"""Demo funding requests (SPEC §5): the editors' bank details validated by ASP, one advance in
the ASP queue, one advance paid. Idempotent."""

from collections.abc import Iterator

from django.core.files.uploadedfile import SimpleUploadedFile

from segur_funding.core import clock
from segur_funding.core.pdf import one_page_pdf
from segur_funding.quotes.models import Quote

from . import bank, services
from .models import FundingRequest

# Test IBANs (valid check digits, no real account), one per demo editor.
DEMO_BANK_DETAILS = (
    ("editor", "editeur", "FR7630006000011234567890189", "AGRIFRPP"),
    ("editor2", "editeur2", "FR1420041010050500013M02606", "PSSTFRPP"),
)


def _bank_details(accounts) -> list[str]:
    created = []
    for org_key, user_key, iban, bic in DEMO_BANK_DETAILS:
        editor = getattr(accounts, org_key)
        if bank.bank_account_in_force(organization=editor) is not None:
            continue
        account = bank.bank_account_submit(
            organization=editor,
            user=accounts.users[user_key],
            holder=editor.name.upper(),
            iban=iban,
            bic=bic,
            document=SimpleUploadedFile("rib.pdf", one_page_pdf(f"RIB de démonstration — {editor.name}")),
        )
        bank.bank_account_validate(account=account, reviewer=accounts.users["asp"])
        created.append(editor.name)
    return created


def demo_load(*, accounts) -> Iterator[str]:
    users = accounts.users
    lines = []
    with_details = _bank_details(accounts)
    if with_details:
        lines.append("coordonnées bancaires validées pour " + ", ".join(with_details))
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
