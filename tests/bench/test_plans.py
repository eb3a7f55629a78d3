"""The key list queries read the index meant for them at a tiny and at a larger generated scale.

A plan that is right at 100 % can be wrong at 5 % (issue 17): the planner's choice depends on the
table sizes and statistics. Each test generates a data set with bench/generate.py (COPY, then
ANALYZE as the generator does), then asks PostgreSQL for the plan (EXPLAIN, FORMAT JSON) of the
editor's « À demander » page and of the « Mon espace » count, as the largest editor reads them,
and checks the index each one reads: never a time, which a shared machine would make flaky. The
ASP's queue « à instruire » (admin changelist and API cursor) reads its partial indexes, unsorted.
The ANS's dossier queue (admin changelist, API cursor) reads its page of 50 along an index in the
page's order once the dossiers outgrow a few pages.
"""

import json

import pytest
from django.db import connection
from django.db.models import Count

from tests.bench.test_generate import _url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]

FILING_INDEX = "quote_filing_step_idx"
QUEUE_INDEX = "request_queue_decision_idx"  # the admin's order, (-submitted_at, -id)
DOSSIER_QUEUE_INDEX = "dossier_queue_idx"  # the ANS admin's order, (clock_deadline, -created_at, -id)
DOSSIER_PKEY = "referencing_dossier_pkey"  # the API's cursor, -id


def _generate(scale: float) -> None:
    from bench import generate
    from segur_funding.funding.models import CorrectionRequest as FundingCorrection
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
    generate.vacuum_analyze(url, [m._meta.db_table for m in (*loaded, FundingCorrection)])


def _plan(queryset) -> dict:
    return _plan_of(*queryset.query.sql_with_params())


