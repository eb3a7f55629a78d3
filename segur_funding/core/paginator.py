"""A page count for the admin's lists over national-scale tables, without COUNT(*) of a million rows.

Django's admin counts the filtered list on every page (the page links, « N demandes », « select
all N »). At 1.6 million funding requests that COUNT(*) alone took 156 ms of a 222 ms page
(bench/RESULTS.md). Here a count is exact while it is small, and an estimate past
`EXACT_UP_TO` rows:

- a list without filter or search: PostgreSQL's own row count of the table (`pg_class.reltuples`,
  kept by VACUUM / ANALYZE), or the capped count below, in one query either way;
- a filtered list: a count that stops at `EXACT_UP_TO + 1` rows (a LIMIT inside the count, a few
  milliseconds on an index), exact below it; above, the planner's estimate of the filter
  (EXPLAIN, no execution), never below the rows already counted.

A reviewer never needs the exact size of a list of more than twenty pages: « environ 160 000
demandes » says it (the admin templates show « environ » when `paginator.estimated`). An action on « all »
the rows still runs on the whole queryset, not on the estimate. Other databases (SQLite in the
tests) get the capped count and, past it, an exact COUNT(*).
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Twenty pages of 50. The exact count reads up to this many rows on every page view: a bound on
# the page's work, which must not grow with the programme (issue 17; with 10,000 the ANS's list
# of the 1,792 national dossiers read them all for its count, 16 at 1 %).
EXACT_UP_TO = 1_000


class EstimatedCountPaginator(Paginator):
    """A Paginator whose `count` is exact up to EXACT_UP_TO rows and estimated past it."""

    exact_up_to = EXACT_UP_TO
    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        vendor = connections[queryset.db].vendor
        if vendor == "postgresql" and _unfiltered(queryset):
            rows, estimated = _table_rows_or_count(queryset, self.exact_up_to)
            if estimated:
                self.estimated = True
                return rows
            if rows <= self.exact_up_to:
                return rows
            counted = rows  # reltuples unknown or stale: as a filtered list past the cap
        elif vendor == "postgresql" and _planned_rows_function(queryset.db):
            rows, estimated = _capped_count_or_planned_rows(queryset, self.exact_up_to)
            self.estimated = estimated
            return rows
        else:
            # values("pk"): the list's display columns (subqueries) stay out of the count.
            counted = queryset.order_by().values("pk")[: self.exact_up_to + 1].count()
        if counted <= self.exact_up_to:
            return counted
        if vendor != "postgresql":
            return queryset.count()
        self.estimated = True
        return max(counted, _planned_rows(queryset))


def _unfiltered(queryset: QuerySet) -> bool:
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator and not query.is_sliced


def _table_rows_or_count(queryset: QuerySet, exact_up_to: int) -> tuple[int, bool]:
    """(rows, estimated) of a whole table in one query at any size: PostgreSQL's estimate
    (`reltuples`) past `exact_up_to`, else a count capped at `exact_up_to + 1` (a never analysed
    table has reltuples -1). The capped count is a subquery of the CASE's other branch, which
    PostgreSQL runs only when it is read: one query whether the table is small or large, so the
    page's query count does not change with the table's size (issue 17)."""
    table = connections[queryset.db].ops.quote_name(queryset.model._meta.db_table)
    capped = f"(SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) capped)"  # noqa: S608
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN reltuples > %s THEN reltuples::bigint ELSE {capped} END, reltuples > %s"  # noqa: S608
            " FROM pg_class WHERE oid = %s::regclass",
            [exact_up_to, exact_up_to + 1, exact_up_to, queryset.model._meta.db_table],
        )
        rows, estimated = cursor.fetchone()
    return rows, estimated


_FUNCTION_INSTALLED: dict[tuple[str, str], bool] = {}


def _planned_rows_function(alias: str) -> bool:
    """Whether the database has `segur_planned_rows` (core migration 0003): asked once per process
    and database; a database not migrated yet gets the two queries of before, not an error."""
    connection = connections[alias]
    key = (alias, str(connection.settings_dict.get("NAME")))
    if key not in _FUNCTION_INSTALLED:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regprocedure('segur_planned_rows(text)') IS NOT NULL")
            _FUNCTION_INSTALLED[key] = cursor.fetchone()[0]
    return _FUNCTION_INSTALLED[key]


def _capped_count_or_planned_rows(queryset: QuerySet, exact_up_to: int) -> tuple[int, bool]:
    """(rows, estimated) of a filtered list in one query at any size: a count capped at
    `exact_up_to + 1`, and past it the planner's estimate of the whole list, never below the rows
    counted (`segur_planned_rows`, core migration 0003: EXPLAIN from inside the query, run by
    PostgreSQL only when the CASE reads it). One query whether the queue is small or large: the
    page's query count does not change with the data set's size (issue 15)."""
    connection = connections[queryset.db]
    # values("pk"): the list's display columns (subqueries) stay out of the count and the plan.
    ids = queryset.order_by().values("pk")
    sql, params = ids.query.sql_with_params()
    whole = connection.ops.compose_sql(sql, params)  # the list's SQL as text, its values quoted
    capped = f"(SELECT count(*) AS n FROM ({sql} LIMIT %s) ids) capped"  # noqa: S608 - Django's SQL
    query = (
        "SELECT CASE WHEN capped.n > %s THEN GREATEST(capped.n, segur_planned_rows(%s::text))"  # noqa: S608
        " ELSE capped.n END, capped.n > %s FROM " + capped
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [exact_up_to, whole, exact_up_to, *params, exact_up_to + 1])
        rows, estimated = cursor.fetchone()
    return rows, estimated


def _planned_rows(queryset: QuerySet) -> int:
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
