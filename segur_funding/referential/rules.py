"""Reference data as plain frozen values, and the rules an AF (appel à financement) states:
the tier lookup, the split into advance and balance, the 120-day rule and the deadlines of the
funding windows.

Source: seed slide "Barème de financement à l'équipement" (SGL tiers A–E by number of geographic
sites using the software instance; LOINC a single tier whatever the number of sites) and slide
"Principes d'obtention du financement SONS":
- « Une commande passée avant le référencement du logiciel est éligible au financement Ségur si sa
  conclusion n'est pas antérieure de plus de 120 jours calendaires à la date d'envoi par l'éditeur
  du dossier complet des preuves de conformité. »
- « Vous devez signer le devis avant le 15 juillet 2022 ce qui déclenche le paiement de 30 % à
  l'éditeur et la prestation doit être finalisée avant le 15 octobre 2022 pour déclencher les 70 %
  restants. »
Window deadlines beyond these two dates come from later public ANS/ASP notices (see the reference
fixture); every deadline is strict: the deadline day itself is on time, the day after is late.
The numbers (120 days, 30 %) are data of the AF (`SchemeRef`), never constants here: the quote
checker, the funding services and the reminders all read them from the scheme and call these
functions.

Pure: no ORM, no settings, no I/O. Selectors build these values from the database; dates are
arguments, never read from a clock.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from segur_funding.core.errors import InvalidInput
from segur_funding.core.money import CENT
from segur_funding.core.workflow import Refusal


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
    # The AF's figures (30 %, 120 days): always given by the selector that reads the AF.
    advance_rate: Decimal = field(kw_only=True)
    preorder_max_days: int = field(kw_only=True)
    state_funding_wording: str = ""
    conditional_order_mention: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


# --- Milestones: the advance (the AF's rate, 30 %) and the balance (SPEC §3.3) -----------------

_ZERO_RATE = Decimal(0)
_FULL_RATE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Milestones:
    advance: Decimal
    balance: Decimal


def milestones(funded_ttc: Decimal, advance_rate: Decimal) -> Milestones:
    """Split a funded amount into the advance (rate × funded, half-up to the cent) and the balance.

    The balance is what is left, so the two always add up to the funded amount exactly. The
    quote checker shows this split; the funding services file and pay it.
    """
    if funded_ttc < 0:
        raise InvalidInput("Le montant financé ne peut pas être négatif.")
    if not _ZERO_RATE <= advance_rate <= _FULL_RATE:
        raise InvalidInput("La part de l'avance doit être comprise entre 0 et 1.")
    funded = funded_ttc.quantize(CENT, rounding=ROUND_HALF_UP)
    advance = (funded * advance_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return Milestones(advance=advance, balance=funded - advance)


# --- The 120-day rule (SPEC §3.2) ----------------------------------------------------------------


class PreorderState(StrEnum):
    NOT_CONCERNED = "not_concerned"  # ordered on or after the referencing date
    ELIGIBLE = "eligible"  # proofs complete at most max_days after the order
    PENDING = "pending"  # proofs not complete yet, deadline not passed
    TOO_EARLY = "too_early"  # proofs complete too late, or the deadline passed without them


@dataclass(frozen=True, slots=True)
class PreorderStatus:
    state: PreorderState
    deadline: date | None = None  # order date + max_days (None when not concerned)
    # Calendar days from the order to the complete proof dossier (or to `today` while pending).
    days: int | None = None
    # True when TOO_EARLY because the deadline passed with the dossier still incomplete.
    lapsed: bool = False

    @property
    def is_error(self) -> bool:
        return self.state is PreorderState.TOO_EARLY


def ordered_before_referencing(*, order_date: date, referenced_on: date | None) -> bool:
    """An order concluded before the software is referenced (or while it is not referenced)."""
    return referenced_on is None or order_date < referenced_on


def preorder_deadline(*, order_date: date, max_days: int) -> date:
    """The last day the complete proof dossier may be sent for an order placed before
    referencing: the order date + the AF's `preorder_max_days` (120), that day included."""
    return order_date + timedelta(days=max_days)


