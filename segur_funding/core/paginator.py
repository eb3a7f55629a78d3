"""A page count for the admin's lists over national-scale tables, without COUNT(*) of a million rows.

Django's admin counts the filtered list on every page (the page links, « N demandes », « select
all N »). At 1.6 million funding requests that COUNT(*) alone took 156 ms of a 222 ms page
(bench/RESULTS.md). Here a count is exact while it is small, and an estimate past
`EXACT_UP_TO` rows:

- a list without filter or search: PostgreSQL's own row count of the table (`pg_class.reltuples`,
  kept by VACUUM / ANALYZE), one catalogue read;
- a filtered list: a count that stops at `EXACT_UP_TO + 1` rows (a LIMIT inside the count, a few
  milliseconds on an index), exact below it; above, the planner's estimate of the filter
  (EXPLAIN, no execution), never below the rows already counted.

A reviewer never needs the exact size of a queue of ten thousand: « environ 160 000 demandes »
says it (the admin templates show « environ » when `paginator.estimated`). An action on « all »
the rows still runs on the whole queryset, not on the estimate. Other databases (SQLite in the
tests) get the capped count and, past it, an exact COUNT(*).
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

EXACT_UP_TO = 10_000


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
            rows = _table_rows(queryset)
            if rows is not None and rows > self.exact_up_to:
                self.estimated = True
                return rows
        counted = queryset.order_by()[: self.exact_up_to + 1].count()
        if counted <= self.exact_up_to:
            return counted
        if vendor != "postgresql":
            return queryset.count()
        self.estimated = True
        return max(counted, _planned_rows(queryset))


def _unfiltered(queryset: QuerySet) -> bool:
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator and not query.is_sliced


def _table_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the table's rows; None for a table never analysed (reltuples -1)."""
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


def _planned_rows(queryset: QuerySet) -> int:
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
