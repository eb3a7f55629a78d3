"""AF rules: the 120-day rule, the funding windows' deadlines, the tier lookup. No database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segur_funding.core.errors import InvalidInput
from segur_funding.referential.rules import (
    PreorderState,
    TierRow,
    WindowRef,
    advance_request_refusal,
    balance_request_refusal,
    days_late,
    preorder_deadline,
    preorder_eligibility,
    proofs_complete_refusal,
    service_completion_refusal,
    signature_late_window,
    signature_refusal,
    tier_for_sites,
    tiers_problems,
    window_for_signature,
)

AF_DAYS = 120  # the seed AF's figure, as the fixture publishes it

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

dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


# --- The 120-day rule -------------------------------------------------------------------------


def _status(order, proofs, *, referenced_on=None, today=date(2023, 6, 1)):
    return preorder_eligibility(
        order_date=order,
        referenced_on=referenced_on,
        proofs_complete_on=proofs,
        today=today,
        max_days=AF_DAYS,
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


def test_preorder_deadline_is_the_order_date_plus_the_af_delay():
    assert preorder_deadline(order_date=date(2022, 1, 10), max_days=120) == date(2022, 5, 10)
    assert preorder_deadline(order_date=date(2022, 1, 10), max_days=30) == date(2022, 2, 9)


@given(dates, st.integers(min_value=1, max_value=400), st.integers(min_value=-400, max_value=400))
def test_eligibility_and_deadline_agree_for_any_af_delay(order, max_days, gap):
    proofs = order + timedelta(days=gap)
    status = preorder_eligibility(
        order_date=order, referenced_on=None, proofs_complete_on=proofs, today=proofs, max_days=max_days
    )
    deadline = preorder_deadline(order_date=order, max_days=max_days)
    assert status.deadline == deadline
    assert (status.state is PreorderState.ELIGIBLE) == (proofs <= deadline)


# --- Windows ----------------------------------------------------------------------------------


def test_signature_on_deadline_day_is_in_the_window():
    assert window_for_signature((WINDOW_1,), date(2022, 7, 15)) == WINDOW_1
    assert signature_late_window((WINDOW_1,), date(2022, 7, 15)) is None


def test_signature_the_day_after_the_deadline_is_late():
    assert window_for_signature((WINDOW_1,), date(2022, 7, 16)) is None
    assert signature_late_window((WINDOW_1,), date(2022, 7, 16)) == WINDOW_1


def test_signature_in_a_later_window_is_not_late():
    windows = (WINDOW_1, WINDOW_2)
    assert window_for_signature(windows, date(2022, 10, 1)) == WINDOW_2
    assert signature_late_window(windows, date(2022, 10, 1)) is None


def test_signature_between_two_windows_is_late_for_the_closed_one():
    windows = (WINDOW_2, WINDOW_1)  # order does not matter
    assert window_for_signature(windows, date(2022, 8, 1)) is None
    assert signature_late_window(windows, date(2022, 8, 1)) == WINDOW_1


def test_signature_after_every_window_is_late():
    assert signature_late_window((WINDOW_1, WINDOW_2), date(2023, 1, 1)) == WINDOW_2


def test_signature_before_any_window_opens_is_not_late():
    assert window_for_signature((WINDOW_2,), date(2022, 8, 1)) is None
    assert signature_late_window((WINDOW_2,), date(2022, 8, 1)) is None


def test_window_without_signature_deadline_takes_any_signature():
    open_ended = WindowRef(number=1, label="Sans date limite")
    assert window_for_signature((open_ended,), date(2030, 1, 1)) == open_ended


def test_request_deadlines_are_strict():
    assert advance_request_refusal(WINDOW_1, date(2022, 11, 30)) is None
    assert advance_request_refusal(WINDOW_1, date(2022, 12, 1)).code == "ADVANCE_REQUEST_LATE"
    assert service_completion_refusal(WINDOW_1, date(2022, 10, 15)) is None
    assert service_completion_refusal(WINDOW_1, date(2022, 10, 16)).code == "SERVICE_LATE"
    assert balance_request_refusal(WINDOW_1, date(2023, 4, 28)) is None
    assert balance_request_refusal(WINDOW_1, date(2023, 4, 29)).code == "BALANCE_REQUEST_LATE"
    assert proofs_complete_refusal(WINDOW_1, date(2022, 5, 15)) is None
    assert proofs_complete_refusal(WINDOW_1, date(2022, 5, 16)).code == "PROOFS_LATE"
    assert days_late(WINDOW_1.balance_request_deadline, date(2023, 5, 1)) == 3
    assert days_late(None, date(2030, 1, 1)) == 0


@given(dates)
def test_deadline_day_is_on_time_and_next_day_late(deadline):
    window = WindowRef(number=1, label="F", order_signature_deadline=deadline)
    assert signature_late_window((window,), deadline) is None
    assert signature_late_window((window,), deadline + timedelta(days=1)) == window
    assert signature_refusal((window,), deadline) is None
    assert signature_refusal((window,), deadline + timedelta(days=1)).code == "SIGNED_AFTER_DEADLINE"


def test_signature_refused_before_the_first_window_opens_says_when_it_opens():
    refusal = signature_refusal((WINDOW_2,), date(2022, 8, 1))
    assert refusal.code == "SIGNED_BEFORE_WINDOW"
    assert "01/09/2022" in refusal.message
    assert "dépassée" not in refusal.message


def test_signature_refused_after_the_deadline_names_the_deadline():
    refusal = signature_refusal((WINDOW_1,), date(2022, 7, 16))
    assert refusal.code == "SIGNED_AFTER_DEADLINE"
    assert "15/07/2022" in refusal.message and "dépassée" in refusal.message


def test_signature_refused_when_the_af_publishes_no_window():
    assert signature_refusal((), date(2022, 7, 1)).code == "NO_WINDOW"


def test_late_request_message_counts_the_days_late():
    refusal = balance_request_refusal(WINDOW_1, date(2023, 5, 1))
    assert "28/04/2023" in refusal.message and "3 jour(s)" in refusal.message


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
