"""The one list of notification kinds, their delivery statuses and the sending policy."""

from datetime import timedelta

from django.db import models


class NotificationKind(models.TextChoices):
    # Referencing (ANS, editors)
    CANDIDATURE_RECEIVED = "candidature_received", "Candidature reçue"
    ELIGIBILITY_DECIDED = "eligibility_decided", "Décision d'éligibilité"
    PROOFS_SUBMITTED = "proofs_submitted", "Dossier de preuves déposé"
    CORRECTION_REQUESTED = "correction_requested", "Correction demandée"
    PROOFS_RESUBMITTED = "proofs_resubmitted", "Preuves corrigées déposées"
    REFERENCING_GRANTED = "referencing_granted", "Référencement accordé"
    REFERENCING_REFUSED = "referencing_refused", "Référencement refusé"
    PROOF_FILE_INFECTED = "proof_file_infected", "Fichier de preuve rejeté (virus)"
    # Quotes (editors, labs)
    QUOTE_RECEIVED = "quote_received", "Devis reçu"
    QUOTE_SIGNED = "quote_signed", "Devis signé"
    DELIVERY_DECLARED = "delivery_declared", "Prestation déclarée réalisée"
    QUOTE_ALERT_RAISED = "quote_alert_raised", "Devis signalé par un laboratoire"
    QUOTE_ALERT_ANSWERED = "quote_alert_answered", "Réponse à un signalement de devis"
    # Funding (editors, ASP)
    REQUEST_SUBMITTED = "request_submitted", "Demande de financement déposée"
    REQUEST_VALIDATED = "request_validated", "Demande de financement validée"
    REQUEST_TO_MODIFY = "request_to_modify", "Demande de financement à modifier"
    REQUEST_REFUSED = "request_refused", "Demande de financement refusée"
    PAYMENT_MADE = "payment_made", "Versement effectué"
    PAYMENTS_MADE = "payments_made", "Versements effectués (relevé d'un fichier de l'ASP)"
    # Bank details (editors' administrators, ASP)
    BANK_DETAILS_SUBMITTED = "bank_details_submitted", "Coordonnées bancaires modifiées"
    BANK_DETAILS_DECIDED = "bank_details_decided", "Coordonnées bancaires validées ou refusées"
    # Background work
    REPORT_READY = "report_ready", "Résultat d'un traitement disponible"
    # Reminders (Celery beat)
    REMINDER = "reminder", "Rappel"
    REMINDER_REVIEW_CLOCK = "reminder_review_clock", "Rappel : délai d'instruction"
    REMINDER_PREORDER_DEADLINE = "reminder_preorder_deadline", "Rappel : délai de 120 jours"
    REMINDER_CORRECTION_OPEN = "reminder_correction_open", "Rappel : correction en attente"
    REMINDER_WINDOW_DEADLINE = "reminder_window_deadline", "Rappel : échéance de financement"


# A digest follows the e-mail preference of the notice it gathers: whoever turned off « Versement
# effectué » gets no digest of payments either. Such kinds are not on the preferences page.
PREFERENCE_OF: dict[str, str] = {
    NotificationKind.PAYMENTS_MADE: NotificationKind.PAYMENT_MADE,
}


def preference_kind(kind: str) -> str:
    """The kind whose e-mail preference decides for `kind`."""
    return PREFERENCE_OF.get(kind, kind)


