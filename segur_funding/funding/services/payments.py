"""Recording payments: the one money move of the ASP, one at a time (the request's « Enregistrer
le versement ») or a whole accounting file at once (`payments_record_bulk`, issue 15).

Both paths ask the same questions in the same order (`_payment_target`: already paid, validated,
payment date, bank details in force, milestone guard) and write the same rows: the status moved
compare-and-set, the history row, the payment with the bank details it went to, the quote's
`next_step`. They differ in how many queries it takes, and in what the editor reads: one
notification per payment one by one, one digest per editor for a file.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.moves import history_user, next_steps_refresh, today_or
from segur_funding.organizations.constants import BankAccountStatus
from segur_funding.organizations.models import BankAccount, User
from segur_funding.quotes.models import Quote

from .. import notify, rules
from ..bank import bank_account_in_force
from ..constants import ALREADY_PAID_MESSAGE, Actor, Milestone, RequestAction, RequestStatus
from ..models import FundingRequest, Payment, RequestEvent
from ..selectors import request_validated_on
from ._base import _fr, _locked_request, _milestone_facts, _move, _require_asp

NO_BANK_DETAILS_MESSAGE = (
    "L'éditeur n'a pas de coordonnées bancaires validées par l'ASP : validez-les (Coordonnées "
    "bancaires) avant d'enregistrer un versement."
)


def _payment_target(
    request: FundingRequest,
    *,
    paid_on: date,
    today: date,
    bank_account: BankAccount | None,
    facts: rules.MilestoneFacts,
) -> str:
    """The status paying `request` leads to, or the DomainError that refuses it: the questions of
    both paths, asked in one place and in one order (a wrong status before a business reason)."""
    if request.status == RequestStatus.PAID:
        raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID")
    if rules.WORKFLOW.step(request.status, RequestAction.PAY) is None:
        raise DomainError(
            f"Seule une demande validée peut être payée (celle-ci est « {request.get_status_display()} »).",
            code="NOT_VALIDATED",
        )
    refusal = rules.payment_date_refusal(
        paid_on=paid_on, validated_on=request_validated_on(request), today=today
    )
    if refusal:
        raise InvalidInput(refusal)
    if bank_account is None:
        raise DomainError(NO_BANK_DETAILS_MESSAGE, code="NO_BANK_DETAILS")
    return rules.WORKFLOW.transition(request.status, RequestAction.PAY, Actor.ASP, facts)


def _payment_comment(*, reference: str, paid_on: date) -> str:
    return f"Versement {reference} du {_fr(paid_on)}"


def payment_record(
    *,
    request: FundingRequest | int,
    user: User,
    paid_on: date,
    reference: str,
    today: date | None = None,
) -> Payment:
    """Record the payment of a validated request: it becomes "décidée et payée". The payment
    records the editor's bank details in force (validated by ASP); without any, nothing is paid.

    Safe under concurrency: whatever the number of simultaneous calls for one milestone, exactly
    one payment is written and every other call gets « Ce versement a déjà été enregistré. »
    """
    _require_asp(user)
    today = today_or(today)
    reference = reference.strip()
    if not reference:
        raise InvalidInput("Indiquez la référence du versement.")
    request_id = request if isinstance(request, int) else request.pk
    try:
        with transaction.atomic():
            locked = _locked_request(request_id)
            bank_account = bank_account_in_force(organization=locked.editor_id)
            facts = _milestone_facts(locked)
            _payment_target(locked, paid_on=paid_on, today=today, bank_account=bank_account, facts=facts)
            _move(
                locked,
                action=RequestAction.PAY,
                actor=Actor.ASP,
                user=user,
                comment=_payment_comment(reference=reference, paid_on=paid_on),
                facts=facts,
            )
            payment = Payment.objects.create(
                request=locked,
                bank_account=bank_account,
                quote_id=locked.quote_id,
                milestone=locked.milestone,
                amount=locked.amount,
                paid_on=paid_on,
                reference=reference,
                recorded_by=user,
            )
            notify.payment_made_notify(payment=payment)
            return payment
    except IntegrityError:
        # The unique constraint per (quote, milestone): another call won the race.
        raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID") from None


# --- A whole file at once -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One row of an accounting file, as read: `line` is its number in the file (header = 1)."""

    line: int
    request_id: int
    amount: Decimal
    paid_on: date
    reference: str


