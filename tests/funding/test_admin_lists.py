"""The reviewers' admin lists cost the same number of queries for 5 rows as for 50, and never count
a whole table (at national scale a COUNT(*) of the funding requests alone took 156 ms)."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from segur_funding.core import clock
from segur_funding.core.paginator import EstimatedCountPaginator
from segur_funding.funding import services
from segur_funding.funding.models import FundingRequest, Payment
from segur_funding.quotes.demo import demo_window_ensure
from segur_funding.quotes.models import Quote
from tests.funding.factories import Scenario

pytestmark = pytest.mark.django_db

ROWS = 50
LISTS = [
    ("funding requests", "/admin/funding/fundingrequest/", FundingRequest),
    ("ASP queue", "/admin/funding/fundingrequest/?file=decision", FundingRequest),
    ("quotes", "/admin/quotes/quote/", Quote),
    ("payments", "/admin/funding/payment/", Payment),
]


@pytest.fixture
def many_requests(reference_data, asp):
    """One request filed, validated and paid through the services, then copied to ROWS quotes,
    requests (half of them in the ASP's queue, each assigned) and payments: the columns of every
    row come from other tables, which is what a per-row query would show."""
    today = clock.today()
    demo_window_ensure(today=today)
    scenario = Scenario()
    request = services.advance_request_file(quote=scenario.signed(today=today), user=scenario.editor_user)
    services.funding_request_validate(request=request, user=asp)
    services.payment_record(request=request, user=asp, paid_on=today, reference="VIR-0")
    quote, payment = request.quote, Payment.objects.get(request=request)
    quotes = []
    for i in range(1, ROWS):
        quote.pk, quote.number, quote.verification_token = None, f"COPIE-{i}", f"copie-{i}"
        quotes.append(Quote(**{f.attname: getattr(quote, f.attname) for f in Quote._meta.concrete_fields}))
    quotes = Quote.objects.bulk_create(quotes)
    request = FundingRequest.objects.get(pk=request.pk)
    copies = []
    for i, copy in enumerate(quotes):
        values = {f.attname: getattr(request, f.attname) for f in FundingRequest._meta.concrete_fields}
        values |= {"id": None, "quote_id": copy.pk, "assigned_to_id": asp.pk}
        values["status"] = "submitted" if i % 2 else "paid"
        copies.append(FundingRequest(**values))
    copies = FundingRequest.objects.bulk_create(copies)
    Payment.objects.bulk_create(
        Payment(
            **{f.attname: getattr(payment, f.attname) for f in Payment._meta.concrete_fields}
            | {"id": None, "request_id": r.pk, "quote_id": r.quote_id, "reference": f"VIR-{r.pk}"}
        )
        for r in copies
        if r.status == "paid"
    )
    return asp


def _rows(html: str) -> int:
    table = html.split('id="result_list"', 1)[1].split("</table>", 1)[0]
    return len(re.findall(r"<tr[ >]", table)) - 1


def _page(client, url: str) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    return len(sql), _rows(response.content.decode()), sql


@pytest.mark.parametrize(("name", "url", "model"), LISTS, ids=[name for name, _, _ in LISTS])
def test_an_admin_list_costs_the_same_queries_for_5_rows_as_for_50(
    client, many_requests, monkeypatch, name, url, model
):
    client.force_login(many_requests)
    model_admin = admin.site._registry[model]
    client.get(url)  # first visit: the session and the permissions' caches settle
    monkeypatch.setattr(model_admin, "list_per_page", 5)
    few, few_rows, _ = _page(client, url)
    monkeypatch.setattr(model_admin, "list_per_page", ROWS)
    many, many_rows, sql = _page(client, url)
    assert few_rows == 5 and many_rows > 20
    # Fixed costs: session, user, second factor (django-otp's device), two permission reads,
    # the filters' choices, the table estimate (PostgreSQL), a bounded count, the rows: the
    # admin never reads the memberships the public header needs.
    assert few == many <= 10, "\n".join(sql)
    # No count of the whole table: the page count stops at EXACT_UP_TO + 1 rows.
    counts = [q for q in sql if "COUNT(" in q.upper()]
    assert counts and all("LIMIT" in q.upper() for q in counts), counts


def test_the_request_list_shows_each_rows_columns_from_other_tables(client, many_requests):
    client.force_login(many_requests)
    html = client.get("/admin/funding/fundingrequest/").content.decode()
    assert "COPIE-7" in html and "VIR-" in html and "asp@test.example" in html
    assert 'aria-label="Choisir cet objet pour une action - Avance — Devis COPIE-' in html


def test_a_count_past_the_exact_limit_is_said_to_be_an_estimate_on_postgresql(many_requests, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    paginator = EstimatedCountPaginator(FundingRequest.objects.order_by("-id"), 5)
    if connection.vendor == "postgresql":
        assert paginator.count > 10 and paginator.estimated
    else:  # SQLite: no planner estimate, an exact count past the limit
        assert paginator.count == ROWS and not paginator.estimated
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 1000)
    queue = FundingRequest.objects.filter(status="submitted")
    small = EstimatedCountPaginator(queue, 5)
    assert small.count == len(queue) and not small.estimated



@pytest.mark.postgresql
def test_a_filtered_count_is_one_query_below_and_past_the_exact_limit(many_requests, monkeypatch):
    """The ASP's queue costs the same queries whatever its size: the capped count and, past the
    cap, the planner's estimate come back from one query (`segur_planned_rows`)."""
    if connection.vendor != "postgresql":
        pytest.fail("Test PostgreSQL : lancer avec DATABASE_URL=postgres://… (marqueur postgresql).")
    queue = FundingRequest.objects.filter(status="submitted")
    assert EstimatedCountPaginator(queue, 5).count  # once a process: is the function installed?
    for limit, estimated in ((10, True), (1000, False)):
        monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", limit)
        paginator = EstimatedCountPaginator(queue, 5)
        with CaptureQueriesContext(connection) as ctx:
            count = paginator.count
        assert len(ctx.captured_queries) == 1
        assert paginator.estimated is estimated
        assert count > 10 if estimated else count == len(queue)


@pytest.mark.parametrize(
    "url",
    [
        *(url for _, url, _ in LISTS),
        "/admin/funding/fundingrequest/?file=decision&o=-8.1",
        "/admin/alerts/quotealert/",
    ],
)
def test_a_reviewers_list_draws_its_rows_as_django_draws_them(client, many_requests, url):
    """The rows drawn once per column (core/templatetags/segur_admin_list.py) are Django's own,
    byte for byte: links keep the list's filters, empty cells say « - », dates and amounts alike."""
    from django.contrib.admin.templatetags.admin_list import results

    from segur_funding.core.admin import FastChangeList
    from segur_funding.core.templatetags.segur_admin_list import fast_result_list

    client.force_login(many_requests)
    response = client.get(url)
    cl = response.context["cl"]
    assert isinstance(cl, FastChangeList)  # the rows are drawn by fast_result_list
    django_rows = ["".join(row) for row in results(cl)]
    fast_rows = ["".join(row) for row in fast_result_list(cl)["results"]]
    assert fast_rows == django_rows
    html = response.content.decode()
    assert all(row in html for row in django_rows)
    if "?" in url:
        assert "/change/?_changelist_filters=" in html


@pytest.mark.parametrize(("name", "url", "model"), LISTS, ids=[name for name, _, _ in LISTS])
def test_every_column_a_reviewer_can_sort_by_sorts_the_list(client, many_requests, name, url, model):
    """Each sort link in a list's header (« Devis », « Éditeur », « Client »…), in both directions,
    shows the list again: the columns read from other tables are there before the list is sorted."""
    client.force_login(many_requests)
    html = client.get(url).content.decode()
    orders = sorted(set(re.findall(r'href="\?(?:[^"]*&amp;)?o=([-0-9.]+)', html)))
    assert len(orders) >= 4, f"{name} : trop peu de colonnes triables ({orders})"
    base = url + ("&" if "?" in url else "?")
    for order in orders:
        for direction in (order, f"-{order.split('.')[0]}"):
            response = client.get(f"{base}o={direction}")
            assert response.status_code == 200, f"{name} trié par ?o={direction} : {response.status_code}"
            assert _rows(response.content.decode()) > 0, f"{name} trié par ?o={direction} : liste vide"