# How the preferences page groups the kinds (every kind with its own preference appears exactly
# once; a test keeps it so).
KIND_GROUPS: tuple[tuple[str, tuple[NotificationKind, ...]], ...] = (
    (
        "Référencement",
        (
            NotificationKind.CANDIDATURE_RECEIVED,
            NotificationKind.ELIGIBILITY_DECIDED,
            NotificationKind.PROOFS_SUBMITTED,
            NotificationKind.CORRECTION_REQUESTED,
            NotificationKind.PROOFS_RESUBMITTED,
            NotificationKind.REFERENCING_GRANTED,
            NotificationKind.REFERENCING_REFUSED,
            NotificationKind.PROOF_FILE_INFECTED,
        ),
    ),
    (
        "Devis",
        (
            NotificationKind.QUOTE_RECEIVED,
            NotificationKind.QUOTE_SIGNED,
            NotificationKind.DELIVERY_DECLARED,
            NotificationKind.QUOTE_ALERT_RAISED,
            NotificationKind.QUOTE_ALERT_ANSWERED,
        ),
    ),
    (
        "Financement",
        (
            NotificationKind.REQUEST_SUBMITTED,
            NotificationKind.REQUEST_VALIDATED,
            NotificationKind.REQUEST_TO_MODIFY,
            NotificationKind.REQUEST_REFUSED,
            NotificationKind.PAYMENT_MADE,
            NotificationKind.BANK_DETAILS_SUBMITTED,
            NotificationKind.BANK_DETAILS_DECIDED,
        ),
    ),
    (
        "Rappels d'échéance",
        (
            NotificationKind.REMINDER,
            NotificationKind.REMINDER_REVIEW_CLOCK,
            NotificationKind.REMINDER_PREORDER_DEADLINE,
            NotificationKind.REMINDER_CORRECTION_OPEN,
            NotificationKind.REMINDER_WINDOW_DEADLINE,
        ),
    ),
    ("Traitements", (NotificationKind.REPORT_READY,)),
)


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "À envoyer"
    SENDING = "sending", "Envoi en cours"
    SENT = "sent", "Envoyée"
    FAILED = "failed", "Échec de l'envoi"
    # The recipient turned e-mail off for this kind: the row is the in-app entry only.
    DISABLED = "disabled", "E-mail désactivé (notification dans l'application seulement)"


# One first try and five retries, spaced 2, 4, 8, 16 and 32 seconds apart (2 ** attempts).
MAX_SEND_ATTEMPTS = 6

# A row still "pending" or "sending" this long after its last move has lost its task (broker
# message lost, worker killed mid-send): the sweep queues it again. It must stay well above the
# send task's hard time limit plus the longest retry countdown, or a slow but alive send would be
# queued a second time.
STUCK_AFTER = timedelta(minutes=10)

# The SMTP conversation never waits longer than this (seconds) when EMAIL_TIMEOUT is not set.
DEFAULT_EMAIL_TIMEOUT = 30


class DeadlineKind(models.TextChoices):
    """What a deadline of the calendar (and of a reminder) is about."""

    ELIGIBILITY_CLOCK = "eligibility_clock", "Décision sur l'éligibilité de la candidature"
    INSTRUCTION_CLOCK = "instruction_clock", "Instruction du dossier de preuves"
    CORRECTION_OPEN = "correction_open", "Réponse à une demande de correction"
    PREORDER = "preorder", "Dossier de preuves complet (règle des 120 jours)"
    SIGNATURE = "signature", "Signature du devis"
    ADVANCE_REQUEST = "advance_request", "Demande d'avance (30 %)"
    SERVICE_COMPLETION = "service_completion", "Prestation finalisée (mise en ordre de marche)"
    BALANCE_REQUEST = "balance_request", "Demande de solde (70 %)"


# Reminder thresholds, in days left before a deadline (a negative number: days after it). Each
# threshold is reminded once per object; a beat run that finds several thresholds crossed at once
# (an object created late, a scheduler that was down) sends only the most urgent one.
REVIEW_CLOCK_THRESHOLDS = (2, -1)  # two days left, then overdue
PREORDER_THRESHOLDS = (30, 7, 1)
WINDOW_THRESHOLDS = (30, 7, 1)
# Correction requests still open this many days after they were made.
CORRECTION_OPEN_AFTER_DAYS = (7, 14)

# Overdue deadlines of the calendar stay visible this long after they passed (ANS review clocks
# stay until the dossier moves: they are still ANS's to do).
OVERDUE_VISIBLE_DAYS = 60
