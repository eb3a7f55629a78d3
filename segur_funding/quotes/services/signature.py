"""The lab's writes on an issued quote: signing it, then declaring the service delivered."""

from collections.abc import Collection, Sequence
from datetime import date

from django.db import transaction

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.money import format_eur
from segur_funding.core.moves import today_or
from segur_funding.core.workflow import refuse
from segur_funding.organizations.models import User
from segur_funding.referential.models import FundingWindow
from segur_funding.referential.rules import window_for_signature
from segur_funding.referential.selectors import scheme_ref_for_dsr

from .. import notify
from ..constants import QuoteAction, QuoteActor, Verdict
from ..models import Quote, QuoteLine
from ..rules.acceptance import OfferedLine, acceptance, acceptance_refusal
from ..rules.workflow import WORKFLOW, SignatureFacts
from ..selectors import quote_document
from .checking import document_check
from .common import error_summary, fr_date, quote_lab_require, quote_locked, quote_move

SIGNATORY_MAX = 150


def _signatory(name: str, role: str) -> tuple[str, str]:
    name, role = " ".join(name.split()), " ".join(role.split())
    if not name:
        raise InvalidInput("Indiquez le nom de la personne qui signe pour le laboratoire.")
    if not role:
        raise InvalidInput("Indiquez la fonction de la personne qui signe (ex. biologiste responsable).")
    if len(name) > SIGNATORY_MAX or len(role) > SIGNATORY_MAX:
        raise InvalidInput(f"Le nom et la fonction du signataire tiennent en {SIGNATORY_MAX} caractères.")
    return name, role


def offered_lines(lines: Sequence[QuoteLine]) -> list[OfferedLine]:
    """The quote's lines as the acceptance rule sees them, numbered from 1 as printed."""
    return [
        OfferedLine(number=i, label=x.label, scope=x.scope, amount_ttc=x.amount_ttc)
        for i, x in enumerate(lines, start=1)
    ]


def _signed_document(quote: Quote, *, declined: set[int], today: date) -> dict:
    """The issued document, dated today, without the declined options; referencing dates are
    read again (the dossier may have been completed since the issue)."""
    document = dict(quote.document or quote_document(quote))
    document["signature_date"] = today.isoformat()
    document["referencing"] = quote_document(quote)["referencing"]
    document["lines"] = [x for i, x in enumerate(document["lines"], start=1) if i not in declined]
    return document


def _sign_comment(name: str, role: str, declined: Sequence[OfferedLine]) -> str:
    text = f"Signé par {name} ({role})."
    if declined:
        text += (
            " Options refusées : "
            + " ; ".join(f"ligne {x.number} « {x.label} » ({format_eur(x.amount_ttc)} TTC)" for x in declined)
            + "."
        )
    return text


@transaction.atomic
def quote_sign(
    *,
    quote: Quote,
    user: User,
    signatory_name: str,
    signatory_role: str,
    declined_lines: Collection[int] = (),
    today: date | None = None,
) -> Quote:
    """The lab accepts a conform quote today (Europe/Paris), inside a funding window, in the
    name of its signatory; it may decline options (out-of-scope lines) one by one, never a line
    of the Prestation Ségur. Every refusal comes before the first write: a refused signature
    leaves the quote exactly as it was."""
    today = today_or(today)
    quote = quote_locked(quote.pk)
    quote_lab_require(user, quote)
    name, role = _signatory(signatory_name, signatory_role)
    scheme = scheme_ref_for_dsr(dsr_code=quote.dsr.code) if quote.dsr_id else None
    facts = SignatureFacts(
        origin=quote.origin,
        windows=scheme.windows if scheme is not None else None,
        signature_date=today,
    )
    # Status, origin and the funding windows are judged before the (slower) re-check.
    WORKFLOW.transition(quote.status, QuoteAction.SIGN, QuoteActor.LAB, facts)
    lines = list(quote.lines.all())
    offered = offered_lines(lines)
    declined = set(declined_lines)
    refuse(acceptance_refusal(offered, declined))
    window = window_for_signature(scheme.windows, today)
    document = _signed_document(quote, declined=declined, today=today)
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
        comment=_sign_comment(name, role, acceptance(offered, declined).declined),
        signature_date=today,
        window=window_row,
        signed_document=document,
        signatory_name=name,
        signatory_role=role,
        check_report=report,
        verdict=report["verdict"],
        checked_at=clock.now(),
    )
    if declined:
        QuoteLine.objects.filter(pk__in=[lines[n - 1].pk for n in declined]).update(declined=True)
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
