"""The reviewers' decision pages (a quote, a funding request, a dossier): their read-only fields
and tables are drawn as Django draws them (core/templatetags/segur_admin_form.py), and a page
costs the same queries whatever the number of its lines, history rows and corrections."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from segur_funding.core import clock
from segur_funding.core.templatetags import segur_admin_form
from segur_funding.funding import services
from segur_funding.funding.models import CorrectionRequest, RequestEvent
from segur_funding.quotes.demo import demo_window_ensure
from segur_funding.quotes.models import QuoteEvent, QuoteLine
from tests.funding.factories import Scenario, UserFactory

pytestmark = pytest.mark.django_db

# Fixed costs of a change page: session, user, second factor (django-otp's device), the object,
# the two permission reads; then one query per table shown.
MAX_QUERIES = 10


@pytest.fixture
def paid(reference_data, asp):
    """A balance-less advance request filed, sent back once (a correction), validated and paid."""
    today = clock.today()
    demo_window_ensure(today=today)
    scenario = Scenario()
    request = services.advance_request_file(quote=scenario.signed(today=today), user=scenario.editor_user)
    services.funding_request_validate(request=request, user=asp)
    services.payment_record(request=request, user=asp, paid_on=today, reference="VIR-1")
    CorrectionRequest.objects.create(
        request=request, reasons=["other"], comment="RIB illisible", requested_by=asp
    )
    return request


def _copies(rows, count: int, **changes) -> list:
    """`count` copies of the first of `rows`, each by another user: what a per-row query shows."""
    first = rows[0]
    model = type(first)
    copies = []
    for i in range(count):
        values = {f.attname: getattr(first, f.attname) for f in model._meta.concrete_fields}
        values["id"] = None
        values |= {k: (v(i) if callable(v) else v) for k, v in changes.items()}
        copies.append(model(**values))
    return model.objects.bulk_create(copies)


def _page(client, url: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries], response.content.decode()


def _normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _same_page_as_djangos(client, url: str, monkeypatch) -> str:
    fast = client.get(url).content.decode()
    monkeypatch.setattr(segur_admin_form, "readonly_fieldset_html", lambda *args: "")
    monkeypatch.setattr(segur_admin_form, "readonly_tabular_html", lambda *args: "")
    monkeypatch.setattr(segur_admin_form, "readonly_stacked_html", lambda *args: "")
    django = client.get(url).content.decode()
    monkeypatch.undo()
    assert _normalised(fast) == _normalised(django)
    return fast


def test_the_quote_page_is_drawn_as_django_draws_it(client, paid, asp, monkeypatch):
    client.force_login(asp)
    html = _same_page_as_djangos(
        client, reverse("admin:quotes_quote_change", args=[paid.quote_id]), monkeypatch
    )
    assert 'id="lines-group"' in html and 'id="events-group"' in html
    assert 'name="lines-0-id"' in html and "lines-TOTAL_FORMS" in html
    assert reverse("admin:organizations_organization_change", args=[paid.quote.editor_id]) in html


def test_the_request_page_is_drawn_as_django_draws_it(client, paid, asp, monkeypatch):
    client.force_login(asp)
    html = _same_page_as_djangos(
        client, reverse("admin:funding_fundingrequest_change", args=[paid.pk]), monkeypatch
    )
    assert "RIB illisible" in html and "VIR-1" in html and 'id="events-group"' in html
    assert 'data-inline-type="stacked"' in html and 'name="payment-0-id"' in html


def test_the_quote_page_costs_the_same_queries_for_one_line_as_for_many(client, paid, asp):
    quote = paid.quote
    client.force_login(asp)
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    lines, events = list(quote.lines.order_by("id")), list(quote.events.order_by("id"))
    QuoteLine.objects.filter(quote=quote).exclude(pk=lines[0].pk).delete()
    QuoteEvent.objects.filter(quote=quote).exclude(pk=events[0].pk).delete()
    client.get(url)  # first visit: the session and the permissions' caches settle
    one, html = _page(client, url)
    assert html.count('class="form-row" id="lines-') == 1 and html.count('class="form-row" id="events-') == 1
    _copies(lines, 8, position=lambda i: 10 + i)
    _copies(events, 8, actor_id=lambda i: UserFactory().pk)
    many, html = _page(client, url)
    assert html.count('class="form-row" id="lines-') == 9 and html.count('class="form-row" id="events-') == 9
    assert len(one) == len(many) <= MAX_QUERIES, "\n".join(many)


def test_the_request_page_costs_the_same_queries_for_one_history_row_as_for_many(client, paid, asp):
    client.force_login(asp)
    url = reverse("admin:funding_fundingrequest_change", args=[paid.pk])
    events = list(paid.events.order_by("id"))
    RequestEvent.objects.filter(request=paid).exclude(pk=events[0].pk).delete()
    client.get(url)
    one, html = _page(client, url)
    assert html.count('class="form-row" id="events-') == 1
    _copies(events, 8, actor_id=lambda i: UserFactory().pk)
    _copies(list(paid.corrections.all()), 5, requested_by_id=lambda i: UserFactory().pk)
    many, html = _page(client, url)
    assert (
        html.count('class="form-row" id="events-') == 9
        and html.count('class="form-row" id="corrections-') == 6
    )
    assert len(one) == len(many) <= MAX_QUERIES, "\n".join(many)


@pytest.mark.parametrize(
    "path", ["/admin/funding/fundingrequest/", "/admin/quotes/quote/1/change/", "/admin/"]
)
def test_the_side_bar_is_drawn_as_django_draws_it(rf, asp, path):
    from django.contrib import admin
    from django.template.loader import render_to_string

    from segur_funding.core.templatetags.segur_admin_nav import fast_nav_app_list

    request = rf.get(path)
    request.user = asp
    apps = admin.site.get_app_list(request)
    assert apps
    django = render_to_string(
        "admin/app_list.html", {"app_list": apps, "show_changelinks": False, "request": request}
    )
    assert _normalised(fast_nav_app_list({"request": request}, apps)) == _normalised(django)
    assert _normalised(fast_nav_app_list({"request": request}, [])) == _normalised(
        render_to_string("admin/app_list.html", {"app_list": [], "request": request})
    )
