"""The lifecycle table and the phase clocks, without a database."""

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segur_funding.core.errors import DomainError
from segur_funding.referencing import rules
from segur_funding.referencing.constants import (
    Actor,
    ClockPhase,
    DossierAction,
    DossierStatus,
    ProofStatus,
)

S, A = DossierStatus, DossierAction

HAPPY_PATH = [
    (S.DRAFT, A.SUBMIT_CANDIDATURE, Actor.EDITOR, S.CANDIDATURE_SUBMITTED),
    (S.CANDIDATURE_SUBMITTED, A.DECLARE_ELIGIBLE, Actor.ANS, S.ELIGIBLE),
    (S.ELIGIBLE, A.START_PROOFS, Actor.EDITOR, S.PROOFS_IN_PROGRESS),
    (S.PROOFS_IN_PROGRESS, A.SUBMIT_PROOFS, Actor.EDITOR, S.PROOFS_SUBMITTED),
    (S.PROOFS_SUBMITTED, A.START_REVIEW, Actor.ANS, S.UNDER_REVIEW),
    (S.UNDER_REVIEW, A.REQUEST_CORRECTION, Actor.ANS, S.CORRECTION_REQUESTED),
    (S.CORRECTION_REQUESTED, A.RESUBMIT_PROOFS, Actor.EDITOR, S.PROOFS_RESUBMITTED),
    (S.PROOFS_RESUBMITTED, A.START_REVIEW, Actor.ANS, S.UNDER_REVIEW),
    (S.UNDER_REVIEW, A.GRANT, Actor.ANS, S.REFERENCED),
]


def test_rules_module_is_pure():
    source = Path(rules.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not [m for m in imported if m.startswith(("django.db", "django.conf"))]
    assert ".models" not in imported and "models" not in imported


@pytest.mark.parametrize(("state", "action", "actor", "expected"), HAPPY_PATH)
def test_the_whole_journey_is_allowed(state, action, actor, expected):
    assert rules.transition(state, action, actor) == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [(A.DECLARE_INELIGIBLE, S.INELIGIBLE), (A.DECLARE_ELIGIBLE, S.ELIGIBLE)],
)
def test_ans_decides_eligibility(action, expected):
    assert rules.transition(S.CANDIDATURE_SUBMITTED, action, Actor.ANS) == expected


def test_ans_refuses_during_review():
    assert rules.transition(S.UNDER_REVIEW, A.REFUSE, Actor.ANS) == S.REFUSED


def test_editor_cannot_declare_itself_eligible_and_the_message_is_french():
    with pytest.raises(DomainError) as exc:
        rules.transition(S.CANDIDATURE_SUBMITTED, A.DECLARE_ELIGIBLE, Actor.EDITOR)
    assert exc.value.code == "ACTOR_NOT_ALLOWED"
    assert "réservée au rôle Instructeur ANS" in exc.value.message


def test_granting_a_draft_is_an_illegal_move():
    with pytest.raises(DomainError) as exc:
        rules.transition(S.DRAFT, A.GRANT, Actor.ANS)
    assert exc.value.code == "ILLEGAL_TRANSITION"
    assert exc.value.message == (
        "Action impossible : « Accorder le référencement » n'est pas possible pour un dossier au "
        "statut « Brouillon »."
    )


@pytest.mark.parametrize("state", sorted(rules.TERMINAL_STATUSES))
@pytest.mark.parametrize("action", list(DossierAction))
def test_closed_dossiers_never_move(state, action):
    for actor in (Actor.EDITOR, Actor.ANS):
        with pytest.raises(DomainError, match="le dossier est clos"):
            rules.transition(state, action, actor)


@given(
    state=st.sampled_from(list(DossierStatus)),
    action=st.sampled_from(list(DossierAction)),
    actor=st.sampled_from([Actor.EDITOR, Actor.ANS, Actor.SYSTEM]),
)
def test_transition_either_follows_the_table_or_refuses_in_french(state, action, actor):
    entry = rules.TRANSITIONS.get((state, action))
    if entry is not None and actor in entry.actors:
        assert rules.transition(state, action, actor) == entry.to
    else:
        with pytest.raises(DomainError) as exc:
            rules.transition(state, action, actor)
        assert exc.value.message.startswith(("Action impossible", "Action refusée"))


