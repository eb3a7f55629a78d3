"""The editor's writes: drafting, updating, issuing and cancelling a web quote."""

from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.moves import today_or
from segur_funding.core.tasks import enqueue_on_commit
from segur_funding.core.verification import verification_token_new
from segur_funding.organizations.models import Organization, User
from segur_funding.organizations.selectors import user_editors
from segur_funding.referential.models import Dsr

from .. import notify
from ..constants import QuoteAction, QuoteActor, Verdict
from ..models import CheckStatus, Quote, QuoteEventKind, QuoteLine, QuoteOrigin, QuoteStatus
from ..rules.workflow import WORKFLOW
from ..selectors import quote_document
from .checking import document_check, quote_check, report_store
from .common import error_summary, quote_editor_require, quote_event, quote_locked, quote_move
from .lines import LineInput


def _number_next(*, editor: Organization, today: date) -> str:
    # A counter row locked until this transaction ends: no two creations get the same number.
    from ..numbering import quote_number_next

    return quote_number_next(editor_id=editor.pk, year=today.year)


def _lines_replace(quote: Quote, lines: Sequence[LineInput]) -> None:
    if not lines:
        raise InvalidInput("Ajoutez au moins une ligne au devis.")
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            position=i,
            label=line.label.strip(),
            scope=line.scope,
            dsr_codes=",".join(c.strip().upper() for c in line.dsr_codes.split(",") if c.strip()),
            is_technical_debt=line.is_technical_debt,
            amount_ht=line.amount_ht,
            amount_ttc=line.amount_ttc,
        )
        for i, line in enumerate(lines)
    )


def _validate_parties(*, user: User, editor: Organization, client: Organization, dossier) -> None:
    if not user_editors(user=user).filter(pk=editor.pk).exists():
        raise DomainError("Vous n'êtes pas membre de cet éditeur.", code="FORBIDDEN")
    if client.kind != "client":
        raise InvalidInput("Le destinataire du devis doit être un client (laboratoire).")
    if not client.geographic_sites:
        raise InvalidInput(
            f"Le nombre de sites géographiques de « {client.name} » n'est pas renseigné : "
            "la tranche du barème ne peut pas être déterminée."
        )
    if dossier is not None and dossier.editor_id != editor.pk:
        raise DomainError("Ce dossier de référencement n'appartient pas à votre organisation.")


@transaction.atomic
def quote_create(
    *,
    user: User,
    editor: Organization,
    client: Organization,
    dsr: Dsr,
    dossier=None,
    order_date: date | None = None,
    mentions: str = "",
    conditions: str = "",
    lines: Sequence[LineInput],
    number: str = "",
    today: date | None = None,
) -> Quote:
    """A draft quote of `editor` for `client`, checked at once (the report is kept)."""
    today = today_or(today)
    _validate_parties(user=user, editor=editor, client=client, dossier=dossier)
    quote = Quote(
        origin=QuoteOrigin.WEB,
        editor=editor,
        client=client,
        dsr=dsr,
        dossier=dossier,
        order_date=order_date or today,
        mentions=mentions,
        conditions=conditions,
        number=number.strip() or _number_next(editor=editor, today=today),
        created_by=user,
    )
    try:
        with transaction.atomic():
            quote.save()
    except IntegrityError:
        raise DomainError(
            f"Le numéro de devis « {quote.number} » est déjà utilisé.", code="DUPLICATE_NUMBER"
        ) from None
    _lines_replace(quote, lines)
    quote_event(quote, kind=QuoteEventKind.CREATED, user=user, to_status=QuoteStatus.DRAFT)
    quote_check(quote=quote, today=today)
    return quote


@transaction.atomic
def quote_update(
    *,
    quote: Quote,
    user: User,
    client: Organization,
    dsr: Dsr,
    dossier=None,
    order_date: date | None,
    mentions: str,
    conditions: str,
    lines: Sequence[LineInput],
    today: date | None = None,
) -> Quote:
    quote = quote_locked(quote.pk)
    quote_editor_require(user=user, quote=quote)
    if quote.status != QuoteStatus.DRAFT:
        raise DomainError("Seul un brouillon peut être modifié.", code="NOT_DRAFT")
    _validate_parties(user=user, editor=quote.editor, client=client, dossier=dossier)
    quote.client = client
    quote.dsr = dsr
    quote.dossier = dossier
    quote.order_date = order_date or today_or(today)
    quote.mentions = mentions
    quote.conditions = conditions
    quote.save(
        update_fields=["client", "dsr", "dossier", "order_date", "mentions", "conditions", "updated_at"]
    )
    _lines_replace(quote, lines)
    quote_event(quote, kind=QuoteEventKind.UPDATED, user=user)
    quote_check(quote=quote, today=today)
    return quote


@transaction.atomic
def quote_issue(*, quote: Quote, user: User, today: date | None = None) -> Quote:
    """Issue a conform draft: freeze its document and render its PDF in a task after commit."""
    quote = quote_locked(quote.pk)
    quote_editor_require(user=user, quote=quote)
    WORKFLOW.transition(quote.status, QuoteAction.ISSUE, QuoteActor.EDITOR)  # before the check
    document = quote_document(quote)
    report = document_check(document, today=today)
    if report["verdict"] != Verdict.CONFORM:
        raise DomainError(
            "Ce devis n'est pas conforme : corrigez-le avant de l'émettre. " + error_summary(report),
            code="NOT_CONFORM",
        )
    report_store(quote, report)
    quote_move(
        quote,
        action=QuoteAction.ISSUE,
        who=QuoteActor.EDITOR,
        user=user,
        document=document,
        check_report=report,
        verdict=report["verdict"],
        check_status=CheckStatus.DONE,
        checked_at=quote.checked_at,
        issued_at=clock.now(),
        verification_token=quote.verification_token or verification_token_new(),
    )
    notify.quote_issued_notify(quote=quote)
    enqueue_on_commit("quotes.quote_pdf_render", quote.pk)
    return quote


@transaction.atomic
def quote_cancel(*, quote: Quote, user: User) -> Quote:
    quote = quote_locked(quote.pk)
    quote_editor_require(user=user, quote=quote)
    quote_move(quote, action=QuoteAction.CANCEL, who=QuoteActor.EDITOR, user=user)
    return quote
