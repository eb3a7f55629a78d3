"""What every funding service shares: the locked rows, the move through `rules.WORKFLOW` with
its history row, the role check and the facts (funded amount, scheme, window) a move needs."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format

from segur_funding.core.errors import DomainError
from segur_funding.core.moves import history_user, moves, next_steps_refresh
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


@dataclass
class MilestoneBook:
    """What the milestone guard reads of some quotes: each quote's request statuses by milestone
    and the milestones paid. A batch reads it once and `apply`s each move it plans, so that the
    next line is judged as if that one were recorded already."""

    statuses: dict[int, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    paid: set[tuple[int, str]] = field(default_factory=set)

    def facts(self, request: FundingRequest) -> rules.MilestoneFacts:
        quote_id = request.quote_id
        return rules.MilestoneFacts(
            milestone=request.milestone,
            advance_paid=(quote_id, Milestone.ADVANCE) in self.paid,
            refused=RequestStatus.REFUSED in self.statuses[quote_id].values(),
            balance_paid=(quote_id, Milestone.BALANCE) in self.paid,
        )

    def apply(self, request: FundingRequest, to: str) -> None:
        self.statuses[request.quote_id][request.milestone] = to
        if to == RequestStatus.PAID:
            self.paid.add((request.quote_id, request.milestone))

    def next_step(self, quote: Quote) -> str:
        """`rules.quote_next_step` on the statuses as moved (the quote read with status, origin)."""
        statuses = self.statuses[quote.pk]
        return rules.quote_next_step(
            quote_status=quote.status,
            origin=quote.origin,
            advance=statuses.get(Milestone.ADVANCE),
            balance=statuses.get(Milestone.BALANCE),
        )


def _milestone_book(quote_ids: Iterable[int]) -> MilestoneBook:
    """The milestone facts of many quotes in two queries."""
    quote_ids = list(quote_ids)
    book = MilestoneBook()
    for quote_id, milestone, status in FundingRequest.objects.filter(quote_id__in=quote_ids).values_list(
        "quote_id", "milestone", "status"
    ):
        book.statuses[quote_id][milestone] = status
    book.paid.update(Payment.objects.filter(quote_id__in=quote_ids).values_list("quote_id", "milestone"))
    return book


def _milestone_facts(request: FundingRequest) -> rules.MilestoneFacts:
    return _milestone_book([request.quote_id]).facts(request)


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
    concurrent move makes it touch no row. `_moves` with one request."""
    _moves([(request, facts, comment)], action=action, actor=actor, user=user, **fields)
    return request


def _moves(
    items: Sequence[tuple[FundingRequest, rules.MilestoneFacts | None, str]],
    *,
    action: RequestAction,
    actor: str,
    user: User | None,
    next_step: Callable[[Quote], str] | None = None,
    **fields: object,
) -> list[RequestEvent]:
    """The one way a request moves, for one request or a batch: for each (request, facts,
    comment) the move `rules.WORKFLOW` allows from the request's status, written compare-and-set
    (one UPDATE per distinct move), then the quotes' `next_step` under their locks (in pk order)
    and the history rows. `next_step(quote)` decides it from what the caller already knows (a
    batch), else `selectors.quote_next_step` reads it. A row moved by someone else meanwhile:
    DomainError, and the caller's transaction must roll back."""
    planned: dict[tuple[str, str], list[FundingRequest]] = defaultdict(list)
    events: list[RequestEvent] = []
    for request, facts, comment in items:
        frm = request.status
        if frm == RequestStatus.PAID and action == RequestAction.PAY:
            raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID")
        to = rules.WORKFLOW.transition(frm, action, actor, facts)
        planned[(frm, to)].append(request)
        events.append(
            RequestEvent(
                request=request, from_status=frm, to_status=to, actor=history_user(user), comment=comment
            )
        )
    for (frm, to), requests in planned.items():
        if to == RequestStatus.PAID:
            conflict, code = ALREADY_PAID_MESSAGE, "ALREADY_PAID"
        else:
            conflict = "Cette demande vient d'être traitée par quelqu'un d'autre : rechargez la page."
            code = "CONFLICT"
        moves(requests, frm=frm, to=to, conflict=conflict, conflict_code=code, **fields)
    next_steps_refresh(
        Quote,
        sorted({request.quote_id for request, _facts, _comment in items}),
        decide=next_step or (lambda quote: quote_next_step(quote=quote)),
        only=("status", "origin"),
    )
    return RequestEvent.objects.bulk_create(events)


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
