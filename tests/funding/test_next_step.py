"""`Quote.next_step`: what a quote's funding waits for, kept by every move (quote and funding
request) in the same transaction, and the editor's « À demander » list read from it."""

import importlib
from itertools import product

import pytest
from django.apps import apps

from segur_funding.funding import rules, services
from segur_funding.funding.constants import RequestStatus
from segur_funding.funding.selectors import quote_next_step, quotes_awaiting_request
from segur_funding.quotes import services as quote_services
from segur_funding.quotes.constants import NextStep, QuoteOrigin, QuoteStatus
from segur_funding.quotes.models import Quote
from segur_funding.quotes.rules.workflow import next_step_after
from tests.funding.factories import (
    ADVANCE_DAY,
    BALANCE_DAY,
    DELIVERY_DAY,
    PAID_DAY,
    SIGN_DAY,
    asp_validate,
)
from tests.funding.test_services import invoice

REQUEST_STATES = (None, *RequestStatus.values)


# --- The rules, without a database -------------------------------------------------------------


def test_only_a_signed_quote_written_here_waits_for_funding():
    for status in (QuoteStatus.DRAFT, QuoteStatus.ISSUED, QuoteStatus.CANCELLED):
        assert rules.quote_next_step(quote_status=status, origin="web", advance=None, balance=None) == ""
    for status in (QuoteStatus.SIGNED, QuoteStatus.DELIVERED):
        assert (
            rules.quote_next_step(
                quote_status=status, origin=QuoteOrigin.UPLOADED, advance=None, balance=None
            )
            == NextStep.NONE
        )
        assert (
            rules.quote_next_step(quote_status=status, origin="web", advance=None, balance=None)
            == NextStep.ADVANCE
        )


@pytest.mark.parametrize(
    ("quote_status", "advance", "balance", "expected"),
    [
        (QuoteStatus.SIGNED, RequestStatus.SUBMITTED, None, NextStep.REVIEW),
        (QuoteStatus.SIGNED, RequestStatus.RESUBMITTED, None, NextStep.REVIEW),
        (QuoteStatus.SIGNED, RequestStatus.TO_MODIFY, None, NextStep.CORRECTION),
        (QuoteStatus.SIGNED, RequestStatus.VALIDATED, None, NextStep.PAYMENT),
        (QuoteStatus.SIGNED, RequestStatus.REFUSED, None, NextStep.NONE),
        (QuoteStatus.SIGNED, RequestStatus.PAID, None, NextStep.DELIVERY),
        (QuoteStatus.DELIVERED, RequestStatus.PAID, None, NextStep.BALANCE),
        (QuoteStatus.DELIVERED, RequestStatus.PAID, RequestStatus.SUBMITTED, NextStep.REVIEW),
        (QuoteStatus.DELIVERED, RequestStatus.PAID, RequestStatus.TO_MODIFY, NextStep.CORRECTION),
        (QuoteStatus.DELIVERED, RequestStatus.PAID, RequestStatus.VALIDATED, NextStep.PAYMENT),
        (QuoteStatus.DELIVERED, RequestStatus.PAID, RequestStatus.REFUSED, NextStep.NONE),
        (QuoteStatus.DELIVERED, RequestStatus.PAID, RequestStatus.PAID, NextStep.NONE),
    ],
)
def test_what_a_signed_quote_waits_for_after_its_requests_moved(quote_status, advance, balance, expected):
    assert (
        rules.quote_next_step(quote_status=quote_status, origin="web", advance=advance, balance=balance)
        == expected
    )


@pytest.mark.parametrize(("advance", "balance"), list(product(REQUEST_STATES, REQUEST_STATES)))
def test_the_quote_moves_and_the_request_moves_agree(advance, balance):
    """Signing, then declaring the delivery (`quotes.rules.workflow.next_step_after`, which only
    sees the step stored before) gives what the funding rule computes from the whole state."""
    signed = rules.quote_next_step(quote_status="signed", origin="web", advance=advance, balance=balance)
    delivered = rules.quote_next_step(
        quote_status="delivered", origin="web", advance=advance, balance=balance
    )
    assert next_step_after(to=QuoteStatus.DELIVERED, origin="web", current=signed) == delivered
    if advance is None and balance is None:
        assert next_step_after(to=QuoteStatus.SIGNED, origin="web", current="") == signed


def test_cancelling_clears_the_step_and_uploaded_quotes_never_get_one():
    assert next_step_after(to=QuoteStatus.CANCELLED, origin="web", current=NextStep.ADVANCE) == ""
    assert next_step_after(to=QuoteStatus.SIGNED, origin=QuoteOrigin.UPLOADED, current="") == ""
    assert next_step_after(to=QuoteStatus.ISSUED, origin="web", current="") == ""


# --- Kept by the moves ----------------------------------------------------------------------------


def step(quote) -> str:
    return Quote.objects.values_list("next_step", flat=True).get(pk=quote.pk)


