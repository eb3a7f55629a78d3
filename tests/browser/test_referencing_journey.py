"""The referencing journey, in Chromium: an editor files a dossier, ANS instructs it in the admin,
the editor corrects a proof, ANS grants, the solution is public and the certificate downloads."""

import io
import re

import pytest
from playwright.sync_api import expect

from segur_funding.core.pdf import one_page_pdf

from .conftest import assert_accessible, login, logout

pytestmark = pytest.mark.browser

EDITOR = "editeur@demo.test"
ANS = "ans@demo.test"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def eager_celery():
    from segur_funding.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 40), (0, 0, 145)).save(buf, "PNG")
    return buf.getvalue()


def _upload(page, files: list[tuple[str, bytes, str]]) -> None:
    """Several files at once on the proofs form; each name carries its requirement."""
    page.get_by_label("Fichiers de preuve (plusieurs à la fois)").set_input_files(
        [{"name": name, "mimeType": mime, "buffer": data} for name, data, mime in files]
    )
    count = len(files)
    label = f"Envoyer les {count} fichiers" if count > 1 else "Envoyer le fichier"
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_text(f"{count} fichier(s) déposé(s)")).to_be_visible(timeout=60_000)


def _named(ref: str, rest: str) -> str:
    return f"{ref.replace('/', '-')} {rest}"


def _admin_dossier(page, label: str) -> None:
    page.goto("/admin/referencing/dossier/")
    page.get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", name="Instruction")).to_be_visible()


