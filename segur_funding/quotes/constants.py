"""Vocabulary of quotes and of the quote checker (SPEC §4): lifecycle, scopes, verdicts, finding
codes."""

from django.db import models


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    ISSUED = "issued", "Émis"
    SIGNED = "signed", "Signé par le client"
    DELIVERED = "delivered", "Prestation livrée (mise en ordre de marche)"
    CANCELLED = "cancelled", "Annulé"


class QuoteOrigin(models.TextChoices):
    WEB = "web", "Rédigé dans segur_funding"
    UPLOADED = "uploaded", "PDF déposé par le client"


class QuoteAction(models.TextChoices):
    """Moves of a quote (see `rules.workflow.TRANSITIONS`)."""

    ISSUE = "issue", "Émettre le devis"
    CANCEL = "cancel", "Annuler le devis"
    SIGN = "sign", "Signer le devis"
    DECLARE_DELIVERY = "declare_delivery", "Déclarer la mise en ordre de marche"


class NextStep(models.TextChoices):
    """What the funding of a signed quote waits for, and so who acts next (`Quote.next_step`).

    Written by the moves themselves, in the same transaction: the quote's (`rules.workflow.
    next_step_after`) and its funding requests' (`funding.rules.quote_next_step`). To-do lists
    (« À demander », « Mon espace ») then read one indexed column instead of recomputing
    anti-joins over the requests and payments on every page.
    """

    NONE = "", "Rien en attente"
    ADVANCE = "advance", "Avance à demander"  # the editor
    REVIEW = "review", "Demande à instruire"  # the ASP
    CORRECTION = "correction", "Demande à corriger"  # the editor, after an « à modifier »
    PAYMENT = "payment", "Versement à enregistrer"  # the ASP
    DELIVERY = "delivery", "Mise en ordre de marche à déclarer"  # the lab, advance paid
    BALANCE = "balance", "Solde à demander"  # the editor


# The steps where the editor files a funding request: the « À demander » list, « Mon espace ».
EDITOR_FILING_STEPS = (NextStep.ADVANCE, NextStep.BALANCE)


class QuoteActor(models.TextChoices):
    EDITOR = "editor", "Éditeur"
    LAB = "lab", "Laboratoire (client)"


class Scope(models.TextChoices):
    SEGUR = "segur", "Prestation Ségur"
    STATE_FUNDING = "state_funding", "Prise en charge par l'État"
    OUT_OF_SCOPE = "out_of_scope", "Hors Ségur"


class Verdict(models.TextChoices):
    CONFORM = "conform", "Conforme"
    NON_CONFORM = "non_conform", "Non conforme"
    INCOMPLETE = "incomplete", "Incomplet"


class Severity(models.TextChoices):
    ERROR = "error", "Erreur"
    WARNING = "warning", "Avertissement"
    MANUAL = "manual", "À vérifier à la main"


