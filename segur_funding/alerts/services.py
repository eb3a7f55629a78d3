"""Reports of doubtful quotes: a lab reports, the Ségur team (ASP reviewers, who instruct the
quotes and their funding) answers, the editor is told and may answer; every move leaves a
history row and tells the others.

The seed asks labs to « signaler toute difficulté » to the Ségur team with the quote: the quote's
file (issued PDF or uploaded PDF) is the quote itself, linked, never copied.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse

from segur_funding.core import clock
from segur_funding.core.errors import DomainError
from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.selectors import asp_reviewers, organization_members
from segur_funding.notifications.services import notification_enqueue
from segur_funding.organizations.models import User
from segur_funding.organizations.selectors import is_asp_reviewer, user_client_ids, user_editor_ids
from segur_funding.quotes.models import Quote

from .constants import MAX_ALERTS_PER_LAB_PER_DAY, AlertReason, AlertStatus
from .models import QuoteAlert

MESSAGE_MAX = 4000


def _context(alert: QuoteAlert) -> dict:
    return {
        "alert_reference": f"n° {alert.pk}",
        "quote_number": alert.quote.number or f"n° {alert.quote_id}",
        "client_name": alert.client.name,
        "editor_name": alert.editor_name,
        "reason": alert.get_reason_display(),
    }


def _lab_link(alert: QuoteAlert) -> str:
    return reverse("alerts:lab_detail", args=[alert.pk])


@transaction.atomic
def alert_create(*, quote: Quote, user: User, reason: str, message: str) -> QuoteAlert:
    """The lab reports the quote; the Ségur team and the editor are told."""
    if quote.client_id not in user_client_ids(user=user):
        raise DomainError("Seul le laboratoire destinataire du devis peut le signaler.", code="FORBIDDEN")
    if reason not in AlertReason.values:
        raise DomainError("Choisissez le motif du signalement.", code="INVALID_INPUT")
    message = (message or "").strip()
    if not message:
        raise DomainError("Décrivez la difficulté en quelques mots : c'est ce que lira l'équipe Ségur.")
    if len(message) > MESSAGE_MAX:
        raise DomainError(f"Le message est trop long ({len(message)} caractères, {MESSAGE_MAX} au plus).")
    now = clock.now()
    recent = QuoteAlert.objects.filter(client_id=quote.client_id, created_at__gte=now - timedelta(days=1))
    if recent.count() >= MAX_ALERTS_PER_LAB_PER_DAY:
        raise DomainError(
            f"Votre laboratoire a déjà fait {MAX_ALERTS_PER_LAB_PER_DAY} signalements en 24 heures : "
            "réessayez demain, ou complétez un signalement en cours.",
            code="RATE_LIMITED",
        )
    try:
        with transaction.atomic():
            alert = QuoteAlert.objects.create(
                quote=quote,
                client_id=quote.client_id,
                editor_id=quote.editor_id,
                editor_name=quote.editor_display,
                reported_by=user,
                reason=reason,
                message=message,
                created_at=now,
            )
    except IntegrityError:
        raise DomainError(
            "Ce devis fait déjà l'objet d'un signalement en cours d'instruction.", code="ALREADY_REPORTED"
        ) from None
    context = _context(alert)
    notification_enqueue(
        kind=NotificationKind.QUOTE_ALERT_RAISED,
        recipients=asp_reviewers(),
        context={**context, "audience": "reviewer"},
        link=reverse("admin:alerts_quotealert_change", args=[alert.pk]),
    )
    if quote.editor_id:
        notification_enqueue(
            kind=NotificationKind.QUOTE_ALERT_RAISED,
            recipients=organization_members(organization=quote.editor_id),
            context={**context, "audience": "editor"},
            link=reverse("alerts:editor_detail", args=[alert.pk]),
        )
    return alert


def _require_reviewer(user: User) -> None:
    if not is_asp_reviewer(user=user):
        raise DomainError(
            "Seule l'équipe Ségur (instructeurs ASP) instruit les signalements.", code="FORBIDDEN"
        )


def _locked(alert: QuoteAlert) -> QuoteAlert:
    return QuoteAlert.objects.select_for_update().select_related("quote", "client").get(pk=alert.pk)


@transaction.atomic
def alert_assign(*, alert: QuoteAlert, reviewer: User, assignee: User | None = None) -> QuoteAlert:
    _require_reviewer(reviewer)
    alert = _locked(alert)
    alert.assigned_to = assignee or reviewer
    alert.save(update_fields=["assigned_to"])
    return alert


@transaction.atomic
def alert_answer(*, alert: QuoteAlert, reviewer: User, answer: str) -> QuoteAlert:
    """The Ségur team answers: the lab reads it in its space, the editor is told."""
    _require_reviewer(reviewer)
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("Écrivez la réponse : elle est envoyée au laboratoire.")
    alert = _locked(alert)
    if alert.status == AlertStatus.CLOSED:
        raise DomainError("Ce signalement est clos.", code="CLOSED")
    alert.answer, alert.answered_at, alert.status = answer, clock.now(), AlertStatus.ANSWERED
    alert.assigned_to = alert.assigned_to or reviewer
    alert.save()
    _answered(alert, by="l'équipe Ségur", text=answer)
    return alert


@transaction.atomic
def alert_editor_answer(*, alert: QuoteAlert, user: User, answer: str) -> QuoteAlert:
    if alert.editor_id not in user_editor_ids(user=user):
        raise DomainError("Seul l'éditeur du devis peut répondre à ce signalement.", code="FORBIDDEN")
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("Écrivez votre réponse : elle est envoyée au laboratoire et à l'équipe Ségur.")
    alert = _locked(alert)
    if alert.status == AlertStatus.CLOSED:
        raise DomainError("Ce signalement est clos.", code="CLOSED")
    alert.editor_answer, alert.editor_answered_at = answer, clock.now()
    alert.save(update_fields=["editor_answer", "editor_answered_at"])
    _answered(alert, by=alert.editor_name or "l'éditeur", text=answer)
    return alert


@transaction.atomic
def alert_close(*, alert: QuoteAlert, reviewer: User) -> QuoteAlert:
    _require_reviewer(reviewer)
    alert = _locked(alert)
    if alert.status == AlertStatus.CLOSED:
        raise DomainError("Ce signalement est déjà clos.", code="CLOSED")
    alert.status, alert.closed_at = AlertStatus.CLOSED, clock.now()
    alert.save(update_fields=["status", "closed_at"])
    return alert


def _answered(alert: QuoteAlert, *, by: str, text: str) -> None:
    notification_enqueue(
        kind=NotificationKind.QUOTE_ALERT_ANSWERED,
        recipients=organization_members(organization=alert.client_id),
        context={**_context(alert), "answered_by": by, "answer": text},
        link=_lab_link(alert),
    )


# --- Reads ----------------------------------------------------------------------------------------


def alerts_for_lab(*, user: User) -> QuerySet[QuoteAlert]:
    return QuoteAlert.objects.filter(client_id__in=user_client_ids(user=user)).select_related("quote")


def alerts_for_editor(*, user: User) -> QuerySet[QuoteAlert]:
    return QuoteAlert.objects.filter(editor_id__in=user_editor_ids(user=user)).select_related(
        "quote", "client"
    )
