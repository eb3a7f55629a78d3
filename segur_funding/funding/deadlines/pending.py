"""The quotes' deadlines of the calendar, in SQL: the first few for « Mon espace » (a few rows
per kind whatever the number of quotes), all of them for « Mes échéances », the calendar feed and
the reminders (only the deadlines still visible are read: never every open quote)."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When

from segur_funding.notifications.constants import (
    DeadlineKind,
)
from segur_funding.notifications.deadlines import (
    Deadline,
    deadline_sort_key,
    still_visible,
    visible_since,
)
from segur_funding.quotes.constants import NextStep
from segur_funding.quotes.models import Quote, QuoteOrigin, QuoteStatus
from segur_funding.referencing.constants import DossierStatus
from segur_funding.referential.models import FundingWindow
from segur_funding.referential.rules import SchemeRef, preorder_deadline, window_for_signature
from segur_funding.referential.selectors import active_scheme_refs

from ..constants import Milestone, RequestStatus
from ..models import FundingRequest
from .calendar import (
    QUOTE_HEAVY_FIELDS,
    key_order,
    quote_deadline,
    step_owner,
)

# --- Which step of a quote is pending, as filters ------------------------------------------------------
#
# The orders under the 120-day rule (SPEC §3.2) and the funding-window steps (SPEC §2), read per
# kind in the order that makes them urgent (the due date, then the key, as `deadline_sort_key`),
# only those whose date is still visible (`visible_since`), with `limit` rows each when only the
# first are wanted. The dates come from the rules (`referential.rules`); which step is pending is
# written here once, as filters:
# - an order placed before referencing is under the 120-day rule while its dossier is neither
#   complete nor referenced, nor declared ineligible or refused;
# - an issued quote not signed yet: the signature deadline of the window it would be signed in
#   today (the lab signs);
# - a signed or delivered quote without an advance request: the advance-request deadline;
# - a signed quote whose delivery is not declared: the service-completion deadline (the editor
#   installs, the lab declares it in working order);
# - a delivered quote without a balance request: the balance-request deadline.
# A quote whose funding was refused has no window step left.


def _open_quote_rows(
    *, editor_ids: Iterable[int] | None, client_ids: Iterable[int] | None
) -> QuerySet[Quote]:
    """The web quotes of these editors and labs (of the whole programme when both are None)."""
    quotes = (
        Quote.objects.filter(origin=QuoteOrigin.WEB, editor__isnull=False)
        .select_related("editor", "client", "dsr", "window", "dossier__dsr")
        .defer(*QUOTE_HEAVY_FIELDS)
    )
    if editor_ids is None and client_ids is None:
        return quotes
    scope = Q(pk__in=[])
    if editor_ids is not None:
        scope |= Q(editor_id__in=list(editor_ids))
    if client_ids is not None:
        scope |= Q(client_id__in=list(client_ids))
    return quotes.filter(scope)


def _request_of(**lookups: Any) -> Exists:
    return Exists(FundingRequest.objects.filter(quote=OuterRef("pk"), **lookups))


def _preorders(
    quotes: QuerySet[Quote],
    *,
    today: date,
    schemes: dict[str, SchemeRef],
    limit: int | None,
    editor_ids: Iterable[int] | None,
):
    """The (first `limit`) orders under the 120-day rule, one query per distinct delay of the AFs
    (one in practice): ordered by the order date, hence by the deadline the rule derives from it.

    For editors, the dossiers are read as theirs (a quote's dossier is its editor's: the drafting
    service refuses another's), so the query starts from the editor's few dossiers still short
    of referencing instead of every such dossier of the programme."""
    since = visible_since(today)
    by_delay: dict[int, list[str]] = {}
    for code, scheme in schemes.items():
        delay = preorder_deadline(order_date=since, max_days=scheme.preorder_max_days) - since
        by_delay.setdefault(delay.days, []).append(code)
    pending = quotes.filter(
        status__in=[QuoteStatus.ISSUED, QuoteStatus.SIGNED, QuoteStatus.DELIVERED],
        order_date__isnull=False,
        dossier__isnull=False,
        dossier__proofs_complete_on__isnull=True,
        dossier__referenced_on__isnull=True,
    ).exclude(dossier__status__in=[DossierStatus.INELIGIBLE, DossierStatus.REFUSED])
    if editor_ids is not None:
        pending = pending.filter(dossier__editor_id__in=list(editor_ids))
    kind = DeadlineKind.PREORDER
    for days, codes in by_delay.items():
        # due = order date + delay >= visible_since(today)
        rows = pending.filter(dsr__code__in=codes, order_date__gte=since - timedelta(days=days))
        yield from rows.order_by("order_date", key_order("quote:", f":{kind}"))[:limit]


def quote_deadlines(
    *,
    today: date,
    editor_ids: Iterable[int] | None = None,
    client_ids: Iterable[int] | None = None,
    kinds: frozenset[str] | None = None,
    limit: int | None = None,
) -> list[Deadline]:
    """The quotes' pending deadlines still visible on `today` for these editors / labs (the whole
    programme when both are None), in calendar order, in a few queries: with `limit`, at least the
    first `limit` of them, `limit` rows per kind whatever the number of quotes (« Mon espace »)."""
    editor_ids = None if editor_ids is None else list(editor_ids)
    schemes = active_scheme_refs()
    quotes = _open_quote_rows(editor_ids=editor_ids, client_ids=client_ids)
    since = visible_since(today)
    refused = _request_of(status=RequestStatus.REFUSED)
    items: list[Deadline] = []

    def wanted(kind: str) -> bool:
        return kinds is None or kind in kinds

    if wanted(DeadlineKind.PREORDER):
        preorders = _preorders(
            quotes,
            today=today,
            schemes=schemes,
            limit=limit,
            editor_ids=editor_ids if client_ids is None else None,
        )
        for quote in preorders:
            due = preorder_deadline(
                order_date=quote.order_date, max_days=schemes[quote.dsr.code].preorder_max_days
            )
            items.append(
                quote_deadline(
                    quote,
                    kind=DeadlineKind.PREORDER,
                    due=due,
                    today=today,
                    owner=step_owner(quote, DeadlineKind.PREORDER),
                )
            )

    if wanted(DeadlineKind.SIGNATURE):
        # The window a quote would be signed in today depends on its AF only: one date per DSR.
        signing = {code: window_for_signature(scheme.windows, today) for code, scheme in schemes.items()}
        signing = {
            code: window
            for code, window in signing.items()
            if window is not None
            and window.order_signature_deadline is not None
            and window.order_signature_deadline >= since
        }
        if signing:
            kind = DeadlineKind.SIGNATURE
            due_of = Case(
                *(When(dsr__code=code, then=Value(w.order_signature_deadline)) for code, w in signing.items())
            )
            rows = (
                quotes.filter(status=QuoteStatus.ISSUED, dsr__code__in=list(signing))
                .exclude(refused)
                .order_by(due_of, key_order("quote:", f":{kind}"))[:limit]
            )
            for quote in rows:
                window = signing[quote.dsr.code]
                items.append(
                    quote_deadline(
                        quote,
                        kind=kind,
                        due=window.order_signature_deadline,
                        today=today,
                        owner=step_owner(quote, kind),
                        window_label=window.label,
                    )
                )

    signed_or_delivered = [QuoteStatus.SIGNED, QuoteStatus.DELIVERED]
    window_steps = (
        # kind, the window's date, the quotes it concerns
        (
            DeadlineKind.ADVANCE_REQUEST,
            "advance_request_deadline",
            # `Quote.next_step` (written by funding.rules.quote_next_step) walks the editor's
            # small « à demander » index instead of every signed or delivered quote.
            quotes.filter(status__in=signed_or_delivered, next_step=NextStep.ADVANCE).exclude(
                _request_of(milestone=Milestone.ADVANCE)
            ),
        ),
        (
            DeadlineKind.SERVICE_COMPLETION,
            "service_completion_deadline",
            quotes.filter(status=QuoteStatus.SIGNED),
        ),
        (
            DeadlineKind.BALANCE_REQUEST,
            "balance_request_deadline",
            quotes.filter(status=QuoteStatus.DELIVERED).exclude(_request_of(milestone=Milestone.BALANCE)),
        ),
    )
    # The windows are a handful: their dates are read once, and a kind whose windows are all past
    # (or undated) reads no quote at all.
    windows = list(FundingWindow.objects.only("pk", *(field for _, field, _ in window_steps)))
    for kind, field_name, pending in window_steps:
        if not wanted(kind):
            continue
        due_of = {
            window.pk: getattr(window, field_name)
            for window in windows
            if getattr(window, field_name) is not None and getattr(window, field_name) >= since
        }
        if not due_of:
            continue
        window_due = Case(*(When(window_id=pk, then=Value(due)) for pk, due in due_of.items()))
        rows = (
            pending.filter(window_id__in=list(due_of))
            .exclude(refused)
            .order_by(window_due, key_order("quote:", f":{kind}"))[:limit]
        )
        for quote in rows:
            items.append(
                quote_deadline(
                    quote,
                    kind=kind,
                    due=due_of[quote.window_id],
                    today=today,
                    owner=step_owner(quote, kind),
                    window_label=str(quote.window),
                )
            )
    return sorted((item for item in items if still_visible(item.days_left)), key=deadline_sort_key)
