"""Enumerations of the referencing domain (statuses, actions, actors, proof and scan states)."""

from django.db import models


class DossierStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    CANDIDATURE_SUBMITTED = "candidature_submitted", "Candidature déposée"
    ELIGIBLE = "eligible", "Candidature éligible"
    INELIGIBLE = "ineligible", "Candidature non éligible"
    PROOFS_IN_PROGRESS = "proofs_in_progress", "Dépôt des preuves en cours"
    PROOFS_SUBMITTED = "proofs_submitted", "Preuves déposées"
    UNDER_REVIEW = "under_review", "En instruction"
    CORRECTION_REQUESTED = "correction_requested", "Correction demandée"
    PROOFS_RESUBMITTED = "proofs_resubmitted", "Preuves corrigées déposées"
    REFERENCED = "referenced", "Référencé"
    REFUSED = "refused", "Référencement refusé"


class DossierAction(models.TextChoices):
    """Moves of the lifecycle (see `rules.TRANSITIONS`)."""

    SUBMIT_CANDIDATURE = "submit_candidature", "Déposer la candidature"
    DECLARE_ELIGIBLE = "declare_eligible", "Déclarer la candidature éligible"
    DECLARE_INELIGIBLE = "declare_ineligible", "Déclarer la candidature non éligible"
    START_PROOFS = "start_proofs", "Commencer le dépôt des preuves"
    SUBMIT_PROOFS = "submit_proofs", "Déposer les preuves"
    START_REVIEW = "start_review", "Prendre le dossier en instruction"
    REQUEST_CORRECTION = "request_correction", "Demander une correction"
    RESUBMIT_PROOFS = "resubmit_proofs", "Déposer les preuves corrigées"
    GRANT = "grant", "Accorder le référencement"
    REFUSE = "refuse", "Refuser le référencement"


class EventKind(models.TextChoices):
    """What a history row records: every lifecycle move, plus the work done on proofs."""

    DOSSIER_CREATE = "dossier_create", "Ouverture du dossier"
    SUBMIT_CANDIDATURE = DossierAction.SUBMIT_CANDIDATURE.value, DossierAction.SUBMIT_CANDIDATURE.label
    DECLARE_ELIGIBLE = DossierAction.DECLARE_ELIGIBLE.value, DossierAction.DECLARE_ELIGIBLE.label
    DECLARE_INELIGIBLE = (
        DossierAction.DECLARE_INELIGIBLE.value,
        DossierAction.DECLARE_INELIGIBLE.label,
    )
    START_PROOFS = DossierAction.START_PROOFS.value, DossierAction.START_PROOFS.label
    SUBMIT_PROOFS = DossierAction.SUBMIT_PROOFS.value, DossierAction.SUBMIT_PROOFS.label
    START_REVIEW = DossierAction.START_REVIEW.value, DossierAction.START_REVIEW.label
    REQUEST_CORRECTION = DossierAction.REQUEST_CORRECTION.value, DossierAction.REQUEST_CORRECTION.label
    RESUBMIT_PROOFS = DossierAction.RESUBMIT_PROOFS.value, DossierAction.RESUBMIT_PROOFS.label
    GRANT = DossierAction.GRANT.value, DossierAction.GRANT.label
    REFUSE = DossierAction.REFUSE.value, DossierAction.REFUSE.label
    PROOF_UPLOAD = "proof_upload", "Dépôt d'un fichier de preuve"
    PROOF_ACCEPT = "proof_accept", "Preuve acceptée"
    PROOF_REJECT = "proof_reject", "Preuve rejetée"
    WITHDRAW = "withdraw", "Retrait du référencement"


class Actor(models.TextChoices):
    EDITOR = "editor", "Éditeur"
    ANS = "ans", "Instructeur ANS"
    SYSTEM = "system", "Système"


class ClockPhase(models.TextChoices):
    NONE = "", "—"
    ELIGIBILITY = "eligibility", "Éligibilité de la candidature"
    INSTRUCTION = "instruction", "Instruction des preuves"


class ProofStatus(models.TextChoices):
    MISSING = "missing", "Manquante"
    SUBMITTED = "submitted", "Déposée"
    ACCEPTED = "accepted", "Acceptée"
    REJECTED = "rejected", "Rejetée"


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", "Non analysé"
    PENDING = "pending", "Analyse antivirus en cours"
    CLEAN = "clean", "Sain"
    INFECTED = "infected", "Infecté"


class CorrectionReason(models.TextChoices):
    MISSING_PROOF = "missing_proof", "Preuve manquante"
    NON_CONFORM_PROOF = "non_conform_proof", "Preuve non conforme"
    UNREADABLE_PROOF = "unreadable_proof", "Preuve illisible ou inexploitable"
    INCOMPLETE_CANDIDATURE = "incomplete_information", "Informations incomplètes"
    OTHER = "other", "Autre motif"

