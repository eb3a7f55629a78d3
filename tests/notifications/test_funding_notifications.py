"""The funding journey, through the services, tells each person what concerns them, once."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail

from segur_funding.core.money import format_eur
from segur_funding.funding import services
from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.models import Notification
from tests.funding.factories import ADVANCE_DAY, BALANCE_DAY, PAID_DAY, Scenario, asp_user, asp_validate
from tests.funding.test_services import invoice

pytestmark = pytest.mark.django_db(transaction=True)


def sent() -> Counter:
    return Counter(
        (n.kind, n.recipient.email) for n in Notification.objects.select_related("recipient")
    )


def test_whole_funding_journey_notifies_each_person_once(reference_data):
    scenario = Scenario()
    asp = asp_user()
    editor, lab = scenario.editor_user.email, scenario.lab_user.email

    quote = scenario.delivered()
    advance = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    asp_validate(advance, asp, on=ADVANCE_DAY)
    services.payment_record(request=advance, user=asp, paid_on=PAID_DAY, reference="AV-1", today=PAID_DAY)
    balance = services.balance_request_file(
        quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
    )
    asp_validate(balance, asp, on=BALANCE_DAY)
    services.payment_record(
        request=balance, user=asp, paid_on=BALANCE_DAY, reference="SO-1", today=BALANCE_DAY
    )

    assert sent() == Counter(
        {
            (NotificationKind.QUOTE_RECEIVED, lab): 1,
            (NotificationKind.QUOTE_SIGNED, editor): 1,
            (NotificationKind.DELIVERY_DECLARED, editor): 1,
            (NotificationKind.REQUEST_SUBMITTED, asp.email): 2,
            (NotificationKind.REQUEST_VALIDATED, editor): 2,
            (NotificationKind.PAYMENT_MADE, editor): 2,
        }
    )
    # Eager tasks after each commit: every row was e-mailed exactly once.
    assert len(mail.outbox) == Notification.objects.count()
    assert all(n.status == "sent" for n in Notification.objects.all())
    bodies = "\n".join(m.body for m in mail.outbox)
    assert format_eur(Decimal("9882.00")) in bodies  # the advance, 30 %
    assert format_eur(Decimal("23058.00")) in bodies  # the balance, the rest


def test_a_refused_move_notifies_nobody(reference_data):
    from segur_funding.core.errors import DomainError

    scenario = Scenario()
    quote = scenario.signed()
    before = (Notification.objects.count(), len(mail.outbox))
    with pytest.raises(DomainError):
        services.balance_request_file(
            quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
        )
    assert (Notification.objects.count(), len(mail.outbox)) == before


def test_send_back_tells_the_editor_why(reference_data):
    scenario = Scenario()
    asp = asp_user()
    quote = scenario.signed()
    request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    services.funding_request_send_back(
        request=request, user=asp, reasons=["other"], comment="Le RIB est illisible."
    )
    note = Notification.objects.get(kind=NotificationKind.REQUEST_TO_MODIFY)
    assert note.recipient == scenario.editor_user
    assert "RIB est illisible" in mail.outbox[-1].body
