"""Batch payments: the ASP's payment order, then the accounting system's answer file imported all
or nothing, each row recorded by the single-payment service, nothing ever paid twice."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from segur_funding.core.pdf import one_page_pdf
from segur_funding.funding import bank, payment_batch, services
from segur_funding.funding.constants import RequestStatus
from segur_funding.funding.models import FundingRequest, Payment
from segur_funding.organizations.models import Membership
from tests.funding.factories import ADVANCE_DAY, Scenario, asp_validate

pytestmark = pytest.mark.django_db
PAID_ON = date(2022, 6, 20)


@pytest.fixture
def validated(reference_data, asp, private_media):
    """Two validated advances of one editor whose bank details ASP validated."""
    scenario = Scenario()
    requests = []
    for number in ("DEV-1", "DEV-2"):
        quote = scenario.signed(number=number)
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        requests.append(asp_validate(request, asp, on=ADVANCE_DAY) or request)
    Membership.objects.filter(user=scenario.editor_user).update(is_admin=True)
    account = bank.bank_account_submit(
        organization=scenario.editor,
        user=scenario.editor_user,
        holder="ÉDITEUR SAS",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        document=SimpleUploadedFile("rib.pdf", one_page_pdf("RIB"), "application/pdf"),
    )
    bank.bank_account_validate(account=account, reviewer=asp)
    return [FundingRequest.objects.get(pk=r.pk) for r in requests]


def _answer(rows: list[tuple]) -> bytes:
    lines = ["N° de demande;Montant versé (€);Date de versement;Référence du versement"]
    lines += [";".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _rows_for(requests) -> list[tuple]:
    return [(r.pk, f"{r.amount:.2f}".replace(".", ","), "20/06/2022", f"VIR-{r.pk}") for r in requests]


def test_the_payment_order_lists_validated_requests_with_the_iban_in_force(validated):
    order = payment_batch.payment_order()
    assert order.rows[0][0] == "N° de demande"
    body = {row[0]: row for row in order.rows[1:]}
    assert set(body) == {str(r.pk) for r in validated}
    row = body[str(validated[0].pk)]
    assert row[6] == "FR7630006000011234567890189" and row[8] == validated[0].amount
    assert order.without_bank_details == []


def test_a_dry_run_previews_and_writes_nothing_then_the_import_pays_each_request_once(validated, asp):
    content = _answer(_rows_for(validated))
    preview = payment_batch.payment_file_import(content=content, file_format="csv", user=asp, dry_run=True)
    assert preview.ok and len(preview.lines) == 2
    assert preview.total == sum((r.amount for r in validated), Decimal("0"))
    assert not Payment.objects.exists()

    done = payment_batch.payment_file_import(content=content, file_format="csv", user=asp, dry_run=False)
    assert done.ok
    assert sorted(Payment.objects.values_list("request_id", "reference")) == sorted(
        (r.pk, f"VIR-{r.pk}") for r in validated
    )
    assert set(FundingRequest.objects.values_list("status", flat=True)) == {RequestStatus.PAID}

    again = payment_batch.payment_file_import(content=content, file_format="csv", user=asp, dry_run=False)
    assert not again.ok
    assert again.errors[0].startswith("Ligne 2 : ") and "déjà été enregistré" in again.errors[0]
    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda rows: [(999999, *rows[0][1:]), rows[1]], "Ligne 2 : la demande n° 999999 n'existe pas"),
        (lambda rows: [rows[0], (rows[1][0], "1,00", *rows[1][2:])], "Ligne 3 : montant 1.00 €"),
        (lambda rows: [rows[0], (*rows[1][:2], "31/02/2022", rows[1][3])], "Ligne 3 : date illisible"),
        (lambda rows: [rows[0], (*rows[1][:3], " ")], "Ligne 3 : Indiquez la référence du versement."),
        (lambda rows: [rows[0], rows[0]], "Ligne 3 : la demande n° "),
        (lambda rows: [rows[0], (rows[1][0], "9 882,001", *rows[1][2:])], "Ligne 3 : montant illisible"),
    ],
)
def test_one_bad_row_writes_nothing_and_is_named(validated, asp, mutate, expected):
    content = _answer(mutate(_rows_for(validated)))
    outcome = payment_batch.payment_file_import(content=content, file_format="csv", user=asp, dry_run=False)
    assert not outcome.ok
    assert any(error.startswith(expected) for error in outcome.errors), outcome.errors
    assert not Payment.objects.exists()
    assert not FundingRequest.objects.filter(status=RequestStatus.PAID).exists()


def test_a_file_without_the_expected_columns_is_refused_in_french(validated, asp):
    outcome = payment_batch.payment_file_import(
        content=b"demande;montant\n1;2\n", file_format="csv", user=asp, dry_run=True
    )
    assert outcome.errors == [
        "Colonnes absentes du fichier : « N° de demande », « Montant versé (€) », « Date de versement », "
        "« Référence du versement »."
    ]


def test_only_asp_imports_payments(validated, reference_data):
    editor_user = Membership.objects.first().user
    with pytest.raises(Exception, match="ASP"):
        payment_batch.payment_file_import(
            content=_answer(_rows_for(validated)), file_format="csv", user=editor_user, dry_run=False
        )
    assert not Payment.objects.exists()


def test_asp_pays_from_the_admin_preview_then_confirmation(client, validated, asp):
    from django.urls import reverse

    client.force_login(asp)
    order = client.get(reverse("admin:funding_payment_order"), {"format": "csv"})
    text = b"".join(order.streaming_content).decode("utf-8")
    assert "FR7630006000011234567890189" in text and f"\r\n{validated[0].pk};" in text

    url = reverse("admin:funding_payment_import")
    bad = _rows_for(validated)
    bad[1] = (999999, *bad[1][1:])
    page = client.post(url, {"file": SimpleUploadedFile("versements.csv", _answer(bad))})
    assert page.status_code == 400
    assert "Ligne 3 : la demande n° 999999 n&#x27;existe pas" in page.content.decode()
    assert not Payment.objects.exists()

    preview = client.post(url, {"file": SimpleUploadedFile("versements.csv", _answer(_rows_for(validated)))})
    html = preview.content.decode()
    assert "Aperçu : 2 versements" in html and not Payment.objects.exists()
    token = preview.context["token"]
    done = client.post(url, {"confirm": token}, follow=True)
    assert "2 versements enregistrés" in done.content.decode()
    assert Payment.objects.count() == 2
    # The same confirmation sent again (double click) pays nothing more.
    client.post(url, {"confirm": token}, follow=True)
    assert Payment.objects.count() == 2


def test_the_batch_pages_are_asp_only(client, validated):
    from django.urls import reverse

    from segur_funding.organizations.models import User

    ans_like = User.objects.create_user(email="staff@test.example", password="x" * 16, is_staff=True)
    client.force_login(ans_like)
    assert client.get(reverse("admin:funding_payment_import")).status_code in (302, 403)


def test_the_order_page_lists_apart_the_requests_whose_editor_has_no_bank_details(client, validated, asp):
    from django.urls import reverse

    from segur_funding.organizations.models import BankAccount

    editor = validated[0].editor
    BankAccount.objects.filter(organization=editor).update(status="superseded")
    client.force_login(asp)
    html = client.get(reverse("admin:funding_payment_order")).content.decode()
    assert "2 demandes validées ne peuvent pas être payées" in html
    for request in validated:
        assert f"Demande n° {request.pk} — {editor.name}" in html
    assert f"?q={editor.siren}" in html
    assert payment_batch.payment_order().rows[1:] == []