@dataclass
class BulkPaymentOutcome:
    """Per line, the refusal (French) when any; otherwise the requests as checked and, unless
    it was a dry run, the payments written."""

    errors: dict[int, str] = field(default_factory=dict)
    requests: dict[int, FundingRequest] = field(default_factory=dict)
    payments: list[Payment] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _bank_accounts_in_force(editor_ids: set[int]) -> dict[int, BankAccount]:
    """`bank_account_in_force` for many editors in one query (its ordering, first one kept)."""
    in_force: dict[int, BankAccount] = {}
    accounts = BankAccount.objects.filter(
        organization_id__in=editor_ids, status=BankAccountStatus.VALIDATED
    ).order_by("organization_id", *BankAccount._meta.ordering)
    for account in accounts:
        in_force.setdefault(account.organization_id, account)
    return in_force


BULK_FIELDS = (
    "status",
    "milestone",
    "amount",
    "decided_at",
    "quote_id",
    "quote__number",
    "editor_id",
    "editor__name",
)


def payments_record_bulk(
    *,
    lines: Sequence[PaymentLine],
    user: User,
    dry_run: bool,
    today: date | None = None,
) -> BulkPaymentOutcome:
    """Check (`dry_run`) or record every payment of `lines`, all or nothing, in a number of
    queries that does not grow with the lines (it grows with the editors told, one digest each).

    The requests are locked in one `SELECT … FOR UPDATE` ordered by id (two imports, or an import
    and a single payment, lock in the same order and never deadlock), then each line is judged
    by `_payment_target` like a single payment, with the milestone facts and bank details read
    for all lines at once. Facts move as lines are applied, in file order, so that the file is
    judged as if its lines were recorded one after the other. One refused line and nothing is
    written. The status update is compare-and-set and the unique payment per milestone stays the
    last guard: exactly once, as one by one. The dry run asks the same questions under the same
    locks and writes nothing.
    """
    _require_asp(user)
    today = today_or(today)
    outcome = BulkPaymentOutcome()
    ids = sorted({line.request_id for line in lines})
    try:
        with transaction.atomic():
            requests = {
                request.pk: request
                for request in FundingRequest.objects.select_for_update(of=("self",))
                .select_related("editor", "quote")
                # What the checks, the writes and the digest read, nothing more: 10,000 rows of
                # every column (dates parsed, files, comments) were a third of the import.
                .only(*BULK_FIELDS)
                .filter(pk__in=ids)
                .order_by("pk")
            }
            quote_ids = {request.quote_id for request in requests.values()}
            # The quotes locked before their requests' statuses are read, as the single payment's
            # `next_step_refresh` does: a move of the other milestone committing in between would
            # otherwise leave a stale `next_step` behind (requests, then quotes, in pk order).
            list(Quote.objects.select_for_update().filter(pk__in=quote_ids).order_by("pk").values_list("pk"))
            statuses: dict[int, dict[str, str]] = defaultdict(dict)  # quote -> milestone -> status
            for quote_id, milestone, status in FundingRequest.objects.filter(
                quote_id__in=quote_ids
            ).values_list("quote_id", "milestone", "status"):
                statuses[quote_id][milestone] = status
            paid: set[tuple[int, str]] = set(
                Payment.objects.filter(quote_id__in=quote_ids).values_list("quote_id", "milestone")
            )
            in_force = _bank_accounts_in_force({request.editor_id for request in requests.values()})

            moves: list[tuple[PaymentLine, FundingRequest, str, str]] = []
            for line in lines:
                request = requests.get(line.request_id)
                if not line.reference.strip():
                    outcome.errors[line.line] = "Indiquez la référence du versement."
                    continue
                if request is None:
                    outcome.errors[line.line] = f"la demande n° {line.request_id} n'existe pas"
                    continue
                if line.amount != request.amount:
                    outcome.errors[line.line] = (
                        f"montant {line.amount} € différent du montant validé de la demande "
                        f"n° {request.pk} ({request.amount} €)"
                    )
                    continue
                quote_id = request.quote_id
                facts = rules.MilestoneFacts(
                    milestone=request.milestone,
                    advance_paid=(quote_id, Milestone.ADVANCE) in paid,
                    refused=RequestStatus.REFUSED in statuses[quote_id].values(),
                    balance_paid=(quote_id, Milestone.BALANCE) in paid,
                )
                try:
                    to = _payment_target(
                        request,
                        paid_on=line.paid_on,
                        today=today,
                        bank_account=in_force.get(request.editor_id),
                        facts=facts,
                    )
                except DomainError as error:
                    outcome.errors[line.line] = f"demande n° {request.pk} : {error.message}"
                    continue
                moves.append((line, request, request.status, to))
                # What the next lines see, as if this one were recorded already.
                paid.add((quote_id, request.milestone))
                statuses[quote_id][request.milestone] = to
                request.status = to
            outcome.requests = {line.request_id: requests[line.request_id] for line, *_ in moves}
            if outcome.errors or dry_run:
                return outcome
            outcome.payments = _payments_write(moves, user=user, in_force=in_force, statuses=statuses)
            return outcome
    except IntegrityError:
        # The unique constraint per (quote, milestone): a payment written since our read.
        raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID") from None


