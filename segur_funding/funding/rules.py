"""Funding rules: the order of payments and the funding request workflow.

Source: seed slide "Principes d'obtention du financement SONS" (« signer le devis … déclenche le
paiement de 30 % à l'éditeur et la prestation doit être finalisée … pour déclencher les 70 %
restants ») and the ASP answers to a request: "validée", "à modifier", "décidée et payée" (SPEC §2,
§3.3). The 30 % is the AF's `advance_rate`; the split into advance and balance (`milestones`), the
120-day rule and the window deadlines are AF rules, in `referential.rules`.

Pure: no ORM, no settings, no I/O. Dates are arguments, never read from a clock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from segur_funding.core.money import CENT
from segur_funding.core.workflow import Refusal, Step, Workflow, labeller
from segur_funding.organizations.constants import BankAccountStatus
from segur_funding.quotes.constants import NextStep, QuoteOrigin, QuoteStatus

from .constants import Actor, AnswerPart, CorrectionReason, Milestone, RequestAction, RequestStatus


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


# --- The funding request workflow ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MilestoneFacts:
    """What the guards of a decision or a payment know of the quote's milestones."""

    milestone: str
    advance_paid: bool
    refused: bool  # a request of this quote was refused
    balance_paid: bool = False


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


def milestone_guard(facts: MilestoneFacts | None) -> Refusal | None:
    """An advance is paid once and never after a refusal; the balance only after the advance,
    never after a refusal, once (SPEC §3.3). Validating and paying are judged alike."""
    if facts is None:
        return None
    if facts.milestone == Milestone.BALANCE:
        message = balance_refusal(
            advance_paid=facts.advance_paid, refused=facts.refused, balance_paid=facts.balance_paid
        )
        return Refusal("BALANCE_NOT_ALLOWED", message) if message else None
    message = advance_refusal(advance_paid=facts.advance_paid, refused=facts.refused)
    return Refusal("ADVANCE_NOT_ALLOWED", message) if message else None


R = RequestStatus
ACT = RequestAction
_EDITOR = frozenset({Actor.EDITOR})
_ASP = frozenset({Actor.ASP})

# (from status, action) -> Step(to status, who, guard). Anything not listed is refused.
TRANSITIONS: dict[tuple[RequestStatus, RequestAction], Step] = {
    (R.DRAFT, ACT.SUBMIT): Step(R.SUBMITTED, _EDITOR),
    (R.SUBMITTED, ACT.VALIDATE): Step(R.VALIDATED, _ASP, milestone_guard),
    (R.SUBMITTED, ACT.SEND_BACK): Step(R.TO_MODIFY, _ASP),
    (R.SUBMITTED, ACT.REFUSE): Step(R.REFUSED, _ASP),
    (R.TO_MODIFY, ACT.RESUBMIT): Step(R.RESUBMITTED, _EDITOR),
    (R.RESUBMITTED, ACT.VALIDATE): Step(R.VALIDATED, _ASP, milestone_guard),
    (R.RESUBMITTED, ACT.SEND_BACK): Step(R.TO_MODIFY, _ASP),
    (R.RESUBMITTED, ACT.REFUSE): Step(R.REFUSED, _ASP),
    (R.VALIDATED, ACT.PAY): Step(R.PAID, _ASP, milestone_guard),
}

WORKFLOW = Workflow(
    table=TRANSITIONS,
    status_label=labeller(RequestStatus),
    action_label=labeller(RequestAction),
    actor_label=labeller(Actor),
    illegal=lambda state, action: (
        f"Action impossible : « {labeller(RequestAction)(action)} » n'est pas possible pour une "
        f"demande « {labeller(RequestStatus)(state)} »."
    ),
)


# --- What the quote waits for once its requests moved ---------------------------------------------

