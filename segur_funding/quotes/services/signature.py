"""The lab's writes on an issued quote: signing it, then declaring the service delivered."""

from datetime import date

from django.db import transaction

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.moves import today_or
from segur_funding.organizations.models import User
from segur_funding.referential.models import FundingWindow
from segur_funding.referential.rules import window_for_signature
from segur_funding.referential.selectors import scheme_ref_for_dsr

from .. import notify
from ..constants import QuoteAction, QuoteActor, Verdict
from ..models import Quote
from ..rules.workflow import WORKFLOW, SignatureFacts
from ..selectors import quote_document
from .checking import document_check
from .common import error_summary, fr_date, quote_lab_require, quote_locked, quote_move


@transaction.atomic
def quote_sign(*, quote: Quote, user: User, today: date | None = None) -> Quote:
    """The lab accepts a conform quote today (Europe/Paris), inside a funding window."""
    today = today_or(today)
    quote = quote_locked(quote.pk)
    quote_lab_require(user, quote)
    scheme = scheme_ref_for_dsr(dsr_code=quote.dsr.code) if quote.dsr_id else None
    facts = SignatureFacts(
        origin=quote.origin,
        windows=scheme.windows if scheme is not None else None,
        signature_date=today,
    )
    # Status, origin and the funding windows are judged before the (slower) re-check.
    WORKFLOW.transition(quote.status, QuoteAction.SIGN, QuoteActor.LAB, facts)
    window = window_for_signature(scheme.windows, today)
    document = dict(quote.document or quote_document(quote))
    document["signature_date"] = today.isoformat()
    # Referencing dates are read again: the dossier may have been completed since the issue.
    document["referencing"] = quote_document(quote)["referencing"]
    report = document_check(document, today=today)
    if report["verdict"] != Verdict.CONFORM:
        raise DomainError(
            "Ce devis n'est pas conforme : il ne peut pas être signé. " + error_summary(report),
            code="NOT_CONFORM",
        )
    window_row = FundingWindow.objects.get(
        scheme__dsr=quote.dsr, scheme__is_active=True, number=window.number
    )
    quote_move(
        quote,
        action=QuoteAction.SIGN,
        who=QuoteActor.LAB,
        user=user,
        facts=facts,
        signature_date=today,
        window=window_row,
        check_report=report,
        verdict=report["verdict"],
        checked_at=clock.now(),
    )
    notify.quote_signed_notify(quote=quote)
    return quote


@transaction.atomic
def quote_declare_delivery(
    *, quote: Quote, user: User, delivered_on: date | None = None, today: date | None = None
) -> Quote:
    """The lab declares the service delivered and in working order (mise en ordre de marche)."""
    today = today_or(today)
    delivered_on = delivered_on or today
    quote = quote_locked(quote.pk)
    quote_lab_require(user, quote)
    if delivered_on > today:
        raise InvalidInput("La date de mise en ordre de marche ne peut pas être dans le futur.")
    if quote.signature_date and delivered_on < quote.signature_date:
        raise InvalidInput(
            "La mise en ordre de marche ne peut pas précéder la signature du devis "
            f"({fr_date(quote.signature_date)})."
        )
    quote_move(
        quote,
        action=QuoteAction.DECLARE_DELIVERY,
        who=QuoteActor.LAB,
        user=user,
        delivered_on=delivered_on,
    )
    notify.quote_delivery_notify(quote=quote, declared_by=user)
    return quote