def _plan_of(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    return (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _path_to(plan: dict, node: dict) -> list[dict]:
    """The nodes from the top of the plan down to `node` (empty when it is not in the plan)."""
    if plan is node:
        return [plan]
    for child in plan.get("Plans", []):
        path = _path_to(child, node)
        if path:
            return [plan, *path]
    return []


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


def _assert_my_space_plans() -> None:
    """« Mon espace » of the largest editor: its counters in one query, every quote counter on an
    index (the drafts on their own partial index: no heap page per draft to check its origin),
    and its first open corrections walking the editor's open ones in calendar order on their
    own index: no sort (reading every open correction, or hashing the requests « à modifier »,
    grew with the programme)."""
    from segur_funding.dashboard.my_space import capped_counts_sql, editor_tasks
    from segur_funding.organizations.selectors import user_editor_ids

    user = _top_editor_user()
    editor_ids = user_editor_ids(user=user)
    plan = _plan_of(*capped_counts_sql(editor_tasks(user, editor_ids)))
    quote_scans = [n for n in _nodes(plan) if n.get("Relation Name") == "quotes_quote"]
    assert quote_scans and all("Index" in n["Node Type"] for n in quote_scans), quote_scans
    assert "quote_editor_draft_idx" in {n.get("Index Name") for n in quote_scans}, quote_scans

    _assert_first_corrections_plan(editor_ids, pages=False)


def _assert_first_corrections_plan(editor_ids: list[int], *, pages: bool) -> None:
    """The first open corrections of « Mon espace » read the corrections once, without the
    requests; once the open corrections outgrow a few pages (`pages`), along their index in
    calendar order, no sort: a few rows whatever the programme's size."""
    from segur_funding.funding.deadlines.calendar import first_open_correction_ids

    plan = _plan(first_open_correction_ids(editor_ids=editor_ids, limit=8))
    corrections = _scan_of(plan, "funding_correctionrequest")  # read once
    assert not [n for n in _nodes(plan) if n.get("Relation Name") == "funding_fundingrequest"], plan
    if pages:
        assert corrections.get("Index Name") == "correction_editor_open_idx", corrections
        assert not [n for n in _nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")], plan


def _admin_queue():
    """The rows of the ASP's admin queue « à instruire » (?file=decision), as its changelist
    builds them: filter, ordering and joins."""
    from django.contrib import admin
    from django.test import RequestFactory

    from segur_funding.funding.models import FundingRequest
    from segur_funding.organizations.models import User

    request = RequestFactory().get("/admin/funding/fundingrequest/", {"file": "decision"})
    request.user = User.objects.create_superuser(email="plans@test.example", password="x" * 20)
    changelist = admin.site._registry[FundingRequest].get_changelist_instance(request)
    return changelist.queryset


def _assert_queue_plans() -> None:
    from segur_funding.funding.constants import AWAITING_ASP
    from segur_funding.funding.models import FundingRequest

    assert FundingRequest.objects.filter(status__in=AWAITING_ASP).exists()
    assert FundingRequest.objects.exclude(status__in=AWAITING_ASP).exists()
    queue = _admin_queue()
    assert set(queue.values_list("status", flat=True)) <= set(AWAITING_ASP)  # the filter applied
    assert queue.query.order_by[:2] == ("-submitted_at", "-id"), queue.query.order_by

    # The page of 50: the partial index walked in the page's order, nothing filtered out, no sort.
    plan = _plan(queue[:50])
    scan = _scan_of(plan, "funding_fundingrequest")
    assert scan["Node Type"] == "Index Scan", scan
    assert scan["Index Name"] == QUEUE_INDEX, scan
    assert "Filter" not in scan, scan
    # (The list's columns read a request's payment and quote in subplans that sort a row or two.)
    above = [n["Node Type"] for n in _path_to(plan, scan)]
    assert not {"Sort", "Incremental Sort"} & set(above), above


def _assert_editor_list_plans() -> None:
    """The editor's own lists (« Mes devis », /financement/) read one page in an index's order,
    never a sort of all the editor's rows: the table's order filtered down to the editor while
    the editor has a large share of the rows (these scales), the editor's own index
    (quote_editor_created_idx, request_editor_submitted_idx) once the walk costs more."""
    from segur_funding.funding.selectors import requests_for_editor
    from segur_funding.quotes.selectors import quotes_for_editor

    user = _top_editor_user()
    for queryset, table, indexes in (
        (  # as quotes.views.common.quote_list_page orders it
            quotes_for_editor(user=user).order_by("-created_at", "-id"),
            "quotes_quote",
            {"quote_created_idx", "quote_editor_created_idx"},
        ),
        (  # as funding.views.editor_list orders it
            requests_for_editor(user=user).order_by("-submitted_at", "-pk"),
            "funding_fundingrequest",
            {"request_submitted_idx", "request_editor_submitted_idx"},
        ),
    ):
        plan = _plan(queryset[:51])
        scan = _scan_of(plan, table)
        assert scan.get("Index Name") in indexes, scan
        above = [n["Node Type"] for n in _path_to(plan, scan)]
        assert not {"Sort", "Incremental Sort"} & set(above), above


def test_key_list_queries_use_their_index_at_a_tiny_scale(reference_data):
    _generate(0.002)  # 2,000 quotes
    _assert_key_plans()
    _assert_queue_plans()
    _assert_editor_list_plans()
    _assert_my_space_plans()


def test_key_list_queries_use_their_index_at_a_larger_scale(reference_data):
    _generate(0.01)  # 10,000 quotes
    _assert_key_plans()
    _assert_queue_plans()
    _assert_editor_list_plans()
    _assert_my_space_plans()


def test_first_open_corrections_use_their_index_at_the_national_count(reference_data):
    """As many open corrections as the 100 % data set (6,234, 353 of them the largest editor's),
    among four times as many resolved ones: the largest editor's first ones read from the index."""
    from bench import generate
    from segur_funding.funding.models import CorrectionRequest
    from segur_funding.organizations.selectors import user_editor_ids

    _generate(0.002)
    generate.sequences_reset(_url(), [CorrectionRequest])
    user = _top_editor_user()
    editor_ids = user_editor_ids(user=user)
    with connection.cursor() as cursor:
        for editor_filter, resolved, rows in (
            ("", "NULL", 353),
            ("", "now()", 1_400),
            ("NOT", "NULL", 5_900),
            ("NOT", "now()", 23_600),
        ):
            cursor.execute(
                "INSERT INTO funding_correctionrequest (request_id, editor_id, reasons, comment,"  # noqa: S608
                f" requested_at, resolved_at, answer_comment, changes) SELECT r.id, r.editor_id, '[]',"
                f" '', now(), {resolved}, '', '[]' FROM funding_fundingrequest r"
                f" CROSS JOIN generate_series(1, 20) n WHERE {editor_filter} r.editor_id = ANY(%s)"
                " ORDER BY n, r.id LIMIT %s",
                [editor_ids, rows],
            )
        cursor.execute("ANALYZE funding_correctionrequest")
    _assert_first_corrections_plan(editor_ids, pages=True)


def _generate_dossiers(editors: int) -> None:
    """Editors and their referencing dossiers only (about 1.8 dossiers an editor, as at every
    scale): `editors` editors, as many as the national scale has (1,000) for the larger run."""
    from bench import generate
    from segur_funding.organizations.models import Membership, Organization, User
    from segur_funding.referencing.models import Dossier, DossierEvent, Proof, Solution, SolutionVersion

    assert connection.vendor == "postgresql", "the generator writes with PostgreSQL COPY"
    url = _url()
    generator = generate.Generator(url, scale=0.001, seed=11, history=False)
    generator.counts["editors"] = editors
    generator.users_and_organizations()
    generator.referencing()
    loaded = [User, Organization, Membership, Solution, SolutionVersion, Dossier, DossierEvent, Proof]
    generate.sequences_reset(url, loaded)
    generate.vacuum_analyze(url, [m._meta.db_table for m in loaded])


def _admin_dossiers():
    """The rows of the ANS's admin queue of dossiers, as its changelist builds them."""
    from django.contrib import admin
    from django.test import RequestFactory

    from segur_funding.organizations.models import User
    from segur_funding.referencing.models import Dossier

    request = RequestFactory().get("/admin/referencing/dossier/")
    request.user = User.objects.create_superuser(email="plans-ans@test.example", password="x" * 20)
    changelist = admin.site._registry[Dossier].get_changelist_instance(request)
    return changelist.queryset


def _assert_dossier_plans(*, pages: bool) -> None:
    """The admin queue and the API list read the dossiers' page of 50 in an index's order, no
    sort above it; at a tiny scale (the table in a page or two) a sort of the whole table is
    what the planner rightly prefers, and `pages` is false."""
    from segur_funding.referencing.apis.ans import _ans_dossiers
    from segur_funding.referencing.models import Dossier

    queue = _admin_dossiers()
    assert queue.query.order_by[1:3] == ("-created_at", "-id"), queue.query.order_by
    for queryset, index in ((queue[:50], DOSSIER_QUEUE_INDEX), (_ans_dossiers()[:51], DOSSIER_PKEY)):
        plan = _plan(queryset)
        scan = _scan_of(plan, Dossier._meta.db_table)
        if not pages:
            assert scan["Node Type"] in ("Seq Scan", "Index Scan", "Index Only Scan"), scan
            continue
        assert scan["Node Type"] == "Index Scan", scan
        assert scan["Index Name"] == index, scan
        assert "Filter" not in scan, scan
        above = [n["Node Type"] for n in _path_to(plan, scan)]
        assert not {"Sort", "Incremental Sort"} & set(above), above


def test_dossier_lists_at_a_tiny_scale(reference_data):
    _generate_dossiers(10)  # 16 dossiers, as the 1 % data set
    _assert_dossier_plans(pages=False)


def test_dossier_lists_use_their_index_at_the_national_count(reference_data):
    _generate_dossiers(1_000)  # about 1,800 dossiers, as the 100 % data set
    _assert_dossier_plans(pages=True)
