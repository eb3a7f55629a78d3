"""The editor's quote pages: the list, one quote with its check report, issue and cancel, its PDFs.

The quote form (create and edit a draft, checked live) is `editor_form`.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from segur_funding.core.errors import DomainError

from .. import services
from ..constants import QuoteActor
from ..funding_panel import quote_funding_summary
from ..models import Quote
from ..rules.workflow import WORKFLOW
from ..selectors import lab_tier, out_of_scope_total, quote_with_details, quotes_for_editor
from .common import quote_list_page, quote_pdf_response, roles, signed_pdf_response


@login_required
def editor_list(request: HttpRequest) -> HttpResponse:
    return quote_list_page(request, quotes_for_editor(user=request.user), "quotes/editor_list.html")


@login_required
def editor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quote_with_details(quotes_for_editor(user=request.user)), pk=pk)
    return render(
        request,
        "quotes/editor_detail.html",
        {
            "quote": quote,
            "report": quote.check_report,
            "lines": list(quote.lines.all()),
            "tier": lab_tier(lab=quote.client, dsr_code=quote.dsr.code) if quote.dsr_id else None,
            "out_of_scope_total": out_of_scope_total(quote),
            "funding": quote_funding_summary(quote=quote),
            # The buttons are the moves the workflow table allows the editor from this status.
            "actions": WORKFLOW.available_actions(quote.status, QuoteActor.EDITOR),
            **roles(request),
        },
    )


def _editor_move(
    request: HttpRequest, pk: int, move: Callable[..., object], done: Callable[[Quote], str]
) -> HttpResponse:
    """One of the editor's buttons: the move, then the page again with what happened in French."""
    quote = get_object_or_404(quotes_for_editor(user=request.user), pk=pk)
    try:
        move(quote=quote, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(quote))
    return redirect("quotes:editor_detail", pk=quote.pk)


@login_required
@require_POST
def editor_issue(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor_move(
        request,
        pk,
        services.quote_issue,
        lambda quote: f"Devis {quote.number} émis : le client peut le consulter et le signer. "
        "Le PDF est généré en arrière-plan.",
    )


@login_required
@require_POST
def editor_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor_move(request, pk, services.quote_cancel, lambda quote: f"Devis {quote.number} annulé.")


@login_required
def editor_pdf(request: HttpRequest, pk: int) -> FileResponse:
    return quote_pdf_response(get_object_or_404(quotes_for_editor(user=request.user), pk=pk))


@login_required
def editor_signed_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return signed_pdf_response(
        get_object_or_404(quote_with_details(quotes_for_editor(user=request.user)), pk=pk)
    )
