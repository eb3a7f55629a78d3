"""Answering an « à modifier »: each reason asks for what answers it, the editor gives exactly
that (or nothing is written, with French reasons), and the ASP sees old and new side by side."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from segur_funding.core.errors import DomainError
from segur_funding.core.pdf import one_page_pdf
from segur_funding.funding import bank, rules, services
from segur_funding.funding.constants import AnswerPart, CorrectionReason, RequestStatus
from segur_funding.funding.models import CorrectionRequest, FundingRequest, Payment, RequestEvent
from segur_funding.organizations.constants import BankAccountStatus
from segur_funding.organizations.models import BankAccount, Membership
from tests.funding.factories import (
    ADVANCE_DAY,
    PAID_DAY,
    EditorFactory,
    Scenario,
    asp_user,
    asp_validate,
    member,
)

NEW_IBAN = "FR14 2004 1010 0505 0001 3M02 606"
R = CorrectionReason
P = AnswerPart


def pdf(name: str, title: str = "Document") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, one_page_pdf(title), content_type="application/pdf")


def new_rib(**overrides) -> services.BankAnswer:
    fields = {"holder": "BIOLOGICIEL SAS", "iban": NEW_IBAN, "bic": "PSSTFRPP", "rib": pdf("rib.pdf", "RIB")}
    return services.BankAnswer(**{**fields, **overrides})


# --- Pure rules -----------------------------------------------------------------------------------


def test_every_reason_the_asp_may_choose_says_what_answers_it():
    assert set(rules.CORRECTION_ANSWERS) == set(CorrectionReason)
    assert rules.answer_parts([R.QUOTE_MISSING]) == (P.SIGNED_QUOTE,)
    assert rules.answer_parts([R.BANK_DETAILS]) == (P.BANK_DETAILS,)
    assert rules.answer_parts([R.INVOICE_MISSING, R.INVOICE_MISMATCH]) == (P.INVOICE,)
    assert rules.answer_parts([R.DELIVERY_PROOF]) == (P.DELIVERY_DECLARATION,)
    assert rules.answer_parts([R.AMOUNT_MISMATCH]) == (P.AMOUNT,)
    assert rules.answer_parts([R.CLIENT_IDENTITY]) == (P.CLIENT_IDENTITY,)
    assert rules.answer_parts([R.OTHER]) == ()
    # Each part once, in the form's order, whatever the order of the reasons.
    assert rules.answer_parts([R.BANK_DETAILS, R.SIGNATURE_MISSING, R.QUOTE_MISSING]) == (
        P.SIGNED_QUOTE,
        P.BANK_DETAILS,
    )


def test_an_answer_missing_a_part_or_adding_one_not_asked_is_refused_part_by_part():
    reasons = [R.BANK_DETAILS, R.QUOTE_MISSING]
    assert (
        rules.answer_problems(reasons=reasons, provided={P.BANK_DETAILS, P.SIGNED_QUOTE}, comment="ok") == {}
    )
    problems = rules.answer_problems(reasons=reasons, provided={P.BANK_DETAILS, P.AMOUNT}, comment=" ")
    assert set(problems) == {"comment", P.SIGNED_QUOTE, P.AMOUNT}
    assert problems["comment"] == "Expliquez ce qui a été corrigé."
    assert "devis signé" in problems[P.SIGNED_QUOTE]
    assert "n'a pas été demandé" in problems[P.AMOUNT]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "supérieur à zéro"),
        (Decimal("-1"), "supérieur à zéro"),
        (Decimal("10.005"), "centime"),
        (Decimal("9882.01"), "dépasser 9882.00"),
        (Decimal("9882.00"), None),
        (Decimal("0.01"), None),
    ],
)
def test_a_corrected_amount_is_positive_to_the_cent_and_never_above_the_milestone(amount, message):
    refusal = rules.corrected_amount_refusal(amount=amount, ceiling=Decimal("9882.00"))
    assert (refusal is None) if message is None else (message in refusal)


def test_a_request_answered_with_bank_details_waits_for_their_validation():
    assert rules.answered_bank_details_refusal(None) is None
    assert rules.answered_bank_details_refusal(BankAccountStatus.VALIDATED) is None
    assert rules.answered_bank_details_refusal(BankAccountStatus.PENDING).code == "BANK_DETAILS_PENDING"
    assert rules.answered_bank_details_refusal(BankAccountStatus.REJECTED).code == "BANK_DETAILS_REJECTED"


# --- Services -------------------------------------------------------------------------------------


@pytest.fixture
def sent_back(reference_data, asp, private_media):
    """An advance sent back « RIB à compléter » and « Devis signé absent »; the editor's user is
    one of its administrators."""
    scenario = Scenario()
    Membership.objects.filter(user=scenario.editor_user).update(is_admin=True)
    request = services.advance_request_file(
        quote=scenario.signed(), user=scenario.editor_user, today=ADVANCE_DAY
    )
    services.funding_request_send_back(
        request=request, user=asp, reasons=[R.BANK_DETAILS, R.QUOTE_MISSING], comment="RIB illisible."
    )
    return scenario, request


def state(request: FundingRequest, private_media) -> tuple:
    request.refresh_from_db()
    correction = request.corrections.get()
    return (
        request.status,
        request.amount,
        request.signed_quote.name,
        RequestEvent.objects.count(),
        BankAccount.objects.count(),
        correction.resolved_at,
        correction.changes,
        sorted(p.name for p in private_media.rglob("*") if p.is_file()),
    )


@pytest.mark.django_db
def test_answer_with_signed_quote_and_rib_then_asp_validates_the_rib_and_pays_into_it(sent_back, asp):
    scenario, request = sent_back
    old_account = scenario.bank_account
    services.funding_request_resubmit(
        request=request,
        user=scenario.editor_user,
        comment="Devis signé et nouveau RIB joints.",
        signed_quote=pdf("devis-signe.pdf", "Devis signé"),
        bank_details=new_rib(),
    )
    request.refresh_from_db()
    correction = request.corrections.get()
    assert request.status == RequestStatus.RESUBMITTED
    assert request.signed_quote.name.endswith("devis-signe.pdf")
    assert correction.resolved_at is not None and correction.answered_by == scenario.editor_user
    new_account = correction.bank_account
    assert (
        new_account.status == BankAccountStatus.PENDING and new_account.iban == "FR1420041010050500013M02606"
    )
    changes = {change["part"]: change for change in correction.changes}
    assert (
        changes[P.BANK_DETAILS]["old"]
        == f"{old_account.holder} — FR76 •••• •••• •••• •••• •••• 189 — AGRIFRPP"
    )
    assert changes[P.BANK_DETAILS]["new"].startswith("BIOLOGICIEL SAS — FR14 ")
    assert changes[P.SIGNED_QUOTE]["old"] == "" and changes[P.SIGNED_QUOTE]["new"] == "devis-signe.pdf"

    # The ASP cannot validate before the new RIB went through the bank-details flow.
    with pytest.raises(DomainError) as raised:
        asp_validate(request, asp, on=ADVANCE_DAY)
    assert raised.value.code == "BANK_DETAILS_PENDING"
    bank.bank_account_validate(account=new_account, reviewer=asp)
    asp_validate(request, asp, on=ADVANCE_DAY)
    payment = services.payment_record(
        request=request, user=asp, paid_on=PAID_DAY, reference="ASP-AV-9", today=PAID_DAY
    )
    assert payment.bank_account == new_account


@pytest.mark.django_db
def test_a_rejected_rib_given_in_answer_blocks_the_validation(sent_back, asp):
    scenario, request = sent_back
    services.funding_request_resubmit(
        request=request,
        user=scenario.editor_user,
        comment="Joints.",
        signed_quote=pdf("devis.pdf"),
        bank_details=new_rib(),
    )
    bank.bank_account_reject(
        account=request.corrections.get().bank_account, reviewer=asp, reason="RIB d'une autre société."
    )
    with pytest.raises(DomainError, match="renvoyez la demande"):
        asp_validate(request, asp, on=ADVANCE_DAY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "fields"),
    [
        ({"bank_details": new_rib}, {P.SIGNED_QUOTE}),
        ({"signed_quote": lambda: pdf("devis.pdf")}, {P.BANK_DETAILS}),
        ({}, {P.SIGNED_QUOTE, P.BANK_DETAILS, "comment"}),
        (
            {"bank_details": lambda: new_rib(iban="FR76 3000 6000 0112 3456 7890 188")},
            {P.SIGNED_QUOTE, "iban"},
        ),
        ({"bank_details": lambda: new_rib(rib=None), "signed_quote": lambda: pdf("d.pdf")}, {"rib"}),
        (
            {
                "bank_details": new_rib,
                "signed_quote": lambda: SimpleUploadedFile("devis.pdf", b"MZ\x90\x00", "application/pdf"),
            },
            {P.SIGNED_QUOTE},
        ),
        (
            {"bank_details": new_rib, "signed_quote": lambda: pdf("d.pdf"), "invoice": lambda: pdf("f.pdf")},
            {P.INVOICE},
        ),
    ],
    ids=["no-quote", "no-rib", "nothing", "wrong-iban", "no-rib-document", "quote-not-a-pdf", "not-asked"],
)
def test_an_incomplete_or_wrong_answer_writes_nothing_and_says_why(sent_back, private_media, answer, fields):
    scenario, request = sent_back
    before = state(request, private_media)
    comment = "" if "comment" in fields else "Corrigé."
    with pytest.raises(services.CorrectionAnswerInvalid) as raised:
        services.funding_request_resubmit(
            request=request,
            user=scenario.editor_user,
            comment=comment,
            **{name: make() for name, make in answer.items()},
        )
    assert set(raised.value.errors) == fields
    assert all(message.strip() for message in raised.value.errors.values())
    assert state(request, private_media) == before


@pytest.mark.django_db
def test_a_member_who_is_not_admin_cannot_change_the_rib_in_an_answer(sent_back, private_media):
    scenario, request = sent_back
    plain = member(scenario.editor)
    before = state(request, private_media)
    with pytest.raises(DomainError, match="Seul un administrateur") as raised:
        services.funding_request_resubmit(
            request=request,
            user=plain,
            comment="RIB et devis joints.",
            signed_quote=pdf("devis.pdf"),
            bank_details=new_rib(),
        )
    assert raised.value.code == "FORBIDDEN"
    assert state(request, private_media) == before


@pytest.mark.django_db
def test_a_corrected_amount_replaces_the_amount_and_is_paid(reference_data, asp, private_media):
    scenario = Scenario()
    request = services.advance_request_file(
        quote=scenario.signed(), user=scenario.editor_user, today=ADVANCE_DAY
    )
    services.funding_request_send_back(request=request, user=asp, reasons=[R.AMOUNT_MISMATCH])
    with pytest.raises(services.CorrectionAnswerInvalid, match=r"dépasser 9882\.00"):
        services.funding_request_resubmit(
            request=request, user=scenario.editor_user, comment="x", amount=Decimal("9882.01")
        )
    services.funding_request_resubmit(
        request=request, user=scenario.editor_user, comment="Aligné sur le devis.", amount=Decimal("9000.00")
    )
    request.refresh_from_db()
    assert request.amount == Decimal("9000.00")
    assert request.corrections.get().changes == [
        {"part": "amount", "label": "Montant corrigé", "old": "9882.00", "new": "9000.00"}
    ]
    asp_validate(request, asp, on=ADVANCE_DAY)
    payment = services.payment_record(
        request=request, user=asp, paid_on=PAID_DAY, reference="R", today=PAID_DAY
    )
    assert payment.amount == Decimal("9000.00")


@pytest.mark.django_db
def test_a_second_round_keeps_the_first_document_readable(reference_data, asp, private_media, client):
    scenario = Scenario()
    request = services.advance_request_file(
        quote=scenario.signed(), user=scenario.editor_user, today=ADVANCE_DAY
    )
    for title in ("Premier devis", "Second devis"):
        services.funding_request_send_back(request=request, user=asp, reasons=[R.SIGNATURE_MISSING])
        services.funding_request_resubmit(
            request=request, user=scenario.editor_user, comment=title, signed_quote=pdf("devis.pdf", title)
        )
    second = CorrectionRequest.objects.filter(request=request).first()
    change = second.changes[0]
    assert change["old_path"] != change["new_path"] and change["old_path"]
    url = reverse("funding:correction_document", args=[request.pk, second.pk, 0, "old"])
    client.force_login(asp)
    response = client.get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert b"Premier devis" in b"".join(response.streaming_content)
    client.force_login(member(EditorFactory()))
    assert client.get(url).status_code == 404
    client.force_login(scenario.editor_user)
    new = reverse("funding:correction_document", args=[request.pk, second.pk, 0, "new"])
    assert b"Second devis" in b"".join(client.get(new).streaming_content)
    assert (
        client.get(reverse("funding:correction_document", args=[request.pk, second.pk, 5, "new"])).status_code
        == 404
    )


# --- Web form -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_asks_for_exactly_what_the_reasons_ask(sent_back, client):
    scenario, request = sent_back
    client.force_login(scenario.editor_user)
    page = client.get(reverse("funding:request_detail", args=[request.pk])).content.decode()
    for name in ("signed_quote", "holder", "iban", "bic", "rib", "comment"):
        assert f'name="{name}"' in page
    for name in ("invoice", "amount", "delivery_declaration", "client_identity"):
        assert f'name="{name}"' not in page
    assert reverse("funding:bank_details") in page


@pytest.mark.django_db
def test_an_incomplete_answer_on_the_page_writes_nothing_and_lists_every_reason(
    sent_back, client, private_media
):
    scenario, request = sent_back
    before = state(request, private_media)
    client.force_login(scenario.editor_user)
    response = client.post(
        reverse("funding:request_detail", args=[request.pk]),
        {
            "comment": "RIB joint",
            "holder": "X",
            "iban": "FR00 1234",
            "bic": "PSSTFRPP",
            "rib": pdf("rib.pdf"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Joignez le devis signé" in page and "IBAN invalide" in page
    assert 'aria-invalid="true"' in page
    assert state(request, private_media) == before


@pytest.mark.django_db
def test_the_answer_on_the_page_refiles_the_request(sent_back, client):
    scenario, request = sent_back
    client.force_login(scenario.editor_user)
    response = client.post(
        reverse("funding:request_detail", args=[request.pk]),
        {
            "comment": "Devis et RIB joints.",
            "signed_quote": pdf("devis.pdf"),
            "holder": "BIOLOGICIEL SAS",
            "iban": NEW_IBAN,
            "bic": "PSSTFRPP",
            "rib": pdf("rib.pdf"),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.RESUBMITTED
    page = client.get(reverse("funding:request_detail", args=[request.pk])).content.decode()
    assert "Avant" in page and "Après" in page and "FR14 " in page


@pytest.mark.django_db
def test_the_asp_sees_old_and_new_side_by_side_in_the_admin(sent_back, client):
    scenario, request = sent_back
    services.funding_request_resubmit(
        request=request,
        user=scenario.editor_user,
        comment="Joints.",
        signed_quote=pdf("devis.pdf"),
        bank_details=new_rib(),
    )
    client.force_login(asp_user("asp2@test.example"))
    page = client.get(reverse("admin:funding_fundingrequest_change", args=[request.pk])).content.decode()
    assert "Demandes de modification et réponses de l&#x27;éditeur" in page or "réponses de l'éditeur" in page
    assert "FR76 •••• •••• •••• •••• •••• 189" in page and "FR14 " in page
    assert "devis.pdf" in page and "À valider par l&#x27;ASP" in page


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_answer_names_each_missing_part(sent_back, private_media):
    from rest_framework.test import APIClient

    scenario, request = sent_back
    api = APIClient()
    api.force_authenticate(scenario.editor_user)
    url = f"/api/editor/funding-requests/{request.pk}/"
    detail = api.get(url).json()
    assert detail["corrections"][0]["answer_parts"] == ["signed_quote", "bank_details"]
    before = state(request, private_media)
    refused = api.post(url + "resubmit/", {"comment": "RIB joint", "iban": NEW_IBAN}, format="multipart")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "INVALID_INPUT"
    assert set(body["errors"]) == {"signed_quote", "holder", "bic", "rib"}
    assert state(request, private_media) == before
    answered = api.post(
        url + "resubmit/",
        {
            "comment": "Devis et RIB joints.",
            "signed_quote": pdf("devis.pdf"),
            "holder": "BIOLOGICIEL SAS",
            "iban": NEW_IBAN,
            "bic": "PSSTFRPP",
            "rib": pdf("rib.pdf"),
        },
        format="multipart",
    ).json()
    assert answered["status"] == "resubmitted"
    parts = [change["part"] for change in answered["corrections"][0]["changes"]]
    assert parts == ["bank_details", "signed_quote"]
    assert "old_path" not in answered["corrections"][0]["changes"][1]
    assert Payment.objects.count() == 0
