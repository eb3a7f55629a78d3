"""Quotes (devis) made in segur_funding or uploaded by a lab, their lines and their history.

A quote's `status`, check report and verdict are written by `services/` only: the admin shows
them read-only and the web forms never bind them.
"""

from django.conf import settings
from django.db import models

from segur_funding.core.files import private_storage
from segur_funding.core.models import HistoryEntry
from segur_funding.organizations.models import Organization
from segur_funding.referential.models import Dsr, FundingWindow

# The lifecycle vocabulary lives in constants.py (rules read it); imported here for the fields.
from .constants import EDITOR_FILING_STEPS, NextStep, QuoteOrigin, QuoteStatus, Scope, Verdict


class CheckStatus(models.TextChoices):
    NONE = "", "Non vérifié"
    PENDING = "pending", "Vérification en cours"
    DONE = "done", "Vérifié"
    FAILED = "failed", "Vérification impossible"


class QuoteEventKind(models.TextChoices):
    CREATED = "created", "Création"
    UPDATED = "updated", "Modification"
    ISSUED = "issued", "Émission"
    PDF_RENDERED = "pdf_rendered", "PDF généré"
    UPLOADED = "uploaded", "Dépôt d'un PDF"
    CHECKED = "checked", "Vérification"
    SIGNED = "signed", "Signature"
    DELIVERED = "delivered", "Déclaration de mise en ordre de marche"
    CANCELLED = "cancelled", "Annulation"


def _pdf_path(instance: "Quote", filename: str) -> str:
    return f"devis/{instance.client_id}/{instance.pk or 'nouveau'}/{filename}"


