"""The « Données au … » figures match the demo data exactly, at several dates, and stay a fixed
number of queries whatever the number of rows.

Expected figures come from the demo's own definitions, not from the selectors:
- referencing demo: Biologiciel SAS's « BioLab SGL » 5.2 on SGL-V1, candidature submitted on
  15/09/2021, referenced on 01/03/2022 (decision at 15:00); LabSoft Santé's « LabSoft SGL » 3.1 on
  SGL-V1, candidature submitted 38 days before the load, under review since;
- quotes demo: lab BioRhône has 12 sites, tier B of SGL-V1, so the State funds 32 940,00 € per
  quote; D-DEMO-0002 signed, D-DEMO-0003 signed and delivered;
- funding demo: the advance of D-DEMO-0002 is filed (not validated), the advance of D-DEMO-0003
  is validated and paid on the day of the load: 30 % of 32 940,00 € = 9 882,00 €.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from segur_funding.dashboard.selectors import DsrFigures, programme_figures, weekly_series

CAP_TIER_B = Decimal("32940.00")
ADVANCE = Decimal("9882.00")
LABSOFT_SUBMITTED_DAYS_AGO = 38


def _row(figures, code: str) -> DsrFigures:
    return next(r for r in figures.rows if r.dsr_code == code)


def _zero(row: DsrFigures) -> bool:
    return (
        row.dossiers_in_progress,
        row.referenced_editors,
        row.validated_advances,
        row.committed_ttc,
        row.paid_ttc,
    ) == (0, 0, 0, Decimal("0.00"), Decimal("0.00"))


def test_figures_today_match_the_demo(demo):
    today = timezone.localdate()
    figures = programme_figures(as_of=today)
    assert [r.dsr_code for r in figures.rows] == [
        "DPI-V1", "LGC-V1", "LOINC-V1", "PFI-V1", "RI-V1", "RIS-V1", "SGL-V1"
    ]
    sgl = _row(figures, "SGL-V1")
    assert sgl.dossiers_in_progress == 1  # LabSoft, under review
    assert sgl.referenced_editors == 1  # Biologiciel SAS
    assert sgl.validated_advances == 1  # D-DEMO-0003
    assert sgl.committed_ttc == CAP_TIER_B
    assert sgl.advances_paid_ttc == ADVANCE
    assert sgl.balances_paid_ttc == Decimal("0.00")
    assert sgl.paid_ttc == ADVANCE
    assert all(_zero(r) for r in figures.rows if r.dsr_code != "SGL-V1")
    total = figures.total
    assert (total.dossiers_in_progress, total.referenced_editors, total.validated_advances) == (1, 1, 1)
    assert (total.committed_ttc, total.paid_ttc) == (CAP_TIER_B, ADVANCE)


def test_figures_at_past_dates_follow_the_demos_story(demo):
    before_referencing = _row(programme_figures(as_of=date(2022, 2, 28)), "SGL-V1")
    assert (before_referencing.dossiers_in_progress, before_referencing.referenced_editors) == (1, 0)
    referenced_day = _row(programme_figures(as_of=date(2022, 3, 1)), "SGL-V1")
    assert (referenced_day.dossiers_in_progress, referenced_day.referenced_editors) == (0, 1)
    before_candidature = _row(programme_figures(as_of=date(2021, 9, 14)), "SGL-V1")
    assert _zero(before_candidature)
    # The day before the load: no advance validated or paid yet, LabSoft already submitted.
    yesterday = _row(programme_figures(as_of=timezone.localdate() - timedelta(days=1)), "SGL-V1")
    assert (yesterday.dossiers_in_progress, yesterday.referenced_editors) == (1, 1)
    assert (yesterday.validated_advances, yesterday.committed_ttc, yesterday.paid_ttc) == (
        0, Decimal("0.00"), Decimal("0.00")
    )


def test_weekly_series_match_the_demo(demo):
    today = timezone.localdate()
    series = weekly_series(as_of=today, weeks=8)
    assert len(series.weeks) == 8
    assert series.last_week == today - timedelta(days=today.weekday())
    assert all(w.week_start.weekday() == 0 for w in series.weeks)
    submitted_on = today - timedelta(days=LABSOFT_SUBMITTED_DAYS_AGO)
    by_week = {w.week_start: w for w in series.weeks}
    monday = submitted_on - timedelta(days=submitted_on.weekday())
    assert by_week[monday].dossiers_submitted == 1
    assert sum(w.dossiers_submitted for w in series.weeks) == 1
    assert sum(w.referencings_granted for w in series.weeks) == 0
    this_week = series.weeks[-1]
    assert (this_week.payments, this_week.paid_ttc) == (1, ADVANCE)

    spring_2022 = weekly_series(as_of=date(2022, 3, 6), weeks=2)
    assert [(w.week_start, w.referencings_granted) for w in spring_2022.weeks] == [
        (date(2022, 2, 21), 0), (date(2022, 2, 28), 1)
    ]
    autumn_2021 = weekly_series(as_of=date(2021, 9, 19), weeks=1)
    assert [(w.week_start, w.dossiers_submitted) for w in autumn_2021.weeks] == [(date(2021, 9, 13), 1)]


def test_figures_and_series_take_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    from tests.api.volume import add_volume

    today = timezone.localdate()
    with django_assert_max_num_queries(5):
        programme_figures(as_of=today)
    with django_assert_max_num_queries(3):
        weekly_series(as_of=today, weeks=52)
    add_volume(demo, rows=60)
    with django_assert_max_num_queries(5):
        figures = programme_figures(as_of=today)
    with django_assert_max_num_queries(3):
        weekly_series(as_of=today, weeks=52)
    assert figures.total.dossiers_in_progress == 1 + 60
    assert figures.total.validated_advances == 1 + 60
