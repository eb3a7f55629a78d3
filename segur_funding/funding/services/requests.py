"""The editor's side: filing the advance and the balance, answering an « à modifier »."""

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.files import PDF, safe_filename, upload_check
from segur_funding.core.moves import today_or
from segur_funding.core.workflow import refuse
from segur_funding.organizations.models import User
from segur_funding.quotes.models import Quote
from segur_funding.quotes.selectors import quote_referencing
from segur_funding.quotes.services import quote_editor_require
from segur_funding.referential import rules as af_rules
from segur_funding.referential.rules import SchemeRef

from .. import notify, rules
from ..constants import Actor, Milestone, RequestAction, RequestStatus
from ..models import FundingRequest, Payment
from ..selectors import SIGNED_STATUSES, quote_balance_facts
from ._base import _fr, _funded_amount, _locked_quote, _move, _scheme, _window_ref


@transaction.atomic
def advance_request_file(
    *, quote: Quote, user: User, comment: str = "", today: date | None = None
) -> FundingRequest:
    """File the 30 % advance of a signed quote with the ASP.

    Refused with a French message, nothing written, when: the quote is not signed, a request
    already exists for the advance, the window's advance deadline is past, or the order was
    placed before referencing and the 120-day rule is not met (from the dossier's dates), or the
    software's complete proof dossier was sent after the window's proofs deadline.
    """
    today = today_or(today)
    quote = _locked_quote(quote.pk)
    quote_editor_require(user=user, quote=quote)
    refuse(
        rules.advance_filing_refusal(
            quote_signed=quote.status in SIGNED_STATUSES,
            advance_requested=FundingRequest.objects.filter(
                quote=quote, milestone=Milestone.ADVANCE
            ).exists(),
        )
    )
    window = _window_ref(quote)
    refuse(af_rules.advance_request_refusal(window, today))
    scheme = _scheme(quote)
    proofs_complete_on = _preorder_check(quote, scheme=scheme, today=today)
    if proofs_complete_on is not None:
        refuse(af_rules.proofs_complete_refusal(window, proofs_complete_on))
    funded = _funded_amount(quote)
    split = af_rules.milestones(funded, scheme.advance_rate)
    request = FundingRequest(
        quote=quote,
        editor=quote.editor,
        milestone=Milestone.ADVANCE,
        status=RequestStatus.DRAFT,
        funded_amount=funded,
        amount=split.advance,
        editor_comment=comment,
    )
    return _file(request, user=user)


def _preorder_check(quote: Quote, *, scheme: SchemeRef, today: date) -> date | None:
    """An order placed before referencing becomes firm only with a complete proof dossier within
    the AF's delay (120 days) and the referencing obtained (SPEC §3.2): until then no money is
    asked. Returns the date the software's proof dossier was complete (None when unknown)."""
    dates = quote_referencing(quote)
    order_date = quote.order_date or quote.signature_date or today
    max_days = scheme.preorder_max_days
    status = af_rules.preorder_eligibility(
        order_date=order_date,
        referenced_on=dates.referenced_on,
        proofs_complete_on=dates.proofs_complete_on,
        today=today,
        max_days=max_days,
    )
    if status.state == af_rules.PreorderState.TOO_EARLY:
        raise DomainError(
            f"La commande du {_fr(order_date)} précède de plus de {max_days} jours le dossier "
            f"complet de preuves{' (toujours incomplet)' if status.lapsed else ''} : elle n'est "
            "pas éligible au financement.",
            code="ORDER_TOO_EARLY",
        )
    if status.state == af_rules.PreorderState.PENDING:
        raise DomainError(
            "La commande a été passée avant le référencement et le dossier de preuves n'est pas "
            f"encore complet (à déposer au plus tard le {_fr(status.deadline)}) : la demande "
            "d'avance sera possible une fois le logiciel référencé.",
            code="PROOFS_PENDING",
        )
    if dates.referenced_on is None:
        raise DomainError(
            "Le logiciel n'est pas encore référencé : la commande n'est pas affermie et aucun "
            "financement ne peut être demandé.",
            code="NOT_REFERENCED",
        )
    return dates.proofs_complete_on


def _file(request: FundingRequest, *, user: User) -> FundingRequest:
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise DomainError(
            f"Une demande de {request.get_milestone_display().lower()} existe déjà pour ce devis.",
            code="DUPLICATE_REQUEST",
        ) from None
    request = _move(
        request,
        action=RequestAction.SUBMIT,
        actor=Actor.EDITOR,
        user=user,
        comment=request.editor_comment,
        submitted_at=clock.now(),
    )
    notify.funding_request_submitted_notify(request=request)
    return request


def _invoice_check(invoice: UploadedFile | None) -> None:
    if invoice is None:
        raise InvalidInput("Joignez la facture (PDF) à la demande de solde.")
    upload_check(invoice, name=invoice.name or "facture.pdf", size=invoice.size or 0, kinds=(PDF,))


@transaction.atomic
def balance_request_file(
    *,
    quote: Quote,
    user: User,
    invoice: UploadedFile | None,
    comment: str = "",
    today: date | None = None,
) -> FundingRequest:
    """File the 70 % balance: only after the advance is paid, never after a refusal, with the
    invoice and the lab's delivery declaration, before the window's balance deadline."""
    today = today_or(today)
    quote = _locked_quote(quote.pk)
    quote_editor_require(user=user, quote=quote)
    refuse(rules.balance_request_refusal(quote_balance_facts(quote=quote)))
    advance = FundingRequest.objects.get(quote=quote, milestone=Milestone.ADVANCE)
    paid = Payment.objects.get(quote=quote, milestone=Milestone.ADVANCE)
    window = _window_ref(quote)
    refuse(af_rules.service_completion_refusal(window, quote.delivered_on))
    refuse(af_rules.balance_request_refusal(window, today))
    _invoice_check(invoice)
    funded = advance.funded_amount
    # The balance is what is left once the advance actually paid: the two add up to the cent.
    request = FundingRequest(
        quote=quote,
        editor=quote.editor,
        milestone=Milestone.BALANCE,
        status=RequestStatus.DRAFT,
        funded_amount=funded,
        amount=funded - paid.amount,
        editor_comment=comment,
    )
    request.invoice.save(safe_filename(invoice.name, default_ext=".pdf"), invoice, save=False)
    return _file(request, user=user)