# A request in this status makes its quote wait for this step. A draft is filed in the same
# transaction as it is created (it never stays one): nothing waits on it. A refusal closes the
# quote's funding (SPEC §3.3: nothing is paid after a refusal).
REQUEST_NEXT_STEP: dict[str, NextStep] = {
    R.DRAFT: NextStep.NONE,
    R.SUBMITTED: NextStep.REVIEW,
    R.RESUBMITTED: NextStep.REVIEW,
    R.TO_MODIFY: NextStep.CORRECTION,
    R.VALIDATED: NextStep.PAYMENT,
    R.REFUSED: NextStep.NONE,
    R.PAID: NextStep.NONE,
}


def quote_next_step(*, quote_status: str, origin: str, advance: str | None, balance: str | None) -> NextStep:
    """What the funding of a quote waits for (`Quote.next_step`), from the quote's status and
    origin and the status of its advance and balance requests (None: not filed).

    Called after every move of a request (the service writes it in the same transaction), by the
    data migration that filled the column and by the benchmark generator: one answer for all.
    Only a quote written here and signed has a funding path; the advance comes first, then the
    balance once the advance is paid and the lab declared the delivery.
    """
    if origin != QuoteOrigin.WEB or quote_status not in (QuoteStatus.SIGNED, QuoteStatus.DELIVERED):
        return NextStep.NONE
    if advance is None:
        return NextStep.ADVANCE
    if advance != R.PAID:
        return REQUEST_NEXT_STEP[advance]
    if balance is None:
        return NextStep.BALANCE if quote_status == QuoteStatus.DELIVERED else NextStep.DELIVERY
    return REQUEST_NEXT_STEP[balance]


# --- May the editor file a request now? ---------------------------------------------------------


def advance_filing_refusal(*, quote_signed: bool, advance_requested: bool) -> Refusal | None:
    """Why the editor may not file the advance now, or None (service, API and quote page)."""
    if not quote_signed:
        return Refusal(
            "QUOTE_NOT_SIGNED", "Le devis doit être signé par le client avant la demande d'avance."
        )
    if advance_requested:
        return Refusal(
            "DUPLICATE_REQUEST",
            "Une demande d'avance existe déjà pour ce devis : l'avance n'est demandée qu'une fois.",
        )
    return None


@dataclass(frozen=True, slots=True)
class BalanceFacts:
    """What the editor's quote says about its balance, as plain values."""

    advance_paid: bool
    refused: bool  # a request of this quote was refused
    balance_requested: bool = False
    balance_paid: bool = False
    delivered: bool = True  # the lab declared the service in working order


def balance_request_refusal(facts: BalanceFacts) -> Refusal | None:
    """Why the editor may not file the balance now, or None: the one answer of the service, the
    API and the quote page (which shows it as what the balance waits for)."""
    message = balance_refusal(
        advance_paid=facts.advance_paid, refused=facts.refused, balance_paid=facts.balance_paid
    )
    if message:
        return Refusal("BALANCE_NOT_ALLOWED", message)
    if facts.balance_requested:
        return Refusal(
            "DUPLICATE_REQUEST",
            "Une demande de solde existe déjà pour ce devis : le solde n'est demandé qu'une fois.",
        )
    if not facts.delivered:
        return Refusal(
            "NOT_DELIVERED",
            "Le client n'a pas encore déclaré la mise en ordre de marche : le solde ne peut pas "
            "être demandé.",
        )
    return None


# --- Answering an "à modifier" ------------------------------------------------------------------

R_ = CorrectionReason
P = AnswerPart

# What answers each reason the ASP may give (SPEC §2: the ASP answers a request "à modifier", the
# editor corrects it and files it again). The editor's form, the API and the service read this one
# table: the form asks for exactly these parts, the service refuses an answer missing one. The
# explanation ("ce qui a été corrigé") is always asked, so "Autre" needs nothing more.
CORRECTION_ANSWERS: dict[CorrectionReason, tuple[AnswerPart, ...]] = {
    R_.QUOTE_MISSING: (P.SIGNED_QUOTE,),
    R_.SIGNATURE_MISSING: (P.SIGNED_QUOTE,),
    R_.AMOUNT_MISMATCH: (P.AMOUNT,),
    R_.INVOICE_MISSING: (P.INVOICE,),
    R_.INVOICE_MISMATCH: (P.INVOICE,),
    R_.DELIVERY_PROOF: (P.DELIVERY_DECLARATION,),
    R_.BANK_DETAILS: (P.BANK_DETAILS,),
    R_.CLIENT_IDENTITY: (P.CLIENT_IDENTITY,),
    R_.OTHER: (),
}

