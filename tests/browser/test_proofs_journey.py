"""Issue 14, proofs: on a phone (375 px) and a desktop (1280 px), an editor whose candidature is
eligible drops the 11 proof files of SGL-V1 at once, checks the requirement proposed for each (one
name says nothing: the editor chooses it), sends them with a progress bar and a disabled button,
sees 11/11 and sends the dossier to ANS, with no « Commencer le dépôt des preuves » step. Every
page: 0 JavaScript error and 0 axe-core violation."""

import io
import re

import pytest
from playwright.sync_api import expect

from segur_funding.core.pdf import one_page_pdf

from .conftest import AXE_ALL_IMPACTS, assert_accessible, login

pytestmark = pytest.mark.browser

SCREENS = [
    pytest.param({"width": 375, "height": 812}, id="375px"),
    pytest.param({"width": 1280, "height": 800}, id="1280px"),
]
EDITOR = "editeur@demo.test"
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


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


def _clean(page, console_errors) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 40), (0, 0, 145)).save(buf, "PNG")
    return buf.getvalue()


def _eligible_dossier():
    """A new version of the demo editor's solution, its candidature declared eligible by ANS
    (phase 1 is tested by the referencing journey)."""
    from segur_funding.organizations.models import User
    from segur_funding.referencing import services
    from segur_funding.referencing.models import Solution
    from segur_funding.referential.models import Dsr

    editor_user = User.objects.get(email=EDITOR)
    ans = User.objects.get(email="ans@demo.test")
    solution = Solution.objects.get(name="BioLab SGL")
    version = services.solution_version_create(
        user=editor_user, solution=solution, label="6.1", obsolete_versions="Aucune"
    )
    dossier = services.dossier_create(
        user=editor_user,
        solution_version=version,
        dsr=Dsr.objects.get(code="SGL-V1"),
        contact_name="Élise Martin",
        contact_email=EDITOR,
        honour_declaration=True,
    )
    services.candidature_submit(user=editor_user, dossier=dossier)
    services.eligibility_decide(user=ans, dossier=dossier, eligible=True)
    return dossier


def _files() -> list[dict]:
    """The 11 proofs of SGL-V1 as an editor names them: references written every which way, a
    video of a few megabytes (so that the upload shows its progress) and one name without any
    reference (« compte-rendu-sous-traitant.pdf », for SGL/CR.01)."""
    pdf = one_page_pdf("Preuve de conformite")

    def f(name: str, data: bytes, mime: str) -> dict:
        return {"name": name, "mimeType": mime, "buffer": data}

    return [
        f("SGL-DMP.01 appel contextuel.pdf", pdf, "application/pdf"),
        f("sgl_psc_01.png", _png(), "image/png"),
        f("INS.01 - qualification.pdf", pdf, "application/pdf"),
        f("SGL-INS-02 INSi.mp4", MP4_HEAD + b"\x00" * (6 * 1024 * 1024), "video/mp4"),
        f("ins03 identite entrante.pdf", pdf, "application/pdf"),
        f("compte-rendu-sous-traitant.pdf", pdf, "application/pdf"),
        f("DMP.02 alimentation.pdf", pdf, "application/pdf"),
        f("SGL_MSS_01 envoi MSSante.png", _png(), "image/png"),
        f("dpi-01 flux ORU.pdf", pdf, "application/pdf"),
        f("SGL-LOINC.01 catalogue.pdf", pdf, "application/pdf"),
        f("RPPS.01.pdf", pdf, "application/pdf"),
    ]


# Every change of the send button and of the upload status, kept in sessionStorage so that it
# survives the page change after the upload.
RECORD = """() => {
  const button = document.getElementById('proofs-submit');
  const status = document.getElementById('proofs-upload-status');
  const log = (entry) => {
    const seen = JSON.parse(sessionStorage.getItem('upload-log') || '[]');
    seen.push(entry);
    sessionStorage.setItem('upload-log', JSON.stringify(seen));
  };
  new MutationObserver(() => log('disabled=' + button.disabled)).observe(
    button, {attributes: true, attributeFilter: ['disabled']});
  new MutationObserver(() => log('status=' + status.textContent)).observe(
    status, {childList: true, characterData: true, subtree: true});
}"""


