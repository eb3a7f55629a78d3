"""Issue 14, journey 5: an anonymous user verifies a referencing certificate by its QR URL, and
a lab checks a quote PDF on the public page, in a real browser."""

from datetime import date
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def _printed_url(path: str) -> str:
    """The short URL printed under the QR code of a PDF, as a path on the test server."""
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    return urlsplit(text[text.index("http") :].split()[0]).path


def test_anonymous_user_verifies_a_certificate_by_its_qr_url(page, demo):
    from segur_funding.organizations.models import User
    from segur_funding.referencing.models import Dossier
    from segur_funding.referencing.services import referencing_withdraw

    dossier = Dossier.objects.exclude(certificate="").select_related("editor").first()
    url = _printed_url(dossier.certificate.path)
    assert url == f"/v/{dossier.verification_token}/"

    page.goto(url)
    title = f"Attestation de référencement n° {dossier.referencing_number}"
    assert page.get_by_role("heading", name=title).is_visible()
    assert page.get_by_role("heading", name="Attestation valide : la solution est référencée").is_visible()
    table = page.get_by_role("table", name="Ce que l'attestation certifie")
    assert table.get_by_role("row", name=f"Titulaire (éditeur) {dossier.editor.name}").is_visible()
    assert page.get_by_text(dossier.contact_email).count() == 0
    assert_accessible(page)

    referencing_withdraw(
        user=User.objects.get(email="ans@demo.test"),
        dossier=dossier,
        reason="Version plus maintenue par l'éditeur",
        withdrawn_on=date(2022, 9, 1),
    )
    page.reload()
    assert page.get_by_role("heading", name="Référencement retiré le 1 septembre 2022").is_visible()
    assert page.get_by_text("Motif : Version plus maintenue par l'éditeur").is_visible()
    assert_accessible(page)


def test_anonymous_user_is_told_a_file_is_not_the_issued_quote(page, demo, tmp_path):
    from segur_funding.core.pdf import one_page_pdf

    path = tmp_path / "devis.pdf"
    path.write_bytes(one_page_pdf("Devis D-2022-0001"))
    page.goto("/")
    page.get_by_role("link", name="Vérifier un devis PDF émis sur la plateforme").click()
    assert page.get_by_role("heading", name="Ce PDF est-il bien celui émis sur la plateforme ?").is_visible()
    assert_accessible(page)
    page.get_by_label("Numéro du devis").fill("D-2022-0001")
    page.get_by_label("Devis au format PDF").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier le PDF").click()
    answer = "Non : ce PDF n'est pas reconnu comme émis sur la plateforme"
    assert page.get_by_role("heading", name=answer).is_visible()
    assert page.get_by_text("ne porte pas la signature de la plateforme").is_visible()
    assert_accessible(page)
