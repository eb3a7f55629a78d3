"""Funding rules: milestones (advance / balance), the 120-day rule and funding-window deadlines.

Source: seed slide "Principes d'obtention du financement SONS":
- « Une commande passée avant le référencement du logiciel est éligible au financement Ségur si sa
  conclusion n'est pas antérieure de plus de 120 jours calendaires à la date d'envoi par l'éditeur
  du dossier complet des preuves de conformité. »
- « Vous devez signer le devis avant le 15 juillet 2022 ce qui déclenche le paiement de 30 % à
  l'éditeur et la prestation doit être finalisée avant le 15 octobre 2022 pour déclencher les 70 %
  restants. »
Window deadlines beyond these two dates come from later public ANS/ASP notices (see the reference
fixture); every deadline is strict: the deadline day itself is on time, the day after is late.

Pure: no ORM, no settings, no I/O. Dates are arguments, never read from a clock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from segur_funding.core.errors import InvalidInput
from segur_funding.core.money import CENT
from segur_funding.referential.rules import WindowRef

DEFAULT_ADVANCE_RATE = Decimal("0.30")
DEFAULT_PREORDER_MAX_DAYS = 120
_ZERO_RATE = Decimal(0)
_FULL_RATE = Decimal(1)


# --- Milestones (30 % advance, 70 % balance) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Milestones:
    advance: Decimal
    balance: Decimal


def milestones(funded_ttc: Decimal, advance_rate: Decimal = DEFAULT_ADVANCE_RATE) -> Milestones:
    """Split a funded amount into the advance (rate × funded, half-up to the cent) and the balance.

    The balance is what is left, so the two always add up to the funded amount exactly.
    """
    if funded_ttc < 0:
        raise InvalidInput("Le montant financé ne peut pas être négatif.")
    if not _ZERO_RATE <= advance_rate <= _FULL_RATE:
        raise InvalidInput("La part de l'avance doit être comprise entre 0 et 1.")
    funded = funded_ttc.quantize(CENT, rounding=ROUND_HALF_UP)
    advance = (funded * advance_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return Milestones(advance=advance, balance=funded - advance)


def advance_refusal(*, advance_paid: bool, refused: bool) -> str | None:
    """Why the advance may not be paid now (French), or None when it may."""
    if refused:
        return "La demande de financement a été refusée : aucune avance ne peut être versée."
    if advance_paid:
        return "L'avance a déjà été versée : elle n'est versée qu'une fois."
    return None


def balance_refusal(*, advance_paid: bool, refused: bool, balance_paid: bool = False) -> str | None:
    """Why the balance may not be paid now (French), or None when it may.

    The balance is never paid before the advance, nor after a refusal, and only once (SPEC §3.3).
    """
    if refused:
        return "La demande de financement a été refusée : aucun solde ne peut être versé."
    if not advance_paid:
        return "Le solde ne peut pas être versé avant l'avance."
    if balance_paid:
        return "Le solde a déjà été versé : il n'est versé qu'une fois."
    return None


def advance_allowed(*, advance_paid: bool, refused: bool) -> bool:
    return advance_refusal(advance_paid=advance_paid, refused=refused) is None


def balance_allowed(*, advance_paid: bool, refused: bool, balance_paid: bool = False) -> bool:
    return (
        balance_refusal(advance_paid=advance_paid, refused=refused, balance_paid=balance_paid)
        is None
    )


# --- The 120-day rule -------------------------------------------------------------------------


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


# --- Payment dates ----------------------------------------------------------------------------


PAYMENT_IN_FUTURE_MESSAGE = "La date de versement ne peut pas être dans le futur."


def payment_date_refusal(*, paid_on: date, validated_on: date | None, today: date) -> str | None:
    """Why a payment cannot be dated `paid_on`, or None.

    The ASP pays a request it has validated: the transfer is dated between that decision
    (Europe/Paris day) and today, both days included. The admin form, the API, the service and
    the batch import of payments ask this one function.
    """
    if paid_on > today:
        return PAYMENT_IN_FUTURE_MESSAGE
    if validated_on is not None and paid_on < validated_on:
        return (
            f"La date de versement ({paid_on:%d/%m/%Y}) ne peut pas précéder la validation de la "
            f"demande ({validated_on:%d/%m/%Y})."
        )
    return None


def ordered_before_referencing(*, order_date: date, referenced_on: date | None) -> bool:
    """An order concluded before the software is referenced (or while it is not referenced)."""
    return referenced_on is None or order_date < referenced_on


def preorder_eligibility(
    *,
    order_date: date,
    referenced_on: date | None,
    proofs_complete_on: date | None,
    today: date,
    max_days: int = DEFAULT_PREORDER_MAX_DAYS,
) -> PreorderStatus:
    """Where an order stands under the 120-day rule (SPEC §3.2).

    120 days exactly between the order and the complete proof dossier is eligible, 121 is not.
    While the dossier is not complete the order is pending until order date + max_days; past that
    day with the dossier still incomplete, the order can no longer become eligible.
    """
    if not ordered_before_referencing(order_date=order_date, referenced_on=referenced_on):
        return PreorderStatus(state=PreorderState.NOT_CONCERNED)
    deadline = order_date + timedelta(days=max_days)
    if proofs_complete_on is not None:
        days = (proofs_complete_on - order_date).days
        state = PreorderState.ELIGIBLE if days <= max_days else PreorderState.TOO_EARLY
        return PreorderStatus(state=state, deadline=deadline, days=days)
    days = (today - order_date).days
    if today > deadline:
        return PreorderStatus(
            state=PreorderState.TOO_EARLY, deadline=deadline, days=days, lapsed=True
        )
    return PreorderStatus(state=PreorderState.PENDING, deadline=deadline, days=days)


# --- Funding windows --------------------------------------------------------------------------


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


def signed_after_deadline(windows: Iterable[WindowRef], signature_date: date) -> bool:
    return signature_late_window(windows, signature_date) is not None


def advance_request_on_time(window: WindowRef, request_date: date) -> bool:
    return on_time(window.advance_request_deadline, request_date)


def proofs_complete_on_time(window: WindowRef, proofs_complete_on: date) -> bool:
    return on_time(window.proofs_complete_deadline, proofs_complete_on)


def service_completed_on_time(window: WindowRef, completion_date: date) -> bool:
    return on_time(window.service_completion_deadline, completion_date)


def balance_request_on_time(window: WindowRef, request_date: date) -> bool:
    return on_time(window.balance_request_deadline, request_date)
