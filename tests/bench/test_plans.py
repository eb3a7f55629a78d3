"""The key list queries read the index meant for them at a tiny and at a larger generated scale.

A plan that is right at 100 % can be wrong at 5 % (issue 17): the planner's choice depends on the
table sizes and statistics. Each test generates a data set with bench/generate.py (COPY, then
ANALYZE as the generator does), then asks PostgreSQL for the plan (EXPLAIN, FORMAT JSON) of the
editor's « À demander » page and of the « Mon espace » count, as the largest editor reads them,
and checks the index each one reads: never a time, which a shared machine would make flaky.
"""

import json

import pytest
from django.db import connection
from django.db.models import Count

from tests.bench.test_generate import _url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]

FILING_INDEX = "quote_filing_step_idx"


def _generate(scale: float) -> None:
    from bench import generate
    from segur_funding.funding.models import FundingRequest, Payment
    from segur_funding.organizations.models import Membership, Organization, User
    from segur_funding.quotes.models import Quote

    assert connection.vendor == "postgresql", "the generator writes with PostgreSQL COPY"
    url = _url()
    generator = generate.Generator(url, scale=scale, seed=11, history=False)
    generator.users_and_organizations()
    generator.referencing()
    generator.quotes()
    loaded = [User, Organization, Membership, Quote, FundingRequest, Payment]
    generate.sequences_reset(url, loaded)
    generate.vacuum_analyze(url, [m._meta.db_table for m in loaded])


def _plan(queryset) -> dict:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    return (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _scan_of(plan: dict, table: str) -> dict:
    scans = [n for n in _nodes(plan) if n.get("Relation Name") == table]
    assert len(scans) == 1, f"{table} read {len(scans)} times: {plan}"
    return scans[0]


def _top_editor_user():
    from segur_funding.organizations.models import Membership
    from segur_funding.quotes.models import Quote

    top = Quote.objects.values("editor_id").order_by().annotate(n=Count("id")).order_by("-n")
    editor_id = top[0]["editor_id"]
    return Membership.objects.select_related("user").filter(organization_id=editor_id)[0].user


def _assert_key_plans() -> None:
    from segur_funding.dashboard.my_space import COUNT_CAP
    from segur_funding.funding.selectors import quotes_awaiting_request
    from segur_funding.quotes.constants import NextStep
    from segur_funding.quotes.models import Quote

    user = _top_editor_user()
    waiting = quotes_awaiting_request(user=user)
    assert waiting.exists(), "the largest editor has quotes waiting for a request"

    # The page: the partial index walked in signature order, one page read, no sort of the rows.
    plan = _plan(waiting[:51])
    scan = _scan_of(plan, "quotes_quote")
    assert scan["Node Type"] in ("Index Scan", "Index Only Scan"), scan
    assert scan["Index Name"] == FILING_INDEX
    assert not [n for n in _nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")], plan

    # « Mon espace »: the capped count reads the same small index, never the quotes table.
    count = waiting.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1]
    scan = _scan_of(_plan(count), "quotes_quote")
    assert scan.get("Index Name") == FILING_INDEX, scan

    # The stored step is what the rule says, on the generated rows too.
    assert set(Quote.objects.values_list("next_step", flat=True)) <= set(NextStep.values)


def test_key_list_queries_use_their_index_at_a_tiny_scale(reference_data):
    _generate(0.002)  # 2,000 quotes
    _assert_key_plans()


def test_key_list_queries_use_their_index_at_a_larger_scale(reference_data):
    _generate(0.01)  # 10,000 quotes
    _assert_key_plans()
