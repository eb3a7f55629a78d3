"""The referencing dossier lifecycle and its phase clocks, as data and pure functions.

Source: seed slide "Processus de référencement" (SPEC §1): phase 1, about one week, identification
and eligibility of the candidature (dépôt de la candidature); phase 2, about six weeks, the editor
uploads the proofs of conformity (dépôt des preuves), ANS instructs them and grants or refuses the
referencing. The date the complete proof dossier is sent is the one the 120-day rule counts from
(seed slide "Principes d'obtention du financement SONS", SPEC §3.2).

Pure: no ORM, no settings, no I/O. Dates are passed in; budgets are arguments with defaults.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from segur_funding.core.errors import DomainError
from segur_funding.core.workflow import Step, Workflow, labeller

from .constants import Actor, ClockPhase, DossierAction, DossierStatus, ProofStatus

S = DossierStatus
A = DossierAction

# About one week for the eligibility decision, about six weeks for the instruction of the proofs.
ELIGIBILITY_DAYS = 7
INSTRUCTION_DAYS = 42

# (from status, action) -> Step(to status, actors allowed to make the move): the shape every
# workflow of the application shares (`core.workflow`).
TRANSITIONS: dict[tuple[DossierStatus, DossierAction], Step] = {
    (S.DRAFT, A.SUBMIT_CANDIDATURE): Step(S.CANDIDATURE_SUBMITTED, frozenset({Actor.EDITOR})),
    (S.CANDIDATURE_SUBMITTED, A.DECLARE_ELIGIBLE): Step(S.ELIGIBLE, frozenset({Actor.ANS})),
    (S.CANDIDATURE_SUBMITTED, A.DECLARE_INELIGIBLE): Step(S.INELIGIBLE, frozenset({Actor.ANS})),
    # Kept for API clients and the history of older dossiers; the web page does not offer it:
    # files can be uploaded from the draft on, so the editor sends the proofs straight away.
    (S.ELIGIBLE, A.START_PROOFS): Step(S.PROOFS_IN_PROGRESS, frozenset({Actor.EDITOR})),
    (S.ELIGIBLE, A.SUBMIT_PROOFS): Step(S.PROOFS_SUBMITTED, frozenset({Actor.EDITOR})),
    (S.PROOFS_IN_PROGRESS, A.SUBMIT_PROOFS): Step(S.PROOFS_SUBMITTED, frozenset({Actor.EDITOR})),
    (S.PROOFS_SUBMITTED, A.START_REVIEW): Step(S.UNDER_REVIEW, frozenset({Actor.ANS})),
    (S.UNDER_REVIEW, A.REQUEST_CORRECTION): Step(S.CORRECTION_REQUESTED, frozenset({Actor.ANS})),
    (S.CORRECTION_REQUESTED, A.RESUBMIT_PROOFS): Step(
        S.PROOFS_RESUBMITTED, frozenset({Actor.EDITOR})
    ),
    (S.PROOFS_RESUBMITTED, A.START_REVIEW): Step(S.UNDER_REVIEW, frozenset({Actor.ANS})),
    (S.UNDER_REVIEW, A.GRANT): Step(S.REFERENCED, frozenset({Actor.ANS})),
    (S.UNDER_REVIEW, A.REFUSE): Step(S.REFUSED, frozenset({Actor.ANS})),
}

TERMINAL_STATUSES = frozenset({S.INELIGIBLE, S.REFERENCED, S.REFUSED})

# The editor may add or replace proof files until the proofs are sent, and again while a
# correction is requested; during the instruction the dossier ANS reads must not move under it.
UPLOAD_OPEN_STATUSES = frozenset(
    {S.DRAFT, S.CANDIDATURE_SUBMITTED, S.ELIGIBLE, S.PROOFS_IN_PROGRESS, S.CORRECTION_REQUESTED}
)
# ANS accepts or rejects proofs only while it instructs the dossier.
PROOF_REVIEW_STATUSES = frozenset({S.UNDER_REVIEW})
# The candidature (contacts, declaration of obsolete versions) is frozen once submitted.
CANDIDATURE_EDITABLE_STATUSES = frozenset({S.DRAFT})
# Statuses counted by each phase clock.
ELIGIBILITY_CLOCK_STATUSES = frozenset({S.CANDIDATURE_SUBMITTED})
INSTRUCTION_CLOCK_STATUSES = frozenset(
    {S.PROOFS_SUBMITTED, S.UNDER_REVIEW, S.CORRECTION_REQUESTED, S.PROOFS_RESUBMITTED}
)
PAUSED_STATUSES = frozenset({S.CORRECTION_REQUESTED})


def _label(enum: type, value: str) -> str:
    return labeller(enum)(value)


WORKFLOW = Workflow(
    table=TRANSITIONS,
    status_label=labeller(DossierStatus),
    action_label=labeller(DossierAction),
    actor_label=labeller(Actor),
    illegal=lambda state, action: (
        f"Action impossible : « {_label(DossierAction, action)} » n'est pas possible pour un "
        f"dossier au statut « {_label(DossierStatus, state)} »."
    ),
    terminal=TERMINAL_STATUSES,
    closed=lambda state, action: (
        f"Action impossible : le dossier est clos (statut « {_label(DossierStatus, state)} »). "
        f"« {_label(DossierAction, action)} » n'est plus possible."
    ),
)


def transition(state: str, action: str, actor: str) -> DossierStatus:
    """The status after `actor` makes `action` on a dossier in `state`; DomainError otherwise."""
    return DossierStatus(WORKFLOW.transition(state, action, actor))


def available_actions(state: str, actor: str) -> list[DossierAction]:
    """Moves `actor` may make from `state`, in the order of the table (for buttons)."""
    return [DossierAction(a) for a in WORKFLOW.available_actions(state, actor)]


def actor_for(action: str, roles: Iterable[str]) -> str | None:
    """Among the roles a user holds, the one that may make `action` (ANS first), or None."""
    return WORKFLOW.actor_for(action, roles, preference=(Actor.ANS, Actor.EDITOR))


def upload_check(state: str) -> None:
    if state not in UPLOAD_OPEN_STATUSES:
        raise DomainError(
            "Dépôt impossible : les fichiers de preuve ne peuvent plus être modifiés au statut "
            f"« {_label(DossierStatus, state)} ».",
            code="UPLOAD_CLOSED",
        )


def proof_review_check(state: str) -> None:
    if state not in PROOF_REVIEW_STATUSES:
        raise DomainError(
            "Revue impossible : les preuves s'acceptent ou se rejettent pendant l'instruction "
            f"(statut actuel « {_label(DossierStatus, state)} »). Prenez d'abord le dossier en "
            "instruction.",
            code="REVIEW_CLOSED",
        )


@dataclass(frozen=True, slots=True)
class ProofState:
    """What `proofs_complete_check` needs to know about one requirement of the checklist."""

    reference: str
    mandatory: bool
    current_files: int
    status: str = ProofStatus.MISSING


def proofs_complete_check(proofs: Sequence[ProofState]) -> None:
    """Refuse to send the proofs while the checklist is empty, a mandatory proof has no file, or
    a rejected proof has not been replaced (it would come back to ANS unchanged)."""
    if not proofs:
        raise DomainError(
            "Dépôt impossible : la liste des exigences (REM) de ce DSR est vide.",
            code="EMPTY_CHECKLIST",
        )
    missing = [p.reference for p in proofs if p.mandatory and p.current_files == 0]
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise DomainError(
            f"Dépôt impossible : {len(missing)} exigence(s) obligatoire(s) sans preuve : {shown}.",
            code="MISSING_PROOFS",
        )
    rejected = [p.reference for p in proofs if p.status == ProofStatus.REJECTED]
    if rejected:
        shown = ", ".join(rejected[:10]) + (" …" if len(rejected) > 10 else "")
        raise DomainError(
            f"Dépôt impossible : {len(rejected)} preuve(s) rejetée(s) par l'ANS n'ont pas été "
            f"remplacées : {shown}.",
            code="REJECTED_PROOFS",
        )


def grant_check(proofs: Sequence[ProofState]) -> None:
    """ANS grants the referencing once every mandatory proof is accepted and none is rejected."""
    pending = [
        p.reference
        for p in proofs
        if (p.mandatory and p.status != ProofStatus.ACCEPTED) or p.status == ProofStatus.REJECTED
    ]
    if not proofs or pending:
        shown = ", ".join(pending[:10]) + (" …" if len(pending) > 10 else "")
        raise DomainError(
            "Référencement impossible : toutes les preuves obligatoires doivent être acceptées "
            f"(à revoir : {shown or 'aucune exigence dans le dossier'}).",
            code="PROOFS_NOT_ACCEPTED",
        )


# --- Proof files sent together ------------------------------------------------------------------

# One submission of the proofs page: at most this many files, and at most this many bytes in all
# (the largest single file, a 200 MB video, plus some room; the web server caps bodies near it).
MAX_FILES_PER_SUBMISSION = 30
MAX_SUBMISSION_BYTES = 210 * 1024 * 1024

_SPLIT = re.compile(r"[^0-9a-z]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def name_tokens(text: str) -> tuple[str, ...]:
    """Lower-case words of a name without accents; letters and digits split apart, numbers
    without leading zeros: « SGL/DMP.01 », « sgl-dmp01 » and « SGL_DMP_1 » read the same."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return tuple(str(int(t)) if t.isdigit() else t for t in _SPLIT.split(plain) if t)


