"""The ASP's decisions on a funding request: validate, send back (« à modifier »), refuse."""

from collections.abc import Sequence

from django.db import transaction

from segur_funding.core import clock
from segur_funding.core.errors import InvalidInput
from segur_funding.core.workflow import refuse
from segur_funding.organizations.constants import BankAccountStatus
from segur_funding.organizations.models import User

from .. import notify, rules
from ..bank import bank_account_pending
from ..constants import Actor, CorrectionReason, RequestAction
from ..models import CorrectionRequest, FundingRequest
from ._base import _locked_request, _milestone_facts, _move, _require_asp


def _answered_bank_status(request: FundingRequest) -> str | None:
    """The state of the bank details the editor gave in its last answer (None when it gave none,
    or when the details were replaced by later ones that are no longer waiting)."""
    last = CorrectionRequest.objects.filter(request=request).select_related("bank_account").first()
    account = last.bank_account if last is not None else None
    if account is None:
        return None
    if account.status == BankAccountStatus.SUPERSEDED:
        later = bank_account_pending(organization=request.editor_id)
        return later.status if later is not None else None
    return account.status


@transaction.atomic
def funding_request_validate(*, request: FundingRequest, user: User, comment: str = "") -> FundingRequest:
    """Validate a request; one answered with new bank details waits until the ASP validated
    them (the bank-details flow), so that its payment goes to the new account."""
    _require_asp(user)
    request = _locked_request(request.pk)
    refuse(rules.answered_bank_details_refusal(_answered_bank_status(request)))
    request = _move(
        request,
        action=RequestAction.VALIDATE,
        actor=Actor.ASP,
        user=user,
        comment=comment,
        facts=_milestone_facts(request),
        # core.clock: the validation day bounds the payment date (rules.payment_date_refusal).
        decided_at=clock.now(),
    )
    notify.funding_request_decided_notify(request=request)
    return request


@transaction.atomic
def funding_request_send_back(
    *, request: FundingRequest, user: User, reasons: Sequence[str], comment: str = ""
) -> CorrectionRequest:
    """ "À modifier": back to the editor with reasons (at least one, from CorrectionReason)."""
    _require_asp(user)
    reasons = list(dict.fromkeys(reasons))
    if not reasons:
        raise InvalidInput("Indiquez au moins un motif de modification.")
    unknown = [r for r in reasons if r not in CorrectionReason.values]
    if unknown:
        raise InvalidInput(f"Motif inconnu : {', '.join(unknown)}.")
    if CorrectionReason.OTHER in reasons and not comment.strip():
        raise InvalidInput("Précisez le motif « Autre » dans le commentaire.")
    request = _locked_request(request.pk)
    labels = dict(CorrectionReason.choices)
    summary = " ; ".join(str(labels[r]) for r in reasons)
    _move(
        request,
        action=RequestAction.SEND_BACK,
        actor=Actor.ASP,
        user=user,
        comment=f"{summary}. {comment}".strip() if comment.strip() else summary,
    )
    correction = CorrectionRequest.objects.create(
        request=request, reasons=reasons, comment=comment, requested_by=user
    )
    notify.funding_request_decided_notify(
        request=request, reason=f"{summary}. {comment}".strip() if comment.strip() else summary
    )
    return correction


@transaction.atomic
def funding_request_refuse(*, request: FundingRequest, user: User, comment: str) -> FundingRequest:
    _require_asp(user)
    if not comment.strip():
        raise InvalidInput("Le motif du refus est obligatoire : l'éditeur doit le connaître.")
    request = _locked_request(request.pk)
    request = _move(
        request,
        action=RequestAction.REFUSE,
        actor=Actor.ASP,
        user=user,
        comment=comment,
        decided_at=clock.now(),
    )
    notify.funding_request_decided_notify(request=request, reason=comment)
    return request
