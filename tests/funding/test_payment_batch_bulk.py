"""Batch payments recorded in bulk (issue 15): the same end state as recording each payment one by
one, one digest per editor instead of one message per payment, and a number of queries that does
not grow with the file."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from segur_funding.core.money import format_eur
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
    # One digest per member of each editor: how many payments to that editor, their total and a
    # link to its paid requests, not the list of the payments.
    by_recipient = {n.recipient_id: n for n in digests}
    first_editor = FundingRequest.objects.get(pk=mixed[0].pk).editor
    first_members = set(first_editor.memberships.values_list("user_id", flat=True))
    assert len(digests) == 3 and set(by_recipient) >= first_members
    first_digest = by_recipient[min(first_members)]
    total = format_eur(sum((r.amount for r in mixed[:3]), Decimal("0.00")))
    assert first_digest.context == {"editor_name": first_editor.name, "count": 3, "total": total}
    assert first_digest.link == reverse("funding:editor_list") + "?statut=paid"


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


def test_the_digests_read_the_email_preferences_once_and_are_written_in_one_insert(mixed, asp):
    """Two editors paid (three members): one query for the payment e-mail preferences of all the
    members, one INSERT for all the digests."""
    with CaptureQueriesContext(connection) as queries:
        outcome = payment_batch.payment_file_import(
            content=_answer(mixed), file_format="csv", user=asp, dry_run=False
        )
    assert outcome.ok, outcome.errors
    sql = [query["sql"] for query in queries]
    assert len([q for q in sql if "notifications_notificationpreference" in q]) == 1
    assert len([q for q in sql if q.startswith('INSERT INTO "notifications_notification"')]) == 1
    assert Notification.objects.filter(kind=NotificationKind.PAYMENTS_MADE).count() == 3


def test_the_digest_link_lists_the_editors_paid_requests(client, mixed, asp):
    outcome = payment_batch.payment_file_import(
        content=_answer(mixed[:2]), file_format="csv", user=asp, dry_run=False
    )
    assert outcome.ok, outcome.errors
    digest = Notification.objects.filter(kind=NotificationKind.PAYMENTS_MADE).first()
    client.force_login(digest.recipient)
    paid = client.get(digest.link).content.decode()
    everything = client.get(reverse("funding:editor_list")).content.decode()
    assert "Demandes déposées : « Décidée et payée »" in paid
    for request in mixed[:2]:
        assert f">N° {request.pk}<" in paid
    waiting = mixed[2]  # the balance, validated, not in this file
    assert f">N° {waiting.pk}<" in everything and f">N° {waiting.pk}<" not in paid


def _answer_rows(rows) -> bytes:
    lines = ["N° de demande;Montant versé (€);Date de versement;Référence du versement"]
    lines += [";".join(str(value) for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_an_already_paid_request_is_told_so_before_any_amount_difference(mixed, asp):
    paid = mixed[0]
    services.payment_record(request=paid.pk, user=asp, paid_on=PAID_ON, reference="VIR-UN-PAR-UN")
    content = _answer_rows([(paid.pk, "1,00", f"{PAID_ON:%d/%m/%Y}", "VIR-1")])
    outcome = payment_batch.payment_file_import(content=content, file_format="csv", user=asp, dry_run=True)
    assert outcome.errors == [f"Ligne 2 : demande n° {paid.pk} : Ce versement a déjà été enregistré."]


def test_a_payment_written_by_another_import_meanwhile_names_its_line_in_french(mixed, asp, monkeypatch):
    """The last guard, the unique payment per milestone, refuses the file (another import paid a
    request between this import's read and its write): the file is refused with that line's
    number, nothing of it written, no traceback."""
    from segur_funding.funding.services import payments

    other = mixed[1]
    services.payment_record(request=other.pk, user=asp, paid_on=PAID_ON, reference="VIR-AUTRE")
    # This import read the request before the other one committed: still validated, unpaid.
    FundingRequest.objects.filter(pk=other.pk).update(status=RequestStatus.VALIDATED)
    read = payments._milestone_book

    def read_before_the_other_commit(quote_ids):
        book = read(quote_ids)
        book.paid.discard((other.quote_id, other.milestone))
        return book

    monkeypatch.setattr(payments, "_milestone_book", read_before_the_other_commit)
    outcome = payment_batch.payment_file_import(
        content=_answer(mixed), file_format="csv", user=asp, dry_run=False
    )
    assert outcome.errors == [f"Ligne 3 : demande n° {other.pk} : Ce versement a déjà été enregistré."]
    written = Payment.objects.filter(request_id__in=[r.pk for r in mixed])
    assert list(written.values_list("reference", flat=True)) == ["VIR-AUTRE"]
    assert not FundingRequest.objects.filter(pk=mixed[0].pk, status=RequestStatus.PAID).exists()