def _spans(haystack: tuple[str, ...], needle: tuple[str, ...]) -> list[tuple[int, int]]:
    n = len(needle)
    if n == 0:
        return []
    return [(i, i + n) for i in range(len(haystack) - n + 1) if haystack[i : i + n] == needle]


def _stem(file_name: str) -> str:
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    # « .pdf », « .mp4 »: an extension has a letter; « DMP.01 » ends with a number, not a type.
    is_extension = 0 < len(ext) <= 4 and ext.isalnum() and not ext.isdigit()
    return stem if dot and stem and is_extension else base


def match_requirement(file_name: str, references: Sequence[str]) -> str | None:
    """The requirement a proof file is for, read from its name, or None when the name names none
    or several.

    A reference matches when its words appear, in order and whole, in the file name (« EX-1 »
    is not found in « EX-11 »); the words every reference of the DSR starts with (« SGL ») may
    be left out when two words or more remain (« DMP.01 »).
    """
    words = name_tokens(_stem(file_name))
    tokens = {ref: name_tokens(ref) for ref in references}
    # The leading words shared by every reference (the DSR's prefix) are optional in file names.
    seqs = [t for t in tokens.values() if t]
    shared = 0
    while (
        len(seqs) > 1
        and all(len(t) > shared + 1 for t in seqs)
        and len({t[shared] for t in seqs}) == 1
    ):
        shared += 1
    found: list[tuple[int, int, str]] = []
    for ref, seq in tokens.items():
        found += [(a, b, ref) for a, b in _spans(words, seq)]
        # Without its prefix a reference must keep two words: « 2 » alone (of « EX-2 ») would
        # be found in any name with a number in it.
        if shared and len(seq) - shared >= 2:
            found += [(a, b, ref) for a, b in _spans(words, seq[shared:])]
    # A match inside a longer one is part of it (« EX-1 » in « EX-1.2 »); what is left must name
    # one requirement only (« DMP.01 et DMP.02 » names two: the editor chooses).
    kept = {
        ref
        for a, b, ref in found
        if not any(a2 <= a and b <= b2 and (b2 - a2) > (b - a) for a2, b2, _ in found)
    }
    return kept.pop() if len(kept) == 1 else None


