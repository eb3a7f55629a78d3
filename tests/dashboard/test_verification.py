"""The public verification pages: « Ce PDF est-il bien celui émis sur la plateforme ? » for
quotes (number + file, or the printed short URL) and the page a certificate's QR code opens."""

import html
import json
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from segur_funding.core.pdf import one_page_pdf
from segur_funding.quotes.signing import DOCUMENT_ATTACHMENT_NAME

CORPUS = Path(__file__).resolve().parents[1] / "quotes" / "pdfs"


@pytest.fixture(autouse=True)
def _fresh_rate_limit(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scenario(reference_data, settings, tmp_path):
    from tests.funding.factories import Scenario

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Scenario()


@pytest.fixture
def issued(scenario):
    return scenario.issued()


@pytest.fixture
def genuine(issued):
    from segur_funding.quotes.services import quote_pdf_bytes

    return quote_pdf_bytes(issued)


def _post(client, number: str, data: bytes, name: str = "devis.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(reverse("verify_quote"), {"number": number, "file": upload})


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_genuine_pdf_is_confirmed_with_its_issue_date_and_editor(client, issued, genuine):
    response = _post(client, issued.number, genuine)
    page = _text(response)
    assert response.status_code == 200
    assert "Oui : ce PDF est bien celui émis sur la plateforme" in page
    assert f"Devis n° {issued.number}, émis le" in page
    assert issued.editor.name in page
    # No personal data nor the client on a public page.
    assert issued.client.name not in page
    assert issued.created_by.email not in page


def test_the_number_typed_must_be_the_one_of_the_pdf(client, issued, genuine):
    page = _text(_post(client, "D-2099-9999", genuine))
    assert "Non : ce PDF n'est pas reconnu" in page
    assert f"c'est le devis n° {issued.number}, pas le n° D-2099-9999" in page


def test_a_pdf_without_the_platform_signature_is_refused_in_plain_french(client, issued):
    page = _text(_post(client, issued.number, one_page_pdf("Devis")))
    assert "Non : ce PDF n'est pas reconnu" in page
    assert "ne porte pas la signature de la plateforme" in page


def test_a_forged_attachment_is_refused_and_why(client, issued, genuine):
    writer = PdfWriter()
    for page in PdfReader(CORPUS / "weasy_mssante.pdf").pages:
        writer.add_page(page)
    for name, contents in PdfReader(BytesIO(genuine)).attachments.items():
        writer.add_attachment(name, contents[0])
    out = BytesIO()
    writer.write(out)
    page = _text(_post(client, issued.number, out.getvalue()))
    assert "Non : ce PDF n'est pas reconnu" in page
    assert "pièce jointe copiée dans un autre PDF" in page


def test_an_edited_attachment_is_refused(client, issued, genuine):
    reader = PdfReader(BytesIO(genuine))
    attachments = {name: contents[0] for name, contents in reader.attachments.items()}
    document = json.loads(attachments[DOCUMENT_ATTACHMENT_NAME])
    document["conditions"] = []
    document["number"] = issued.number + "-bis"
    attachments[DOCUMENT_ATTACHMENT_NAME] = json.dumps(document).encode()
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    out = BytesIO()
    writer.write(out)
    page = _text(_post(client, issued.number, out.getvalue()))
    assert "modifiée depuis son émission par la plateforme" in page


def test_a_file_that_is_not_a_pdf_gets_one_french_sentence(client, issued):
    page = _text(_post(client, issued.number, b"<html>pas un devis</html>", name="devis.html"))
    assert "Le fichier n'est pas un PDF" in page
    assert "Traceback" not in page


def test_a_cancelled_quote_is_genuine_but_says_it_is_cancelled(client, scenario, issued, genuine):
    from segur_funding.quotes.services import quote_cancel

    quote_cancel(quote=issued, user=scenario.editor_user)
    page = _text(_post(client, issued.number, genuine))
    assert "Oui : ce PDF est bien celui émis sur la plateforme" in page
    assert "Attention : ce devis a été annulé par l'éditeur." in page


def test_missing_fields_are_said_in_french(client, db):
    response = client.post(reverse("verify_quote"), {})
    page = _text(response)
    assert response.status_code == 400
    assert "Indiquez le numéro du devis." in page
    assert "Choisissez le fichier PDF du devis." in page


def test_uploads_are_rate_limited_per_visitor(client, issued):
    for _ in range(10):
        assert _post(client, issued.number, one_page_pdf("Devis")).status_code == 200
    response = _post(client, issued.number, one_page_pdf("Devis"))
    assert response.status_code == 429
    assert "Trop de vérifications depuis votre connexion" in _text(response)
    assert "Non : ce PDF" not in _text(response)  # the file was not read


def test_the_printed_short_url_opens_the_quote_page(client, issued, genuine):
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(genuine)).pages)
    url = f"/v/{issued.verification_token}/"
    assert url in "".join(text.split())  # printed on the quote, next to its QR code
    page = _text(client.get(url))
    assert "Ce devis a bien été émis sur la plateforme" in page
    assert issued.number in page and issued.editor.name in page
    assert issued.client.name not in page


