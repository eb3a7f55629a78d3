"""A lab's report (« signalement ») of a quote it finds doubtful, and its instruction."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from segur_funding.organizations.models import Organization
from segur_funding.quotes.models import Quote

from .constants import AlertReason, AlertStatus


class QuoteAlert(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="alerts", verbose_name="devis")
    client = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="quote_alerts", verbose_name="laboratoire"
    )
    # The editor as the quote names it, kept for the statistics even for uploaded quotes.
    editor = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="éditeur",
    )
    editor_name = models.CharField("éditeur (nom)", max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="signalé par"
    )
    reason = models.CharField("motif", max_length=20, choices=AlertReason.choices)
    message = models.TextField("message", max_length=4000)
    status = models.CharField("statut", max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="instructeur",
    )
    answer = models.TextField("réponse de l'équipe Ségur", blank=True)
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)
    editor_answer = models.TextField("réponse de l'éditeur", blank=True)
    editor_answered_at = models.DateTimeField("l'éditeur a répondu le", null=True, blank=True)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    created_at = models.DateTimeField("signalé le")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "signalement de devis"
        verbose_name_plural = "signalements de devis"
        ordering = ["-created_at"]
        constraints = [
            # One report under instruction per quote and lab: a second one adds nothing.
            models.UniqueConstraint(
                fields=["quote", "client"], condition=models.Q(status="open"), name="alert_one_open_per_quote"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="alert_queue_idx")]

    def __str__(self) -> str:
        return f"Signalement n° {self.pk} — devis {self.quote.number or self.quote_id}"
