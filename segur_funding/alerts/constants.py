from django.db import models


class AlertReason(models.TextChoices):
    """Why a lab thinks a quote is not conform (the seed's non-conform examples, in its words)."""

    REMAINDER = "remainder", "Il me reste quelque chose à payer pour la Prestation Ségur"
    NO_DISTINCTION = "no_distinction", "Les lignes Ségur et hors Ségur ne sont pas distinguées"
    CONDITIONAL = (
        "conditional",
        "Le devis est conditionné à l'achat d'options, de modules ou à un réengagement",
    )
    EXCLUDED = "excluded", "Des éléments hors programme sont facturés dans la part Ségur"
    SUN_ES = "sun_es", "Le devis s'appuie sur le financement SUN-ES"
    OTHER = "other", "Autre difficulté"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Reçu, à instruire"
    ANSWERED = "answered", "Réponse apportée"
    CLOSED = "closed", "Clos"


# A lab may open this many reports a day (all its quotes together): a person reporting real
# difficulties never needs more, and a script cannot flood the reviewers' queue.
MAX_ALERTS_PER_LAB_PER_DAY = 5
