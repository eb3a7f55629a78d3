"""Funding API: editors file and correct requests, the ASP decides and pays, through the same
services as the web pages and the admin; scoping and refusals as on the pages."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from segur_funding.core.errors import DomainError
from segur_funding.funding import services
from segur_funding.funding.constants import RequestStatus
from segur_funding.funding.models import FundingRequest, Payment
from tests.api.demo import upload
from tests.api.test_quotes_api import conform_body

EDITOR_REQUESTS = "/api/editor/funding-requests/"
ASP_REQUESTS = "/api/asp/funding-requests/"
DENIED = {"code": "PERMISSION_DENIED", "message": "Vous n'avez pas le droit de faire cette action."}


def _queued(demo) -> FundingRequest:
    return FundingRequest.objects.get(quote__number="D-DEMO-0002")


def _paid(demo) -> FundingRequest:
    return FundingRequest.objects.get(quote__number="D-DEMO-0003")


# --- Access -------------------------------------------------------------------------------------


def test_anonymous_gets_401(client_for):
    assert client_for(None).get(EDITOR_REQUESTS).status_code == 401
    assert client_for(None).get(ASP_REQUESTS).status_code == 401


def test_editor_lists_its_requests_with_amounts_and_payment(client_for, demo):
    results = client_for("editeur").get(EDITOR_REQUESTS).json()["results"]
    assert [(r["quote_number"], r["status"], r["amount"]) for r in results] == [
        ("D-DEMO-0003", "paid", "9882.00"),
        ("D-DEMO-0002", "submitted", "9882.00"),
    ]
    assert results[0]["payment"]["reference"] == "ASP-DEMO-AV-0003"
    assert results[1]["payment"] is None
    assert client_for("editeur2").get(EDITOR_REQUESTS).json()["results"] == []


def test_another_editors_request_answers_404(client_for, demo):
    queued = _queued(demo)
    other = client_for("editeur2")
    assert other.get(f"{EDITOR_REQUESTS}{queued.pk}/").status_code == 404
    assert other.get(f"{EDITOR_REQUESTS}{queued.pk}/invoice/").status_code == 404
    response = other.post(f"{EDITOR_REQUESTS}{queued.pk}/resubmit/", {"comment": "x"}, format="json")
    assert response.status_code == 404
    # Filing on another editor's quote: the quote is not found among theirs.
    response = other.post(f"{EDITOR_REQUESTS}advance/", {"quote": queued.quote_id}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"quote": ["Devis introuvable."]}


@pytest.mark.parametrize("who", ["labo", "ans", "asp"])
def test_non_editors_cannot_use_the_editor_funding_endpoints(client_for, who):
    response = client_for(who).get(EDITOR_REQUESTS)
    assert (response.status_code, response.json()) == (403, DENIED)


@pytest.mark.parametrize("who", ["editeur", "labo", "ans"])
def test_only_asp_reviewers_use_the_asp_endpoints(client_for, demo, who):
    queued = _queued(demo)
    client = client_for(who)
    assert client.get(ASP_REQUESTS).status_code == 403
    response = client.post(f"{ASP_REQUESTS}{queued.pk}/validate/", {}, format="json")
    assert (response.status_code, response.json()) == (403, DENIED)
    queued.refresh_from_db()
    assert queued.status == RequestStatus.SUBMITTED


def test_asp_reads_every_request_and_its_queues(client_for, demo):
    asp = client_for("asp")
    assert len(asp.get(ASP_REQUESTS).json()["results"]) == 2
    queue = asp.get(ASP_REQUESTS, {"queue": "decision"}).json()["results"]
    assert [r["quote_number"] for r in queue] == ["D-DEMO-0002"]
    detail = asp.get(f"{ASP_REQUESTS}{queue[0]['id']}/").json()
    assert detail["next_statuses"] == {"validated": "asp", "to_modify": "asp", "refused": "asp"}
    assert detail["events"][0]["to_status"] == "submitted"


# --- Commands -----------------------------------------------------------------------------------


def _service_message(call) -> str:
    sid = transaction.savepoint()
    try:
        with pytest.raises(DomainError) as refusal:
            call()
    finally:
        transaction.savepoint_rollback(sid)
    return refusal.value.message


def test_paying_twice_is_refused_with_the_services_message(client_for, demo):
    paid = _paid(demo)
    expected = _service_message(
        lambda: services.payment_record(
            request=paid, user=demo.users["asp"], paid_on=paid.payment.paid_on, reference="X"
        )
    )
    response = client_for("asp").post(
        f"{ASP_REQUESTS}{paid.pk}/payment/",
        {"paid_on": paid.payment.paid_on.isoformat(), "reference": "ASP-BIS"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"code": "ALREADY_PAID", "message": expected}
    assert expected == "Ce versement a déjà été enregistré."
    assert Payment.objects.filter(request=paid).count() == 1


def test_balance_before_delivery_is_refused_in_french(client_for, demo):
    quote = demo.quote("D-DEMO-0002")  # signed, advance not paid yet
    response = client_for("editeur").post(
        f"{EDITOR_REQUESTS}balance/", {"quote": quote.pk, "invoice": upload("facture.pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "BALANCE_NOT_ALLOWED"


def test_send_back_needs_a_reason_and_the_editor_answers_it(client_for, demo):
    queued = _queued(demo)
    asp, editor = client_for("asp"), client_for("editeur")
    empty = asp.post(f"{ASP_REQUESTS}{queued.pk}/send-back/", {"reasons": []}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "INVALID_INPUT"
    other = asp.post(f"{ASP_REQUESTS}{queued.pk}/send-back/", {"reasons": ["other"]}, format="json")
    assert other.json() == {
        "code": "INVALID_INPUT", "message": "Précisez le motif « Autre » dans le commentaire."
    }
    sent = asp.post(
        f"{ASP_REQUESTS}{queued.pk}/send-back/", {"reasons": ["bank_details"], "comment": "RIB ?"},
        format="json",
    ).json()
    assert sent["status"] == "to_modify"
    assert sent["corrections"][0]["reason_labels"] == ["Coordonnées bancaires (RIB) à compléter"]

    no_comment = editor.post(f"{EDITOR_REQUESTS}{queued.pk}/resubmit/", {"comment": " "}, format="json")
    assert no_comment.status_code == 400
    # « RIB à compléter » is answered with the new bank details (rules.CORRECTION_ANSWERS).
    url = f"{EDITOR_REQUESTS}{queued.pk}/resubmit/"
    no_rib = editor.post(url, {"comment": "RIB complété."}, format="json")
    assert set(no_rib.json()["errors"]) == {"bank_details"}
    rib = {"holder": "DEMO", "iban": "FR14 2004 1010 0505 0001 3M02 606", "bic": "PSSTFRPP"}
    answered = editor.post(
        f"{EDITOR_REQUESTS}{queued.pk}/resubmit/",
        {"comment": "RIB complété.", **rib, "rib": upload("rib.pdf")},
        format="multipart",
    ).json()
    assert answered["status"] == "resubmitted"
    assert answered["corrections"][0]["resolved_at"] is not None
    assert answered["editor_comment"] == "RIB complété."


def test_a_quote_from_writing_to_balance_paid_entirely_through_the_api(client_for, demo):
    editor, lab, asp = client_for("editeur"), client_for("labo"), client_for("asp")

    quote = editor.post("/api/editor/quotes/", conform_body(demo, number="D-API-0100"), format="json").json()
    assert editor.post(f"/api/editor/quotes/{quote['id']}/issue/").json()["status"] == "issued"
    signed = lab.post(
        f"/api/lab/quotes/{quote['id']}/sign/",
        {"signatory_name": "Dr Claire Martin", "signatory_role": "biologiste responsable"},
        format="json",
    )
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed"

    advance = editor.post(f"{EDITOR_REQUESTS}advance/", {"quote": quote["id"]}, format="json")
    assert advance.status_code == 201, advance.json()
    advance = advance.json()
    assert (advance["milestone"], advance["status"], advance["amount"], advance["funded_amount"]) == (
        "advance", "submitted", "9882.00", "32940.00"
    )
    twice = editor.post(f"{EDITOR_REQUESTS}advance/", {"quote": quote["id"]}, format="json")
    assert twice.json()["code"] == "DUPLICATE_REQUEST"

    validated = asp.post(f"{ASP_REQUESTS}{advance['id']}/validate/", {}, format="json")
    assert validated.json()["status"] == "validated"
    today = timezone.localdate().isoformat()
    paid = asp.post(
        f"{ASP_REQUESTS}{advance['id']}/payment/", {"paid_on": today, "reference": "VIR-AV-1"}, format="json"
    )
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "paid" and paid.json()["payment"]["amount"] == "9882.00"

    early = editor.post(
        f"{EDITOR_REQUESTS}balance/", {"quote": quote["id"], "invoice": upload("facture.pdf")},
        format="multipart",
    )
    assert early.json()["code"] == "NOT_DELIVERED"
    delivered = lab.post(f"/api/lab/quotes/{quote['id']}/delivery/", {}, format="json")
    assert delivered.json()["status"] == "delivered"
    no_invoice = editor.post(f"{EDITOR_REQUESTS}balance/", {"quote": quote["id"]}, format="multipart")
    assert no_invoice.status_code == 400 and "invoice" in no_invoice.json()["errors"]
    balance = editor.post(
        f"{EDITOR_REQUESTS}balance/", {"quote": quote["id"], "invoice": upload("facture.pdf")},
        format="multipart",
    )
    assert balance.status_code == 201, balance.json()
    balance = balance.json()
    assert (balance["milestone"], balance["amount"], balance["has_invoice"]) == ("balance", "23058.00", True)
    invoice = asp.get(f"{ASP_REQUESTS}{balance['id']}/invoice/")
    assert invoice.status_code == 200 and invoice["Content-Type"] == "application/pdf"
    assert b"".join(invoice.streaming_content).startswith(b"%PDF-")

    validated = asp.post(f"{ASP_REQUESTS}{balance['id']}/validate/", {}, format="json")
    assert validated.json()["status"] == "validated"
    done = asp.post(
        f"{ASP_REQUESTS}{balance['id']}/payment/", {"paid_on": today, "reference": "VIR-SO-1"}, format="json"
    ).json()
    assert done["status"] == "paid"
    payments = Payment.objects.filter(quote_id=quote["id"]).order_by("milestone")
    assert sum(p.amount for p in payments) == Decimal("32940.00")
    funding = editor.get(f"/api/editor/quotes/{quote['id']}/").json()["funding"]
    assert funding["advance_request"] == advance["id"] and funding["balance_request"] == balance["id"]


def test_asp_refuses_with_a_reason(client_for, demo):
    queued = _queued(demo)
    asp = client_for("asp")
    assert asp.post(f"{ASP_REQUESTS}{queued.pk}/refuse/", {"comment": ""}, format="json").status_code == 400
    refused = asp.post(f"{ASP_REQUESTS}{queued.pk}/refuse/", {"comment": "Hors délai."}, format="json")
    assert refused.json()["status"] == "refused" and refused.json()["next_statuses"] == {}
