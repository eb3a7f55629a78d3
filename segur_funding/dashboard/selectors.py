"""Programme statistics: the seed's « Données au … » table per DSR, and weekly series.

Source: seed slide « Données au 15 mars » (per DSR: dossiers en cours de traitement — éligibilité +
dépôt de preuves —, nombre d'éditeurs référencés, nombre de demandes de financement validées —
avances). The amounts (committed, paid, advances, balances) are added for the programme's
follow-up.

Every figure is "as of" the end of a chosen day (Europe/Paris) and computed from the dates the
services write, so a past date gives the figures as they were that evening:
- in progress: candidature submitted by then, no final decision (ineligible, referenced,
  refused) by then;
- referenced editors: distinct editors with a dossier referenced on or before the date;
- validated advances: advance requests validated by then (now validated or paid: a validated
  request only moves on to paid);
- committed: the State's share (funded amount) of the quotes whose advance is validated;
- paid: payments recorded with a payment date on or before the date, advances and balances.

A few aggregate queries whatever the number of rows: one per table, grouped by DSR, and one per
weekly series.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from segur_funding.funding.constants import Milestone, RequestStatus
from segur_funding.funding.models import FundingRequest, Payment
from segur_funding.referencing.constants import DossierStatus
from segur_funding.referencing.models import Dossier
from segur_funding.referential.models import Dsr

ZERO = Decimal("0.00")
DEFAULT_WEEKS = 26
MAX_WEEKS = 156


@dataclass(frozen=True, slots=True)
class DsrFigures:
    dsr_code: str  # "" for the total row
    software: str
    dossiers_in_progress: int = 0
    referenced_editors: int = 0
    validated_advances: int = 0
    committed_ttc: Decimal = ZERO
    advances_paid_ttc: Decimal = ZERO
    balances_paid_ttc: Decimal = ZERO

    @property
    def paid_ttc(self) -> Decimal:
        return self.advances_paid_ttc + self.balances_paid_ttc

    @property
    def is_total(self) -> bool:
        return self.dsr_code == ""


@dataclass(frozen=True, slots=True)
class ProgrammeFigures:
    as_of: date
    rows: tuple[DsrFigures, ...]
    total: DsrFigures


@dataclass(frozen=True, slots=True)
class WeekFigures:
    week_start: date  # a Monday
    dossiers_submitted: int = 0
    referencings_granted: int = 0
    payments: int = 0
    paid_ttc: Decimal = ZERO

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


@dataclass(frozen=True, slots=True)
class WeeklySeries:
    first_week: date
    last_week: date
    weeks: tuple[WeekFigures, ...]


def _end_of_day(day: date) -> datetime:
    """The first instant after `day`, in the project's time zone (figures are "au soir du …")."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


def programme_figures(*, as_of: date) -> ProgrammeFigures:
    """The « Données au … » table: one row per DSR (every published DSR) and a total row."""
    end = _end_of_day(as_of)
    dsrs = list(Dsr.objects.order_by("code").values_list("pk", "code", "software"))

    in_progress = Q(candidature_submitted_at__lt=end) & (
        Q(decided_at__isnull=True) | Q(decided_at__gte=end)
    )
    referenced = Q(status=DossierStatus.REFERENCED, referenced_on__lte=as_of)
    dossiers = {
        row["dsr_id"]: row
        for row in Dossier.objects.order_by()
        .values("dsr_id")
        .annotate(
            in_progress=Count("pk", filter=in_progress),
            editors=Count("editor_id", filter=referenced, distinct=True),
        )
    }
    # An editor referenced on two DSRs counts once in the total.
    total_editors = (
        Dossier.objects.filter(referenced).aggregate(n=Count("editor_id", distinct=True))["n"] or 0
    )

    validated = {
        row["quote__dsr_id"]: row
        for row in FundingRequest.objects.filter(
            milestone=Milestone.ADVANCE,
            status__in=(RequestStatus.VALIDATED, RequestStatus.PAID),
            decided_at__lt=end,
        )
        .order_by()
        .values("quote__dsr_id")
        .annotate(n=Count("pk"), committed=Sum("funded_amount"))
    }
    paid = {
        row["quote__dsr_id"]: row
        for row in Payment.objects.filter(paid_on__lte=as_of)
        .order_by()
        .values("quote__dsr_id")
        .annotate(
            advances=Sum("amount", filter=Q(milestone=Milestone.ADVANCE)),
            balances=Sum("amount", filter=Q(milestone=Milestone.BALANCE)),
        )
    }

    rows = []
    for pk, code, software in dsrs:
        d, v, p = dossiers.get(pk, {}), validated.get(pk, {}), paid.get(pk, {})
        rows.append(
            DsrFigures(
                dsr_code=code,
                software=software,
                dossiers_in_progress=d.get("in_progress", 0),
                referenced_editors=d.get("editors", 0),
                validated_advances=v.get("n", 0),
                committed_ttc=_money(v.get("committed")),
                advances_paid_ttc=_money(p.get("advances")),
                balances_paid_ttc=_money(p.get("balances")),
            )
        )
    total = DsrFigures(
        dsr_code="",
        software="Tous les DSR",
        dossiers_in_progress=sum(r.dossiers_in_progress for r in rows),
        referenced_editors=total_editors,
        validated_advances=sum(r.validated_advances for r in rows),
        committed_ttc=sum((r.committed_ttc for r in rows), ZERO),
        advances_paid_ttc=sum((r.advances_paid_ttc for r in rows), ZERO),
        balances_paid_ttc=sum((r.balances_paid_ttc for r in rows), ZERO),
    )
    return ProgrammeFigures(as_of=as_of, rows=tuple(rows), total=total)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def weekly_series(*, as_of: date, weeks: int = DEFAULT_WEEKS) -> WeeklySeries:
    """Per week (Monday to Sunday), the `weeks` weeks up to the one holding `as_of`: candidatures
    submitted, referencings granted, payments recorded (count and amount). Three queries."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    last = _monday(as_of)
    first = last - timedelta(weeks=weeks - 1)
    start, end = _end_of_day(first - timedelta(days=1)), _end_of_day(as_of)

    submitted = {
        _as_date(row["week"]): row["n"]
        for row in Dossier.objects.filter(
            candidature_submitted_at__gte=start, candidature_submitted_at__lt=end
        )
        .order_by()
        .annotate(week=TruncWeek("candidature_submitted_at"))
        .values("week")
        .annotate(n=Count("pk"))
    }
    granted = {
        _as_date(row["week"]): row["n"]
        for row in Dossier.objects.filter(
            status=DossierStatus.REFERENCED, referenced_on__gte=first, referenced_on__lte=as_of
        )
        .order_by()
        .annotate(week=TruncWeek("referenced_on"))
        .values("week")
        .annotate(n=Count("pk"))
    }
    payments = {
        _as_date(row["week"]): row
        for row in Payment.objects.filter(paid_on__gte=first, paid_on__lte=as_of)
        .order_by()
        .annotate(week=TruncWeek("paid_on"))
        .values("week")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    }

    series = []
    for i in range(weeks):
        monday = first + timedelta(weeks=i)
        paid = payments.get(monday, {})
        series.append(
            WeekFigures(
                week_start=monday,
                dossiers_submitted=submitted.get(monday, 0),
                referencings_granted=granted.get(monday, 0),
                payments=paid.get("n", 0),
                paid_ttc=_money(paid.get("amount")),
            )
        )
    return WeeklySeries(first_week=first, last_week=last, weeks=tuple(series))