def preorder_eligibility(
    *,
    order_date: date,
    referenced_on: date | None,
    proofs_complete_on: date | None,
    today: date,
    max_days: int,
) -> PreorderStatus:
    """Where an order stands under the 120-day rule (SPEC §3.2).

    120 days exactly between the order and the complete proof dossier is eligible, 121 is not.
    While the dossier is not complete the order is pending until its `preorder_deadline`; past
    that day with the dossier still incomplete, the order can no longer become eligible.
    """
    if not ordered_before_referencing(order_date=order_date, referenced_on=referenced_on):
        return PreorderStatus(state=PreorderState.NOT_CONCERNED)
    deadline = preorder_deadline(order_date=order_date, max_days=max_days)
    if proofs_complete_on is not None:
        days = (proofs_complete_on - order_date).days
        state = PreorderState.ELIGIBLE if proofs_complete_on <= deadline else PreorderState.TOO_EARLY
        return PreorderStatus(state=state, deadline=deadline, days=days)
    days = (today - order_date).days
    if today > deadline:
        return PreorderStatus(
            state=PreorderState.TOO_EARLY, deadline=deadline, days=days, lapsed=True
        )
    return PreorderStatus(state=PreorderState.PENDING, deadline=deadline, days=days)


# --- Funding windows (SPEC §2: each deadline strict to the day) -----------------------------------


