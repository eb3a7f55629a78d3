"""Proof uploads: the type comes from the content; bad files are refused in French, nothing kept."""

import io
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from segur_funding.core import files
from segur_funding.core.errors import InvalidInput
from segur_funding.referencing.models import DossierEvent, ProofFile

from .factories import PDF_BYTES, PNG_BYTES, zip_bytes

XDM = {
    "INDEX.HTM": b"<html><body>XDM</body></html>",
    "README.TXT": b"IHE XDM",
    "IHE_XDM/SUBSET01/METADATA.XML": b'<?xml version="1.0"?><SubmitObjectsRequest/>',
    "IHE_XDM/SUBSET01/DOC0001.XML": b'<?xml version="1.0"?><ClinicalDocument/>',
}
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def check(data: bytes, name: str) -> files.CheckedUpload:
    return files.upload_check(io.BytesIO(data), name=name, size=len(data))


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (PDF_BYTES, "pv.pdf", "pdf"),
        (PNG_BYTES, "capture.PNG", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50, "photo.jpg", "jpeg"),
        (MP4_HEAD, "demo.mp4", "mp4"),
        (b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument/>', "cda.xml", "xml"),
        (b"<ClinicalDocument xmlns='urn:hl7-org:v3'/>", "cda.xml", "xml"),
        (zip_bytes(XDM), "xdm.zip", "zip"),
    ],
)
def test_accepted_kinds_are_recognised_from_the_content(data, name, kind):
    checked = check(data, name)
    assert checked.kind.code == kind
    assert checked.size == len(data) and len(checked.sha256) == 64


def test_a_name_without_extension_gets_the_detected_one_and_paths_are_stripped():
    assert check(PDF_BYTES, "../../etc/rapport").original_name == "rapport.pdf"
    assert check(PDF_BYTES, "C:\\Users\\x\\pv test;rm.pdf").original_name == "pv test_rm.pdf"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "vide.pdf", "est vide"),
        (b"MZ\x90\x00" + b"\x00" * 100, "preuve.pdf", "programme exécutable"),
        (b"\x7fELF\x02\x01" + b"\x00" * 100, "capture.png", "programme exécutable"),
        (b"#!/bin/sh\nrm -rf /\n", "script.xml", "programme exécutable"),
        (b"GIF89a" + b"\x00" * 100, "image.gif", "n'est pas d'un type accepté"),
        (b"Bonjour, ceci est du texte.", "notes.txt", "pas d'après son nom"),
        (PNG_BYTES, "capture.pdf", "ne correspond pas à son contenu (PNG)"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "film.mov", "n'est pas d'un type accepté"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "x.xml", "entités"),
        (b"PK\x03\x04garbage" + b"\x00" * 40, "cassee.zip", "illisible ou corrompue"),
    ],
)
def test_bad_files_are_refused_in_french(data, name, message):
    with pytest.raises(InvalidInput) as exc:
        check(data, name)
    assert message in exc.value.message


def test_size_limits_depend_on_the_kind():
    big_pdf = PDF_BYTES + b"%" + b"x" * (21 * files.MB)
    with pytest.raises(InvalidInput, match="20,0 Mo au maximum pour un fichier PDF"):
        check(big_pdf, "gros.pdf")
    big_video = MP4_HEAD + b"\x00" * (21 * files.MB)
    assert check(big_video, "demo.mp4").kind is files.MP4
    with pytest.raises(InvalidInput, match="200,0 Mo au maximum"):
        files.upload_check(io.BytesIO(MP4_HEAD), name="x.mp4", size=201 * files.MB)


def test_zip_bomb_is_refused():
    bomb = zip_bytes({"IHE_XDM/zeros.bin": b"\x00" * (30 * files.MB)})
    assert len(bomb) < 100_000
    with pytest.raises(InvalidInput, match="bombe de décompression"):
        check(bomb, "xdm.zip")


def test_zip_whose_headers_lie_about_their_size_is_refused_while_expanding():
    # Declared sizes say 1 KB, the data expands to 30 MB: only the real decompression tells.
    data = bytearray(zip_bytes({"a.bin": b"\x00" * (30 * files.MB)}))
    real = (30 * files.MB).to_bytes(4, "little")
    fake = (1024).to_bytes(4, "little")
    data = bytes(data).replace(real, fake)
    with pytest.raises(InvalidInput, match=r"bombe de décompression|illisible"):
        check(data, "xdm.zip")