@dataclass(frozen=True, slots=True)
class ProofsProgress:
    done: int
    total: int
    mandatory_missing: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.mandatory_missing == 0


def proofs_progress(proofs: Sequence[ProofState]) -> ProofsProgress:
    """« n/N preuves déposées »: requirements with at least one usable file, out of all."""
    return ProofsProgress(
        done=sum(1 for p in proofs if p.current_files > 0),
        total=len(proofs),
        mandatory_missing=sum(1 for p in proofs if p.mandatory and p.current_files == 0),
    )


# --- Stepper of the dossier page ----------------------------------------------------------------

STEPS = (
    "Candidature",
    "Éligibilité",
    "Dépôt des preuves",
    "Instruction par l'ANS",
    "Décision",
)
_STEP_OF = {
    S.DRAFT: 1,
    S.CANDIDATURE_SUBMITTED: 2,
    S.ELIGIBLE: 3,
    S.PROOFS_IN_PROGRESS: 3,
    S.CORRECTION_REQUESTED: 3,
    S.PROOFS_SUBMITTED: 4,
    S.UNDER_REVIEW: 4,
    S.PROOFS_RESUBMITTED: 4,
    S.INELIGIBLE: 5,
    S.REFERENCED: 5,
    S.REFUSED: 5,
}