@pytest.mark.parametrize("screen", SCREENS)
def test_editor_drops_eleven_proofs_at_once_and_sends_the_dossier(
    page, console_errors, demo, screen
):
    from segur_funding.referencing.models import Dossier, ProofFile

    page.set_viewport_size(screen)
    dossier = _eligible_dossier()
    proofs = {p.requirement.reference: p.pk for p in dossier.proofs.select_related("requirement")}
    assert len(proofs) == 11

    login(page, EDITOR)
    page.goto(f"/referencement/dossiers/{dossier.pk}/")
    expect(page).to_have_title(re.compile("^Dossier BioLab SGL 6.1"))
    stepper = page.locator("#dossier-stepper")
    expect(stepper).to_contain_text("Dépôt des preuves")
    expect(stepper).to_contain_text("Étape 3 sur 5")
    expect(page.locator("label[for=proofs-progress]")).to_contain_text("0/11 preuves déposées")
    # The redundant step is gone: the proofs are sent straight from « éligible ».
    expect(page.get_by_role("button", name="Commencer le dépôt des preuves")).to_have_count(0)
    _clean(page, console_errors)

    # 1. Eleven files at once on the multiple input.
    page.get_by_label("Fichiers de preuve (plusieurs à la fois)").set_input_files(_files())
    expect(page.get_by_role("heading", name="Vérifiez l'exigence de chaque fichier")).to_be_visible()
    proposed = {
        "SGL-DMP.01 appel contextuel.pdf": "SGL/DMP.01",
        "sgl_psc_01.png": "SGL/PSC.01",
        "INS.01 - qualification.pdf": "SGL/INS.01",
        "SGL-INS-02 INSi.mp4": "SGL/INS.02",
        "ins03 identite entrante.pdf": "SGL/INS.03",
        "DMP.02 alimentation.pdf": "SGL/DMP.02",
        "SGL_MSS_01 envoi MSSante.png": "SGL/MSS.01",
        "dpi-01 flux ORU.pdf": "SGL/DPI.01",
        "SGL-LOINC.01 catalogue.pdf": "SGL/LOINC.01",
        "RPPS.01.pdf": "SGL/RPPS.01",
    }
    for name, reference in proposed.items():
        expect(page.get_by_label(f"Exigence pour « {name} »", exact=True)).to_have_value(
            str(proofs[reference])
        )
    unknown = page.get_by_label("Exigence pour « compte-rendu-sous-traitant.pdf »", exact=True)
    expect(unknown).to_have_value("")
    expect(page.get_by_text("Aucune exigence reconnue dans le nom de ce fichier")).to_be_visible()
    _clean(page, console_errors)

    # Sending before choosing is stopped in the page, nothing leaves.
    submit = page.get_by_role("button", name="Envoyer les 11 fichiers")
    submit.click()
    expect(page.locator("#proofs-errors")).to_contain_text("compte-rendu-sous-traitant.pdf")
    assert ProofFile.objects.filter(proof__dossier=dossier).count() == 0
    _clean(page, console_errors)

    # 2. The editor confirms the matching: chooses the requirement of the unnamed file.
    unknown.select_option(str(proofs["SGL/CR.01"]))
    page.evaluate(RECORD)
    submit.click()

    # 3. After the upload the page shows 11/11; the button was disabled while sending and the
    #    progress bar moved.
    # (A shared test machine may take a while to receive and check 11 files.)
    expect(page.get_by_text("11 fichier(s) déposé(s)")).to_be_visible(timeout=60_000)
    expect(page.locator("label[for=proofs-progress]")).to_contain_text("11/11 preuves déposées")
    log = page.evaluate("() => JSON.parse(sessionStorage.getItem('upload-log') || '[]')")
    sending = [i for i, entry in enumerate(log) if re.match(r"status=Envoi : \d+ %", entry)]
    assert sending, log
    # When the progress started, the button had last been disabled.
    assert [e for e in log[: sending[0]] if e.startswith("disabled=")][-1] == "disabled=true", log
    assert any(re.match(r"status=Envoi : 100 %", entry) for entry in log), log
    files = ProofFile.objects.filter(proof__dossier=dossier).select_related("proof__requirement")
    assert {f.original_name: f.proof.requirement.reference for f in files} == {
        **proposed,
        "compte-rendu-sous-traitant.pdf": "SGL/CR.01",
    }
    # The scan badge says what it means.
    expect(page.get_by_text("Non analysé").first).to_be_visible()
    expect(page.locator("#analyse-antivirus")).to_contain_text("Rien à faire")
    _clean(page, console_errors)

    # 4. The dossier goes to ANS.
    page.get_by_role("button", name="Déposer les preuves").click()
    expect(page.get_by_text("Vos preuves ont été déposées")).to_be_visible()
    expect(page.locator("#dossier-status")).to_have_text("Preuves déposées")
    expect(page.locator("#dossier-stepper")).to_contain_text("Étape 4 sur 5")
    expect(page.locator("#phase-clock")).to_contain_text("42 jour(s) restant(s) sur 42")
    expect(page.locator("#proofs-form")).to_have_count(0)
    _clean(page, console_errors)
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == "proofs_submitted" and dossier.proofs_complete_on is not None


def test_without_the_script_the_form_matches_files_by_name_all_or_nothing(page, demo):
    """The same form when the upload script does not run (blocked here, so that axe can still
    check the page): the files go as a plain multipart form and the server reads each
    requirement from the file name; one unknown name refuses the whole submission."""
    from segur_funding.referencing.models import ProofFile

    page.route("**/js/proof_upload.js", lambda route: route.abort())
    dossier = _eligible_dossier()
    login(page, EDITOR)
    page.goto(f"/referencement/dossiers/{dossier.pk}/")
    expect(page).to_have_title(re.compile("^Dossier BioLab SGL 6.1"))
    files = page.get_by_label("Fichiers de preuve (plusieurs à la fois)")
    pdf = one_page_pdf("Preuve")
    files.set_input_files([
        {"name": "SGL-DMP.01.pdf", "mimeType": "application/pdf", "buffer": pdf},
        {"name": "capture.pdf", "mimeType": "application/pdf", "buffer": pdf},
    ])
    page.get_by_role("button", name="Envoyer les fichiers").click()
    expect(page.locator("#proofs-errors")).to_contain_text(
        "« capture.pdf » : aucune exigence n'est reconnue dans le nom du fichier"
    )
    expect(page.locator("#proofs-errors")).to_contain_text("Aucun fichier n'a été déposé")
    assert ProofFile.objects.filter(proof__dossier=dossier).count() == 0
    assert_accessible(page, impact=AXE_ALL_IMPACTS)

    files.set_input_files([
        {"name": "SGL-DMP.01.pdf", "mimeType": "application/pdf", "buffer": pdf},
        {"name": "sgl_psc_01.png", "mimeType": "image/png", "buffer": _png()},
    ])
    page.get_by_role("button", name="Envoyer les fichiers").click()
    expect(page.get_by_text("2 fichier(s) déposé(s)")).to_be_visible(timeout=60_000)
    expect(page.locator("label[for=proofs-progress]")).to_contain_text("2/11 preuves déposées")
    assert_accessible(page, impact=AXE_ALL_IMPACTS)
