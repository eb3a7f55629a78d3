"""Smoke test of the benchmark data generator (bench/generate.py) at a tiny scale.

It writes with PostgreSQL COPY on connections of its own, so the test needs PostgreSQL and a
transactional database (rows committed, tables flushed afterwards). The generator's own
verification then checks every foreign key, the money invariants (30 % advance half-up, balance
the rest, each milestone paid at most once) and the stored reports against the real checker.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def _url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgresql
def test_generator_writes_a_consistent_data_set(reference_data):
    assert connection.vendor == "postgresql", "the generator writes with PostgreSQL COPY"
    from bench import generate
    from segur_funding.funding.models import FundingRequest, Payment
    from segur_funding.quotes.models import Quote, QuoteLine
    from segur_funding.referencing.models import Dossier

    url = _url()
    generator = generate.Generator(url, scale=0.002, seed=7, history=True)
    generator.users_and_organizations()
    generator.referencing()
    generator.quotes()
    loaded = [Quote, QuoteLine, FundingRequest, Payment, Dossier]
    generate.sequences_reset(url, loaded)

    generate.verify(url, loaded, sample=40)  # raises SystemExit on any inconsistency

    assert Quote.objects.count() == 2000
    assert 5 * 2000 <= QuoteLine.objects.count() <= 7 * 2000
    assert Payment.objects.count() <= FundingRequest.objects.count()
    assert Payment.objects.filter(milestone="balance").count() > 0
    # Ids grow with time, as in production, and the sequences continue after them.
    first, last = Quote.objects.order_by("id")[0], Quote.objects.order_by("-id")[0]
    assert first.created_at <= last.created_at
    assert Quote.objects.create(client_id=first.client_id, status="draft").pk > last.pk
