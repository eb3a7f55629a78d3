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
from ..models import Quote, QuoteEventKind, QuoteOrigin, QuoteStatus
from ..selectors import out_of_scope_total, quote_document
from ..signing import pdf_seal
from .common import quote_event


def _pdf_context(quote: Quote) -> dict:
    lines = list(quote.lines.all())
    segur = [line for line in lines if line.scope == Scope.SEGUR]
    state = [line for line in lines if line.scope == Scope.STATE_FUNDING]
    debt = [line for line in lines if line.scope == Scope.OUT_OF_SCOPE and line.is_technical_debt]
    other = [line for line in lines if line.scope == Scope.OUT_OF_SCOPE and not line.is_technical_debt]
    document = quote.document or quote_document(quote)
    report = quote.check_report or {}
    remainder = Decimal(report.get("client_remainder_ttc") or "0.00")
    return {
        "client_total": remainder + out_of_scope_total(quote),
        "quote": quote,
        "document": document,
        "report": report,
        "segur_lines": segur,
        "state_lines": state,
        "debt_lines": debt,
        "other_lines": other,
        "segur_total": sum((x.amount_ttc for x in segur), Decimal("0.00")),
        "state_total": sum((x.amount_ttc for x in state), Decimal("0.00")),
        "out_of_scope_total": out_of_scope_total(quote),
        "scheme": scheme_ref_for_dsr(dsr_code=quote.dsr.code) if quote.dsr_id else None,
    }


def quote_pdf_bytes(quote: Quote) -> bytes:
    """The quote as PDF, with its SPEC §4 document attached (devis-segur.json) for exact
    re-checks, sealed by the platform (`signing.pdf_seal`) so that only this very PDF's
    attachment is believed, and with the short URL and QR code of its public verification page.
    """
    from weasyprint import HTML  # heavy: imported where used

    if quote.status == QuoteStatus.DRAFT or not quote.verification_token:
        # Only what the platform issued is sealed: a sealed draft would be believed as issued.
        raise DomainError("Un brouillon n'a pas de PDF : émettez d'abord le devis.", code="NOT_ISSUED")
    context = _pdf_context(quote)
    url = verification_url(quote.verification_token)
    context.update(verification_url=url, verification_qr=qr_svg_data_uri(url))
    html = render_to_string("quotes/pdf/quote.html", context)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    document = json.dumps(quote.document or quote_document(quote), ensure_ascii=False, indent=2)
    issued = timezone.localdate(quote.issued_at) if quote.issued_at else None
    return pdf_seal(
        pdf,
        document=document.encode("utf-8"),
        number=quote.number,
        token=quote.verification_token,
        issued_on=issued.isoformat() if issued else "",
        editor=quote.editor_display,
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
