"""Reads of funding requests, scoped to the user's editors, and what a quote may ask next."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from segur_funding.organizations.models import User
from segur_funding.organizations.selectors import user_editor_ids
from segur_funding.quotes.constants import EDITOR_FILING_STEPS
from segur_funding.quotes.models import Quote, QuoteStatus
from segur_funding.quotes.selectors import QUOTE_HEAVY_FIELDS

from . import rules
from .constants import Milestone, RequestStatus
from .models import CorrectionRequest, FundingRequest, RequestEvent


def request_validated_on(request: FundingRequest) -> date | None:
    """The Europe/Paris day the ASP validated the request (None before any decision)."""
    return timezone.localdate(request.decided_at) if request.decided_at else None


def requests_for_editor(*, user: User) -> QuerySet[FundingRequest]:
    return FundingRequest.objects.filter(editor_id__in=user_editor_ids(user=user)).select_related(
        "quote", "quote__client", "quote__dsr", "payment"
    )


def request_with_details(queryset: QuerySet[FundingRequest]) -> QuerySet[FundingRequest]:
    return queryset.prefetch_related(
        Prefetch("events", queryset=RequestEvent.objects.select_related("actor")),
        Prefetch("corrections", queryset=CorrectionRequest.objects.order_by("-requested_at")),
    )


def quotes_awaiting_request(*, user: User) -> QuerySet[Quote]:
    """Signed quotes whose advance is not asked yet, and delivered quotes whose advance is paid
    and balance not asked yet: the editor's to-do list, oldest signature first.

    Read from `Quote.next_step`, which the moves keep: a page walks the partial index
    `quote_filing_step_idx` and stops after one page, whatever the number of quotes."""
    return (
        Quote.objects.filter(editor_id__in=user_editor_ids(user=user), next_step__in=EDITOR_FILING_STEPS)
        .select_related("client", "dsr", "window")
        .defer(*QUOTE_HEAVY_FIELDS)
        .order_by("signature_date", "pk")
    )


def quote_next_step(*, quote: Quote) -> str:
    """What the quote's funding waits for now: `rules.quote_next_step` on its requests."""
    statuses = dict(FundingRequest.objects.filter(quote_id=quote.pk).values_list("milestone", "status"))
    return rules.quote_next_step(
        quote_status=quote.status,
        origin=quote.origin,
        advance=statuses.get(Milestone.ADVANCE),
        balance=statuses.get(Milestone.BALANCE),
    )


@dataclass(frozen=True)
class QuoteFunding:
    advance: FundingRequest | None
    balance: FundingRequest | None
    advance_amount: Decimal | None
    balance_amount: Decimal | None
    can_file_advance: bool
    can_file_balance: bool
    balance_waits_for: str

    @property
    def paid_total(self) -> Decimal:
        return sum(
            (
                r.payment.amount
                for r in (self.advance, self.balance)
                if r is not None and hasattr(r, "payment")
            ),
            Decimal("0.00"),
        )


# A quote the lab has signed (delivered ones were signed first): its funding may be asked.
SIGNED_STATUSES = (QuoteStatus.SIGNED, QuoteStatus.DELIVERED)


def _requests(quote: Quote) -> dict[str, FundingRequest]:
    return {r.milestone: r for r in FundingRequest.objects.filter(quote=quote).select_related("payment")}


def quote_balance_facts(
    *, quote: Quote, requests: dict[str, FundingRequest] | None = None
) -> rules.BalanceFacts:
    """The facts `rules.balance_request_refusal` judges, read from the quote's requests."""
    requests = _requests(quote) if requests is None else requests
    paid = {milestone for milestone, r in requests.items() if hasattr(r, "payment")}
    return rules.BalanceFacts(
        advance_paid=Milestone.ADVANCE in paid,
        refused=any(r.status == RequestStatus.REFUSED for r in requests.values()),
        balance_requested=Milestone.BALANCE in requests,
        balance_paid=Milestone.BALANCE in paid,
        delivered=quote.status == QuoteStatus.DELIVERED and quote.delivered_on is not None,
    )


def quote_funding_summary(*, quote: Quote) -> QuoteFunding:
    requests = _requests(quote)
    advance = requests.get(Milestone.ADVANCE)
    balance = requests.get(Milestone.BALANCE)
    report = quote.check_report or {}
    signed = quote.status in SIGNED_STATUSES
    # The rule the balance request service applies: the page shows what the service would say.
    refusal = rules.balance_request_refusal(quote_balance_facts(quote=quote, requests=requests))
    waits_for = refusal.message if refusal is not None and balance is None else ""
    return QuoteFunding(
        advance=advance,
        balance=balance,
        advance_amount=advance.amount if advance else _money(report.get("advance_ttc")),
        balance_amount=balance.amount if balance else _money(report.get("balance_ttc")),
        can_file_advance=rules.advance_filing_refusal(
            quote_signed=signed, advance_requested=advance is not None
        )
        is None,
        can_file_balance=signed and refusal is None,
        balance_waits_for=waits_for if signed else "",
    )


def _money(raw: str | None) -> Decimal | None:
    return Decimal(raw) if raw else None


def export_jobs_waiting(*, before: datetime, limit: int) -> list[int]:
    """Exports still pending, asked for before `before` (their task was lost): the sweep's list."""
    from .models import ExportJob, ExportStatus

    return list(
        ExportJob.objects.filter(status=ExportStatus.PENDING, created_at__lt=before)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
