"""The one-line notifications the quotes and funding services make at each move: who is told,
where the link leads, what the message says."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from segur_funding.funding import notify as funding_notify
from segur_funding.funding.constants import Milestone, RequestStatus
from segur_funding.funding.models import ExportJob, FundingRequest, Payment
from segur_funding.notifications.constants import NotificationKind as K
from segur_funding.notifications.models import Notification
from segur_funding.organizations.constants import ASP_REVIEWERS_GROUP
from segur_funding.quotes import notify as quote_notify
from segur_funding.quotes.models import QuoteStatus
from segur_funding.referencing.constants import DossierStatus
from tests.referencing.factories import UserFactory

from .world import World


@pytest.fixture
def world(reference_data):
    from segur_funding.organizations.services import reviewer_groups_setup

    w = World()
    w.asp = UserFactory(email="asp@test.example", is_staff=True)
    w.asp.groups.add(reviewer_groups_setup()[ASP_REVIEWERS_GROUP])
    dossier = w.dossier("BioLab", status=DossierStatus.REFERENCED, referenced_on=date(2022, 1, 1),
                        proofs_complete_on=date(2021, 12, 1))
    w.q = w.quote("D-2022-0042", dossier=dossier, order_date=date(2022, 3, 1),
                  status=QuoteStatus.SIGNED, signature_date=date(2022, 6, 1),
                  delivered_on=date(2022, 9, 1), window=w.window, created_by=w.l1,
                  check_report={"state_funding_ttc": "32940.00"})
    w.advance = FundingRequest.objects.create(
        quote=w.q, editor=w.editor, milestone=Milestone.ADVANCE, status=RequestStatus.SUBMITTED,
        funded_amount=Decimal("32940.00"), amount=Decimal("9882.00"),
    )
    return w


def to(rows):
    return sorted(r.recipient.email for r in rows)


def test_quote_moves_tell_the_other_side(world):
    received = quote_notify.quote_issued_notify(quote=world.q)
    assert to(received) == ["l1@test.example"]
    assert received[0].link == f"/devis/laboratoire/{world.q.pk}/"
    assert received[0].context["state_funding"] == "32\u202f940,00\u00a0€"
    assert received[0].message == (
        "Devis D-2022-0042 reçu de Biologiciel : vérifiez-le avant de le signer."
    )

    signed = quote_notify.quote_signed_notify(quote=world.q)
    assert to(signed) == ["e1@test.example", "e2@test.example"]
    assert signed[0].link == f"/devis/editeur/{world.q.pk}/"
    assert signed[0].message == "Devis D-2022-0042 signé par Laboratoire Ébène le 01/06/2022."

    delivered = quote_notify.quote_delivery_notify(quote=world.q, declared_by=world.l1)
    assert to(delivered) == ["e1@test.example", "e2@test.example"]
    assert delivered[0].context["delivered_on"] == "01/09/2022"


def test_an_uploaded_quote_check_tells_its_uploader_once(world):
    first = quote_notify.quote_check_notify(quote=world.q, failed=False, outcome="Conforme")
    again = quote_notify.quote_check_notify(quote=world.q, failed=False, outcome="Conforme")
    assert to(first) == ["l1@test.example"] and again == []
    assert first[0].message == "Vérification du devis D-2022-0042 : résultat disponible — Conforme."


def test_funding_moves_tell_the_asp_then_the_editor(world):
    filed = funding_notify.funding_request_submitted_notify(request=world.advance)
    assert to(filed) == ["asp@test.example"]
    assert filed[0].link == f"/admin/funding/fundingrequest/{world.advance.pk}/change/"
    reference = f"DF-{world.advance.pk:05d}"
    assert filed[0].message == f"Demande {reference} (Avance) déposée par Biologiciel."

    world.advance.status = RequestStatus.TO_MODIFY
    back = funding_notify.funding_request_decided_notify(request=world.advance, reason="Facture absente")
    assert to(back) == ["e1@test.example", "e2@test.example"]
    assert back[0].kind == K.REQUEST_TO_MODIFY
    assert back[0].message == f"Demande {reference} (Avance) à modifier : Facture absente"
    assert back[0].link == f"/financement/demandes/{world.advance.pk}/"
    for status, kind in ((RequestStatus.VALIDATED, K.REQUEST_VALIDATED),
                         (RequestStatus.REFUSED, K.REQUEST_REFUSED)):
        world.advance.status = status
        assert funding_notify.funding_request_decided_notify(request=world.advance)[0].kind == kind


def test_a_payment_is_told_once(world):
    payment = Payment.objects.create(
        request=world.advance, quote=world.q, milestone=Milestone.ADVANCE,
        amount=Decimal("9882.00"), paid_on=date(2022, 6, 20), reference="VIR-1",
    )
    rows = funding_notify.payment_made_notify(payment=payment)
    assert to(rows) == ["e1@test.example", "e2@test.example"]
    assert rows[0].message == (
        f"Versement de 9\u202f882,00\u00a0€ (Avance) effectué pour la demande "
        f"DF-{world.advance.pk:05d}."
    )
    assert funding_notify.payment_made_notify(payment=payment) == []


def test_an_export_tells_who_asked(world):
    job = ExportJob.objects.create(requested_by=world.asp, file_format="csv", rows=12, status="done")
    [row] = funding_notify.export_ready_notify(job=job)
    assert row.message == "Export CSV des demandes de financement : résultat disponible — 12 ligne(s)."
    assert funding_notify.export_ready_notify(job=job) == []


def test_mails_leave_after_commit_only(world, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), transaction.atomic():
        quote_notify.quote_signed_notify(quote=world.q)
        raise RuntimeError("la signature échoue plus loin")
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        quote_notify.quote_signed_notify(quote=world.q)
    assert sorted(m.to[0] for m in mail.outbox) == ["e1@test.example", "e2@test.example"]
