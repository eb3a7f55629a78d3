"""Referencing dossiers: solutions and versions, candidature, proofs, ANS review, history.

`status`, dates, numbers and scan results are written by `services.py` only: they are not
editable in any form (editable=False) and the admin shows them read-only.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from segur_funding.core.files import private_storage
from segur_funding.organizations.constants import OrganizationKind
from segur_funding.organizations.models import Organization
from segur_funding.referential.models import Dsr, Requirement

from .constants import (
    Actor,
    ClockPhase,
    CorrectionReason,
    DossierStatus,
    EventKind,
    ProofStatus,
    ScanStatus,
)

# A solution version has at most one dossier per DSR that is not closed by a refusal.
REOPENABLE_STATUSES = (DossierStatus.INELIGIBLE, DossierStatus.REFUSED)


class Solution(models.Model):
    editor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="solutions",
        limit_choices_to={"kind": OrganizationKind.EDITOR},
        verbose_name="éditeur",
    )
    name = models.CharField("nom de la solution", max_length=200)
    created_at = models.DateTimeField("déclarée le", auto_now_add=True)

    class Meta:
        verbose_name = "solution"
        verbose_name_plural = "solutions"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["editor", "name"], name="solution_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SolutionVersion(models.Model):
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField("version", max_length=60)
    obsolete_versions = models.TextField(
        "versions obsolètes",
        help_text="Déclaration des versions de la solution qui ne sont plus maintenues "
        "(jointe à la candidature).",
    )
    created_at = models.DateTimeField("déclarée le", auto_now_add=True)

    class Meta:
        verbose_name = "version de solution"
        verbose_name_plural = "versions de solution"
        ordering = ["solution__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["solution", "label"], name="solution_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.solution.name} {self.label}"


class Dossier(models.Model):
    """A referencing dossier: one version of a solution against one DSR."""

    editor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="dossiers", verbose_name="éditeur"
    )
    solution_version = models.ForeignKey(
        SolutionVersion, on_delete=models.PROTECT, related_name="dossiers", verbose_name="version"
    )
    dsr = models.ForeignKey(Dsr, on_delete=models.PROTECT, related_name="dossiers", verbose_name="DSR")
    status = models.CharField(
        "statut",
        max_length=32,
        choices=DossierStatus.choices,
        default=DossierStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False,
        verbose_name="ouvert par",
    )
    created_at = models.DateTimeField("ouvert le", auto_now_add=True)

    # Candidature (phase 1); frozen once submitted.
    contact_name = models.CharField("contact référencement", max_length=200)
    contact_email = models.EmailField("e-mail du contact")
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)
    referencing_profile = models.CharField(
        "profil de référencement visé", max_length=200, blank=True
    )
    candidature_note = models.TextField("présentation de la candidature", blank=True)
    honour_declaration = models.BooleanField(
        "déclaration sur l'honneur",
        default=False,
        help_text="L'éditeur certifie l'exactitude des informations de la candidature.",
    )

    # Dates of the lifecycle.
    candidature_submitted_at = models.DateTimeField("candidature déposée le", null=True, editable=False)
    eligibility_decided_at = models.DateTimeField("éligibilité décidée le", null=True, editable=False)
    proofs_complete_on = models.DateField(
        "dossier de preuves complet le",
        null=True,
        editable=False,
        help_text="Date d'envoi du dossier complet de preuves : la règle des 120 jours part d'elle.",
    )
    decided_at = models.DateTimeField("décision finale le", null=True, editable=False)
    # NULL, not "": unique among referenced dossiers only.
    referencing_number = models.CharField(  # noqa: DJ001
        "numéro de référencement", max_length=40, unique=True, null=True, editable=False
    )
    referenced_on = models.DateField("référencé le", null=True, editable=False)
    certificate = models.FileField(
        "attestation de référencement",
        storage=private_storage,
        upload_to="referencing/certificates/",
        blank=True,
        editable=False,
    )

    # The random part of the certificate's public verification URL (printed with a QR code); NULL
    # until referenced (unique among certificates only).
    verification_token = models.CharField(
        "jeton de vérification", max_length=32, unique=True, null=True, blank=True, editable=False
    )
    withdrawn_on = models.DateField(
        "référencement retiré le",
        null=True,
        blank=True,
        editable=False,
        help_text="Le référencement a été retiré par l'ANS : l'attestation ne vaut plus.",
    )
    withdrawal_reason = models.TextField("motif du retrait", blank=True, editable=False)

    # The ANS reviewer who instructs the dossier (« assignés à moi »); set from the admin.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="instructeur assigné",
    )

    # The running phase clock, kept by the services so that the ANS queue can sort and filter
    # on it; `rules.phase_clock` recomputes it from the dates for the dossier page.
    clock_phase = models.CharField(
        "phase en cours", max_length=16, choices=ClockPhase.choices, blank=True, editable=False
    )
    clock_deadline = models.DateField("échéance de la phase", null=True, editable=False)

    class Meta:
        verbose_name = "dossier de référencement"
        verbose_name_plural = "dossiers de référencement"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["solution_version", "dsr"],
                condition=~Q(status__in=REOPENABLE_STATUSES),
                name="dossier_one_open_per_version_and_dsr",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "clock_deadline"]),
            # The ANS queue's order (admin): deadline first (NULLs last, PostgreSQL's default for
            # ASC), newest first, then the id; the admin reads its page of 50 along it.
            models.Index(fields=["clock_deadline", "-created_at", "-id"], name="dossier_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.solution_version} — {self.dsr.code}"


class DossierEvent(models.Model):
    """History row: who did what to the dossier, when, from which status to which, and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("action", max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    actor_role = models.CharField("en tant que", max_length=16, choices=Actor.choices)
    from_status = models.CharField("statut avant", max_length=32, choices=DossierStatus.choices)
    to_status = models.CharField("statut après", max_length=32, choices=DossierStatus.choices)
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "événement du dossier"
        verbose_name_plural = "historique du dossier"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d/%m/%Y %H:%M})"


