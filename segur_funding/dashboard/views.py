"""Home page and the public statistics page (table per DSR, weekly charts, CSV downloads)."""

import csv
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from segur_funding.core import clock
from segur_funding.referential.selectors import dsr_list

from . import charts
from .my_space import header_count, my_space
from .selectors import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    ProgrammeFigures,
    WeeklySeries,
    programme_figures,
    weekly_series,
)

# Column headings, shared by the page, the CSV files and the admin view.
TABLE_COLUMNS = (
    ("dsr", "DSR"),
    ("software", "Logiciel"),
    ("dossiers_in_progress", "Dossiers en cours de traitement (éligibilité + dépôt de preuves)"),
    ("referenced_editors", "Éditeurs référencés"),
    ("validated_advances", "Demandes de financement validées (avances)"),
    ("committed_ttc", "Montants engagés (€ TTC)"),
    ("paid_ttc", "Montants versés (€ TTC)"),
    ("advances_paid_ttc", "dont avances versées (€ TTC)"),
    ("balances_paid_ttc", "dont soldes versés (€ TTC)"),
)
WEEK_COLUMNS = (
    ("week_start", "Semaine du"),
    ("week_end", "au"),
    ("dossiers_submitted", "Candidatures déposées"),
    ("referencings_granted", "Référencements accordés"),
    ("payments", "Versements (nombre)"),
    ("paid_ttc", "Montant versé (€ TTC)"),
)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/home.html", {"dsrs": dsr_list()})


def statistics_params(params) -> tuple[date, int, list[str]]:
    """The date (`date`, default today, never in the future) and the number of weeks
    (`semaines`) of a statistics request, with French messages for what was ignored."""
    today = clock.today()
    errors = []
    as_of = today
    raw = (params.get("date") or "").strip()
    if raw:
        try:
            as_of = date.fromisoformat(raw)
        except ValueError:
            errors.append(f"Date invalide « {raw[:20]} » (format AAAA-MM-JJ) : chiffres du jour affichés.")
        else:
            if as_of > today:
                errors.append("Les chiffres ne peuvent pas être donnés pour une date future : "
                              "chiffres du jour affichés.")
                as_of = today
            elif as_of.year < 2000:
                errors.append("Date trop ancienne : chiffres du jour affichés.")
                as_of = today
    weeks = DEFAULT_WEEKS
    raw_weeks = (params.get("semaines") or "").strip()
    if raw_weeks:
        try:
            weeks = int(raw_weeks)
        except ValueError:
            errors.append(f"Nombre de semaines invalide « {raw_weeks[:10]} ».")
            weeks = DEFAULT_WEEKS
        if not 1 <= weeks <= MAX_WEEKS:
            errors.append(f"Le nombre de semaines va de 1 à {MAX_WEEKS}.")
            weeks = min(max(weeks, 1), MAX_WEEKS)
    return as_of, weeks, errors


def table_rows(figures: ProgrammeFigures) -> list[list[object]]:
    return [
        [
            row.dsr_code or "Total",
            row.software,
            row.dossiers_in_progress,
            row.referenced_editors,
            row.validated_advances,
            row.committed_ttc,
            row.paid_ttc,
            row.advances_paid_ttc,
            row.balances_paid_ttc,
        ]
        for row in (*figures.rows, figures.total)
    ]


def week_rows(series: WeeklySeries) -> list[list[object]]:
    return [
        [w.week_start, w.week_end, w.dossiers_submitted, w.referencings_granted, w.payments, w.paid_ttc]
        for w in series.weeks
    ]


def _charts(series: WeeklySeries) -> list[charts.BarChart]:
    labels = [f"{w.week_start:%d/%m/%Y}" for w in series.weeks]
    every = max(1, len(labels) // 6)
    return [
        charts.bar_chart(
            title="Candidatures déposées par semaine",
            labels=labels,
            values=[w.dossiers_submitted for w in series.weeks],
            every=every,
        ),
        charts.bar_chart(
            title="Référencements accordés par semaine",
            labels=labels,
            values=[w.referencings_granted for w in series.weeks],
            every=every,
        ),
        charts.bar_chart(
            title="Montants versés par semaine (€ TTC)",
            labels=labels,
            values=[w.paid_ttc for w in series.weeks],
            tooltip_unit=" €",
            every=every,
        ),
    ]


def statistics_context(request: HttpRequest) -> dict:
    as_of, weeks, errors = statistics_params(request.GET)
    figures = programme_figures(as_of=as_of)
    series = weekly_series(as_of=as_of, weeks=weeks)
    return {
        "as_of": as_of,
        "weeks": weeks,
        "max_weeks": MAX_WEEKS,
        "param_errors": errors,
        "figures": figures,
        "series": series,
        "charts": _charts(series),
        "table_columns": [label for _, label in TABLE_COLUMNS],
        "week_columns": [label for _, label in WEEK_COLUMNS],
        "query": f"date={as_of.isoformat()}&semaines={weeks}",
    }


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/statistics.html", statistics_context(request))


def _csv(filename: str, header: list[str], rows: list[list[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([value.isoformat() if isinstance(value, date) else value for value in row])
    return response


@require_GET
def statistics_table_csv(request: HttpRequest) -> HttpResponse:
    as_of, _, _ = statistics_params(request.GET)
    return _csv(
        f"segur-donnees-par-dsr-{as_of.isoformat()}.csv",
        [label for _, label in TABLE_COLUMNS],
        table_rows(programme_figures(as_of=as_of)),
    )


@require_GET
def statistics_weeks_csv(request: HttpRequest) -> HttpResponse:
    as_of, weeks, _ = statistics_params(request.GET)
    return _csv(
        f"segur-donnees-par-semaine-{as_of.isoformat()}.csv",
        [label for _, label in WEEK_COLUMNS],
        week_rows(weekly_series(as_of=as_of, weeks=weeks)),
    )


@never_cache
@login_required
def my_space_view(request: HttpRequest) -> HttpResponse:
    """« Mon espace »: where a signed-in person lands, with what waits for them."""
    sides = my_space(user=request.user)
    if not sides and request.user.is_staff:
        return redirect("admin:index")
    context = {
        "sides": sides,
        "today": clock.today(),
        # The header's count is the page's own, already counted: not a second query.
        "my_space_count": header_count(user=request.user, sides=sides),
    }
    return render(request, "dashboard/my_space.html", context)
