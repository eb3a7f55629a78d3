"""The lifecycle of a quote, as data: the editor drafts, issues or cancels it; the lab signs it
inside a funding window and declares the service in working order.

Source: seed slide "Principes d'obtention du financement SONS" (« Vous devez signer le devis avant
le 15 juillet 2022 … ») and SPEC §2 (each window deadline strict to the day). Same shape as every
workflow of the application (`core.workflow`): (from, action) -> Step(to, actors, guard).

Pure: no ORM, no settings, no I/O; the signature date is part of the guard's facts.
"""

from dataclasses import dataclass
from datetime import date

from segur_funding.core.workflow import Refusal, Step, Workflow, labeller
from segur_funding.referential.rules import WindowRef, signature_refusal

from ..constants import NextStep, QuoteAction, QuoteActor, QuoteOrigin, QuoteStatus

Q = QuoteStatus
ACT = QuoteAction


@dataclass(frozen=True, slots=True)
class SignatureFacts:
    """What the signature guard judges: how the quote was made, the AF's windows, the day."""

    origin: str
    windows: tuple[WindowRef, ...] | None  # None: the DSR has no AF (no barème) published
    signature_date: date


def signature_guard(facts: SignatureFacts) -> Refusal | None:
    """Only a quote written here is signed here, and only on a day a funding window holds."""
    if facts.origin != QuoteOrigin.WEB:
        return Refusal(
            "ILLEGAL_TRANSITION",
            "Un devis déposé en PDF se signe avec l'éditeur : seul un devis rédigé dans "
            "segur_funding peut être signé ici.",
        )
    if facts.windows is None:
        return Refusal("NO_SCHEME", "Aucun barème n'est publié pour ce DSR.")
    return signature_refusal(facts.windows, facts.signature_date)


_EDITOR = frozenset({QuoteActor.EDITOR})
_LAB = frozenset({QuoteActor.LAB})

TRANSITIONS: dict[tuple[QuoteStatus, QuoteAction], Step] = {
    (Q.DRAFT, ACT.ISSUE): Step(Q.ISSUED, _EDITOR),
    (Q.DRAFT, ACT.CANCEL): Step(Q.CANCELLED, _EDITOR),
    (Q.ISSUED, ACT.CANCEL): Step(Q.CANCELLED, _EDITOR),
    (Q.ISSUED, ACT.SIGN): Step(Q.SIGNED, _LAB, signature_guard),
    (Q.SIGNED, ACT.DECLARE_DELIVERY): Step(Q.DELIVERED, _LAB),
}

_PARTICIPLE = {
    ACT.ISSUE: "émis",
    ACT.CANCEL: "annulé",
    ACT.SIGN: "signé",
    ACT.DECLARE_DELIVERY: "déclaré en ordre de marche",
}

WORKFLOW = Workflow(
    table=TRANSITIONS,
    status_label=labeller(QuoteStatus),
    action_label=labeller(QuoteAction),
    actor_label=labeller(QuoteActor),
    illegal=lambda state, action: (
        f"Ce devis est « {labeller(QuoteStatus)(state)} » : il ne peut pas être "
        f"{_PARTICIPLE.get(action, 'modifié')}."
    ),
)


# --- What the quote's funding waits for after a move of the quote -----------------------------


def next_step_after(*, to: str, origin: str, current: str) -> str:
    """`Quote.next_step` once the quote moved to `to` (the funding requests' moves keep it too:
    `funding.rules.quote_next_step`, which gives the same answer from the whole state).

    Signing opens the funding of a quote written here: the editor asks for the advance. Declaring
    the delivery releases a balance that only waited for it (advance already paid). Cancelling
    closes everything; other moves change nothing the funding waits for.
    """
    if to == Q.SIGNED:
        return NextStep.ADVANCE if origin == QuoteOrigin.WEB else NextStep.NONE
    if to == Q.DELIVERED and current == NextStep.DELIVERY:
        return NextStep.BALANCE
    if to == Q.CANCELLED:
        return NextStep.NONE
    return current
