"""What every quote service shares: the history row, the compare-and-set move of the workflow,
who may act on a quote, the row lock, and the French wording of dates and errors."""

from datetime import date

from django.utils.formats import date_format

from segur_funding.core.errors import DomainError
from segur_funding.core.moves import history_user, move
from segur_funding.organizations.models import User
from segur_funding.organizations.selectors import user_clients, user_editors

from ..constants import QuoteAction
from ..models import Quote, QuoteEvent, QuoteEventKind, QuoteOrigin, QuoteStatus
from ..rules.workflow import WORKFLOW, next_step_after


def fr_date(value: date | None) -> str:
    return date_format(value, "d/m/Y") if value else "—"


def quote_event(
    quote: Quote,
    *,
    kind: str,
    user: User | None,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
) -> QuoteEvent:
    return QuoteEvent.objects.create(
        quote=quote,
        kind=kind,
        actor=history_user(user),
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def quote_move(
    quote: Quote,
    *,
    action: QuoteAction,
    who: str,
    user: User | None,
    facts: object = None,
    comment: str = "",
    **fields: object,
) -> None:
    """The move `rules.workflow.WORKFLOW` allows (its guard judged on `facts`), written
    compare-and-set: a concurrent move makes the update touch no row."""
    frm = quote.status
    to = WORKFLOW.transition(frm, action, who, facts)
    move(
        quote,
        frm=frm,
        to=to,
        conflict="Ce devis vient d'être modifié par ailleurs : rechargez la page.",
        next_step=next_step_after(to=to, origin=quote.origin, current=quote.next_step),
        **fields,
    )
    kind = {
        QuoteStatus.ISSUED: QuoteEventKind.ISSUED,
        QuoteStatus.SIGNED: QuoteEventKind.SIGNED,
        QuoteStatus.DELIVERED: QuoteEventKind.DELIVERED,
        QuoteStatus.CANCELLED: QuoteEventKind.CANCELLED,
    }[to]
    quote_event(quote, kind=kind, user=user, from_status=frm, to_status=to, comment=comment)


def quote_editor_require(*, user: User, quote: Quote) -> None:
    """Only a member of the quote's editor acts on it as the editor (quotes and their funding)."""
    if quote.origin != QuoteOrigin.WEB or not user_editors(user=user).filter(pk=quote.editor_id).exists():
        raise DomainError("Ce devis n'appartient pas à votre organisation.", code="FORBIDDEN")


def quote_lab_require(user: User, quote: Quote) -> None:
    if not user_clients(user=user).filter(pk=quote.client_id).exists():
        raise DomainError("Ce devis n'est pas adressé à votre organisation.", code="FORBIDDEN")


def quote_locked(quote_id: int) -> Quote:
    # Row lock on PostgreSQL; SQLite serialises writers itself (BEGIN IMMEDIATE).
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("dsr", "client", "editor")
        .get(pk=quote_id)
    )


def error_summary(report: dict, *, limit: int = 3) -> str:
    errors = [f["message"] for f in report.get("findings", []) if f["severity"] != "warning"]
    text = " ".join(errors[:limit])
    if len(errors) > limit:
        text += f" (et {len(errors) - limit} autre(s) problème(s))"
    return text