class CorrectionRequest(models.Model):
    """A request from ANS to correct the proofs; the instruction clock pauses while it is open."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="corrections")
    reason = models.CharField("motif", max_length=32, choices=CorrectionReason.choices)
    requirements = models.ManyToManyField(
        Requirement, related_name="+", blank=True, verbose_name="exigences concernées"
    )
    message = models.TextField("message à l'éditeur")
    opened_at = models.DateTimeField("demandée le")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    resolved_at = models.DateTimeField("résolue le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de correction"
        verbose_name_plural = "demandes de correction"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(resolved_at__isnull=True),
                name="correction_one_open_per_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.opened_at:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Proof(models.Model):
    """The proof of one requirement of the REM in one dossier (the checklist row)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="proofs")
    # PROTECT: a requirement a dossier was judged against must not vanish with a REM re-import.
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="proofs")
    status = models.CharField(
        "statut", max_length=16, choices=ProofStatus.choices, default=ProofStatus.MISSING,
        editable=False,
    )
    reviewer_comment = models.TextField("commentaire de l'instructeur", blank=True, editable=False)
    reviewed_at = models.DateTimeField("revue le", null=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = "preuve"
        verbose_name_plural = "preuves"
        ordering = ["requirement__position", "requirement__reference"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "requirement"], name="proof_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.reference} ({self.get_status_display()})"


def proof_file_path(instance: "ProofFile", filename: str) -> str:
    # The stored name is random: the user's name is kept (sanitised) in `original_name` only.
    ext = PurePosixPath(filename).suffix.lower()
    return f"referencing/proofs/{instance.proof.dossier_id}/{uuid.uuid4().hex}{ext}"


class ProofFile(models.Model):
    """One uploaded file of a proof; replacing it keeps this row (is_current=False)."""

    proof = models.ForeignKey(Proof, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("fichier", storage=private_storage, upload_to=proof_file_path)
    original_name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type détecté", max_length=100)
    size = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="déposé par"
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    scan_status = models.CharField(
        "analyse antivirus", max_length=16, choices=ScanStatus.choices,
        default=ScanStatus.NOT_SCANNED,
    )
    scan_detail = models.CharField("résultat de l'analyse", max_length=200, blank=True)
    scanned_at = models.DateTimeField("analysé le", null=True, blank=True)
    is_current = models.BooleanField("version en vigueur", default=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="remplacé par",
    )

    class Meta:
        verbose_name = "fichier de preuve"
        verbose_name_plural = "fichiers de preuve"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def reviewer_may_download(self) -> bool:
        return self.scan_status in (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)