@dataclass(frozen=True, slots=True)
class StepperState:
    number: int
    count: int
    title: str
    next_title: str | None


def dossier_step(state: str) -> StepperState:
    """Where the dossier stands in the five steps of the referencing (DSFR stepper)."""
    number = _STEP_OF[DossierStatus(state)]
    return StepperState(
        number=number,
        count=len(STEPS),
        title=STEPS[number - 1],
        next_title=STEPS[number] if number < len(STEPS) else None,
    )


# --- Phase clocks -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A pause of the clock: from `start` (included) to `end` (excluded); `end` None is still open."""

    start: date
    end: date | None = None


def _merged(periods: Iterable[Period], *, until: date) -> list[tuple[date, date]]:
    spans = sorted(
        (p.start, min(p.end, until) if p.end is not None else until)
        for p in periods
    )
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def paused_days(*, start: date, today: date, pauses: Iterable[Period]) -> int:
    """Days between `start` and `today` that fall inside a pause (overlaps counted once)."""
    total = 0
    for p_start, p_end in _merged(pauses, until=today):
        lo, hi = max(p_start, start), min(p_end, today)
        if hi > lo:
            total += (hi - lo).days
    return total


def elapsed_days(*, start: date, today: date, pauses: Iterable[Period] = ()) -> int:
    """Calendar days the clock has run from `start` to `today`, never counting a paused day."""
    if today <= start:
        return 0
    return (today - start).days - paused_days(start=start, today=today, pauses=pauses)


def days_left(
    *, start: date, today: date, budget_days: int, pauses: Iterable[Period] = ()
) -> int:
    """Days left before the phase is overdue; negative once it is."""
    return budget_days - elapsed_days(start=start, today=today, pauses=pauses)


def phase_deadline(
    *, start: date, budget_days: int, pauses: Iterable[Period] = ()
) -> date | None:
    """The date the phase becomes overdue, shifted by closed pauses; None while a pause is open."""
    pauses = list(pauses)
    if any(p.end is None for p in pauses):
        return None
    far = max([start, *(p.end for p in pauses if p.end is not None)])
    return start + timedelta(days=budget_days + paused_days(start=start, today=far, pauses=pauses))


@dataclass(frozen=True, slots=True)
class PhaseClock:
    phase: ClockPhase
    budget_days: int
    elapsed_days: int
    days_left: int
    paused: bool

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        return str(self.phase.label)


def phase_clock(
    *,
    status: str,
    today: date,
    candidature_submitted_on: date | None,
    proofs_complete_on: date | None,
    pauses: Sequence[Period] = (),
    eligibility_days: int = ELIGIBILITY_DAYS,
    instruction_days: int = INSTRUCTION_DAYS,
) -> PhaseClock | None:
    """The running clock of a dossier (eligibility or instruction), or None when none runs."""
    if status in ELIGIBILITY_CLOCK_STATUSES and candidature_submitted_on is not None:
        phase, start, budget, pauses = (
            ClockPhase.ELIGIBILITY,
            candidature_submitted_on,
            eligibility_days,
            (),
        )
    elif status in INSTRUCTION_CLOCK_STATUSES and proofs_complete_on is not None:
        phase, start, budget = ClockPhase.INSTRUCTION, proofs_complete_on, instruction_days
    else:
        return None
    elapsed = elapsed_days(start=start, today=today, pauses=pauses)
    return PhaseClock(
        phase=phase,
        budget_days=budget,
        elapsed_days=elapsed,
        days_left=budget - elapsed,
        paused=status in PAUSED_STATUSES,
    )


# --- Referencing numbers ------------------------------------------------------------------------


def referencing_number(*, dsr_code: str, year: int, sequence: int) -> str:
    """E.g. SGL-V1-2026-0001: the DSR, the year of the decision, a sequence per DSR and year."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{dsr_code}-{year:04d}-{sequence:04d}"


def next_referencing_sequence(*, dsr_code: str, year: int, existing: Iterable[str]) -> int:
    prefix = f"{dsr_code}-{year:04d}-"
    numbers = [
        int(n[len(prefix):]) for n in existing if n.startswith(prefix) and n[len(prefix):].isdigit()
    ]
    return max(numbers, default=0) + 1

