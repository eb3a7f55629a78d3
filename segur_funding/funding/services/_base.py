"""What every funding service shares: the locked rows, the move through `rules.WORKFLOW` with
its history row, the role check and the facts (funded amount, scheme, window) a move needs."""

from datetime import date
from decimal import Decimal

from django.utils.formats import date_format

from segur_funding.core.errors import DomainError
from segur_funding.core.moves import history_user, move, next_step_refresh
from segur_funding.organizations.models import User
from segur_funding.organizations.selectors import is_asp_reviewer
from segur_funding.quotes.constants import Verdict
from segur_funding.quotes.models import Quote
from segur_funding.referential.rules import SchemeRef, WindowRef
from segur_funding.referential.selectors import scheme_ref_for_dsr, window_to_ref

from .. import rules
from ..constants import (
    ALREADY_PAID_MESSAGE,
    Milestone,
    RequestAction,
    RequestStatus,
)
from ..models import FundingRequest, Payment, RequestEvent
from ..selectors import quote_next_step


def _fr(value: date | None) -> str:
    return date_format(value, "d/m/Y") if value else "—"


def _event(
    request: FundingRequest, *, frm: str, to: str, user: User | None, comment: str = ""
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        from_status=frm,
        to_status=to,
        actor=history_user(user),
        comment=comment,
    )


def _move(
    request: FundingRequest,
    *,
    action: RequestAction,
    actor: str,
    user: User | None,
    comment: str = "",
    facts: rules.MilestoneFacts | None = None,
    **fields: object,
) -> FundingRequest:
    """The move `rules.WORKFLOW` allows (guards judged on `facts`), written compare-and-set: a
    concurrent move makes it touch no row."""
    frm = request.status
    if frm == RequestStatus.PAID and action == RequestAction.PAY:
        raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID")
    to = rules.WORKFLOW.transition(frm, action, actor, facts)
    if to == RequestStatus.PAID:
        conflict, code = ALREADY_PAID_MESSAGE, "ALREADY_PAID"
    else:
        conflict = "Cette demande vient d'être traitée par quelqu'un d'autre : rechargez la page."
        code = "CONFLICT"
    move(request, frm=frm, to=to, conflict=conflict, conflict_code=code, **fields)
    next_step_refresh(Quote, request.quote_id, decide=lambda quote: quote_next_step(quote=quote))
    _event(request, frm=frm, to=to, user=user, comment=comment)
    return request


def _milestone_facts(request: FundingRequest) -> rules.MilestoneFacts:
    payments = Payment.objects.filter(quote_id=request.quote_id)
    return rules.MilestoneFacts(
        milestone=request.milestone,
        advance_paid=payments.filter(milestone=Milestone.ADVANCE).exists(),
        refused=FundingRequest.objects.filter(
            quote_id=request.quote_id, status=RequestStatus.REFUSED
        ).exists(),
        balance_paid=payments.filter(milestone=Milestone.BALANCE).exists(),
    )


def _locked_request(request_id: int) -> FundingRequest:
    try:
        return (
            FundingRequest.objects.select_for_update(of=("self",))
            .select_related("quote", "quote__window", "quote__dsr")
            .get(pk=request_id)
        )
    except FundingRequest.DoesNotExist:
        raise DomainError("Cette demande de financement n'existe pas.", code="NOT_FOUND") from None


def _locked_quote(quote_id: int) -> Quote:
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("window", "dsr", "dossier", "editor")
        .get(pk=quote_id)
    )


def _require_asp(user: User) -> None:
    if not is_asp_reviewer(user=user):
        raise DomainError("Seul un instructeur de l'ASP peut faire cela.", code="FORBIDDEN")


def _funded_amount(quote: Quote) -> Decimal:
    raw = (quote.check_report or {}).get("state_funding_ttc")
    if quote.verdict != Verdict.CONFORM or raw is None:
        raise DomainError(
            "Le devis n'a pas de vérification conforme : aucun financement ne peut être demandé.",
            code="NOT_CONFORM",
        )
    return Decimal(raw)


def _scheme(quote: Quote) -> SchemeRef:
    """The AF of the quote's DSR: its figures (30 %, 120 days) are the only ones used."""
    scheme = scheme_ref_for_dsr(dsr_code=quote.dsr.code)
    if scheme is None:
        raise DomainError("Aucun barème n'est publié pour ce DSR.", code="NO_SCHEME")
    return scheme


def _window_ref(quote: Quote) -> WindowRef:
    if quote.window_id is None:
        raise DomainError(
            "Le devis n'est rattaché à aucune fenêtre de financement (il n'a pas été signé "
            "dans une fenêtre ouverte).",
            code="NO_WINDOW",
        )
    return window_to_ref(quote.window)
