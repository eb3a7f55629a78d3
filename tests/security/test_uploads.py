"""Hostile uploads through the real pages: the lab's PDF quote and the editor's balance invoice.

(Proofs of conformity have the same battery in tests/referencing/test_uploads.py.) Each refused
file gets a French message, leaves no row, no file under PRIVATE_MEDIA_ROOT and no temporary file
(the upload directory and the system temporary directory are private to each test, so that other
processes' files cannot blur the check).
"""

import io
import tempfile
import zipfile
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from segur_funding.funding.models import FundingRequest
from segur_funding.quotes.models import Quote

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "quotes" / "pdfs"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MB = 1024 * 1024


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\x00" * (30 * MB))
    return buffer.getvalue()


@pytest.fixture
def isolated_dirs(settings, tmp_path, monkeypatch):
    """Private media, upload temp dir and system temp dir, all empty and all ours."""
    media = tmp_path / "private"
    uploads = tmp_path / "upload-tmp"
    system = tmp_path / "system-tmp"
    for folder in (media, uploads, system):
        folder.mkdir()
    settings.PRIVATE_MEDIA_ROOT = media
    settings.MEDIA_ROOT = media
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads)
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    return media, uploads, system


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _nothing_left(dirs) -> None:
    media, uploads, system = dirs
    assert _files(media) == []
    assert _files(uploads) == []
    assert _files(Path(tempfile.gettempdir())) == [] and tempfile.gettempdir() == str(system)


HOSTILE_QUOTES = [
    ("devis.pdf", b"", "Le fichier soumis est vide"),
    ("devis.pdf", PNG, "n'est pas un PDF"),
    ("devis.pdf", b"MZ\x90\x00" + b"\x00" * 4000, "n'est pas un PDF"),
    ("devis.pdf", _zip_bomb(), "n'est pas un PDF"),
    ("gros.pdf", PDF + b"%" + b"x" * (11 * MB), "dépasse 10 Mo"),
    # A PDF that asks for a password; one with an owner password only is accepted and read
    # (tests/quotes/test_pdf_corpus_doors.py uploads the corpus' RC4 and AES ones).
    ("protege.pdf", (CORPUS / "hostile_encrypted.pdf").read_bytes(), "protégé par un mot de passe"),
]


@pytest.mark.parametrize(("name", "data", "message"), HOSTILE_QUOTES, ids=lambda v: str(v)[:20])
def test_lab_quote_upload_refuses_hostile_files(client, reference_data, isolated_dirs, name, data, message):
    from tests.funding.factories import Scenario

    scenario = Scenario()
    client.force_login(scenario.lab_user)
    response = client.post(
        reverse("quotes:lab_upload"),
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )
    assert response.status_code == 200  # the form again, with the error on the file field
    assert message in unescape(response.content.decode())
    assert not Quote.objects.exists()
    _nothing_left(isolated_dirs)


def test_lab_quote_upload_neutralises_a_path_in_the_file_name(client, reference_data, isolated_dirs):
    from tests.funding.factories import Scenario

    scenario = Scenario()
    client.force_login(scenario.lab_user)
    pdf = (CORPUS / "lo_sgl_conform.pdf").read_bytes()
    for name in ("../../etc/passwd.pdf", "..\\..\\windows\\devis.pdf", "/etc/cron.d/x.pdf"):
        response = client.post(
            reverse("quotes:lab_upload"),
            {"file": SimpleUploadedFile(name, pdf, content_type="application/pdf")},
        )
        assert response.status_code == 302
    media, uploads, _ = isolated_dirs
    stored = _files(media)
    assert len(stored) == 3
    for path in stored:
        assert path.resolve().is_relative_to(media.resolve())
        assert ".." not in path.name and "\\" not in path.name
    assert not Path("/etc/passwd.pdf").exists()
    assert _files(uploads) == []


@pytest.fixture
def balance_ready(reference_data):
    """A quote whose advance is paid and whose service is delivered: the balance page is open."""
    from segur_funding.funding import services
    from segur_funding.quotes.demo import demo_window_ensure
    from segur_funding.quotes.services import quote_declare_delivery
    from tests.funding.factories import Scenario, asp_user

    today = timezone.localdate()
    demo_window_ensure(today=today)
    scenario = Scenario()
    quote = scenario.signed(today=today)
    asp = asp_user()
    request = services.advance_request_file(quote=quote, user=scenario.editor_user)
    services.funding_request_validate(request=request, user=asp)
    services.payment_record(request=request, user=asp, paid_on=today, reference="A1")
    quote_declare_delivery(quote=quote, user=scenario.lab_user)
    scenario.quote = quote
    return scenario


HOSTILE_INVOICES = [
    ("facture.pdf", PNG, "n'est pas d'un type accepté"),
    ("facture.pdf", b"MZ\x90\x00" + b"\x00" * 4000, "programme exécutable"),
    ("facture.pdf", _zip_bomb(), "n'est pas d'un type accepté"),
    ("facture.pdf", PDF + b"%" + b"x" * (21 * MB), "20,0 Mo au maximum"),
    ("facture.pdf", b"", "Le fichier soumis est vide"),
]


@pytest.mark.parametrize(("name", "data", "message"), HOSTILE_INVOICES, ids=lambda v: str(v)[:20])
def test_balance_invoice_refuses_hostile_files(client, balance_ready, isolated_dirs, name, data, message):
    media = isolated_dirs[0]
    before = _files(media)  # the scenario's own generated PDFs, if any
    client.force_login(balance_ready.editor_user)
    response = client.post(
        reverse("funding:balance_file", args=[balance_ready.quote.pk]),
        {"invoice": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not FundingRequest.objects.filter(milestone="balance").exists()
    assert _files(media) == before
    assert _files(Path(isolated_dirs[1])) == [] and _files(Path(tempfile.gettempdir())) == []


def test_balance_invoice_with_a_path_in_its_name_is_stored_inside_private_media(
    client, balance_ready, isolated_dirs
):
    media = isolated_dirs[0]
    client.force_login(balance_ready.editor_user)
    response = client.post(
        reverse("funding:balance_file", args=[balance_ready.quote.pk]),
        {"invoice": SimpleUploadedFile("../../../etc/facture.pdf", PDF)},
    )
    assert response.status_code == 302
    invoice = FundingRequest.objects.get(milestone="balance").invoice
    path = Path(invoice.path).resolve()
    assert path.is_relative_to(media.resolve()) and ".." not in invoice.name
