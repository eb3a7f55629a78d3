"""Recording a payment: the one money move of the ASP."""

from datetime import date

from django.db import IntegrityError, transaction

from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.moves import today_or
from segur_funding.organizations.models import User

from .. import notify, rules
from ..bank import bank_account_in_force
from ..constants import ALREADY_PAID_MESSAGE, Actor, RequestAction, RequestStatus
from ..models import FundingRequest, Payment
from ..selectors import request_validated_on
from ._base import _fr, _locked_request, _milestone_facts, _move, _require_asp

NO_BANK_DETAILS_MESSAGE = (
    "L'éditeur n'a pas de coordonnées bancaires validées par l'ASP : validez-les (Coordonnées "
    "bancaires) avant d'enregistrer un versement."
)


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
            if locked.status == RequestStatus.PAID:
                raise DomainError(ALREADY_PAID_MESSAGE, code="ALREADY_PAID")
            if rules.WORKFLOW.step(locked.status, RequestAction.PAY) is None:
                raise DomainError(
                    f"Seule une demande validée peut être payée (celle-ci est "
                    f"« {locked.get_status_display()} »).",
                    code="NOT_VALIDATED",
                )
            refusal = rules.payment_date_refusal(
                paid_on=paid_on, validated_on=request_validated_on(locked), today=today
            )
            if refusal:
                raise InvalidInput(refusal)
            bank_account = bank_account_in_force(organization=locked.editor_id)
            if bank_account is None:
                raise DomainError(NO_BANK_DETAILS_MESSAGE, code="NO_BANK_DETAILS")
            _move(
                locked,
                action=RequestAction.PAY,
                actor=Actor.ASP,
                user=user,
                comment=f"Versement {reference} du {_fr(paid_on)}",
                facts=_milestone_facts(locked),
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