ANSWER_MISSING: dict[AnswerPart, str] = {
    P.SIGNED_QUOTE: "Joignez le devis signé et daté par le client (PDF) : l'ASP l'a demandé.",
    P.INVOICE: "Joignez la facture corrigée (PDF) : l'ASP l'a demandée.",
    P.DELIVERY_DECLARATION: (
        "Joignez la déclaration de vérification d'aptitude ou de mise en ordre de marche signée "
        "par le client (PDF) : l'ASP l'a demandée."
    ),
    P.AMOUNT: "Indiquez le montant corrigé : l'ASP l'a demandé.",
    P.BANK_DETAILS: (
        "Renseignez vos nouvelles coordonnées bancaires et joignez le RIB : l'ASP les a demandées."
    ),
    P.CLIENT_IDENTITY: "Indiquez l'identification corrigée du client (SIRET, FINESS) : l'ASP l'a demandée.",
}

ANSWER_COMMENT_MISSING = "Expliquez ce qui a été corrigé."


def answer_parts(reasons: Iterable[str]) -> tuple[AnswerPart, ...]:
    """The parts an answer to these reasons must carry, each once, in the form's order."""
    wanted = {part for reason in reasons for part in CORRECTION_ANSWERS.get(reason, ())}
    return tuple(part for part in AnswerPart if part in wanted)


def answer_problems(*, reasons: Iterable[str], provided: Iterable[str], comment: str) -> dict[str, str]:
    """French errors per field of an answer (empty when complete): a part asked and not given,
    a part given and not asked (the ASP checks what it asked for, nothing slips in beside it), no
    explanation."""
    parts = answer_parts(reasons)
    given = set(provided)
    errors: dict[str, str] = {}
    if not comment.strip():
        errors["comment"] = ANSWER_COMMENT_MISSING
    for part in parts:
        if part not in given:
            errors[part] = ANSWER_MISSING[part]
    for part in AnswerPart:
        if part in given and part not in parts:
            errors[part] = f"« {part.label} » n'a pas été demandé par l'ASP pour cette demande."
    return errors


def corrected_amount_refusal(*, amount: Decimal, ceiling: Decimal) -> str | None:
    """Why a corrected amount cannot be asked, or None: positive, to the cent, never above what
    the milestone allows (the advance of the funded amount, or what is left after the advance)."""
    if amount <= 0:
        return "Le montant corrigé doit être supérieur à zéro."
    if amount != amount.quantize(CENT):
        return "Le montant corrigé s'écrit au centime près (deux décimales au plus)."
    if amount > ceiling:
        return f"Le montant corrigé ne peut pas dépasser {ceiling} € TTC pour ce jalon."
    return None


def answered_bank_details_refusal(status: str | None) -> Refusal | None:
    """A request answered with new bank details is validated only once the ASP validated them
    through the bank-details flow: otherwise the payment would go to the old account."""
    if status == BankAccountStatus.PENDING:
        return Refusal(
            "BANK_DETAILS_PENDING",
            "L'éditeur a répondu avec de nouvelles coordonnées bancaires qui attendent votre "
            "validation (Coordonnées bancaires) : validez-les avant de valider la demande.",
        )
    if status == BankAccountStatus.REJECTED:
        return Refusal(
            "BANK_DETAILS_REJECTED",
            "Les coordonnées bancaires données en réponse ont été refusées : renvoyez la demande "
            "« à modifier » plutôt que de la valider.",
        )
    return None
