"""Editors' bank details: declared by an administrator, every administrator told, validated by
ASP against the RIB before any payment uses them; every refusal writes nothing and says why."""

import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from segur_funding.core.errors import DomainError
from segur_funding.core.pdf import one_page_pdf
from segur_funding.funding import bank
from segur_funding.notifications.models import Notification
from segur_funding.organizations.constants import BankAccountStatus
from segur_funding.organizations.models import BankAccount, Membership
from segur_funding.organizations.rules import bank_details_check, iban_masked
from tests.funding.factories import EditorFactory, member

IBAN = "FR76 3000 6000 0112 3456 7890 189"
IBAN2 = "FR14 2004 1010 0505 0001 3M02 606"
BIC = "AGRIFRPP"


# --- Pure rules -----------------------------------------------------------------------------------


def test_valid_details_are_made_compact_and_masked():
    details, errors = bank_details_check(iban_text=IBAN.lower(), bic_text=" agri frpp ")
    assert errors == {}
    assert (details.iban, details.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
    assert iban_masked(details.iban) == "FR76 •••• •••• •••• •••• •••• 189"


@given(position=st.integers(min_value=4, max_value=26), char=st.sampled_from(string.digits))
def test_any_single_mistyped_digit_of_an_iban_is_refused(position, char):
    compact = IBAN.replace(" ", "")
    typo = compact[:position] + char + compact[position + 1 :]
    _details, errors = bank_details_check(iban_text=typo, bic_text=BIC)
    assert ("iban" in errors) == (typo != compact)


def test_a_bic_of_another_country_than_the_iban_is_refused():
    _details, errors = bank_details_check(iban_text="DE89370400440532013000", bic_text=BIC)
    assert "autre pays" in errors["bic"]


# --- Services -----------------------------------------------------------------------------------


@pytest.fixture
def editor(db):
    editor = EditorFactory()
    admin = member(editor, "admin@editeur.example")
    colleague_admin = member(editor, "admin2@editeur.example")
    Membership.objects.filter(user__in=[admin, colleague_admin]).update(is_admin=True)
    plain = member(editor, "membre@editeur.example")
    return editor, admin, colleague_admin, plain


def _rib(content: bytes | None = None, name: str = "rib.pdf"):
    return SimpleUploadedFile(
        name, content if content is not None else one_page_pdf("RIB"), "application/pdf"
    )


def _submit(editor, user, iban=IBAN, bic=BIC, document="default"):
    return bank.bank_account_submit(
        organization=editor,
        user=user,
        holder="BIOLOGICIEL SAS",
        iban=iban,
        bic=bic,
        document=_rib() if document == "default" else document,
    )


@pytest.mark.django_db
def test_a_declaration_waits_for_asp_and_every_admin_and_asp_is_told(editor, asp, private_media):
    editor, admin, _colleague_admin, _plain = editor
    account = _submit(editor, admin)
    assert account.status == BankAccountStatus.PENDING
    assert bank.bank_account_in_force(organization=editor) is None
    told = set(
        Notification.objects.filter(kind="bank_details_submitted").values_list("recipient__email", flat=True)
    )
    assert told == {"admin@editeur.example", "admin2@editeur.example", asp.email}


@pytest.mark.django_db
def test_a_member_who_is_not_admin_cannot_change_bank_details(editor, private_media):
    editor, _admin, _colleague, plain = editor
    with pytest.raises(DomainError, match="Seul un administrateur"):
        _submit(editor, plain)
    assert not BankAccount.objects.exists()
    assert not list(private_media.rglob("*.pdf"))


@pytest.mark.django_db
def test_a_wrong_iban_or_a_missing_rib_writes_nothing(editor, private_media):
    editor, admin, _colleague, _plain = editor
    with pytest.raises(bank.BankDetailsInvalid) as raised:
        _submit(editor, admin, iban="FR76 3000 6000 0112 3456 7890 188", document=None)
    assert set(raised.value.errors) == {"iban", "document"}
    with pytest.raises(bank.BankDetailsInvalid) as raised:
        _submit(editor, admin, document=_rib(b"MZ\x90\x00 not a rib", "rib.pdf"))
    assert "document" in raised.value.errors
    assert not BankAccount.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_asp_validation_puts_the_new_details_in_force_and_keeps_the_old(editor, asp, private_media):
    editor, admin, _colleague, _plain = editor
    first = bank.bank_account_validate(account=_submit(editor, admin), reviewer=asp)
    second = _submit(editor, admin, iban=IBAN2, bic="PSSTFRPP")
    assert bank.bank_account_in_force(organization=editor) == first  # until ASP validates the change
    bank.bank_account_validate(account=second, reviewer=asp)
    assert bank.bank_account_in_force(organization=editor).iban == "FR1420041010050500013M02606"
    first.refresh_from_db()
    assert first.status == BankAccountStatus.SUPERSEDED
    assert Notification.objects.filter(kind="bank_details_decided", recipient=admin).count() == 2


@pytest.mark.django_db
def test_only_asp_decides_and_never_on_its_own_declaration(editor, asp, private_media):
    editor, admin, _colleague, _plain = editor
    account = _submit(editor, admin)
    with pytest.raises(DomainError, match="Seule l'ASP"):
        bank.bank_account_validate(account=account, reviewer=admin)
    with pytest.raises(DomainError, match="motif"):
        bank.bank_account_reject(account=account, reviewer=asp, reason=" ")
    bank.bank_account_reject(account=account, reviewer=asp, reason="Le RIB est au nom d'une autre société.")
    account.refresh_from_db()
    assert account.status == BankAccountStatus.REJECTED
    with pytest.raises(DomainError, match="plus à valider"):
        bank.bank_account_validate(account=account, reviewer=asp)


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_editor_page_refuses_a_wrong_iban_in_french_then_accepts_the_right_one(
    client, editor, private_media
):
    editor, admin, _colleague, _plain = editor
    client.force_login(admin)
    url = reverse("funding:bank_details")
    bad = client.post(url, {"holder": "BIOLOGICIEL SAS", "iban": "FR76 1234", "bic": BIC, "document": _rib()})
    assert bad.status_code == 400
    assert "IBAN invalide" in bad.content.decode()
    good = client.post(
        url, {"holder": "BIOLOGICIEL SAS", "iban": IBAN, "bic": BIC, "document": _rib()}, follow=True
    )
    html = good.content.decode()
    assert "transmises à l&#x27;ASP" in html
    assert "FR76 •••• •••• •••• •••• •••• 189" in html
    assert "3000 6000 0112" not in html  # never the whole IBAN on the page


@pytest.mark.django_db
def test_a_plain_member_sees_no_form_and_another_editor_cannot_read_the_rib(client, editor, private_media):
    editor, admin, _colleague, plain = editor
    account = _submit(editor, admin)
    client.force_login(plain)
    html = client.get(reverse("funding:bank_details")).content.decode()
    assert "Seuls les administrateurs" in html and "Transmettre à l" not in html
    assert client.get(reverse("funding:bank_document", args=[account.pk])).status_code == 404
    other = EditorFactory()
    stranger = member(other, "autre@ailleurs.example")
    Membership.objects.filter(user=stranger).update(is_admin=True)
    client.force_login(stranger)
    assert client.get(reverse("funding:bank_document", args=[account.pk])).status_code == 404
    client.force_login(admin)
    response = client.get(reverse("funding:bank_document", args=[account.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_asp_validates_from_the_admin_after_opening_the_rib(client, editor, asp, private_media):
    editor, admin, _colleague, _plain = editor
    account = _submit(editor, admin)
    client.force_login(asp)
    page = client.get(reverse("admin:organizations_bankaccount_change", args=[account.pk])).content.decode()
    assert "FR76 3000 6000 0112 3456 7890 189" in page  # ASP compares the full IBAN with the RIB
    assert client.get(reverse("admin:organizations_bankaccount_rib", args=[account.pk])).status_code == 200
    client.post(
        reverse("admin:organizations_bankaccount_changelist"),
        {"action": "validate", "_selected_action": [account.pk]},
    )
    assert bank.bank_account_in_force(organization=editor) == account


# --- Payments ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_payment_records_the_bank_details_in_force_and_none_is_made_without(
    reference_data, asp, private_media
):
    from segur_funding.funding import services
    from segur_funding.funding.models import FundingRequest, Payment
    from tests.funding.factories import ADVANCE_DAY, PAID_DAY, Scenario, asp_validate

    scenario = Scenario()
    request = services.advance_request_file(
        quote=scenario.signed(), user=scenario.editor_user, today=ADVANCE_DAY
    )
    asp_validate(request, asp, on=ADVANCE_DAY)
    scenario.bank_account.status = BankAccountStatus.SUPERSEDED  # e.g. replaced, the new one not validated
    scenario.bank_account.save()
    with pytest.raises(DomainError, match="pas de coordonnées bancaires validées"):
        services.payment_record(
            request=request, user=asp, paid_on=PAID_DAY, reference="VIR-1", today=PAID_DAY
        )
    assert not Payment.objects.exists()
    assert FundingRequest.objects.get(pk=request.pk).status == "validated"

    scenario.bank_account.status = BankAccountStatus.VALIDATED
    scenario.bank_account.save()
    payment = services.payment_record(
        request=request, user=asp, paid_on=PAID_DAY, reference="VIR-1", today=PAID_DAY
    )
    assert payment.bank_account == scenario.bank_account