def _admin_click(page, button: str, message: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(message)


def test_editor_and_ans_reviewer_go_through_the_whole_referencing(page, demo):
    from segur_funding.referential.models import Requirement

    requirements = list(
        Requirement.objects.filter(dsr__code="SGL-V1").order_by("position", "reference")
    )
    mandatory = [r.reference for r in requirements if r.mandatory]
    assert mandatory, "le REM de démarrage SGL-V1 doit être chargé"

    # --- The editor declares a new version and opens a dossier -----------------------------------
    login(page, EDITOR)
    page.goto("/referencement/solutions/")
    expect(page.get_by_role("heading", name="Mes solutions", level=1)).to_be_visible()
    assert_accessible(page)
    card = page.locator("section", has=page.get_by_role("heading", name="BioLab SGL"))
    card.get_by_label("Nouvelle version").fill("6.0")
    card.get_by_label("Versions obsolètes").fill("Versions 4.x et antérieures.")
    card.get_by_role("button", name="Ajouter la version à BioLab SGL").click()
    expect(page.get_by_text("La version « BioLab SGL 6.0 » est déclarée.")).to_be_visible()
    page.get_by_role("link", name="ouvrir un dossier pour BioLab SGL 6.0").click()

    expect(page.get_by_role("heading", name="Ouvrir un dossier de référencement")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("DSR visé").select_option(label="SGL-V1 — Système de Gestion de Laboratoire")
    page.locator("label[for=id_honour_declaration]").click()
    expect(page.get_by_label("Je certifie sur l'honneur")).to_be_checked()
    page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.get_by_role("heading", name="BioLab SGL 6.0 — SGL-V1")).to_be_visible()
    dossier_url = page.url
    assert_accessible(page)

    # --- Uploads the proofs (a refused file first), then submits the candidature ------------------
    first = mandatory[0]
    page.get_by_label("Fichiers de preuve (plusieurs à la fois)").set_input_files(
        {"name": _named(first, "outil.pdf"), "mimeType": "application/pdf",
         "buffer": b"MZ\x90\x00" + b"\0" * 64}
    )
    page.get_by_role("button", name="Envoyer le fichier", exact=True).click()
    expect(page.locator("#proofs-errors")).to_contain_text("programme exécutable")
    assert_accessible(page)
    _upload(page, [
        (_named(ref, f"capture-{i}.png"), _png(), "image/png") if i % 2
        else (_named(ref, f"pv-{i}.pdf"), one_page_pdf(f"PV {ref}"), "application/pdf")
        for i, ref in enumerate(mandatory)
    ])
    expect(page.get_by_text("Non analysé").first).to_be_visible()
    page.get_by_role("button", name="Déposer la candidature").click()
    expect(page.get_by_text("Votre candidature a été déposée")).to_be_visible()
    expect(page.locator("#phase-clock")).to_contain_text("7 jour(s) restant(s) sur 7")
    assert_accessible(page)

    # --- ANS declares the candidature eligible ---------------------------------------------------
    logout(page)
    login(page, ANS)
    _admin_dossier(page, "BioLab SGL 6.0")
    _admin_click(page, "Déclarer la candidature éligible", "La candidature est déclarée éligible.")

    # --- The editor sends the proofs (no separate step opens phase 2) ----------------------------
    logout(page)
    login(page, EDITOR)
    page.goto(dossier_url)
    expect(page.get_by_role("button", name="Commencer le dépôt des preuves")).to_have_count(0)
    page.get_by_role("button", name="Déposer les preuves").click()
    expect(page.get_by_text("Vos preuves ont été déposées")).to_be_visible()
    expect(page.locator("#phase-clock")).to_contain_text("42 jour(s) restant(s) sur 42")
    assert_accessible(page)

    # --- ANS instructs: rejects one proof and requests a correction ------------------------------
    logout(page)
    login(page, ANS)
    _admin_dossier(page, "BioLab SGL 6.0")
    _admin_click(page, "Prendre le dossier en instruction", "Le dossier est pris en instruction.")
    page.get_by_label(f"Commentaire sur {first}", exact=True).fill("Capture illisible : refaire.")
    page.get_by_role("button", name=f"Rejeter {first}", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"Preuve {first} rejetée.")
    page.get_by_label("Motif", exact=True).select_option(label="Preuve illisible ou inexploitable")
    page.locator("fieldset", has_text="Exigences concernées").get_by_label(
        re.compile("^" + re.escape(first) + " — ")
    ).check()
    page.get_by_label("Message à l'éditeur").fill(f"Merci de redéposer une preuve lisible pour {first}.")
    _admin_click(page, "Demander une correction", "La demande de correction est envoyée")

    # --- The editor replaces the rejected proof and resubmits ------------------------------------
    logout(page)
    login(page, EDITOR)
    page.goto(dossier_url)
    expect(page.get_by_text("Correction demandée par l'ANS")).to_be_visible()
    expect(page.get_by_text("Commentaire de l'ANS : Capture illisible : refaire.")).to_be_visible()
    expect(page.locator("#phase-clock")).to_contain_text("Délai suspendu")
    assert_accessible(page)
    page.get_by_role("button", name="Déposer les preuves corrigées").click()
    expect(page.get_by_text("n'ont pas été remplacées")).to_be_visible()
    corrected = _named(first, "pv-corrige.pdf")
    page.get_by_label("Fichiers de preuve (plusieurs à la fois)").set_input_files(
        {"name": corrected, "mimeType": "application/pdf",
         "buffer": one_page_pdf(f"PV corrige {first}")}
    )
    # The proof was rejected: the new file replaces its files unless the editor says otherwise.
    expect(
        page.get_by_label(f"« {corrected} » remplace les fichiers déjà déposés pour cette exigence")
    ).to_be_checked()
    page.get_by_role("button", name="Envoyer le fichier", exact=True).click()
    expect(page.get_by_text("1 fichier(s) déposé(s)")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("et versions précédentes (1)")).to_be_visible()
    page.get_by_role("button", name="Déposer les preuves corrigées").click()
    expect(page.get_by_text("Vos preuves corrigées ont été déposées")).to_be_visible()

    # --- ANS accepts the proofs and grants ---------------------------------------------------------
    logout(page)
    login(page, ANS)
    _admin_dossier(page, "BioLab SGL 6.0")
    _admin_click(page, "Prendre le dossier en instruction", "Le dossier est pris en instruction.")
    _admin_click(page, "Accepter toutes les preuves déposées non revues", "sont acceptées")
    _admin_click(page, "Accorder le référencement", "Le référencement est accordé")

    # --- Public list, no login --------------------------------------------------------------------
    logout(page)
    page.goto("/referencement/solutions-referencees/")
    page.get_by_label("DSR").select_option("SGL-V1")
    page.get_by_role("button", name="Filtrer").click()
    table = page.get_by_role("table", name=re.compile("SGL-V1"))
    row = table.get_by_role("row").filter(has_text="6.0")
    expect(row).to_contain_text("Biologiciel SAS")
    expect(row).to_contain_text("BioLab SGL")
    expect(row).to_contain_text(re.compile(r"SGL-V1-\d{4}-\d{4}"))
    assert_accessible(page)

    # --- The editor downloads the certificate -------------------------------------------------------
    login(page, EDITOR)
    page.goto(dossier_url)
    expect(page.locator("#dossier-status")).to_have_text("Référencé")
    number = page.locator("#referencing-number").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger l'attestation de référencement (PDF)").click()
    download = info.value
    assert download.suggested_filename == f"attestation-referencement-{number}.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert_accessible(page)
