"""Reference data: corridors, DSRs, REM requirements, funding schemes (AF) with tiers and windows.

All of it is data that ANS staff edit in the admin (with history) or import; rules receive it as
frozen dataclasses built by `selectors.py`.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from . import constants
from .rules import ConditionWordingRef, LabelItemRef


class Corridor(models.Model):
    code = models.SlugField("code", max_length=30, unique=True)
    name = models.CharField("couloir", max_length=120)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "couloir"
        verbose_name_plural = "couloirs"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class DsrManager(models.Manager["Dsr"]):
    def get_by_natural_key(self, code: str) -> "Dsr":
        return self.get(code=code)


class Dsr(models.Model):
    """Dossier de Spécifications et de Référencement, one per corridor, software and wave."""

    code = models.CharField("code", max_length=30, unique=True)
    corridor = models.ForeignKey(Corridor, on_delete=models.PROTECT, related_name="dsrs")
    software = models.CharField("logiciel", max_length=200)
    wave = models.PositiveSmallIntegerField("vague", default=1)
    arrete_date = models.DateField("date de l'arrêté", null=True, blank=True)

    objects = DsrManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "DSR"
        verbose_name_plural = "DSR"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.software}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Requirement(models.Model):
    """One requirement (exigence) of a DSR's REM file, with the proof expected for it."""

    dsr = models.ForeignKey(Dsr, on_delete=models.CASCADE, related_name="requirements")
    reference = models.CharField("référence", max_length=60)
    theme = models.CharField("thème", max_length=200, blank=True)
    title = models.CharField("intitulé", max_length=300)
    statement = models.TextField("énoncé", blank=True)
    conformity_scenario = models.TextField("scénario de conformité", blank=True)
    expected_proofs = models.TextField("preuves attendues", blank=True)
    profile = models.CharField("profil", max_length=120, blank=True)
    mandatory = models.BooleanField("obligatoire", default=True)
    position = models.PositiveIntegerField("ordre", default=0)
    is_starter = models.BooleanField(
        "jeu de démarrage",
        default=False,
        help_text="Exigence du jeu de démarrage tiré de la présentation ANS, "
        "à remplacer par le fichier REM officiel.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "exigence (REM)"
        verbose_name_plural = "exigences (REM)"
        ordering = ["dsr", "position", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["dsr", "reference"], name="requirement_unique_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class FundingScheme(models.Model):
    """Appel à financement (AF) of a DSR: tier table, payment terms and funding windows."""

    dsr = models.ForeignKey(Dsr, on_delete=models.PROTECT, related_name="funding_schemes")
    name = models.CharField("nom", max_length=200)
    version = models.CharField("version", max_length=30, default="1")
    published_on = models.DateField("publié le", null=True, blank=True)
    is_active = models.BooleanField(
        "en vigueur", default=True, help_text="Le barème utilisé pour les nouveaux devis."
    )
    advance_rate = models.DecimalField(
        "part de l'avance",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.300"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    preorder_max_days = models.PositiveSmallIntegerField(
        "délai maximal commande / dossier complet (jours)",
        default=120,
        help_text="Une commande antérieure au référencement est éligible si elle n'est pas "
        "antérieure de plus de ce nombre de jours calendaires au dossier complet des preuves.",
    )
    state_funding_wording = models.CharField(
        "libellé de la ligne de prise en charge par l'État",
        max_length=300,
        default=constants.STATE_FUNDING_WORDING,
    )
    conditional_order_mention = models.TextField(
        "mention des commandes antérieures au référencement",
        default=constants.CONDITIONAL_ORDER_MENTION,
    )
    source = models.CharField("source", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "appel à financement (AF)"
        verbose_name_plural = "appels à financement (AF)"
        ordering = ["dsr", "-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dsr", "version"], name="funding_scheme_unique_version"
            ),
            models.UniqueConstraint(
                fields=["dsr"],
                condition=models.Q(is_active=True),
                name="funding_scheme_one_active_per_dsr",
                violation_error_message="Ce DSR a déjà un appel à financement en vigueur : "
                "retirez-le de la vigueur avant d'en mettre un autre en vigueur.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Tier(models.Model):
    """One row of a barème: a range of geographic sites and the caps, as published (HT and TTC)."""

    scheme = models.ForeignKey(FundingScheme, on_delete=models.CASCADE, related_name="tiers")
    code = models.CharField("tranche", max_length=10)
    sites_from = models.PositiveIntegerField("sites à partir de", validators=[MinValueValidator(1)])
    sites_to = models.PositiveIntegerField(
        "jusqu'à (inclus)", null=True, blank=True, help_text="Vide : sans limite supérieure."
    )
    cap_ht = models.DecimalField("plafond HT (€)", max_digits=12, decimal_places=2)
    cap_ttc = models.DecimalField("plafond TTC (€)", max_digits=12, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "tranche du barème"
        verbose_name_plural = "tranches du barème"
        ordering = ["scheme", "sites_from"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="tier_unique_code"),
            models.CheckConstraint(
                condition=models.Q(sites_to__isnull=True)
                | models.Q(sites_to__gte=models.F("sites_from")),
                name="tier_sites_range_ordered",
                violation_error_message="La borne supérieure de la tranche précède sa borne "
                "inférieure.",
            ),
            models.CheckConstraint(
                condition=models.Q(cap_ht__gte=0) & models.Q(cap_ttc__gte=0),
                name="tier_caps_positive",
                violation_error_message="Les plafonds HT et TTC ne peuvent pas être négatifs.",
            ),
            # Both caps are stored as published, never derived from each other; a HT cap above
            # the TTC one can only be a typing error.
            models.CheckConstraint(
                condition=models.Q(cap_ht__lte=models.F("cap_ttc")),
                name="tier_cap_ht_not_above_ttc",
                violation_error_message="Le plafond HT ne peut pas dépasser le plafond TTC.",
            ),
        ]

    def __str__(self) -> str:
        upper = self.sites_to if self.sites_to is not None else "∞"
        return f"Tranche {self.code} ({self.sites_from}–{upper} sites)"


class FundingWindow(models.Model):
    """Fenêtre de financement: each deadline is strict (one day late is ineligible) and optional."""

    scheme = models.ForeignKey(FundingScheme, on_delete=models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField("numéro")
    label = models.CharField("libellé", max_length=200, blank=True)
    opens_on = models.DateField("ouverture", null=True, blank=True)
    order_signature_deadline = models.DateField(
        "signature du devis au plus tard le", null=True, blank=True
    )
    proofs_complete_deadline = models.DateField(
        "dossier de preuves complet au plus tard le", null=True, blank=True
    )
    advance_request_deadline = models.DateField(
        "demande d'avance au plus tard le", null=True, blank=True
    )
    service_completion_deadline = models.DateField(
        "prestation finalisée au plus tard le", null=True, blank=True
    )
    balance_request_deadline = models.DateField(
        "demande de solde au plus tard le", null=True, blank=True
    )
    source = models.TextField("source des dates", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "fenêtre de financement"
        verbose_name_plural = "fenêtres de financement"
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="window_unique_number"),
        ]

    def __str__(self) -> str:
        return self.label or f"Fenêtre de financement {self.number}"

    def clean(self) -> None:
        if (
            self.opens_on
            and self.order_signature_deadline
            and self.order_signature_deadline < self.opens_on
        ):
            raise ValidationError(
                {"order_signature_deadline": "La date limite de signature précède l'ouverture."}
            )


def pattern_lines(text: str) -> tuple[str, ...]:
    """The patterns of a field written one pattern a line (blank lines and margins dropped)."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class ShippedWording:
    """What the two tables of wordings the quote checker reads have in common: rows shipped
    as defaults (`label_defaults`, `condition_defaults`, plain refs) by code, then edited by
    ANS, one pattern a line. `LINE_FIELDS`: the fields written one pattern a line."""

    LINE_FIELDS: tuple[str, ...] = ("patterns",)

    @classmethod
    def from_ref(cls, ref: Any, *, position: int) -> Any:
        """An unsaved row of a shipped ref (the inverse of `to_ref`)."""
        lines = {field: "\n".join(getattr(ref, field)) for field in cls.LINE_FIELDS}
        return cls(code=ref.code, kind=ref.kind, name=ref.name, position=position, **lines)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().split(' (')[0]})"

    def clean(self) -> None:
        # Each pattern's syntax is checked by the admin's form (quotes/admin.py), next to the
        # checker's pattern compiler: referential does not import quotes.
        if not pattern_lines(self.patterns):
            raise ValidationError({"patterns": "Indiquez au moins une formulation."})


class QuoteLabelItem(ShippedWording, models.Model):
    """An item of the Prestation Ségur, an excluded item or a marker (SPEC §3.4), with the words
    editors use for it: what the quote checker reads in line labels. ANS completes the wordings
    here (with history); `load_reference_data` ships a French default set and never overwrites
    an edited row. Pattern syntax: see `segur_funding.quotes.rules.patterns`."""

    class Kind(models.TextChoices):
        PRESTATION = "prestation", "Élément de la Prestation Ségur (facturé hors Ségur : reste à charge)"
        EXCLUDED = "excluded", "Élément exclu (interdit dans la partie Ségur)"
        OUTSIDE = "outside", "Marqueur « autre chose que la Prestation » (module, année 7…)"

    LINE_FIELDS = ("patterns", "requires", "exceptions")

    code = models.SlugField("code", max_length=60, unique=True)
    kind = models.CharField("catégorie", max_length=12, choices=Kind.choices)
    name = models.CharField(
        "désignation",
        max_length=200,
        help_text="Reprise dans les messages du vérificateur, par exemple « maintenance pendant "
        "6 ans » ou « des boîtes aux lettres MSSanté ».",
    )
    patterns = models.TextField(
        "formulations",
        help_text="Une formulation par ligne, telle qu'écrite sur les devis. Accents, majuscules, "
        "pluriels, articles et abréviations courantes (« maint. », « form. », « docs ») sont "
        "ignorés. « mot* » : tout mot commençant par « mot » ; « ... » : jusqu'à quatre mots "
        "entre deux. Une formulation précédée d'une négation (« hors », « sans », « ne … pas », "
        "« non ») ne compte pas.",
    )
    requires = models.TextField(
        "à condition de lire aussi",
        blank=True,
        help_text="Facultatif, une formulation par ligne : l'élément n'est reconnu que si l'une "
        "d'elles figure aussi dans le libellé (« référencée » pour une licence).",
    )
    exceptions = models.TextField(
        "sauf si le libellé contient",
        blank=True,
        help_text="Facultatif, une formulation par ligne : l'élément n'est pas reconnu si l'une "
        "d'elles figure dans le libellé (« sur le serveur » : installation sur un serveur "
        "existant, pas l'achat d'un serveur).",
    )
    is_active = models.BooleanField("en vigueur", default=True)
    position = models.PositiveIntegerField("ordre", default=0)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "libellé de devis (Prestation Ségur)"
        verbose_name_plural = "libellés de devis (Prestation Ségur)"
        ordering = ["position", "code"]


    def to_ref(self) -> LabelItemRef:
        return LabelItemRef(
            code=self.code,
            kind=self.kind,
            name=self.name,
            patterns=pattern_lines(self.patterns),
            requires=pattern_lines(self.requires),
            exceptions=pattern_lines(self.exceptions),
        )


class ConditionWording(ShippedWording, models.Model):
    """A wording of conditional offers (SPEC §3.4: the Prestation may not be conditioned on a
    re-engagement nor on a new option): what the quote checker reads in labels, mentions and
    conditions to find CONDITIONAL_OFFER. ANS completes the wordings here (with history);
    `load_reference_data` ships a French default set and never overwrites an edited row.
    Pattern syntax: see `segur_funding.quotes.rules.patterns`."""

    class Kind(models.TextChoices):
        TRIGGER = "trigger", "Pose une condition (« sous réserve de », « conditionné à »)"
        DEMAND = "demand", "Ce qu'exige la condition (« souscription », « module », « contrat »)"
        ALWAYS = "always", "Condition à elle seule (« réengagement », « option obligatoire »)"
        ALLOWED = "allowed", "N'est pas une condition imposée au client (« obtention du référencement »)"

    code = models.SlugField("code", max_length=60, unique=True)
    kind = models.CharField("rôle", max_length=12, choices=Kind.choices)
    name = models.CharField("désignation", max_length=200)
    patterns = models.TextField(
        "formulations",
        help_text="Une formulation par ligne, telle qu'écrite sur les devis. Accents, majuscules, "
        "pluriels, articles et abréviations courantes sont ignorés. « mot* » : tout mot "
        "commençant par « mot » ; « ... » : jusqu'à quatre mots entre deux ; « # » : un nombre "
        "(pas en début de ligne : une ligne commençant par « # » est un commentaire). "
        "Une formulation précédée d'une négation (« sans », « n'est pas », « aucun », « ni ») ne "
        "compte pas. Une condition compte quand une formulation « pose une condition » est "
        "suivie, à six mots au plus, d'une formulation « ce qu'exige la condition ».",
    )
    is_active = models.BooleanField("en vigueur", default=True)
    position = models.PositiveIntegerField("ordre", default=0)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "formulation d'offre conditionnée"
        verbose_name_plural = "formulations d'offre conditionnée"
        ordering = ["position", "code"]

    def to_ref(self) -> ConditionWordingRef:
        return ConditionWordingRef(
            code=self.code, kind=self.kind, name=self.name, patterns=pattern_lines(self.patterns)
        )