def test_every_status_is_reachable_from_draft():
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        state = frontier.pop()
        for (from_state, _), step in rules.TRANSITIONS.items():
            if from_state == state and step.to not in reached:
                reached.add(step.to)
                frontier.append(step.to)
    assert reached == set(DossierStatus)


def test_available_actions_per_actor():
    assert rules.available_actions(S.UNDER_REVIEW, Actor.ANS) == [
        A.REQUEST_CORRECTION, A.GRANT, A.REFUSE,
    ]
    assert rules.available_actions(S.UNDER_REVIEW, Actor.EDITOR) == []
    assert rules.available_actions(S.CORRECTION_REQUESTED, Actor.EDITOR) == [A.RESUBMIT_PROOFS]


def test_actor_for_prefers_the_role_allowed_for_the_action():
    assert rules.actor_for(A.GRANT, {Actor.EDITOR, Actor.ANS}) == Actor.ANS
    assert rules.actor_for(A.SUBMIT_PROOFS, {Actor.EDITOR, Actor.ANS}) == Actor.EDITOR
    assert rules.actor_for(A.GRANT, {Actor.EDITOR}) is None
    assert rules.actor_for(A.GRANT, set()) is None


def test_uploads_are_closed_while_ans_instructs():
    rules.upload_check(S.CORRECTION_REQUESTED)
    rules.upload_check(S.DRAFT)
    for state in (S.PROOFS_SUBMITTED, S.UNDER_REVIEW, S.REFERENCED):
        with pytest.raises(DomainError, match="Dépôt impossible"):
            rules.upload_check(state)


def test_proofs_cannot_be_sent_with_a_mandatory_requirement_without_file():
    proofs = [
        rules.ProofState("EX-1", True, 1, ProofStatus.SUBMITTED),
        rules.ProofState("EX-2", True, 0),
        rules.ProofState("EX-3", False, 0),
    ]
    with pytest.raises(DomainError) as exc:
        rules.proofs_complete_check(proofs)
    assert exc.value.message == (
        "Dépôt impossible : 1 exigence(s) obligatoire(s) sans preuve : EX-2."
    )
    rules.proofs_complete_check(proofs[:1] + proofs[2:])


def test_proofs_cannot_be_sent_with_an_empty_checklist_or_an_unreplaced_rejection():
    with pytest.raises(DomainError, match="REM"):
        rules.proofs_complete_check([])
    with pytest.raises(DomainError, match="rejetée"):
        rules.proofs_complete_check([rules.ProofState("EX-1", True, 1, ProofStatus.REJECTED)])


def test_grant_needs_every_mandatory_proof_accepted():
    accepted = rules.ProofState("EX-1", True, 1, ProofStatus.ACCEPTED)
    optional_missing = rules.ProofState("EX-9", False, 0, ProofStatus.MISSING)
    rules.grant_check([accepted, optional_missing])
    with pytest.raises(DomainError, match="EX-2"):
        rules.grant_check([accepted, rules.ProofState("EX-2", True, 1, ProofStatus.SUBMITTED)])
    with pytest.raises(DomainError, match="EX-9"):
        rules.grant_check([accepted, rules.ProofState("EX-9", False, 1, ProofStatus.REJECTED)])


# --- Clocks --------------------------------------------------------------------------------------

D0 = date(2026, 1, 5)


def test_eligibility_clock_counts_seven_days_from_the_candidature():
    clock = rules.phase_clock(
        status=S.CANDIDATURE_SUBMITTED,
        today=D0 + timedelta(days=3),
        candidature_submitted_on=D0,
        proofs_complete_on=None,
    )
    assert clock.phase == ClockPhase.ELIGIBILITY
    assert (clock.budget_days, clock.elapsed_days, clock.days_left) == (7, 3, 4)
    assert not clock.overdue and not clock.paused