class Quote(models.Model):
    origin = models.CharField("origine", max_length=10, choices=QuoteOrigin.choices, default=QuoteOrigin.WEB)
    number = models.CharField("numéro", max_length=60, blank=True)
    editor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="issued_quotes",
        null=True,
        blank=True,
        verbose_name="éditeur",
        limit_choices_to={"kind": "editor"},
    )
    editor_name = models.CharField(
        "éditeur (déclaré)", max_length=200, blank=True, help_text="Pour un PDF déposé."
    )
    client = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="received_quotes",
        verbose_name="client",
        limit_choices_to={"kind": "client"},
    )
    dsr = models.ForeignKey(
        Dsr,
        on_delete=models.PROTECT,
        related_name="quotes",
        null=True,
        blank=True,
        verbose_name="DSR",
    )
    dossier = models.ForeignKey(
        "referencing.Dossier",
        on_delete=models.PROTECT,
        related_name="quotes",
        null=True,
        blank=True,
        verbose_name="dossier de référencement",
        help_text="Dossier de l'éditeur pour la solution proposée : ses dates de référencement "
        "et de dossier complet comptent pour la règle des 120 jours.",
    )
    window = models.ForeignKey(
        FundingWindow,
        on_delete=models.PROTECT,
        related_name="quotes",
        null=True,
        blank=True,
        verbose_name="fenêtre de financement",
    )
    order_date = models.DateField("date de la commande", null=True, blank=True)
    signature_date = models.DateField("date de signature", null=True, blank=True)
    delivered_on = models.DateField("mise en ordre de marche déclarée le", null=True, blank=True)
    mentions = models.TextField("mentions", blank=True, help_text="Une mention par ligne.")
    conditions = models.TextField(
        "conditions posées au client",
        blank=True,
        help_text="Options, modules ou réengagement exigés (une par ligne). Laisser vide.",
    )
    status = models.CharField("statut", max_length=12, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    # Derived from the status and the funding requests, kept by every move (see NextStep): never
    # bound by a form.
    next_step = models.CharField(
        "étape suivante du financement",
        max_length=12,
        choices=NextStep.choices,
        default=NextStep.NONE,
        blank=True,
        editable=False,
    )
    # The SPEC §4 document as issued (frozen: it is what the PDF embeds), or as read from an
    # uploaded PDF (its lines are shown to the lab), and the last check.
    document = models.JSONField("document du devis", null=True, blank=True, editable=False)
    # What the lab signed: the document without the options it declined, dated, and who signed.
    signed_document = models.JSONField("document signé", null=True, blank=True, editable=False)
    signatory_name = models.CharField("signataire", max_length=150, blank=True)
    signatory_role = models.CharField("fonction du signataire", max_length=150, blank=True)
    check_report = models.JSONField("rapport de vérification", null=True, blank=True)
    verdict = models.CharField(
        "verdict",
        max_length=12,
        choices=[("", "Non vérifié"), *Verdict.choices],
        default="",
        blank=True,
    )
    check_status = models.CharField(
        "vérification",
        max_length=8,
        choices=CheckStatus.choices,
        default=CheckStatus.NONE,
        blank=True,
    )
    check_error = models.TextField("erreur de vérification", blank=True)
    checked_at = models.DateTimeField("vérifié le", null=True, blank=True)
    overrides = models.JSONField(
        "contexte déclaré",
        default=dict,
        blank=True,
        help_text="Pour un PDF déposé : DSR, dates et sites indiqués par le client.",
    )
    pdf = models.FileField("PDF", storage=private_storage, upload_to=_pdf_path, blank=True)
    issued_at = models.DateTimeField("émis le", null=True, blank=True)
    # The random part of the quote's public verification URL (printed with a QR code on the PDF
    # and sealed in its attachment): not the id, so that nobody can walk through the quotes. NULL
    # until issued (unique among issued quotes only).
    verification_token = models.CharField(
        "jeton de vérification", max_length=32, unique=True, null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "devis"
        verbose_name_plural = "devis"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["editor", "number"],
                condition=models.Q(origin="web"),
                name="quote_unique_number_per_editor",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["editor", "status"]),
            # The default ordering: list pages read one page, not a sort of a million quotes.
            models.Index(fields=["-created_at", "-id"], name="quote_created_idx"),
            # The editor's "à demander" list (funding.selectors.quotes_awaiting_request), oldest
            # signature first: a page walks this small index (only the quotes waiting for a
            # request, a few per cent) in order and stops after one page, at any table size.
            models.Index(
                fields=["editor", "signature_date", "id"],
                condition=models.Q(next_step__in=EDITOR_FILING_STEPS),
                name="quote_filing_step_idx",
            ),
            # An editor's own quotes, newest first: the web list (by creation) and the API (by id,
            # its cursor) read one page of this editor's rows, not the whole table's order
            # filtered down to one editor (issue 17: that walk grew with the number of editors).
            models.Index(
                fields=["editor", "-created_at", "-id"],
                condition=models.Q(origin="web"),
                name="quote_editor_created_idx",
            ),
            models.Index(
                fields=["editor", "-id"], condition=models.Q(origin="web"), name="quote_editor_id_idx"
            ),
            # « Mon espace »'s and the header's « Devis en brouillon à émettre » (capped at 101): the
            # editor's drafts alone, read index-only, instead of a heap page per draft to check the
            # origin that (editor, status) does not hold (103 → 6 buffers).
            models.Index(
                fields=["editor"],
                condition=models.Q(status=QuoteStatus.DRAFT, origin=QuoteOrigin.WEB),
                name="quote_editor_draft_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Devis {self.number or self.pk}"

    @property
    def pdf_download_name(self) -> str:
        """The one name of the quote's PDF, on the web pages and in the API."""
        return f"devis-{self.number or self.pk}.pdf"

    @property
    def awaits_advance_request(self) -> bool:
        return self.next_step == NextStep.ADVANCE

    @property
    def signed_pdf_download_name(self) -> str:
        return f"devis-{self.number or self.pk}-signe.pdf"

    @property
    def is_conform(self) -> bool:
        return self.verdict == Verdict.CONFORM

    @property
    def editor_display(self) -> str:
        return self.editor.name if self.editor_id else self.editor_name

    def report_value(self, key: str) -> str | None:
        return (self.check_report or {}).get(key)


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    label = models.CharField("libellé", max_length=300)
    scope = models.CharField("périmètre", max_length=14, choices=Scope.choices, default=Scope.SEGUR)
    dsr_codes = models.CharField(
        "DSR", max_length=120, blank=True, help_text="Codes séparés par des virgules."
    )
    is_technical_debt = models.BooleanField(
        "rattrapage de dette technique",
        default=False,
        help_text="Facturé sur une ligne à part, hors Prestation Ségur.",
    )
    amount_ht = models.DecimalField("montant HT (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    amount_ttc = models.DecimalField("montant TTC (€)", max_digits=12, decimal_places=2)
    # An option (out-of-scope line) the lab declined when signing: it stays on the issued quote,
    # it is not part of the signed one nor of its totals.
    declined = models.BooleanField("refusée à la signature", default=False)

    class Meta:
        verbose_name = "ligne de devis"
        verbose_name_plural = "lignes de devis"
        ordering = ["quote", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_ttc__gte=0)
                & (models.Q(amount_ht__isnull=True) | models.Q(amount_ht__gte=0)),
                name="quote_line_amounts_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def number(self) -> int:
        """The line's number as printed and in the check report (from 1)."""
        return self.position + 1

    @property
    def dsr_list(self) -> list[str]:
        return [c.strip() for c in self.dsr_codes.split(",") if c.strip()]


class QuoteEvent(HistoryEntry):
    """History: one row per move of a quote (who, when, from, to, why)."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=14, choices=QuoteEventKind.choices)
    from_status = models.CharField("de", max_length=12, choices=QuoteStatus.choices, blank=True)
    to_status = models.CharField("à", max_length=12, choices=QuoteStatus.choices, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = "historique du devis"
        verbose_name_plural = "historique des devis"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.at:%d/%m/%Y %H:%M}"
