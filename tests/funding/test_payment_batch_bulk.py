"""Batch payments recorded in bulk (issue 15): the same end state as recording each payment one by
one, one digest per editor instead of one message per payment, and a number of queries that does
not grow with the file."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from segur_funding.funding import payment_batch, services
from segur_funding.funding.constants import RequestStatus
from segur_funding.funding.models import FundingRequest, Payment, RequestEvent
from segur_funding.notifications.constants import NotificationKind, NotificationStatus
from segur_funding.notifications.models import Notification
from segur_funding.notifications.services import preference_set
from segur_funding.organizations.models import BankAccount, User
from segur_funding.quotes import services as quote_services
from segur_funding.quotes.constants import NextStep
from segur_funding.quotes.models import Quote
from tests.funding.factories import (
    ADVANCE_DAY,
    BALANCE_DAY,
    DELIVERY_DAY,
    PAID_DAY,
    Scenario,
    asp_validate,
    bank_account_for,
    member,
)
from tests.funding.test_services import invoice

pytestmark = pytest.mark.django_db
PAID_ON = date(2022, 10, 20)  # after every validation of the fixture


def _validated_advance(scenario: Scenario, asp, *, number: str, delivered: bool = False) -> FundingRequest:
    quote = scenario.delivered(number=number) if delivered else scenario.signed(number=number)
    request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    asp_validate(request, asp, on=ADVANCE_DAY)
    return FundingRequest.objects.get(pk=request.pk)


def _validated_balance(scenario: Scenario, asp, *, number: str) -> FundingRequest:
    """A balance validated after its advance was paid (the advance stays out of the file)."""
    quote = scenario.signed(number=number)
    advance = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    asp_validate(advance, asp, on=ADVANCE_DAY)
    services.payment_record(request=advance, user=asp, paid_on=PAID_DAY, reference=f"AV-{number}")
    quote = quote_services.quote_declare_delivery(
        quote=quote, user=scenario.lab_user, delivered_on=DELIVERY_DAY, today=DELIVERY_DAY
    )
    balance = services.balance_request_file(
        quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
    )
    asp_validate(balance, asp, on=BALANCE_DAY)
    return FundingRequest.objects.get(pk=balance.pk)


@pytest.fixture
def mixed(reference_data, asp, private_media):
    """Two editors (the first with two members): advances of a signed and of a delivered quote,
    and a balance, each quote left waiting for something else once paid."""
    first, second = Scenario(), Scenario()
    member(first.editor)
    requests = [
        _validated_advance(first, asp, number="DEV-A1"),
        _validated_advance(first, asp, number="DEV-A2", delivered=True),
        _validated_balance(first, asp, number="DEV-A3"),
        _validated_advance(second, asp, number="DEV-B1"),
    ]
    # The second editor's details changed since the first ones: the payment goes to those in force.
    BankAccount.objects.filter(pk=second.bank_account.pk).update(status="superseded")
    bank_account_for(second.editor)
    return requests


def _answer(requests, *, paid_on: date = PAID_ON) -> bytes:
    lines = ["N° de demande;Montant versé (€);Date de versement;Référence du versement"]
    lines += [f"{r.pk};{f'{r.amount:.2f}'.replace('.', ',')};{paid_on:%d/%m/%Y};VIR-{r.pk}" for r in requests]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _state(requests) -> dict:
    """What a reader of the back office sees of these requests, timestamps aside."""
    ids = [r.pk for r in requests]
    quote_ids = [r.quote_id for r in requests]
    return {
        "status": sorted(FundingRequest.objects.filter(pk__in=ids).values_list("pk", "status")),
        "payments": sorted(
            Payment.objects.filter(request_id__in=ids).values_list(
                "request_id",
                "quote_id",
                "milestone",
                "amount",
                "paid_on",
                "reference",
                "bank_account_id",
                "recorded_by_id",
            )
        ),
        "events": sorted(
            RequestEvent.objects.filter(request_id__in=ids).values_list(
                "request_id", "from_status", "to_status", "actor_id", "comment"
            )
        ),
        "next_step": sorted(Quote.objects.filter(pk__in=quote_ids).values_list("pk", "next_step")),
    }


def test_a_file_recorded_in_bulk_ends_as_the_same_payments_recorded_one_by_one(mixed, asp):
    content = _answer(mixed)
    told_one_by_one = Notification.objects.filter(kind=NotificationKind.PAYMENT_MADE)
    before = told_one_by_one.count()  # the advance paid before its balance, in the fixture
    with transaction.atomic():
        outcome = payment_batch.payment_file_import(
            content=content, file_format="csv", user=asp, dry_run=False
        )
        assert outcome.ok, outcome.errors
        in_bulk = _state(mixed)
        digests = list(Notification.objects.filter(kind=NotificationKind.PAYMENTS_MADE))
        assert told_one_by_one.count() == before
        transaction.set_rollback(True)

    for request in mixed:
        services.payment_record(request=request.pk, user=asp, paid_on=PAID_ON, reference=f"VIR-{request.pk}")
    assert _state(mixed) == in_bulk

    assert {status for _pk, status in in_bulk["status"]} == {RequestStatus.PAID}
    # Each payment went to the details in force of its editor, the second editor's new ones.
    in_force = {
        r.editor_id: BankAccount.objects.get(organization=r.editor_id, status="validated").pk for r in mixed
    }
    assert [row[6] for row in in_bulk["payments"]] == [
        in_force[r.editor_id] for r in sorted(mixed, key=lambda r: r.pk)
    ]
    assert dict(in_bulk["next_step"]) == {
        mixed[0].quote_id: NextStep.DELIVERY,  # signed, not delivered yet
        mixed[1].quote_id: NextStep.BALANCE,  # delivered: the balance may be asked
        mixed[2].quote_id: NextStep.NONE,  # balance paid: done
        mixed[3].quote_id: NextStep.DELIVERY,
    }
    # One digest per member of each editor, listing that editor's payments only.
    by_recipient = {n.recipient_id: n.context for n in digests}
    first_members = set(
        FundingRequest.objects.get(pk=mixed[0].pk).editor.memberships.values_list("user_id", flat=True)
    )
    assert len(digests) == 3 and set(by_recipient) >= first_members
    first_digest = by_recipient[min(first_members)]
    assert first_digest["count"] == 3
    assert [p["payment_reference"] for p in first_digest["payments"]] == [f"VIR-{r.pk}" for r in mixed[:3]]


def test_the_preview_refuses_what_the_import_refuses_with_the_same_words(mixed, asp):
    not_validated = FundingRequest.objects.filter(pk=mixed[3].pk)
    not_validated.update(status=RequestStatus.SUBMITTED)
    BankAccount.objects.filter(organization=mixed[1].editor_id).update(status="superseded")
    content = (
        _answer(mixed[:2] + mixed[3:]) + _answer(mixed[2:3], paid_on=date(2022, 9, 30)).split(b"\n", 1)[1]
    )
    messages = []
    for dry_run in (True, False):
        outcome = payment_batch.payment_file_import(
            content=content, file_format="csv", user=asp, dry_run=dry_run
        )
        messages.append(outcome.errors)
    assert messages[0] == messages[1]
    assert messages[0] == [
        f"Ligne 2 : demande n° {mixed[0].pk} : L'éditeur n'a pas de coordonnées bancaires validées par "
        "l'ASP : validez-les (Coordonnées bancaires) avant d'enregistrer un versement.",
        f"Ligne 3 : demande n° {mixed[1].pk} : L'éditeur n'a pas de coordonnées bancaires validées par "
        "l'ASP : validez-les (Coordonnées bancaires) avant d'enregistrer un versement.",
        f"Ligne 4 : demande n° {mixed[3].pk} : Seule une demande validée peut être payée (celle-ci est "
        "« Déposée »).",
        f"Ligne 5 : demande n° {mixed[2].pk} : La date de versement (30/09/2022) ne peut pas précéder "
        "la validation de la demande (01/10/2022).",
    ]
    assert not Payment.objects.filter(request_id__in=[r.pk for r in mixed]).exists()


def _many_validated(count: int, asp) -> list[FundingRequest]:
    scenario = Scenario()
    return [_validated_advance(scenario, asp, number=f"DEV-{n}") for n in range(count)]


def test_a_file_of_50_rows_costs_the_queries_of_a_file_of_5(reference_data, asp, private_media):
    requests = _many_validated(55, asp)
    counts = []
    for batch in (requests[:5], requests[5:]):
        with CaptureQueriesContext(connection) as queries:
            outcome = payment_batch.payment_file_import(
                content=_answer(batch), file_format="csv", user=asp, dry_run=False
            )
        assert outcome.ok and len(outcome.lines) == len(batch)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert Payment.objects.filter(request_id__in=[r.pk for r in requests]).count() == 55


def test_whoever_turned_off_payment_emails_gets_no_digest_by_email_either(mixed, asp):
    member_ids = FundingRequest.objects.get(pk=mixed[0].pk).editor.memberships.values_list(
        "user_id", flat=True
    )
    quiet, *others = sorted(member_ids)
    preference_set(user=User.objects.get(pk=quiet), kind=NotificationKind.PAYMENT_MADE, email_enabled=False)
    outcome = payment_batch.payment_file_import(
        content=_answer(mixed), file_format="csv", user=asp, dry_run=False
    )
    assert outcome.ok, outcome.errors
    digests = {
        n.recipient_id: n.status for n in Notification.objects.filter(kind=NotificationKind.PAYMENTS_MADE)
    }
    assert digests[quiet] == NotificationStatus.DISABLED  # in the app, not by e-mail
    assert all(digests[pk] != NotificationStatus.DISABLED for pk in others)
