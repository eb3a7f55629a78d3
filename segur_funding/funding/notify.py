"""Who is told what when a funding request, a payment or an export moves: one call per state
change, made by the funding services inside their transaction, after the rows and the history row.

Keeping the choice of recipients, links and wording here means the services add one line per
move, and every door (web page, API, admin action) notifies the same people the same way. Each
function joins the caller's transaction (the outbox rows commit or roll back with the change)
and returns the rows created. Quotes have theirs in `quotes/notify.py`.
"""

from collections import defaultdict
from decimal import Decimal

from django.urls import reverse

from segur_funding.core.money import format_eur
from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.models import Notification
from segur_funding.notifications.rules import fr_date, quote_reference, request_reference
from segur_funding.notifications.selectors import (
    asp_reviewers,
    organization_members,
    organizations_members,
)
from segur_funding.notifications.services import (
    notification_enqueue,
    notifications_enqueue,
    report_ready_enqueue,
)

from .constants import RequestStatus
from .models import ExportJob, ExportStatus, FundingRequest, Payment


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


def funding_request_decided_notify(*, request: FundingRequest, reason: str = "") -> list[Notification]:
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


def payments_made_digest_notify(*, payments: list[Payment]) -> list[Notification]:
    """A file of the ASP paid many milestones at once: each editor's members get one digest of
    the payments made to that editor (how many, the total, a link to the editor's paid
    requests), not one message per payment (a file of 10,000 rows would otherwise send tens of
    thousands of e-mails) nor the list of them (the paid requests page shows it). Recipients of
    every editor are read in one query, their e-mail preferences in another, and the digests
    written in one INSERT; no dedup key: the payments are new in this transaction, and an import
    of the same file again pays, so tells, nothing."""
    by_editor: dict[int, list[Payment]] = defaultdict(list)
    for payment in payments:
        by_editor[payment.request.editor_id].append(payment)
    members = organizations_members(organizations=by_editor)
    link = f"{reverse('funding:editor_list')}?statut={RequestStatus.PAID}"
    return notifications_enqueue(
        kind=NotificationKind.PAYMENTS_MADE,
        messages=(
            (
                members[editor_id],
                {
                    "editor_name": made[0].request.editor.name,
                    "count": len(made),
                    "total": format_eur(sum((payment.amount for payment in made), Decimal("0.00"))),
                },
                link,
            )
            for editor_id, made in by_editor.items()
        ),
    )


def export_ready_notify(*, job: ExportJob) -> list[Notification]:
    """A background export is built (or failed): the person who asked for it is told."""
    failed = job.status == ExportStatus.FAILED
    return report_ready_enqueue(
        user_id=job.requested_by_id,
        title=f"Export {job.file_format.upper()} des demandes de financement",
        failed=failed,
        outcome=job.error if failed else f"{job.rows} ligne(s)",
        link=reverse("admin:funding_exportjob_change", args=[job.pk]),
        dedup_key=f"export:{job.pk}",
        export_id=job.pk,
    )