def test_the_token_is_random_and_an_unknown_one_is_a_clear_404(client, issued):
    assert str(issued.pk) != issued.verification_token and len(issued.verification_token) >= 16
    response = client.get(f"/v/{issued.verification_token[:-1]}x/")
    assert response.status_code == 404
    assert "Aucun document émis par la plateforme ne correspond à ce lien" in _text(response)


# --- Referencing certificates ----------------------------------------------------------------


@pytest.fixture
def ans_user(db):
    from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP
    from segur_funding.organizations.services import reviewer_groups_setup
    from tests.referencing.factories import UserFactory

    user = UserFactory(email="ans@test.example", is_staff=True)
    user.groups.add(reviewer_groups_setup()[ANS_REVIEWERS_GROUP])
    return user


@pytest.fixture
def certified(scenario):
    from segur_funding.referencing.services import dossier_certificate_render

    return dossier_certificate_render(dossier_id=scenario.dossier.pk)


def _certificate_url(dossier) -> str:
    text = "".join(page.extract_text() for page in PdfReader(dossier.certificate.path).pages)
    start = text.index("http")
    return urlsplit(text[start:].split()[0]).path


def test_the_certificate_prints_a_short_url_and_a_qr_code(certified):
    from pypdf.generic import ContentStream

    reader = PdfReader(certified.certificate.path)
    assert _certificate_url(certified) == f"/v/{certified.verification_token}/"
    # The QR code is drawn as vector paths: hundreds of module outlines, where the rest of the
    # certificate (a table's rules) needs a dozen.
    operations = ContentStream(reader.pages[0].get_contents(), reader).operations
    assert sum(1 for _, operator in operations if operator == b"m") > 100


def test_the_certificate_page_confirms_number_holder_date_and_status(client, certified):
    page = _text(client.get(_certificate_url(certified)))
    assert "Attestation valide : la solution est référencée" in page
    assert certified.referencing_number in page
    assert certified.editor.name in page
    assert certified.solution_version.label in page
    assert "1 février 2022" in page
    assert certified.contact_email not in page and certified.contact_name not in page


def test_a_withdrawn_referencing_says_so_on_the_certificate_page(client, certified, ans_user):
    from segur_funding.referencing.services import referencing_withdraw

    referencing_withdraw(
        user=ans_user, dossier=certified, reason="Version plus maintenue", withdrawn_on=date(2022, 9, 1)
    )
    page = _text(client.get(_certificate_url(certified)))
    assert "Référencement retiré le 1 septembre 2022" in page
    assert "Motif : Version plus maintenue" in page
    assert "Attestation valide" not in page
    assert certified.events.filter(kind="withdraw").exists()


def test_only_ans_withdraws_and_says_why_in_french(certified, scenario, ans_user):
    from segur_funding.core.errors import DomainError, InvalidInput
    from segur_funding.referencing.services import referencing_withdraw

    with pytest.raises(DomainError, match="réservé"):
        referencing_withdraw(user=scenario.editor_user, dossier=certified, reason="x")
    with pytest.raises(InvalidInput, match="motif du retrait"):
        referencing_withdraw(user=ans_user, dossier=certified, reason=" ")
    certified.refresh_from_db()
    assert certified.withdrawn_on is None


def test_the_editor_finds_the_public_link_of_an_issued_quote(client, scenario, issued):
    client.force_login(scenario.editor_user)
    page = _text(client.get(reverse("quotes:editor_detail", args=[issued.pk])))
    assert f"/v/{issued.verification_token}/" in page


def test_a_withdrawn_solution_leaves_the_public_list(client, certified, ans_user):
    from segur_funding.referencing.services import referencing_withdraw

    public_list = reverse("referencing:public_list")
    assert certified.referencing_number in _text(client.get(public_list))
    referencing_withdraw(user=ans_user, dossier=certified, reason="Version plus maintenue")
    assert certified.referencing_number not in _text(client.get(public_list))
