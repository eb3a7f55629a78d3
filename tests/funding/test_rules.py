"""Funding rules: milestones, the order of payments, the funding request workflow. No database."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.funding.constants import Actor, Milestone, RequestAction, RequestStatus
from segur_funding.funding.rules import (
    WORKFLOW,
    BalanceFacts,
    MilestoneFacts,
    advance_filing_refusal,
    advance_refusal,
    balance_refusal,
    balance_request_refusal,
)
from segur_funding.referential.rules import milestones

RATE = Decimal("0.30")  # the seed AF's advance rate, as the fixture publishes it
cents = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000000"), places=2, allow_nan=False)


# --- Milestones (referential.rules: the AF's split, shown by the checker, paid by funding) -------


def test_milestones_of_tier_b_cap_are_30_and_70_percent():
    split = milestones(Decimal("32940.00"), RATE)
    assert split.advance == Decimal("9882.00")
    assert split.balance == Decimal("23058.00")


def test_milestones_round_the_advance_half_up_to_the_cent():
    # 30 % of 0.05 is 0.015: half-up gives 0.02, and the balance takes the rest.
    split = milestones(Decimal("0.05"), RATE)
    assert (split.advance, split.balance) == (Decimal("0.02"), Decimal("0.03"))


def test_milestones_use_the_scheme_rate():
    split = milestones(Decimal("1000.00"), Decimal("0.25"))
    assert (split.advance, split.balance) == (Decimal("250.00"), Decimal("750.00"))


def test_milestones_refuse_a_negative_amount():
    with pytest.raises(InvalidInput, match="négatif"):
        milestones(Decimal("-1.00"), RATE)


@given(cents)
def test_advance_and_balance_always_add_up_to_the_funded_amount(funded):
    split = milestones(funded, RATE)
    assert split.advance + split.balance == funded
    assert split.advance >= 0 and split.balance >= 0


@given(cents)
def test_advance_is_30_percent_rounded_half_up(funded):
    expected = (funded * Decimal("0.30")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert milestones(funded, RATE).advance == expected
    assert milestones(funded, RATE).advance.as_tuple().exponent == -2


@given(cents, st.decimals(min_value=0, max_value=1, places=3))
def test_milestones_add_up_for_any_rate(funded, rate):
    split = milestones(funded, rate)
    assert split.advance + split.balance == funded


# --- Milestone order --------------------------------------------------------------------------


def test_balance_refused_before_advance_paid():
    assert balance_refusal(advance_paid=False, refused=False) == (
        "Le solde ne peut pas être versé avant l'avance."
    )


def test_balance_refused_after_a_refusal():
    assert "refusée" in balance_refusal(advance_paid=True, refused=True)


def test_balance_paid_only_once():
    assert balance_refusal(advance_paid=True, refused=False) is None
    assert "une fois" in balance_refusal(advance_paid=True, refused=False, balance_paid=True)


def test_advance_paid_only_once_and_never_after_refusal():
    assert advance_refusal(advance_paid=False, refused=False) is None
    assert "une fois" in advance_refusal(advance_paid=True, refused=False)
    assert "refusée" in advance_refusal(advance_paid=False, refused=True)


# --- May the balance be filed -----------------------------------------------------------------


def test_balance_request_waits_for_the_advance_then_for_the_delivery():
    assert balance_request_refusal(BalanceFacts(advance_paid=False, refused=False)).code == (
        "BALANCE_NOT_ALLOWED"
    )
    waiting = BalanceFacts(advance_paid=True, refused=False, delivered=False)
    assert balance_request_refusal(waiting).code == "NOT_DELIVERED"
    assert balance_request_refusal(BalanceFacts(advance_paid=True, refused=False)) is None


def test_balance_request_is_filed_once_and_never_after_a_refusal():
    twice = BalanceFacts(advance_paid=True, refused=False, balance_requested=True)
    assert balance_request_refusal(twice).code == "DUPLICATE_REQUEST"
    refused = BalanceFacts(advance_paid=True, refused=True)
    assert "refusée" in balance_request_refusal(refused).message


# --- Workflow ---------------------------------------------------------------------------------


def test_asp_actions_on_a_submitted_request_are_the_three_decisions():
    assert WORKFLOW.available_actions(RequestStatus.SUBMITTED, Actor.ASP) == [
        RequestAction.VALIDATE,
        RequestAction.SEND_BACK,
        RequestAction.REFUSE,
    ]
    assert WORKFLOW.available_actions(RequestStatus.SUBMITTED, Actor.EDITOR) == []
    assert WORKFLOW.available_actions(RequestStatus.VALIDATED, Actor.ASP) == [RequestAction.PAY]
    assert WORKFLOW.available_actions(RequestStatus.REFUSED, Actor.ASP) == []


def test_editor_may_not_validate_and_asp_may_not_resubmit():
    with pytest.raises(DomainError) as exc:
        WORKFLOW.transition(RequestStatus.SUBMITTED, RequestAction.VALIDATE, Actor.EDITOR)
    assert exc.value.code == "ACTOR_NOT_ALLOWED"
    with pytest.raises(DomainError) as exc:
        WORKFLOW.transition(RequestStatus.TO_MODIFY, RequestAction.RESUBMIT, Actor.ASP)
    assert exc.value.code == "ACTOR_NOT_ALLOWED"


def test_a_refused_request_moves_no_more():
    with pytest.raises(DomainError) as exc:
        WORKFLOW.transition(RequestStatus.REFUSED, RequestAction.VALIDATE, Actor.ASP)
    assert exc.value.code == "ILLEGAL_TRANSITION"
    assert "Refusée" in exc.value.message


def test_balance_validated_or_paid_only_after_the_advance_is_paid():
    unpaid = MilestoneFacts(milestone=Milestone.BALANCE, advance_paid=False, refused=False)
    for state, action in (
        (RequestStatus.SUBMITTED, RequestAction.VALIDATE),
        (RequestStatus.VALIDATED, RequestAction.PAY),
    ):
        with pytest.raises(DomainError, match="avant l'avance") as exc:
            WORKFLOW.transition(state, action, Actor.ASP, unpaid)
        assert exc.value.code == "BALANCE_NOT_ALLOWED"
    paid = MilestoneFacts(milestone=Milestone.BALANCE, advance_paid=True, refused=False)
    assert WORKFLOW.transition(RequestStatus.VALIDATED, RequestAction.PAY, Actor.ASP, paid) == (
        RequestStatus.PAID
    )


def test_every_action_of_the_table_has_a_french_label():
    assert set(WORKFLOW.actions()) == set(RequestAction.values)
    assert all(WORKFLOW.action_label(a) != a for a in WORKFLOW.actions())


def test_advance_is_filed_once_for_a_signed_quote():
    assert advance_filing_refusal(quote_signed=False, advance_requested=False).code == (
        "QUOTE_NOT_SIGNED"
    )
    assert advance_filing_refusal(quote_signed=True, advance_requested=True).code == (
        "DUPLICATE_REQUEST"
    )
    assert advance_filing_refusal(quote_signed=True, advance_requested=False) is None
