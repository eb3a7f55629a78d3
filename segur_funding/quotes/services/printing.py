"""PDFs made by the platform: the issued quote (sealed, rendered in a task) and the check report."""

import json
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.core.errors import DomainError
from segur_funding.core.verification import qr_svg_data_uri, verification_token_new, verification_url
from segur_funding.referential.selectors import scheme_ref_for_dsr

from ..constants import Scope
from ..models import Quote, QuoteEventKind, QuoteLine, QuoteOrigin, QuoteStatus
from ..selectors import out_of_scope_total, quote_document
from ..signing import pdf_seal
from .common import quote_event


def _total(lines: list[QuoteLine]) -> Decimal:
    return sum((x.amount_ttc for x in lines), Decimal("0.00"))


def _pdf_context(quote: Quote, *, signed: bool = False) -> dict:
    """What the quote PDF prints: every line as issued or, for the signed quote, the lines the
    lab accepted (its declined options listed apart, outside the totals)."""
    lines = list(quote.lines.all())
    kept = [x for x in lines if not (signed and x.declined)]
    segur = [x for x in kept if x.scope == Scope.SEGUR]
    state = [x for x in kept if x.scope == Scope.STATE_FUNDING]
    options = [x for x in kept if x.scope == Scope.OUT_OF_SCOPE]
    debt = [x for x in options if x.is_technical_debt]
    other = [x for x in options if not x.is_technical_debt]
    document = (quote.signed_document if signed else None) or quote.document or quote_document(quote)
    report = quote.check_report or {}
    remainder = Decimal(report.get("client_remainder_ttc") or "0.00")
    return {
        "client_total": remainder + _total(options),
        "quote": quote,
        "document": document,
        "report": report,
        "segur_lines": segur,
        "state_lines": state,
        "debt_lines": debt,
        "other_lines": other,
        "segur_total": _total(segur),
        "state_total": _total(state),
        "out_of_scope_total": _total(options),
        "numbered_lines": list(enumerate(lines, start=1)),
        "declined_lines": [(i, x) for i, x in enumerate(lines, start=1) if x.declined] if signed else [],
        "declined_total": _total([x for x in lines if x.declined]) if signed else Decimal("0.00"),
        "scheme": scheme_ref_for_dsr(dsr_code=quote.dsr.code) if quote.dsr_id else None,
    }


def _sealed_pdf(quote: Quote, *, template: str, context: dict, document: dict) -> bytes:
    from weasyprint import HTML  # heavy: imported where used

    url = verification_url(quote.verification_token)
    context.update(verification_url=url, verification_qr=qr_svg_data_uri(url))
    html = render_to_string(template, context)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    issued = timezone.localdate(quote.issued_at) if quote.issued_at else None
    return pdf_seal(
        pdf,
        document=json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
        number=quote.number,
        token=quote.verification_token,
        issued_on=issued.isoformat() if issued else "",
        editor=quote.editor_display,
    )


def quote_pdf_bytes(quote: Quote) -> bytes:
    """The quote as PDF, with its SPEC §4 document attached (devis-segur.json) for exact
    re-checks, sealed by the platform (`signing.pdf_seal`) so that only this very PDF's
    attachment is believed, and with the short URL and QR code of its public verification page.
    """
    if quote.status == QuoteStatus.DRAFT or not quote.verification_token:
        # Only what the platform issued is sealed: a sealed draft would be believed as issued.
        raise DomainError("Un brouillon n'a pas de PDF : émettez d'abord le devis.", code="NOT_ISSUED")
    return _sealed_pdf(
        quote,
        template="quotes/pdf/quote.html",
        context=_pdf_context(quote),
        document=quote.document or quote_document(quote),
    )


def signed_quote_pdf_bytes(quote: Quote) -> bytes:
    """The quote as the lab signed it: the accepted lines and the totals after its declines,
    with the acceptance block (signatory, role, date, lines accepted and declined). Sealed with
    the signed document, so that a re-check of this PDF judges exactly what was signed. Made on
    demand from the frozen signed rows: the same bytes' content every time."""
    if quote.status not in (QuoteStatus.SIGNED, QuoteStatus.DELIVERED) or not quote.verification_token:
        raise DomainError("Ce devis n'est pas signé : il n'a pas de PDF signé.", code="NOT_SIGNED")
    return _sealed_pdf(
        quote,
        template="quotes/pdf/signed.html",
        context=_pdf_context(quote, signed=True),
        document=quote.signed_document or quote.document or quote_document(quote),
    )


def quote_pdf_render(*, quote_id: int) -> None:
    """Render and keep the PDF of an issued web quote (run by a task, idempotent: a quote that
    has its PDF is not rendered again, and of two concurrent renders one keeps its file)."""
    quote = Quote.objects.select_related("editor", "client", "dsr", "dossier").get(pk=quote_id)
    if quote.status == QuoteStatus.DRAFT or quote.origin != QuoteOrigin.WEB or quote.pdf:
        return
    if not quote.verification_token:
        # Quotes issued before verification links existed get theirs with their next rendering.
        Quote.objects.filter(pk=quote.pk, verification_token__isnull=True).update(
            verification_token=verification_token_new()
        )
        quote.refresh_from_db(fields=["verification_token"])
    content = quote_pdf_bytes(quote)
    quote.pdf.save(f"devis-{quote.number}.pdf", ContentFile(content), save=False)
    with transaction.atomic():
        # Compare-and-set: a redelivered task that lost the race removes its own file.
        if not Quote.objects.filter(pk=quote.pk, pdf="").update(pdf=quote.pdf.name):
            quote.pdf.storage.delete(quote.pdf.name)
            return
        quote_event(quote, kind=QuoteEventKind.PDF_RENDERED, user=None)


def quote_report_pdf_bytes(quote: Quote) -> bytes:
    """The check report as a PDF for the lab (same words as the page)."""
    from weasyprint import HTML  # heavy: imported where used

    html = render_to_string(
        "quotes/pdf/report.html",
        {
            "quote": quote,
            "report": quote.check_report or {},
            "out_of_scope_total": out_of_scope_total(quote) if quote.origin == QuoteOrigin.WEB else None,
            "generated_at": clock.local_now(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