def _payments_write(
    moves: list[tuple[PaymentLine, FundingRequest, str, str]],
    *,
    user: User,
    in_force: dict[int, BankAccount],
    statuses: dict[int, dict[str, str]],
) -> list[Payment]:
    """The writes of `payment_record`, a statement per kind of row instead of one per line."""
    now = clock.now()
    by_move: dict[tuple[str, str], list[int]] = defaultdict(list)
    for _line, request, frm, to in moves:
        by_move[(frm, to)].append(request.pk)
    for (frm, to), pks in by_move.items():
        # Compare-and-set, as `core.moves.move`: under our locks every row still has `frm`; a
        # count that differs means a writer ignored the lock, and nothing is written.
        if FundingRequest.objects.filter(pk__in=pks, status=frm).update(status=to, updated_at=now) != len(
            pks
        ):
            raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID")
    for _line, request, _frm, _to in moves:
        request.updated_at = now

    next_steps_refresh(
        Quote,
        {request.quote_id for _line, request, _frm, _to in moves},
        decide=lambda quote: rules.quote_next_step(
            quote_status=quote.status,
            origin=quote.origin,
            advance=statuses[quote.pk].get(Milestone.ADVANCE),
            balance=statuses[quote.pk].get(Milestone.BALANCE),
        ),
        only=("status", "origin"),
    )
    actor = history_user(user)
    RequestEvent.objects.bulk_create(
        RequestEvent(
            request=request,
            from_status=frm,
            to_status=to,
            actor=actor,
            comment=_payment_comment(reference=line.reference.strip(), paid_on=line.paid_on),
        )
        for line, request, frm, to in moves
    )
    payments = Payment.objects.bulk_create(
        Payment(
            request=request,
            bank_account=in_force[request.editor_id],
            quote_id=request.quote_id,
            milestone=request.milestone,
            amount=request.amount,
            paid_on=line.paid_on,
            reference=line.reference.strip(),
            recorded_by=user,
        )
        for line, request, _frm, _to in moves
    )
    notify.payments_made_digest_notify(payments=payments)
    return payments
