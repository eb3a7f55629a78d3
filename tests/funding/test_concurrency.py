"""Fifty ASP reviewers click "record payment" on the same milestone at the same time.

Runs on whatever database the suite uses, and picks its behaviour from the vendor:
- PostgreSQL (DATABASE_URL=postgres://…) and file SQLite: the fifty calls really overlap and meet
  the row lock (or SQLite's BEGIN IMMEDIATE), the compare-and-set update and the unique constraint;
- in-memory SQLite (the default test database) cannot make a thread wait for another one's write
  (it answers "table locked" at once), so the calls queue on a lock that plays the database's
  part; each still runs in its own thread and connection and must be refused after the first.
"""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from segur_funding.core.errors import DomainError
from segur_funding.funding import services
from segur_funding.funding.constants import ALREADY_PAID_MESSAGE, RequestStatus
from segur_funding.funding.models import FundingRequest, Payment, RequestEvent
from tests.funding.factories import ADVANCE_DAY, PAID_DAY, Scenario, asp_user, asp_validate

CALLS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_payments_of_one_milestone_make_exactly_one(reference_data):
    scenario = Scenario()
    asp = asp_user()
    quote = scenario.signed()
    request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    asp_validate(request, asp, on=ADVANCE_DAY)

    start = threading.Barrier(CALLS)
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    writer = threading.Lock() if in_memory else contextlib.nullcontext()

    def pay(i: int) -> str:
        try:
            start.wait(timeout=30)
            with writer:
                services.payment_record(
                    request=request.pk,
                    user=asp,
                    paid_on=PAID_DAY,
                    reference=f"ASP-{i:02d}",
                    today=PAID_DAY,
                )
            return "paid"
        except DomainError as exc:
            return exc.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CALLS) as pool:
        outcomes = list(pool.map(pay, range(CALLS)))

    assert outcomes.count("paid") == 1
    assert outcomes.count(ALREADY_PAID_MESSAGE) == CALLS - 1
    assert Payment.objects.count() == 1
    assert Payment.objects.get().amount == Decimal("9882.00")
    request = FundingRequest.objects.get(pk=request.pk)
    assert request.status == RequestStatus.PAID
    assert RequestEvent.objects.filter(request=request, to_status=RequestStatus.PAID).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_payment_file_at_once_pay_each_request_once(reference_data):
    from segur_funding.funding import payment_batch

    scenario = Scenario()
    asp = asp_user()
    rows = ["N° de demande;Montant versé (€);Date de versement;Référence du versement"]
    for number in ("DEV-A", "DEV-B", "DEV-C"):
        quote = scenario.signed(number=number)
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        asp_validate(request, asp, on=ADVANCE_DAY)
        rows.append(f"{request.pk};{request.amount};{PAID_DAY:%d/%m/%Y};VIR-{request.pk}")
    content = ("\n".join(rows) + "\n").encode()

    start = threading.Barrier(2)
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    writer = threading.Lock() if in_memory else contextlib.nullcontext()

    def run(_i: int) -> bool:
        try:
            start.wait(timeout=30)
            with writer:
                return payment_batch.payment_file_import(
                    content=content, file_format="csv", user=asp, dry_run=False
                ).ok
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(run, range(2)))

    assert outcomes == [False, True]  # one import paid everything, the other was refused whole
    assert Payment.objects.count() == 3
    assert FundingRequest.objects.filter(status=RequestStatus.PAID).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_file_import_and_single_payments_at_once_pay_each_request_once(reference_data):
    """The import locks its requests in id order, then their quotes; a single payment locks its
    request, then its quote: whoever comes second is refused, nothing is paid twice, no deadlock."""
    from segur_funding.funding import payment_batch

    scenario = Scenario()
    asp = asp_user()
    requests = []
    for number in ("DEV-A", "DEV-B", "DEV-C", "DEV-D"):
        quote = scenario.signed(number=number)
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        asp_validate(request, asp, on=ADVANCE_DAY)
        requests.append(request)
    rows = ["N° de demande;Montant versé (€);Date de versement;Référence du versement"]
    rows += [f"{r.pk};{r.amount};{PAID_DAY:%d/%m/%Y};VIR-{r.pk}" for r in requests]
    content = ("\n".join(rows) + "\n").encode()

    start = threading.Barrier(3)
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    writer = threading.Lock() if in_memory else contextlib.nullcontext()

    def run(i: int) -> str:
        try:
            start.wait(timeout=30)
            with writer:
                if i == 0:
                    outcome = payment_batch.payment_file_import(
                        content=content, file_format="csv", user=asp, dry_run=False
                    )
                    return "file paid" if outcome.ok else "file refused"
                # The last request first: the reverse of the import's order.
                services.payment_record(
                    request=requests[-i].pk, user=asp, paid_on=PAID_DAY, reference=f"ONE-{i}", today=PAID_DAY
                )
                return "one paid"
        except DomainError as exc:
            return exc.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(run, range(3)))

    if outcomes[0] == "file paid":
        assert outcomes[1:] == [ALREADY_PAID_MESSAGE] * 2
        assert Payment.objects.count() == 4
    else:
        assert outcomes[0] == "file refused" and "one paid" in outcomes[1:]
        assert Payment.objects.count() == outcomes.count("one paid")
    paid = FundingRequest.objects.filter(status=RequestStatus.PAID).count()
    assert (
        paid == Payment.objects.count() == RequestEvent.objects.filter(to_status=RequestStatus.PAID).count()
    )