@pytest.mark.parametrize(
    "member", ["../../etc/passwd", "/etc/passwd", "IHE_XDM/../../x.xml", "C:/Windows/x.dll",
               "..\\..\\x.xml"],
)
def test_zip_with_path_traversal_is_refused(member):
    data = zip_bytes({"INDEX.HTM": b"ok", member: b"x"})
    with pytest.raises(InvalidInput, match="chemin dangereux"):
        check(data, "xdm.zip")


def test_encrypted_zip_is_refused():
    data = bytearray(zip_bytes({"a.txt": b"secret"}, compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag in the local header and the central directory entry.
    data[6] |= 0x1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(InvalidInput, match="chiffrée"):
        check(bytes(data), "xdm.zip")


# --- Through the page: nothing stored, no temporary file left -----------------------------------


@pytest.fixture
def upload_url(dossier):
    return reverse("referencing:proofs_upload", args=[dossier.pk])


def _stored(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("vide.pdf", b"", "est vide"),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 2000, "programme exécutable"),
        ("notes.txt", b"du texte", "n'est pas d'un type accepté"),
        ("gros.pdf", PDF_BYTES + b"%" + b"x" * (21 * 1024 * 1024), "20,0 Mo au maximum"),
        ("bombe.zip", zip_bytes({"zeros.bin": b"\x00" * (30 * 1024 * 1024)}), "bombe"),
        ("evasion.zip", zip_bytes({"../../x.xml": b"<x/>"}), "chemin dangereux"),
    ],
)
def test_refused_upload_shows_the_french_message_and_stores_nothing(
    client, editor_user, dossier, upload_url, private_media, settings, name, data, message
):
    client.force_login(editor_user)
    events = DossierEvent.objects.count()
    response = client.post(upload_url, {"files": [SimpleUploadedFile(f"EX-01 {name}", data)]})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert message in html
    assert "Aucun fichier n'a été déposé" in html
    assert 'aria-invalid="true"' in html
    assert ProofFile.objects.count() == 0
    assert DossierEvent.objects.count() == events
    assert _stored(private_media) == []
    assert list(__import__("pathlib").Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []


def test_upload_without_a_file_asks_for_one(client, editor_user, upload_url):
    client.force_login(editor_user)
    response = client.post(upload_url, {})
    assert response.status_code == 400
    assert "Choisissez au moins un fichier à déposer." in response.content.decode()


def test_accepted_upload_is_stored_privately_with_its_fingerprint(
    client, editor_user, dossier, upload_url, private_media, settings
):
    client.force_login(editor_user)
    big = PNG_BYTES + b"\x00" * (6 * 1024 * 1024)  # above the in-memory limit: a temp file
    response = client.post(upload_url, {"files": [SimpleUploadedFile("EX-01 Capture écran.png", big)]})
    assert response.status_code == 302
    pf = ProofFile.objects.get()
    assert (pf.original_name, pf.content_type, pf.size) == (
        "EX-01 Capture écran.png", "image/png", len(big)
    )
    assert pf.proof.requirement.reference == "EX-01"
    assert pf.sha256 == __import__("hashlib").sha256(big).hexdigest()
    stored = _stored(private_media)
    assert len(stored) == 1 and stored[0].read_bytes() == big
    assert "Capture" not in stored[0].name  # random stored name, the user's name is data
    assert list(__import__("pathlib").Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []
    with pytest.raises(ValueError, match="pas d'URL publique"):
        pf.file.url  # noqa: B018


def test_replacing_a_file_from_the_page_keeps_the_previous_version(
    client, editor_user, dossier, upload_url
):
    client.force_login(editor_user)
    client.post(upload_url, {"files": [SimpleUploadedFile("EX-01 v1.pdf", PDF_BYTES)]})
    first = ProofFile.objects.get()
    response = client.post(
        upload_url, {"files": [SimpleUploadedFile("EX-01 v2.pdf", PDF_BYTES)], "replace_0": "1"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert not first.is_current and first.superseded_by.original_name == "EX-01 v2.pdf"
    html = client.get(reverse("referencing:dossier_detail", args=[dossier.pk])).content.decode()
    assert "versions précédentes (1)" in html


def test_a_body_far_above_the_limit_is_refused_without_being_read(
    client, editor_user, upload_url, private_media
):
    client.force_login(editor_user)
    response = client.post(
        upload_url,
        {"files": [SimpleUploadedFile("EX-01 film.mp4", b"x")]},
        CONTENT_LENGTH=str(300 * files.MB),
    )
    assert response.status_code == 400
    assert "Envoi trop volumineux (300,0 Mo)" in unescape(response.content.decode())
    assert ProofFile.objects.count() == 0 and _stored(private_media) == []