@pytest.mark.django_db
def test_every_move_of_the_funding_path_writes_the_next_step(scenario, asp):
    quote = scenario.issued()
    assert step(quote) == NextStep.NONE
    quote = quote_services.quote_sign(
        quote=quote,
        user=scenario.lab_user,
        signatory_name="Dr Claire Martin",
        signatory_role="biologiste responsable",
        today=SIGN_DAY,
    )
    assert step(quote) == NextStep.ADVANCE
    advance = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    assert step(quote) == NextStep.REVIEW
    services.funding_request_send_back(request=advance, user=asp, reasons=["amount_mismatch"])
    assert step(quote) == NextStep.CORRECTION
    services.funding_request_resubmit(
        request=advance, user=scenario.editor_user, comment="Corrigé.", amount=advance.amount
    )
    assert step(quote) == NextStep.REVIEW
    asp_validate(advance, asp, on=ADVANCE_DAY)
    assert step(quote) == NextStep.PAYMENT
    services.payment_record(request=advance, user=asp, paid_on=PAID_DAY, reference="AV-1", today=PAID_DAY)
    assert step(quote) == NextStep.DELIVERY  # advance paid, the lab has not declared the delivery
    quote = quote_services.quote_declare_delivery(
        quote=quote, user=scenario.lab_user, delivered_on=DELIVERY_DAY, today=DELIVERY_DAY
    )
    assert step(quote) == NextStep.BALANCE
    balance = services.balance_request_file(
        quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
    )
    assert step(quote) == NextStep.REVIEW
    asp_validate(balance, asp, on=BALANCE_DAY)
    services.payment_record(
        request=balance, user=asp, paid_on=BALANCE_DAY, reference="SO-1", today=BALANCE_DAY
    )
    assert step(quote) == NextStep.NONE
    assert quote_next_step(quote=Quote.objects.get(pk=quote.pk)) == NextStep.NONE


@pytest.mark.django_db
def test_a_delivery_declared_while_the_advance_is_instructed_keeps_the_step(scenario, asp):
    quote = scenario.signed()
    advance = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    quote_services.quote_declare_delivery(
        quote=quote, user=scenario.lab_user, delivered_on=DELIVERY_DAY, today=DELIVERY_DAY
    )
    assert step(quote) == NextStep.REVIEW
    asp_validate(advance, asp, on=ADVANCE_DAY)
    services.payment_record(request=advance, user=asp, paid_on=PAID_DAY, reference="AV-1", today=PAID_DAY)
    assert step(quote) == NextStep.BALANCE  # already delivered: the balance may be asked at once


@pytest.mark.django_db
def test_a_refused_advance_closes_the_quotes_funding(scenario, asp):
    quote = scenario.delivered()
    advance = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    services.funding_request_refuse(request=advance, user=asp, comment="Hors programme.")
    assert step(quote) == NextStep.NONE
    assert list(quotes_awaiting_request(user=scenario.editor_user)) == []


@pytest.mark.django_db
def test_a_refused_move_leaves_the_step_as_it_was(scenario, asp):
    quote = scenario.signed()
    advance = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    with pytest.raises(Exception, match="validée"):
        services.payment_record(request=advance, user=asp, paid_on=PAID_DAY, reference="X", today=PAID_DAY)
    assert step(quote) == NextStep.REVIEW


# --- The « À demander » list ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_awaiting_list_holds_advances_then_balances_to_ask(scenario, asp):
    to_advance = scenario.signed()
    asked = scenario.signed()
    services.advance_request_file(quote=asked, user=scenario.editor_user, today=ADVANCE_DAY)
    to_balance = scenario.delivered()
    advance = services.advance_request_file(quote=to_balance, user=scenario.editor_user, today=ADVANCE_DAY)
    asp_validate(advance, asp, on=ADVANCE_DAY)
    services.payment_record(request=advance, user=asp, paid_on=PAID_DAY, reference="AV-2", today=PAID_DAY)
    scenario.issued()  # not signed: nothing to ask

    listed = {q.pk: q for q in quotes_awaiting_request(user=scenario.editor_user)}
    assert set(listed) == {to_advance.pk, to_balance.pk}
    assert listed[to_advance.pk].awaits_advance_request
    assert not listed[to_balance.pk].awaits_advance_request


@pytest.mark.django_db
def test_the_awaiting_list_shows_the_step_on_the_editors_page(scenario, asp, client):
    quote = scenario.signed()
    client.force_login(scenario.editor_user)
    page = client.get("/financement/").content.decode()
    assert f'href="/financement/devis/{quote.pk}/avance/"' in page
    services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    page = client.get("/financement/").content.decode()
    assert f"/financement/devis/{quote.pk}/avance/" not in page
    assert "Aucune demande à déposer" in page


# --- The data migration --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_data_migration_fills_the_step_of_existing_quotes(scenario, asp):
    waiting = scenario.signed()
    instructed = scenario.signed()
    services.advance_request_file(quote=instructed, user=scenario.editor_user, today=ADVANCE_DAY)
    issued = scenario.issued()
    Quote.objects.update(next_step="")  # as the rows were before the column existed

    migration = importlib.import_module("segur_funding.funding.migrations.0005_quote_next_step_fill")
    migration.fill(apps, None)

    assert step(waiting) == NextStep.ADVANCE
    assert step(instructed) == NextStep.REVIEW
    assert step(issued) == NextStep.NONE