def test_instruction_clock_is_overdue_after_42_days():
    clock = rules.phase_clock(
        status=S.UNDER_REVIEW,
        today=D0 + timedelta(days=45),
        candidature_submitted_on=D0 - timedelta(days=30),
        proofs_complete_on=D0,
    )
    assert clock.phase == ClockPhase.INSTRUCTION
    assert clock.days_left == -3 and clock.overdue


def test_instruction_clock_pauses_during_a_correction_and_budgets_are_arguments():
    pauses = [rules.Period(D0 + timedelta(days=10), D0 + timedelta(days=20))]
    clock = rules.phase_clock(
        status=S.UNDER_REVIEW,
        today=D0 + timedelta(days=30),
        candidature_submitted_on=None,
        proofs_complete_on=D0,
        pauses=pauses,
        instruction_days=20,
    )
    assert (clock.elapsed_days, clock.days_left) == (20, 0)
    open_pause = [rules.Period(D0 + timedelta(days=10))]
    paused = rules.phase_clock(
        status=S.CORRECTION_REQUESTED,
        today=D0 + timedelta(days=100),
        candidature_submitted_on=None,
        proofs_complete_on=D0,
        pauses=open_pause,
    )
    assert paused.paused and paused.elapsed_days == 10 and paused.days_left == 32


def test_no_clock_outside_the_phases():
    for state in (S.DRAFT, S.ELIGIBLE, S.PROOFS_IN_PROGRESS, S.REFERENCED, S.REFUSED):
        assert rules.phase_clock(
            status=state, today=D0, candidature_submitted_on=D0, proofs_complete_on=D0
        ) is None


def test_deadline_moves_by_closed_pauses_and_is_unknown_while_one_is_open():
    pauses = [rules.Period(D0 + timedelta(days=5), D0 + timedelta(days=8))]
    assert rules.phase_deadline(start=D0, budget_days=42, pauses=pauses) == D0 + timedelta(days=45)
    assert rules.phase_deadline(start=D0, budget_days=7) == D0 + timedelta(days=7)
    assert rules.phase_deadline(start=D0, budget_days=42, pauses=[rules.Period(D0)]) is None


offsets = st.integers(min_value=0, max_value=200)


@st.composite
def pause_lists(draw):
    result = []
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        a = draw(offsets)
        length = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=60)))
        end = None if length is None else D0 + timedelta(days=a + length)
        result.append(rules.Period(D0 + timedelta(days=a), end))
    return result


@given(start=offsets, today=offsets, pauses=pause_lists())
def test_the_clock_never_counts_a_paused_day(start, today, pauses):
    start_d, today_d = D0 + timedelta(days=start), D0 + timedelta(days=today)
    expected = 0
    day = start_d
    while day < today_d:
        paused = any(p.start <= day and (p.end is None or day < p.end) for p in pauses)
        expected += 0 if paused else 1
        day += timedelta(days=1)
    assert rules.elapsed_days(start=start_d, today=today_d, pauses=pauses) == expected


@given(start=offsets, after=st.integers(min_value=0, max_value=300), pauses=pause_lists())
def test_days_left_agrees_with_the_stored_deadline_once_pauses_are_closed(start, after, pauses):
    closed = [p for p in pauses if p.end is not None]
    start_d = D0 + timedelta(days=start)
    last = max([start_d, *(p.end for p in closed)])
    today = last + timedelta(days=after)
    deadline = rules.phase_deadline(start=start_d, budget_days=42, pauses=closed)
    left = rules.days_left(start=start_d, today=today, budget_days=42, pauses=closed)
    assert left == (deadline - today).days


def test_referencing_numbers_are_sequential_per_dsr_and_year():
    existing = ["SGL-V1-2026-0001", "SGL-V1-2026-0007", "SGL-V1-2025-0020", "LOINC-V1-2026-0099"]
    seq = rules.next_referencing_sequence(dsr_code="SGL-V1", year=2026, existing=existing)
    assert rules.referencing_number(dsr_code="SGL-V1", year=2026, sequence=seq) == "SGL-V1-2026-0008"
    assert rules.next_referencing_sequence(dsr_code="RIS-V1", year=2026, existing=existing) == 1
