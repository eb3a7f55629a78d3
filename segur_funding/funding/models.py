"""Funding requests (advance, balance), their history, correction requests and payments.

Statuses and amounts are written by `services/` only. Each milestone of a quote is paid at most
once, and the database says so too: `payment_unique_milestone_per_quote`.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import models

from segur_funding.core.files import private_storage
from segur_funding.core.models import HistoryEntry
from segur_funding.organizations.models import Organization
from segur_funding.quotes.models import Quote

from .constants import AWAITING_ASP, CorrectionReason, Milestone, RequestStatus


def _invoice_path(instance: "FundingRequest", filename: str) -> str:
    return f"financement/{instance.quote_id}/{instance.milestone}/{filename}"


def _document_path(instance: "FundingRequest", filename: str) -> str:
    # Every upload keeps its own name (the storage never overwrites): the documents an answer
    # replaced stay readable beside the new ones in the request's history.
    return f"financement/{instance.quote_id}/{instance.milestone}/documents/{filename}"


def _export_path(instance: "ExportJob", filename: str) -> str:
    return f"exports/{filename}"


def _private_file(
    verbose_name: str, upload_to: Callable[..., str], *, max_length: int = 100
) -> models.FileField:
    """An optional document kept in the private storage: served only by views that check who asks
    (never from MEDIA_URL). A plain FileField, so the migrations do not change."""
    return models.FileField(
        verbose_name, storage=private_storage, upload_to=upload_to, blank=True, max_length=max_length
    )


class FundingRequest(models.Model):
    quote = models.ForeignKey(
        Quote, on_delete=models.PROTECT, related_name="funding_requests", verbose_name="devis"
    )
    editor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="funding_requests",
        verbose_name="éditeur",
    )
    milestone = models.CharField("jalon", max_length=8, choices=Milestone.choices)
    status = models.CharField(
        "statut", max_length=12, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    funded_amount = models.DecimalField(
        "montant pris en charge par l'État (TTC)", max_digits=12, decimal_places=2
    )
    amount = models.DecimalField("montant demandé (TTC)", max_digits=12, decimal_places=2)
    invoice = _private_file("facture", _invoice_path)
    # Documents given in answer to an "à modifier" (rules.CORRECTION_ANSWERS): the latest of each.
    signed_quote = _private_file("devis signé", _document_path, max_length=300)
    delivery_declaration = _private_file("déclaration de VA ou de MOM", _document_path, max_length=300)
    editor_comment = models.TextField("commentaire de l'éditeur", blank=True)
    # The ASP reviewer who instructs the request (« assignées à moi »); set from the admin.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="instructeur assigné",
    )
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "demande de financement"
        verbose_name_plural = "demandes de financement"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One request per milestone of a quote: "à modifier" cycles on the same row, and a
            # refusal is final (the balance is never paid after it).
            models.UniqueConstraint(fields=["quote", "milestone"], name="funding_request_unique_milestone"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) & models.Q(funded_amount__gte=0),
                name="funding_request_amounts_positive",
            ),
        ]
        permissions = [
            ("instruct_fundingrequest", "Peut instruire les demandes de financement"),
            ("record_payment", "Peut enregistrer les versements"),
        ]
        indexes = [
            models.Index(fields=["status", "milestone"]),
            # The default ordering of every list: the admin page reads 50 rows, not a sort of all.
            models.Index(fields=["-submitted_at", "-id"], name="request_submitted_idx"),
            # The ASP's queue « à instruire » (about 1 % of the requests) in the admin's order: the
            # page reads 50 index entries instead of walking every status in that order. (The
            # API's cursor walks the primary key backwards: the queue is among the newest rows.)
            models.Index(
                fields=["-submitted_at", "-id"],
                name="request_queue_decision_idx",
                condition=models.Q(status__in=[status.value for status in AWAITING_ASP]),
            ),
            # An editor's own requests, newest first: /financement/ (by submission) and the API
            # (by id, its cursor) read one page of this editor's rows instead of walking the
            # whole table's order filtered down to one editor (issue 17).
            models.Index(fields=["editor", "-submitted_at", "-id"], name="request_editor_submitted_idx"),
            models.Index(fields=["editor", "-id"], name="request_editor_id_idx"),
            # « Mon espace »'s and the header's counters of an editor's requests in one status
            # (« à modifier », capped at 101): an index range, not a BitmapAnd of the status
            # index with every request of the editor (20 → 3 buffers, 102 heap pages → 0).
            models.Index(fields=["editor", "status"], name="request_editor_status_idx"),
            # An editor's requests « à modifier », with their ids: « Mon espace »'s first open
            # corrections join them to the open corrections index-only (deadlines.calendar).
            models.Index(
                fields=["editor", "id"],
                condition=models.Q(status=RequestStatus.TO_MODIFY),
                name="request_editor_to_modify_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_milestone_display()} — {self.quote}"

    @property
    def invoice_download_name(self) -> str:
        """The one name of the invoice file, whoever downloads it (editor, API, ASP admin)."""
        return f"facture-{self.quote.number or self.quote_id}.pdf"


class RequestEvent(HistoryEntry):
    """History: one row per move of a request (who, when, from, to, why)."""

    request = models.ForeignKey(FundingRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("de", max_length=12, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField("à", max_length=12, choices=RequestStatus.choices)

    class Meta(HistoryEntry.Meta):
        verbose_name = "historique de la demande"
        verbose_name_plural = "historique des demandes"

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class CorrectionRequest(models.Model):
    """An "à modifier" answer of the ASP: its reasons, and when the editor resolved it."""

    request = models.ForeignKey(FundingRequest, on_delete=models.CASCADE, related_name="corrections")
    # The request's editor, copied when the correction is asked (a request never changes editor):
    # « Mon espace » reads an editor's first open corrections from one index in calendar order
    # (migration 0011's correction_editor_open_idx), a few rows at any size of the programme.
    editor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name="éditeur",
    )
    reasons = models.JSONField("motifs", default=list)
    comment = models.TextField("précisions", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="demandée par",
    )
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    resolved_at = models.DateTimeField("corrigée le", null=True, blank=True)
    # The editor's answer: the explanation, and each part given with the value it replaced
    # ({"part", "label", "old", "new"}; files by their storage name), shown side by side to the ASP.
    answer_comment = models.TextField("réponse de l'éditeur", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="corrigée par",
    )
    changes = models.JSONField("modifications apportées", default=list, blank=True)
    # New bank details given in the answer: the request is validated only once the ASP validated
    # them (rules.answered_bank_details_refusal).
    bank_account = models.ForeignKey(
        "organizations.BankAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="coordonnées bancaires données en réponse",
    )

    class Meta:
        verbose_name = "demande de correction"
        verbose_name_plural = "demandes de correction"
        ordering = ["-requested_at", "-id"]
        # The open corrections of an editor in calendar order, `correction_editor_open_idx`, is
        # created by migration 0011 on PostgreSQL only: its key is the id as text in "C" order.

    def __str__(self) -> str:
        return ", ".join(self.reason_labels)

    def save(self, *args, **kwargs) -> None:
        if self.editor_id is None and self.request_id is not None:
            self.editor_id = self.request.editor_id
        super().save(*args, **kwargs)

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(CorrectionReason.choices)
        return [labels.get(code, code) for code in self.reasons]


class Payment(models.Model):
    request = models.OneToOneField(
        FundingRequest, on_delete=models.PROTECT, related_name="payment", verbose_name="demande"
    )
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="payments", verbose_name="devis")
    milestone = models.CharField("jalon", max_length=8, choices=Milestone.choices)
    amount = models.DecimalField("montant versé (TTC)", max_digits=12, decimal_places=2)
    paid_on = models.DateField("versé le")
    reference = models.CharField("référence du versement", max_length=100)
    # The editor's bank details in force when the payment was recorded (validated by ASP): where
    # the money went. Empty only for payments recorded before bank details existed.
    bank_account = models.ForeignKey(
        "organizations.BankAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name="coordonnées bancaires utilisées",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="enregistré par",
    )
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "versement"
        verbose_name_plural = "versements"
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "milestone"], name="payment_unique_milestone_per_quote"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_milestone_display()} {self.reference}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "En préparation"
    DONE = "done", "Prêt"
    FAILED = "failed", "Échec"


class ExportJob(models.Model):
    """An export too large for one request, built by a task and downloaded from the admin."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="demandé par",
    )
    file_format = models.CharField("format", max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    request_ids = models.JSONField("demandes", default=list)
    status = models.CharField(
        "état", max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file = _private_file("fichier", _export_path)
    rows = models.PositiveIntegerField("lignes", default=0)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exports"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.file_format.upper()} du {self.created_at:%d/%m/%Y %H:%M}"