class FindingCode(models.TextChoices):
    """Stable codes (API clients and tests match on them); the label says what they mean."""

    # Errors of SPEC §4.
    MISSING_STATE_FUNDING_LINE = (
        "MISSING_STATE_FUNDING_LINE",
        "Ligne de prise en charge par l'État absente ou mal libellée",
    )
    CAP_EXCEEDED = "CAP_EXCEEDED", "Plafond de la tranche dépassé"
    CLIENT_REMAINDER = "CLIENT_REMAINDER", "Reste à charge pour la Prestation Ségur"
    UNCLASSIFIED_LINE = "UNCLASSIFIED_LINE", "Ligne ni Ségur ni hors Ségur"
    MIXED_DSR_LINE = "MIXED_DSR_LINE", "Plusieurs DSR sur une même ligne"
    CONDITIONAL_OFFER = "CONDITIONAL_OFFER", "Offre conditionnée (options, modules, réengagement)"
    SUN_ES_REFERENCE = "SUN_ES_REFERENCE", "Référence au financement SUN-ES"
    EXCLUDED_ITEM_FUNDED = "EXCLUDED_ITEM_FUNDED", "Élément exclu dans la Prestation Ségur"
    MISSING_CONDITIONAL_MENTION = (
        "MISSING_CONDITIONAL_MENTION",
        "Mention des commandes antérieures au référencement absente",
    )
    ORDER_TOO_EARLY = "ORDER_TOO_EARLY", "Commande antérieure de plus de 120 jours au dossier complet"
    SIGNED_AFTER_DEADLINE = "SIGNED_AFTER_DEADLINE", "Devis signé après la date limite"
    STATE_FUNDING_ABOVE_SEGUR_TOTAL = (
        "STATE_FUNDING_ABOVE_SEGUR_TOTAL",
        "Prise en charge de l'État supérieure au total de la Prestation Ségur",
    )
    # Warnings (do not change the verdict).
    PROOFS_PENDING = "PROOFS_PENDING", "Dossier de preuves attendu avant la date limite"
    SIGNATURE_DEADLINE_PASSED = (
        "SIGNATURE_DEADLINE_PASSED",
        "Date limite de signature dépassée pour un devis non signé",
    )
    SIGNED_BEFORE_WINDOW = "SIGNED_BEFORE_WINDOW", "Devis signé avant l'ouverture de la fenêtre"
    # A PDF's attached document was not believed (SPEC §4, attachments): the printed page was read.
    UNTRUSTED_ATTACHMENT = (
        "UNTRUSTED_ATTACHMENT",
        "Pièce jointe non émise par la plateforme : le texte imprimé fait foi",
    )
    ATTACHMENT_MISMATCH = (
        "ATTACHMENT_MISMATCH",
        "Pièce jointe différente du texte imprimé",
    )
    REFERENCING_FROM_PLATFORM = (
        "REFERENCING_FROM_PLATFORM",
        "Référencement lu dans la liste des solutions référencées de la plateforme",
    )
    # Manual checks (the verdict becomes "incomplete").
    MANUAL_CHECK = "MANUAL_CHECK", "À vérifier à la main"
    DSR_UNKNOWN = "DSR_UNKNOWN", "DSR non indiqué"
    SITES_UNKNOWN = "SITES_UNKNOWN", "Nombre de sites géographiques non indiqué"
    AMOUNT_UNKNOWN = "AMOUNT_UNKNOWN", "Montant illisible"
    OTHER_DSR_LINE = "OTHER_DSR_LINE", "Ligne relevant d'un autre DSR"
    ORDER_DATE_UNKNOWN = "ORDER_DATE_UNKNOWN", "Date de commande non indiquée"
    PROOFS_DATE_UNKNOWN = "PROOFS_DATE_UNKNOWN", "Date du dossier complet de preuves non indiquée"
    REFERENCING_UNKNOWN = "REFERENCING_UNKNOWN", "Date de référencement non indiquée"


ERROR_CODES = frozenset(
    {
        FindingCode.MISSING_STATE_FUNDING_LINE,
        FindingCode.CAP_EXCEEDED,
        FindingCode.CLIENT_REMAINDER,
        FindingCode.UNCLASSIFIED_LINE,
        FindingCode.MIXED_DSR_LINE,
        FindingCode.CONDITIONAL_OFFER,
        FindingCode.SUN_ES_REFERENCE,
        FindingCode.EXCLUDED_ITEM_FUNDED,
        FindingCode.MISSING_CONDITIONAL_MENTION,
        FindingCode.ORDER_TOO_EARLY,
        FindingCode.SIGNED_AFTER_DEADLINE,
        FindingCode.STATE_FUNDING_ABOVE_SEGUR_TOTAL,
    }
)
WARNING_CODES = frozenset(
    {
        FindingCode.PROOFS_PENDING,
        FindingCode.SIGNATURE_DEADLINE_PASSED,
        FindingCode.SIGNED_BEFORE_WINDOW,
        FindingCode.UNTRUSTED_ATTACHMENT,
        FindingCode.ATTACHMENT_MISMATCH,
        FindingCode.REFERENCING_FROM_PLATFORM,
    }
)
MANUAL_CODES = frozenset(FindingCode) - ERROR_CODES - WARNING_CODES
