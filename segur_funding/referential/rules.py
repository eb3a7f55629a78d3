"""Reference data as plain frozen values, and the tier lookup.

Source: seed slide "Barème de financement à l'équipement" (SGL tiers A–E by number of geographic
sites using the software instance; LOINC a single tier whatever the number of sites) and slide
"Principes d'obtention du financement SONS" (windows, 120 days, 30 % / 70 %).

Pure: no ORM, no settings, no I/O. Selectors build these values from the database.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from segur_funding.core.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class TierRow:
    code: str
    sites_from: int
    sites_to: int | None  # None: no upper bound
    cap_ht: Decimal
    cap_ttc: Decimal

    def covers(self, sites: int) -> bool:
        return self.sites_from <= sites and (self.sites_to is None or sites <= self.sites_to)


@dataclass(frozen=True, slots=True)
class WindowRef:
    number: int
    label: str
    opens_on: date | None = None
    order_signature_deadline: date | None = None
    proofs_complete_deadline: date | None = None
    advance_request_deadline: date | None = None
    service_completion_deadline: date | None = None
    balance_request_deadline: date | None = None


@dataclass(frozen=True, slots=True)
class SchemeRef:
    """A funding scheme (AF) of one DSR, everything the rules need to judge a quote."""

    dsr_code: str
    name: str
    tiers: tuple[TierRow, ...]
    windows: tuple[WindowRef, ...] = ()
    advance_rate: Decimal = Decimal("0.30")
    preorder_max_days: int = 120
    state_funding_wording: str = ""
    conditional_order_mention: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def validate_sites(sites: object) -> int:
    """The number of geographic sites is an integer ≥ 1; anything else is invalid input."""
    if isinstance(sites, bool) or not isinstance(sites, int):
        raise InvalidInput(
            "Le nombre de sites géographiques doit être un nombre entier supérieur ou égal à 1."
        )
    if sites < 1:
        raise InvalidInput(
            f"Le nombre de sites géographiques doit être au moins 1 (reçu : {sites})."
        )
    return sites


def tier_for_sites(tiers: tuple[TierRow, ...], sites: int) -> TierRow:
    """The tier whose site range holds `sites`; raises InvalidInput when none (or no barème)."""
    validate_sites(sites)
    if not tiers:
        raise InvalidInput(
            "Aucun barème n'est publié pour ce DSR : le devis ne peut pas être vérifié."
        )
    for tier in tiers:
        if tier.covers(sites):
            return tier
    raise InvalidInput(f"Aucune tranche du barème ne couvre {sites} site(s) géographique(s).")


def tiers_problems(tiers: tuple[TierRow, ...]) -> list[str]:
    """Why a tier table does not partition every site count ≥ 1 (empty when it does)."""
    problems: list[str] = []
    expected = 1
    ordered = sorted(tiers, key=lambda t: t.sites_from)
    for tier in ordered:
        if tier.sites_from != expected:
            problems.append(
                f"Tranche {tier.code} : commence à {tier.sites_from} site(s), {expected} attendu."
            )
        if tier.sites_to is None:
            if tier is not ordered[-1]:
                problems.append(
                    f"Tranche {tier.code} : sans borne supérieure mais pas la dernière."
                )
            return problems
        expected = tier.sites_to + 1
    if ordered:
        problems.append("La dernière tranche doit être sans borne supérieure.")
    else:
        problems.append("Le barème n'a aucune tranche.")
    return problems


class LabelItemKind:
    """Categories of the label items (SPEC §3.4): plain strings, compared many times per quote."""

    PRESTATION = "prestation"  # an item of the Prestation Ségur: billed to the client, a remainder
    EXCLUDED = "excluded"  # never in the State-funded part
    OUTSIDE = "outside"  # a marker that a label is about something else (a module, year 7…)
    SUN_ES = "sun_es"  # the SUN-ES programme (built into the checker, not edited)

    EDITABLE = (PRESTATION, EXCLUDED, OUTSIDE)


@dataclass(frozen=True, slots=True)
class LabelItemRef:
    """One item of SPEC §3.4 and the words editors use for it (reference data edited by ANS).

    `name` is French and completes the checker's messages (« …relève de la Prestation Ségur
    (maintenance pendant 6 ans) », « …concerne des boîtes aux lettres MSSanté »). Patterns follow
    the syntax of `segur_funding.quotes.rules.labels`: the item is read in a label when one of
    `patterns` matches, one of `requires` too (when given), and none of `exceptions`.
    """

    code: str
    kind: str
    name: str
    patterns: tuple[str, ...]
    requires: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
