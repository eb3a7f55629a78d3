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


class RequestAction(models.TextChoices):
    """Moves of a funding request (see `rules.TRANSITIONS`); the labels are the buttons'."""

    SUBMIT = "submit", "Déposer la demande"
    VALIDATE = "validate", "Valider"
    SEND_BACK = "send_back", "Renvoyer « à modifier »"
    REFUSE = "refuse", "Refuser"
    RESUBMIT = "resubmit", "Redéposer après correction"
    PAY = "pay", "Enregistrer le versement"


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


class AnswerPart(models.TextChoices):
    """What an editor's answer to an "à modifier" may carry; `rules.CORRECTION_ANSWERS` says which
    reason asks for which. The values are the field names of the form and of the API."""

    SIGNED_QUOTE = "signed_quote", "Devis signé (PDF)"
    INVOICE = "invoice", "Facture (PDF)"
    DELIVERY_DECLARATION = "delivery_declaration", "Déclaration de VA ou de MOM (PDF)"
    AMOUNT = "amount", "Montant corrigé"
    BANK_DETAILS = "bank_details", "Nouvelles coordonnées bancaires (RIB)"
    CLIENT_IDENTITY = "client_identity", "Identification du client corrigée"


# Statuses in which the ASP has a decision to take (the instruction queue).
AWAITING_ASP = (RequestStatus.SUBMITTED, RequestStatus.RESUBMITTED)
AWAITING_PAYMENT = (RequestStatus.VALIDATED,)


ALREADY_PAID_MESSAGE = "Ce versement a déjà été enregistré."

# Above this many rows an export is built by a background task instead of in the request.
EXPORT_SYNC_MAX_ROWS = 2000
