"""Who is told what when a quote moves: one call per state change, made by the quotes services
inside their transaction, after the rows and the history row.

Keeping the choice of recipients, links and wording here means the services add one line per
move, and every door (web page, API, admin action) notifies the same people the same way. Each
function joins the caller's transaction (the outbox rows commit or roll back with the change)
and returns the rows created. Referencing has the same helpers in `referencing/services/_base.py`,
funding in `funding/notify.py`.
"""

from decimal import Decimal

from django.urls import reverse

from segur_funding.core.money import format_eur
from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.models import Notification
from segur_funding.notifications.rules import fr_date, quote_reference
from segur_funding.notifications.selectors import organization_members
from segur_funding.notifications.services import notification_enqueue, report_ready_enqueue
from segur_funding.organizations.models import User

from .models import Quote


def _quote_context(quote: Quote) -> dict:
    return {
        "quote_id": quote.pk,
        "quote_number": quote_reference(quote_id=quote.pk, number=quote.number),
        "editor_name": quote.editor_display,
        "client_name": quote.client.name,
        "dsr_code": quote.dsr.code if quote.dsr_id else "",
    }


def quote_issued_notify(*, quote: Quote) -> list[Notification]:
    """An editor issued a quote: the lab's members check it before signing."""
    funded = (quote.check_report or {}).get("state_funding_ttc")
    return notification_enqueue(
        kind=NotificationKind.QUOTE_RECEIVED,
        recipients=organization_members(organization=quote.client_id),
        context={
            **_quote_context(quote),
            "state_funding": format_eur(Decimal(funded)) if funded else "",
        },
        link=reverse("quotes:lab_detail", args=[quote.pk]),
    )


def quote_signed_notify(*, quote: Quote) -> list[Notification]:
    """The lab signed: the editor's members may file the advance request."""
    return notification_enqueue(
        kind=NotificationKind.QUOTE_SIGNED,
        recipients=organization_members(organization=quote.editor_id),
        context={
            **_quote_context(quote),
            "signed_on": fr_date(quote.signature_date) if quote.signature_date else "",
        },
        link=reverse("quotes:editor_detail", args=[quote.pk]),
    )


def quote_delivery_notify(*, quote: Quote, declared_by: User | None = None) -> list[Notification]:
    """The lab declared the service in working order: the editor may file the balance."""
    return notification_enqueue(
        kind=NotificationKind.DELIVERY_DECLARED,
        recipients=organization_members(organization=quote.editor_id),
        context={
            **_quote_context(quote),
            "delivered_on": fr_date(quote.delivered_on) if quote.delivered_on else "",
            "declared_by": (declared_by.get_full_name() or declared_by.email) if declared_by else "",
        },
        link=reverse("quotes:editor_detail", args=[quote.pk]),
    )


def quote_check_notify(*, quote: Quote, failed: bool, outcome: str) -> list[Notification]:
    """The background check of an uploaded PDF quote is over: its uploader sees the result.

    Keyed on the quote and the check date, so that a check task delivered twice tells once.
    """
    stamp = quote.checked_at.isoformat() if quote.checked_at else "unchecked"
    number = quote_reference(quote_id=quote.pk, number=quote.number)
    return report_ready_enqueue(
        user_id=quote.created_by_id,
        title=f"Vérification du devis {number}",
        failed=failed,
        outcome=outcome,
        link=reverse("quotes:lab_detail", args=[quote.pk]),
        dedup_key=f"quote_check:{quote.pk}:{stamp}",
        quote_id=quote.pk,
    )