def _fr(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else "—"


def on_time(deadline: date | None, on: date) -> bool:
    """Strict deadline: the deadline day itself is on time, the day after is late.

    No deadline published means no limit.
    """
    return deadline is None or on <= deadline


def days_late(deadline: date | None, on: date) -> int:
    """Calendar days after the deadline (0 when on time)."""
    if deadline is None or on <= deadline:
        return 0
    return (on - deadline).days


def window_for_signature(windows: Iterable[WindowRef], signature_date: date) -> WindowRef | None:
    """The first window (by number) open on `signature_date` whose signature deadline is not past.

    A window without an opening date is open since the AF; one without a signature deadline takes
    any later signature. None means no window holds the signature (too late, or before any opens).
    """
    for window in sorted(windows, key=lambda w: w.number):
        if window.opens_on is not None and signature_date < window.opens_on:
            continue
        if on_time(window.order_signature_deadline, signature_date):
            return window
    return None


def signature_late_window(windows: Iterable[WindowRef], signature_date: date) -> WindowRef | None:
    """The window whose signature deadline a late signature missed, or None when not late.

    Late means: no window holds the signature, and at least one window that had opened by then
    had already closed (its signature deadline was before the signature). The window returned is
    the one that closed last, for the message. A signature before every window opens is not late.
    """
    windows = tuple(windows)
    if window_for_signature(windows, signature_date) is not None:
        return None
    closed = [
        w
        for w in windows
        if (w.opens_on is None or w.opens_on <= signature_date)
        and w.order_signature_deadline is not None
        and w.order_signature_deadline < signature_date
    ]
    if not closed:
        return None
    return max(closed, key=lambda w: w.order_signature_deadline or date.min)


def signature_refusal(windows: Iterable[WindowRef], signature_date: date) -> Refusal | None:
    """Why a quote may not be signed on `signature_date` under the AF's windows, or None.

    Too late (a window closed before the signature, none holds it) and too early (no window open
    yet) are told apart: « délai dépassé » is never said of a signature before the first opening.
    """
    windows = tuple(windows)
    if window_for_signature(windows, signature_date) is not None:
        return None
    late = signature_late_window(windows, signature_date)
    if late is not None:
        return Refusal(
            "SIGNED_AFTER_DEADLINE",
            f"La date limite de signature des devis ({_fr(late.order_signature_deadline)}, "
            f"{late.label}) est dépassée : ce devis ne peut plus être signé au titre du "
            "financement Ségur.",
        )
    upcoming = sorted(
        w.opens_on for w in windows if w.opens_on is not None and w.opens_on > signature_date
    )
    if upcoming:
        return Refusal(
            "SIGNED_BEFORE_WINDOW",
            "Aucune fenêtre de financement n'est encore ouverte : ce devis pourra être signé à "
            f"partir du {_fr(upcoming[0])}.",
        )
    return Refusal(
        "NO_WINDOW",
        "Aucune fenêtre de financement n'est publiée pour ce DSR : ce devis ne peut pas être "
        "signé au titre du financement Ségur.",
    )


def _deadline_refusal(code: str, what: str, deadline: date | None, on: date) -> Refusal | None:
    if on_time(deadline, on):
        return None
    return Refusal(
        code,
        f"La date limite de {what} ({_fr(deadline)}) est dépassée de {days_late(deadline, on)} "
        "jour(s) : la demande n'est plus recevable.",
    )


def advance_request_refusal(window: WindowRef, request_date: date) -> Refusal | None:
    """The advance is requested on or before the window's advance-request deadline."""
    return _deadline_refusal(
        "ADVANCE_REQUEST_LATE", "demande d'avance", window.advance_request_deadline, request_date
    )


def balance_request_refusal(window: WindowRef, request_date: date) -> Refusal | None:
    """The balance is requested on or before the window's balance-request deadline."""
    return _deadline_refusal(
        "BALANCE_REQUEST_LATE", "demande de solde", window.balance_request_deadline, request_date
    )


def proofs_complete_refusal(window: WindowRef, proofs_complete_on: date) -> Refusal | None:
    """The software's complete proof dossier was sent on or before the window's deadline."""
    if on_time(window.proofs_complete_deadline, proofs_complete_on):
        return None
    return Refusal(
        "PROOFS_LATE",
        f"Le dossier complet de preuves a été déposé le {_fr(proofs_complete_on)}, après la date "
        f"limite du {_fr(window.proofs_complete_deadline)} ({window.label}) : ce devis n'est "
        "pas finançable dans cette fenêtre.",
    )


def service_completion_refusal(window: WindowRef, completion_date: date) -> Refusal | None:
    """The service was finalised (declared in working order) on or before the window's deadline."""
    if on_time(window.service_completion_deadline, completion_date):
        return None
    return Refusal(
        "SERVICE_LATE",
        f"La prestation a été finalisée le {_fr(completion_date)}, après la date limite du "
        f"{_fr(window.service_completion_deadline)} : le solde n'est pas finançable.",
    )


# --- Tiers (barème) ------------------------------------------------------------------------------


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
    the syntax of `segur_funding.quotes.rules.patterns`: the item is read in a label when one of
    `patterns` matches, one of `requires` too (when given), and none of `exceptions`.
    """

    code: str
    kind: str
    name: str
    patterns: tuple[str, ...]
    requires: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()


class ConditionWordingKind:
    """What a wording of a conditional offer does (SPEC §3.4: the Prestation may not be
    conditioned on a re-engagement nor on a new contractual option). Plain strings."""

    TRIGGER = "trigger"  # puts a condition (« sous réserve de », « conditionné à »)
    DEMAND = "demand"  # what a condition asks of the client (« souscription », « option »)
    ALWAYS = "always"  # a condition by itself (« réengagement », « option obligatoire »)
    ALLOWED = "allowed"  # not a condition put on the client (« obtention du référencement »)

    ALL = (TRIGGER, DEMAND, ALWAYS, ALLOWED)


@dataclass(frozen=True, slots=True)
class ConditionWordingRef:
    """A wording of conditional offers and its role (reference data edited by ANS).

    The checker reads an offer as conditioned when an `always` wording appears, or a `trigger`
    followed within a few words by a `demand`; `allowed` wordings (the referencing condition of
    §3.2, « conditions générales ») are not conditions put on the client. A wording after a
    negation (« sans », « n'est pas », « aucun », « ni ») does not count. Patterns follow the
    syntax of `segur_funding.quotes.rules.patterns`.
    """

    code: str
    kind: str
    name: str
    patterns: tuple[str, ...]
