"""The lab's quote pages: the list, one quote with its check report (web or uploaded PDF), the
signature, the delivery declaration, and the PDFs (quote, signed quote, check report)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from segur_funding.core import clock
from segur_funding.core.errors import DomainError

from .. import services
from ..constants import QuoteAction, QuoteActor, Scope
from ..forms import DeliveryForm, SignForm
from ..models import CheckStatus, Quote, QuoteOrigin, QuoteStatus
from ..rules.workflow import WORKFLOW
from ..selectors import (
    ReadLine,
    lab_tier,
    out_of_scope_total,
    quote_with_details,
    quotes_for_lab,
    read_lines,
)
from .common import quote_list_page, quote_pdf_response, roles, signed_pdf_response


@login_required
def lab_list(request: HttpRequest) -> HttpResponse:
    return quote_list_page(request, quotes_for_lab(user=request.user), "quotes/lab_list.html")


def _read_lines(quote: Quote) -> list[ReadLine]:
    """The lines the checker read from an uploaded PDF (its document), for the lab to compare."""
    if quote.origin != QuoteOrigin.UPLOADED or not isinstance(quote.document, dict):
        return []
    return read_lines(quote.document)


def _lab_page(request: HttpRequest, quote: Quote, *, sign_form: SignForm | None = None) -> HttpResponse:
    web = quote.origin == QuoteOrigin.WEB
    lines = list(quote.lines.all()) if web else []
    # The lab's forms are the moves the workflow table allows it (an uploaded PDF has none here).
    actions = WORKFLOW.available_actions(quote.status, QuoteActor.LAB) if web else []
    if sign_form is None and QuoteAction.SIGN in actions:
        sign_form = SignForm(options=services.offered_lines(lines))
    read = _read_lines(quote)
    options = [x for x in lines if x.scope == Scope.OUT_OF_SCOPE]
    return render(
        request,
        "quotes/lab_detail.html",
        {
            "quote": quote,
            "report": quote.check_report,
            "lines": lines,
            "read_lines": read,
            "tier": lab_tier(lab=quote.client, dsr_code=quote.dsr.code) if quote.dsr_id else None,
            "out_of_scope_total": out_of_scope_total(quote) if web else None,
            # The options the banner speaks of: every out-of-scope line offered, or read.
            "options_total": (
                sum((x.amount_ttc for x in options), Decimal("0.00"))
                if web
                else sum((x.amount_ttc for x in read if x.scope == Scope.OUT_OF_SCOPE), Decimal("0.00"))
            ),
            "declined_lines": [(i, x) for i, x in enumerate(lines, start=1) if x.declined],
            "signed": quote.status in (QuoteStatus.SIGNED, QuoteStatus.DELIVERED),
            "pending": quote.check_status == CheckStatus.PENDING,
            "sign_form": sign_form if QuoteAction.SIGN in actions else None,
            "delivery_form": (
                DeliveryForm(initial={"delivered_on": clock.today()})
                if QuoteAction.DECLARE_DELIVERY in actions
                else None
            ),
            **roles(request),
        },
    )


@login_required
def lab_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quote_with_details(quotes_for_lab(user=request.user)), pk=pk)
    return _lab_page(request, quote)


@login_required
@require_POST
def lab_sign(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quote_with_details(quotes_for_lab(user=request.user)), pk=pk)
    form = SignForm(request.POST, options=services.offered_lines(list(quote.lines.all())))
    if not form.is_valid():
        # The form's error summary says it, where the focus lands (no second banner at the top).
        return _lab_page(request, quote, sign_form=form)
    try:
        services.quote_sign(
            quote=quote,
            user=request.user,
            signatory_name=form.cleaned_data["signatory_name"],
            signatory_role=form.cleaned_data["signatory_role"],
            declined_lines=form.declined_lines(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _lab_page(request, quote, sign_form=form)
    messages.success(
        request,
        f"Devis {quote.number} signé le {clock.today():%d/%m/%Y}. L'éditeur peut "
        "demander l'avance à l'ASP.",
    )
    return redirect("quotes:lab_detail", pk=quote.pk)


@login_required
@require_POST
def lab_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quotes_for_lab(user=request.user), pk=pk)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date et cochez la déclaration.")
        return redirect("quotes:lab_detail", pk=quote.pk)
    try:
        services.quote_declare_delivery(
            quote=quote, user=request.user, delivered_on=form.cleaned_data["delivered_on"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Mise en ordre de marche déclarée : l'éditeur peut demander le solde à l'ASP.",
        )
    return redirect("quotes:lab_detail", pk=quote.pk)


@login_required
def lab_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quote_with_details(quotes_for_lab(user=request.user)), pk=pk)
    if not quote.check_report:
        raise Http404
    content = services.quote_report_pdf_bytes(quote)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="verification-devis-{quote.number or quote.pk}.pdf"'
    )
    return response


@login_required
def lab_signed_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return signed_pdf_response(
        get_object_or_404(quote_with_details(quotes_for_lab(user=request.user)), pk=pk)
    )


@login_required
def lab_pdf(request: HttpRequest, pk: int) -> FileResponse:
    return quote_pdf_response(get_object_or_404(quotes_for_lab(user=request.user), pk=pk))
