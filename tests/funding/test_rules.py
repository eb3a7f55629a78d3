"""Funding rules: milestones, the 120-day rule, funding windows. No database."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segur_funding.core.errors import InvalidInput
from segur_funding.funding.rules import (
    PreorderState,
    advance_allowed,
    advance_request_on_time,
    balance_allowed,
    balance_refusal,
    balance_request_on_time,
    days_late,
    milestones,
    preorder_eligibility,
    service_completed_on_time,
    signature_late_window,
    signed_after_deadline,
    window_for_signature,
)
from segur_funding.referential.rules import TierRow, WindowRef, tier_for_sites, tiers_problems

SGL_TIERS = (
    TierRow("A", 1, 1, Decimal("22500.00"), Decimal("27000.00")),
    TierRow("B", 2, 21, Decimal("27450.00"), Decimal("32940.00")),
    TierRow("C", 22, 42, Decimal("30744.00"), Decimal("36893.00")),
    TierRow("D", 43, 63, Decimal("34433.00"), Decimal("41320.00")),
    TierRow("E", 64, None, Decimal("38565.00"), Decimal("46278.00")),
)
WINDOW_1 = WindowRef(
    number=1,
    label="Fenêtre de financement 1",
    order_signature_deadline=date(2022, 7, 15),
    proofs_complete_deadline=date(2022, 5, 15),
    advance_request_deadline=date(2022, 11, 30),
    service_completion_deadline=date(2022, 10, 15),
    balance_request_deadline=date(2023, 4, 28),
)
WINDOW_2 = WindowRef(
    number=2,
    label="Fenêtre de financement 2",
    opens_on=date(2022, 9, 1),
    order_signature_deadline=date(2022, 12, 31),
)

cents = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000000"), places=2, allow_nan=False)
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


# --- Milestones -------------------------------------------------------------------------------


def test_milestones_of_tier_b_cap_are_30_and_70_percent():
    split = milestones(Decimal("32940.00"))
    assert split.advance == Decimal("9882.00")
    assert split.balance == Decimal("23058.00")


def test_milestones_round_the_advance_half_up_to_the_cent():
    # 30 % of 0.05 is 0.015: half-up gives 0.02, and the balance takes the rest.
    split = milestones(Decimal("0.05"))
    assert (split.advance, split.balance) == (Decimal("0.02"), Decimal("0.03"))


def test_milestones_use_the_scheme_rate():
    split = milestones(Decimal("1000.00"), Decimal("0.25"))
    assert (split.advance, split.balance) == (Decimal("250.00"), Decimal("750.00"))


def test_milestones_refuse_a_negative_amount():
    with pytest.raises(InvalidInput, match="négatif"):
        milestones(Decimal("-1.00"))


@given(cents)
def test_advance_and_balance_always_add_up_to_the_funded_amount(funded):
    split = milestones(funded)
    assert split.advance + split.balance == funded
    assert split.advance >= 0 and split.balance >= 0


@given(cents)
def test_advance_is_30_percent_rounded_half_up(funded):
    expected = (funded * Decimal("0.30")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert milestones(funded).advance == expected
    assert milestones(funded).advance.as_tuple().exponent == -2


@given(cents, st.decimals(min_value=0, max_value=1, places=3))
def test_milestones_add_up_for_any_rate(funded, rate):
    split = milestones(funded, rate)
    assert split.advance + split.balance == funded


# --- Milestone order --------------------------------------------------------------------------


def test_balance_refused_before_advance_paid():
    assert not balance_allowed(advance_paid=False, refused=False)
    assert balance_refusal(advance_paid=False, refused=False) == (
        "Le solde ne peut pas être versé avant l'avance."
    )


def test_balance_refused_after_a_refusal():
    assert not balance_allowed(advance_paid=True, refused=True)
    assert "refusée" in balance_refusal(advance_paid=True, refused=True)


def test_balance_paid_only_once():
    assert balance_allowed(advance_paid=True, refused=False)
    assert not balance_allowed(advance_paid=True, refused=False, balance_paid=True)


def test_advance_paid_only_once_and_never_after_refusal():
    assert advance_allowed(advance_paid=False, refused=False)
    assert not advance_allowed(advance_paid=True, refused=False)
    assert not advance_allowed(advance_paid=False, refused=True)


# --- The 120-day rule -------------------------------------------------------------------------


def _status(order, proofs, *, referenced_on=None, today=date(2023, 6, 1)):
    return preorder_eligibility(
        order_date=order, referenced_on=referenced_on, proofs_complete_on=proofs, today=today
    )


def test_order_on_referencing_day_is_not_concerned():
    status = _status(date(2022, 3, 1), None, referenced_on=date(2022, 3, 1))
    assert status.state is PreorderState.NOT_CONCERNED
    assert status.deadline is None


def test_proofs_complete_exactly_120_days_after_the_order_is_eligible():
    order = date(2022, 1, 10)
    status = _status(order, order + timedelta(days=120))
    assert status.state is PreorderState.ELIGIBLE
    assert status.days == 120


def test_proofs_complete_121_days_after_the_order_is_too_early():
    order = date(2022, 1, 10)
    status = _status(order, order + timedelta(days=121))
    assert status.state is PreorderState.TOO_EARLY
    assert status.days == 121
    assert not status.lapsed


def test_pending_order_has_a_deadline_120_days_after_it():
    status = _status(date(2022, 1, 10), None, today=date(2022, 2, 1))
    assert status.state is PreorderState.PENDING
    assert status.deadline == date(2022, 5, 10)


def test_pending_order_is_still_pending_on_its_deadline_day():
    status = _status(date(2022, 1, 10), None, today=date(2022, 5, 10))
    assert status.state is PreorderState.PENDING


def test_pending_order_lapses_the_day_after_its_deadline():
    status = _status(date(2022, 1, 10), None, today=date(2022, 5, 11))
    assert status.state is PreorderState.TOO_EARLY
    assert status.lapsed
    assert status.deadline == date(2022, 5, 10)


def test_proofs_complete_before_the_order_is_eligible():
    status = _status(date(2022, 3, 1), date(2022, 2, 1), referenced_on=date(2022, 4, 1))
    assert status.state is PreorderState.ELIGIBLE


def test_scheme_can_set_another_delay():
    status = preorder_eligibility(
        order_date=date(2022, 1, 1),
        referenced_on=None,
        proofs_complete_on=date(2022, 3, 3),  # 61 days
        today=date(2022, 6, 1),
        max_days=60,
    )
    assert status.state is PreorderState.TOO_EARLY


@given(dates, st.integers(min_value=-400, max_value=400))
def test_120_day_boundary_for_any_order_date(order, gap):
    status = _status(order, order + timedelta(days=gap), referenced_on=None)
    expected = PreorderState.ELIGIBLE if gap <= 120 else PreorderState.TOO_EARLY
    assert status.state is expected
    assert status.deadline == order + timedelta(days=120)


@given(dates, dates, st.integers(min_value=0, max_value=400))
def test_incomplete_proofs_pending_until_deadline_then_lapsed(order, referenced_on, elapsed):
    today = order + timedelta(days=elapsed)
    status = _status(order, None, referenced_on=referenced_on, today=today)
    if order >= referenced_on:
        assert status.state is PreorderState.NOT_CONCERNED
    elif elapsed <= 120:
        assert status.state is PreorderState.PENDING
    else:
        assert status.state is PreorderState.TOO_EARLY and status.lapsed


# --- Windows ----------------------------------------------------------------------------------


def test_signature_on_deadline_day_is_in_the_window():
    assert window_for_signature((WINDOW_1,), date(2022, 7, 15)) == WINDOW_1
    assert not signed_after_deadline((WINDOW_1,), date(2022, 7, 15))


def test_signature_the_day_after_the_deadline_is_late():
    assert window_for_signature((WINDOW_1,), date(2022, 7, 16)) is None
    assert signature_late_window((WINDOW_1,), date(2022, 7, 16)) == WINDOW_1
    assert signed_after_deadline((WINDOW_1,), date(2022, 7, 16))


def test_signature_in_a_later_window_is_not_late():
    windows = (WINDOW_1, WINDOW_2)
    assert window_for_signature(windows, date(2022, 10, 1)) == WINDOW_2
    assert not signed_after_deadline(windows, date(2022, 10, 1))


def test_signature_between_two_windows_is_late_for_the_closed_one():
    windows = (WINDOW_2, WINDOW_1)  # order does not matter
    assert window_for_signature(windows, date(2022, 8, 1)) is None
    assert signature_late_window(windows, date(2022, 8, 1)) == WINDOW_1


def test_signature_after_every_window_is_late():
    assert signature_late_window((WINDOW_1, WINDOW_2), date(2023, 1, 1)) == WINDOW_2


def test_signature_before_any_window_opens_is_not_late():
    assert window_for_signature((WINDOW_2,), date(2022, 8, 1)) is None
    assert not signed_after_deadline((WINDOW_2,), date(2022, 8, 1))


def test_window_without_signature_deadline_takes_any_signature():
    open_ended = WindowRef(number=1, label="Sans date limite")
    assert window_for_signature((open_ended,), date(2030, 1, 1)) == open_ended


def test_request_deadlines_are_strict():
    assert advance_request_on_time(WINDOW_1, date(2022, 11, 30))
    assert not advance_request_on_time(WINDOW_1, date(2022, 12, 1))
    assert service_completed_on_time(WINDOW_1, date(2022, 10, 15))
    assert not service_completed_on_time(WINDOW_1, date(2022, 10, 16))
    assert balance_request_on_time(WINDOW_1, date(2023, 4, 28))
    assert not balance_request_on_time(WINDOW_1, date(2023, 4, 29))
    assert days_late(WINDOW_1.balance_request_deadline, date(2023, 5, 1)) == 3
    assert days_late(None, date(2030, 1, 1)) == 0


@given(dates)
def test_deadline_day_is_on_time_and_next_day_late(deadline):
    window = WindowRef(number=1, label="F", order_signature_deadline=deadline)
    assert not signed_after_deadline((window,), deadline)
    assert signed_after_deadline((window,), deadline + timedelta(days=1))


# --- Tiers ------------------------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=1_000_000))
def test_sgl_tiers_partition_every_site_count(sites):
    covering = [t for t in SGL_TIERS if t.covers(sites)]
    assert len(covering) == 1
    assert tier_for_sites(SGL_TIERS, sites) == covering[0]


def test_sgl_tier_boundaries():
    assert [tier_for_sites(SGL_TIERS, n).code for n in (1, 2, 21, 22, 42, 43, 63, 64)] == [
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
        "E",
    ]


@st.composite
def tier_tables(draw):
    """A valid tier table: consecutive ranges from 1, the last one without an upper bound."""
    widths = draw(st.lists(st.integers(min_value=1, max_value=50), max_size=6))
    tiers, start = [], 1
    for i, width in enumerate(widths):
        tiers.append(TierRow(f"T{i}", start, start + width - 1, Decimal(i), Decimal(i)))
        start += width
    tiers.append(TierRow("LAST", start, None, Decimal(99), Decimal(99)))
    return tuple(tiers)


@given(tier_tables(), st.integers(min_value=1, max_value=10_000))
def test_random_tier_tables_give_exactly_one_tier_per_site_count(tiers, sites):
    assert tiers_problems(tiers) == []
    tier = tier_for_sites(tiers, sites)
    assert [t for t in tiers if t.covers(sites)] == [tier]


@pytest.mark.parametrize("sites", [0, -1, True, 1.0, "3"])
def test_tier_lookup_refuses_invalid_site_counts(sites):
    with pytest.raises(InvalidInput):
        tier_for_sites(SGL_TIERS, sites)
