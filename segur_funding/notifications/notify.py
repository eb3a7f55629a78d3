"""Who is told what when a quote or a funding request moves: one call per state change, made by
the quotes and funding services inside their transaction, after the rows and the history row.

The referencing services have the same helpers in `referencing/services/_base.py`. Keeping the
choice of recipients, links and wording here means the quotes and funding services add one line
per move, and every door (web page, API, admin action) notifies the same people the same way.
Each function joins the caller's transaction (the outbox rows commit or roll back with the
change) and returns the rows created.
"""

from decimal import Decimal

from django.urls import reverse

from segur_funding.core.money import format_eur
from segur_funding.funding.constants import RequestStatus
from segur_funding.funding.models import ExportJob, ExportStatus, FundingRequest, Payment
from segur_funding.organizations.models import User
from segur_funding.quotes.models import Quote

from .constants import NotificationKind
from .models import Notification
from .rules import fr_date, quote_reference, request_reference
from .selectors import asp_reviewers, organization_members
from .services import notification_enqueue


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
    if quote.created_by_id is None:
        return []
    stamp = quote.checked_at.isoformat() if quote.checked_at else "unchecked"
    number = quote_reference(quote_id=quote.pk, number=quote.number)
    return notification_enqueue(
        kind=NotificationKind.REPORT_READY,
        recipients=User.objects.filter(pk=quote.created_by_id),
        context={
            "quote_id": quote.pk,
            "title": f"Vérification du devis {number}",
            "failed": failed,
            "outcome": outcome,
        },
        link=reverse("quotes:lab_detail", args=[quote.pk]),
        dedup_key=f"quote_check:{quote.pk}:{stamp}",
    )


def _request_context(request: FundingRequest) -> dict:
    return {
        "request_id": request.pk,
        "request_reference": request_reference(request_id=request.pk),
        "milestone": request.get_milestone_display(),
        "amount": format_eur(request.amount),
        "quote_number": quote_reference(quote_id=request.quote_id, number=request.quote.number),
        "editor_name": request.editor.name,
    }


def funding_request_submitted_notify(*, request: FundingRequest) -> list[Notification]:
    """A request was filed (or filed again after "à modifier"): the ASP reviewers instruct it."""
    return notification_enqueue(
        kind=NotificationKind.REQUEST_SUBMITTED,
        recipients=asp_reviewers(),
        context={
            **_request_context(request),
            "resubmitted": request.status == RequestStatus.RESUBMITTED,
        },
        link=reverse("admin:funding_fundingrequest_change", args=[request.pk]),
    )


DECISION_KINDS = {
    RequestStatus.VALIDATED: NotificationKind.REQUEST_VALIDATED,
    RequestStatus.TO_MODIFY: NotificationKind.REQUEST_TO_MODIFY,
    RequestStatus.REFUSED: NotificationKind.REQUEST_REFUSED,
}


def funding_request_decided_notify(
    *, request: FundingRequest, reason: str = ""
) -> list[Notification]:
    """The ASP validated, sent back ("à modifier") or refused a request: the editor is told, with
    the reason. Call it after the move, `request.status` being the new one."""
    return notification_enqueue(
        kind=DECISION_KINDS[request.status],
        recipients=organization_members(organization=request.editor_id),
        context={**_request_context(request), "reason": reason},
        link=reverse("funding:request_detail", args=[request.pk]),
    )


def payment_made_notify(*, payment: Payment) -> list[Notification]:
    """The ASP paid a milestone: the editor's members are told (a payment is unique per quote and
    milestone, so is this notification)."""
    request = payment.request
    return notification_enqueue(
        kind=NotificationKind.PAYMENT_MADE,
        recipients=organization_members(organization=request.editor_id),
        context={
            **_request_context(request),
            "amount": format_eur(payment.amount),
            "paid_on": fr_date(payment.paid_on),
            "payment_reference": payment.reference,
        },
        link=reverse("funding:request_detail", args=[request.pk]),
        dedup_key=f"payment:{payment.pk}",
    )


def export_ready_notify(*, job: ExportJob) -> list[Notification]:
    """A background export is built (or failed): the person who asked for it is told."""
    if job.requested_by_id is None:
        return []
    failed = job.status == ExportStatus.FAILED
    return notification_enqueue(
        kind=NotificationKind.REPORT_READY,
        recipients=User.objects.filter(pk=job.requested_by_id),
        context={
            "export_id": job.pk,
            "title": f"Export {job.file_format.upper()} des demandes de financement",
            "failed": failed,
            "outcome": job.error if failed else f"{job.rows} ligne(s)",
        },
        link=reverse("admin:funding_exportjob_change", args=[job.pk]),
        dedup_key=f"export:{job.pk}",
    )
