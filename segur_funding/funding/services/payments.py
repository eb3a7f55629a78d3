"""Recording payments: the one money move of the ASP, one at a time (the request's « Enregistrer
le versement ») or a whole accounting file at once (`payments_record_bulk`, issue 15).

Both paths read the reference once (`_reference`), the milestone facts and the bank details in
force with the same readers (`_base.MilestoneBook`, `bank.bank_accounts_in_force`), ask the same
questions in the same order (`_payment_target`: already paid, validated, payment date, bank
details in force, milestone guard) and write the same rows through the same move (`_base._moves`:
the status moved compare-and-set, the quote's `next_step`, the history row), then the payment with
the bank details it went to. They differ in how many queries it takes, and in what the editor
reads: one notification per payment one by one, one digest per editor for a file.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.moves import today_or
from segur_funding.organizations.models import BankAccount, User
from segur_funding.quotes.models import Quote

from .. import notify, rules
from ..bank import bank_account_in_force, bank_accounts_in_force
from ..constants import ALREADY_PAID_MESSAGE, Actor, RequestAction, RequestStatus
from ..models import FundingRequest, Payment
from ..selectors import request_validated_on
from ._base import (
    MilestoneBook,
    _fr,
    _locked_request,
    _milestone_book,
    _milestone_facts,
    _move,
    _moves,
    _require_asp,
)

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


def _reference(text: str) -> str:
    """The payment reference as recorded, read once at the door of both paths: stripped, and
    refused when blank."""
    reference = (text or "").strip()
    if not reference:
        raise InvalidInput("Indiquez la référence du versement.")
    return reference


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
    reference = _reference(reference)
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


# What the checks, the writes and the digest read, nothing more: 10,000 rows of every column
# (dates parsed, files, comments) were a third of the import.
BULK_FIELDS = ("status", "milestone", "amount", "decided_at", "quote_id", "editor_id", "editor__name")


def payments_record_bulk(
    *,
    lines: Sequence[PaymentLine],
    user: User,
    dry_run: bool,
    today: date | None = None,
) -> BulkPaymentOutcome:
    """Check (`dry_run`) or record every payment of `lines`, all or nothing, in a number of
    queries that does not grow with the lines nor with the editors told.

    The requests are locked in one `SELECT … FOR UPDATE` ordered by id (two imports, or an import
    and a single payment, lock in the same order and never deadlock), then their quotes, then
    each line is judged by `_payment_target` like a single payment (already paid first, then the
    amount), with the milestone facts and bank details read for all lines at once. Facts move
    as lines are judged, in file order, so that the file is judged as if its lines were
    recorded one after the other. One refused line and nothing is written. The writes go
    through `_moves`, the move of a single payment for many requests (compare-and-set), and
    the unique payment per milestone stays the last guard: exactly once, as one by one; a
    payment written meanwhile by someone else is told with its line, as a refused line. The
    dry run asks the same questions under the same locks and writes nothing.
    """
    _require_asp(user)
    today = today_or(today)
    outcome = BulkPaymentOutcome()
    moves: list[tuple[PaymentLine, FundingRequest, rules.MilestoneFacts]] = []
    try:
        with transaction.atomic():
            ids = sorted({line.request_id for line in lines})
            requests = {
                request.pk: request
                for request in FundingRequest.objects.select_for_update(of=("self",))
                .select_related("editor")
                .only(*BULK_FIELDS)
                .filter(pk__in=ids)
                .order_by("pk")
            }
            quote_ids = sorted({request.quote_id for request in requests.values()})
            # The quotes locked before their requests' statuses are read, as the single payment's
            # `next_step` refresh does: a move of the other milestone committing in between would
            # otherwise leave a stale `next_step` behind (requests, then quotes, in pk order).
            list(Quote.objects.select_for_update().filter(pk__in=quote_ids).order_by("pk").values_list("pk"))
            book = _milestone_book(quote_ids)
            in_force = bank_accounts_in_force(organizations={r.editor_id for r in requests.values()})
            moves = _judge(
                lines, requests=requests, book=book, in_force=in_force, today=today, outcome=outcome
            )
            outcome.requests = {line.request_id: request for line, request, _facts in moves}
            if outcome.errors or dry_run:
                return outcome
            outcome.payments = _payments_write(moves, user=user, in_force=in_force, book=book)
            return outcome
    except IntegrityError:
        pass  # the unique payment per (quote, milestone): one was written since our read
    except DomainError as error:
        if error.code != "ALREADY_PAID":  # the compare-and-set found a request paid meanwhile
            raise
    return BulkPaymentOutcome(errors=_paid_meanwhile([(line, request) for line, request, _facts in moves]))


def _judge(
    lines: Sequence[PaymentLine],
    *,
    requests: dict[int, FundingRequest],
    book: MilestoneBook,
    in_force: dict[int, BankAccount],
    today: date,
    outcome: BulkPaymentOutcome,
) -> list[tuple[PaymentLine, FundingRequest, rules.MilestoneFacts]]:
    """Each line's refusal into `outcome.errors`, in this order: the reference, the request
    (unknown, named twice), then the single payment's questions (already paid first), then the
    amount. Returns the lines to record (reference as read at the door), their requests and
    facts; `book` moved as if they were recorded."""
    moves: list[tuple[PaymentLine, FundingRequest, rules.MilestoneFacts]] = []
    seen: dict[int, int] = {}
    for line in lines:
        try:
            line = replace(line, reference=_reference(line.reference))
        except InvalidInput as error:
            outcome.errors[line.line] = error.message
            continue
        request = requests.get(line.request_id)
        if request is None:
            outcome.errors[line.line] = f"la demande n° {line.request_id} n'existe pas"
            continue
        if line.request_id in seen:
            first = seen[line.request_id]
            outcome.errors[line.line] = f"la demande n° {line.request_id} figure déjà ligne {first}"
            continue
        seen[line.request_id] = line.line
        facts = book.facts(request)
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
        if line.amount != request.amount:
            outcome.errors[line.line] = (
                f"montant {line.amount} € différent du montant validé de la demande "
                f"n° {request.pk} ({request.amount} €)"
            )
            continue
        moves.append((line, request, facts))
        book.apply(request, to)  # what the next lines see
    return moves


def _payments_write(
    moves: list[tuple[PaymentLine, FundingRequest, rules.MilestoneFacts]],
    *,
    user: User,
    in_force: dict[int, BankAccount],
    book: MilestoneBook,
) -> list[Payment]:
    """The writes of `payment_record` for many lines: the move (`_moves`: statuses, the quotes'
    `next_step` decided on `book`, history rows), the payments, one digest per editor."""
    _moves(
        [
            (request, facts, _payment_comment(reference=line.reference, paid_on=line.paid_on))
            for line, request, facts in moves
        ],
        action=RequestAction.PAY,
        actor=Actor.ASP,
        user=user,
        next_step=book.next_step,
    )
    payments = Payment.objects.bulk_create(
        Payment(
            request=request,
            bank_account=in_force[request.editor_id],
            quote_id=request.quote_id,
            milestone=request.milestone,
            amount=request.amount,
            paid_on=line.paid_on,
            reference=line.reference,
            recorded_by=user,
        )
        for line, request, _facts in moves
    )
    notify.payments_made_digest_notify(payments=payments)
    return payments


def _paid_meanwhile(moves: list[tuple[PaymentLine, FundingRequest]]) -> dict[int, str]:
    """After a write refused because someone else paid first (two imports at once, under a
    writer that ignored the locks): the lines whose milestone is paid now, each named as a
    refused line would be (every line when none is found: the file was not recorded)."""
    by_milestone = {(request.quote_id, request.milestone): (line, request) for line, request in moves}
    paid = set(
        Payment.objects.filter(quote_id__in={quote_id for quote_id, _m in by_milestone}).values_list(
            "quote_id", "milestone"
        )
    )
    named = [by_milestone[key] for key in by_milestone if key in paid] or moves
    return {line.line: f"demande n° {request.pk} : {ALREADY_PAID_MESSAGE}" for line, request in named}
