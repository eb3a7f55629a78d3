"""Funding request vocabulary and its workflow, declared as data.

Source: seed slide "Principes d'obtention du financement SONS" (advance 30 % at the signature of
the quote, balance 70 % once the service is finalised) and the ASP answers to a request: "validée",
"à modifier", "décidée et payée" (SPEC §2).
"""

from django.db import models


class Milestone(models.TextChoices):
    ADVANCE = "advance", "Avance"
    BALANCE = "balance", "Solde"


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposée"
    TO_MODIFY = "to_modify", "À modifier"
    RESUBMITTED = "resubmitted", "Redéposée après correction"
    VALIDATED = "validated", "Validée"
    REFUSED = "refused", "Refusée"
    PAID = "paid", "Décidée et payée"


class Actor(models.TextChoices):
    EDITOR = "editor", "Éditeur"
    ASP = "asp", "Instructeur ASP"


class CorrectionReason(models.TextChoices):
    """Why the ASP sends a request back "à modifier" (one enum for every message kind)."""

    QUOTE_MISSING = "quote_missing", "Devis signé absent ou illisible"
    SIGNATURE_MISSING = "signature_missing", "Signature du client absente ou non datée"
    AMOUNT_MISMATCH = "amount_mismatch", "Montant demandé différent du devis"
    INVOICE_MISSING = "invoice_missing", "Facture absente ou illisible"
    INVOICE_MISMATCH = "invoice_mismatch", "Facture non conforme au devis"
    DELIVERY_PROOF = "delivery_proof", "Déclaration de mise en ordre de marche manquante"
    BANK_DETAILS = "bank_details", "Coordonnées bancaires (RIB) à compléter"
    CLIENT_IDENTITY = "client_identity", "Identification du client (SIRET, FINESS) incorrecte"
    OTHER = "other", "Autre (voir le commentaire)"


# (from, to) -> who may make the move. Anything not listed is refused by the services.
TRANSITIONS: dict[tuple[str, str], str] = {
    (RequestStatus.DRAFT, RequestStatus.SUBMITTED): Actor.EDITOR,
    (RequestStatus.SUBMITTED, RequestStatus.VALIDATED): Actor.ASP,
    (RequestStatus.SUBMITTED, RequestStatus.TO_MODIFY): Actor.ASP,
    (RequestStatus.SUBMITTED, RequestStatus.REFUSED): Actor.ASP,
    (RequestStatus.TO_MODIFY, RequestStatus.RESUBMITTED): Actor.EDITOR,
    (RequestStatus.RESUBMITTED, RequestStatus.VALIDATED): Actor.ASP,
    (RequestStatus.RESUBMITTED, RequestStatus.TO_MODIFY): Actor.ASP,
    (RequestStatus.RESUBMITTED, RequestStatus.REFUSED): Actor.ASP,
    (RequestStatus.VALIDATED, RequestStatus.PAID): Actor.ASP,
}

# Statuses in which the ASP has a decision to take (the instruction queue).
AWAITING_ASP = (RequestStatus.SUBMITTED, RequestStatus.RESUBMITTED)
AWAITING_PAYMENT = (RequestStatus.VALIDATED,)


def allowed_targets(status: str, actor: str) -> list[str]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and who == actor]


ALREADY_PAID_MESSAGE = "Ce versement a déjà été enregistré."

# Above this many rows an export is built by a background task instead of in the request.
EXPORT_SYNC_MAX_ROWS = 2000
