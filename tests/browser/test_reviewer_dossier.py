"""An ANS reviewer's day in the admin, in Chromium: finds a dossier by its version (« 6.0 »), asks
the editor a correction and, once the proofs come back, grants the referencing, each decision from
the top of the dossier page. Every admin page used: 0 axe-core violation, 0 JavaScript error."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, login

# The referencing journey's fixtures: private files in a temporary folder, tasks run at once.
from .test_referencing_journey import eager_celery, private_media  # noqa: F401

pytestmark = pytest.mark.browser

ANS = "ans@demo.test"


@pytest.fixture
def version_six(demo):
    """BioLab SGL 6.0 under review on SGL-V1, its proofs sent (as the demo's LabSoft dossier)."""
    from segur_funding.organizations.models import Organization, User
    from segur_funding.referencing.demo import _open, _to_review, _version
    from segur_funding.referential.models import Dsr

    editor_user = User.objects.get(email="editeur@demo.test")
    version = _version(
        user=editor_user,
        editor=Organization.objects.get(memberships__user=editor_user),
        name="BioLab SGL",
        label="6.0",
        obsolete="Versions 4.x et antérieures.",
    )
    dossier = _open(user=editor_user, version=version, dsr=Dsr.objects.get(code="SGL-V1"))
    _to_review(dossier=dossier, editor_user=editor_user, ans=User.objects.get(email=ANS))
    return dossier, editor_user


def _clean(page, console_errors) -> None:
    assert_accessible(page, impact=AXE_ALL_IMPACTS)
    assert console_errors == []


def _decide(page, button: str, message: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(message)


def test_ans_reviewer_finds_by_version_asks_a_correction_and_grants_from_the_top(
    page, console_errors, version_six
):
    from segur_funding.referencing import services

    dossier, editor_user = version_six
    login(page, ANS)

    # The queue, searched by the version alone.
    page.goto("/admin/referencing/dossier/")
    expect(page).to_have_title(re.compile("File d'instruction des dossiers de référencement"))
    page.locator("#searchbar").fill("6.0")
    page.locator("#searchbar").press("Enter")
    expect(page).to_have_url(re.compile(r"q=6\.0"))
    expect(page.get_by_role("link", name="BioLab SGL 6.0", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="BioLab SGL 5.2", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="LabSoft SGL 3.1", exact=True)).to_have_count(0)
    _clean(page, console_errors)

    # The dossier: status, clock and decisions before anything else.
    page.get_by_role("link", name="BioLab SGL 6.0", exact=True).click()
    expect(page).to_have_title(re.compile("BioLab SGL 6.0"))
    instruction = page.get_by_role("heading", name="Instruction", exact=True)
    expect(instruction).to_be_visible()
    expect(page.locator("#dossier-admin-status")).to_have_text("En instruction")
    expect(page.locator("#dossier-admin-clock")).to_contain_text("j restants sur 42")
    candidature = page.get_by_role("heading", name="Candidature", exact=True)
    assert instruction.bounding_box()["y"] < candidature.bounding_box()["y"]
    _clean(page, console_errors)

    # An incomplete correction request is answered by the server, in French.
    _decide(page, "Demander une correction", "Demande de correction incomplète")
    expect(page).to_have_title(re.compile("Demande de correction"))
    # The page is answered 400 (the browser logs the status, not a script error).
    assert [e for e in console_errors if "status of 400" not in e] == []
    console_errors.clear()
    _clean(page, console_errors)
    page.get_by_label("Motif", exact=True).select_option(index=1)
    page.get_by_label("Message à l'éditeur").fill("Merci de préciser la preuve EX-01.")
    _decide(page, "Demander une correction", "La demande de correction est envoyée")
    expect(page.locator("#dossier-admin-status")).to_have_text("Correction demandée")
    expect(page.locator("#dossier-admin-clock")).to_contain_text("suspendu")
    _clean(page, console_errors)

    # The editor sends the proofs back (their own pages are tested elsewhere).
    services.proofs_resubmit(user=editor_user, dossier=dossier)

    page.reload()
    expect(page.locator("#dossier-admin-status")).to_have_text("Preuves corrigées déposées")
    _decide(page, "Prendre le dossier en instruction", "Le dossier est pris en instruction.")
    _decide(page, "Accepter toutes les preuves déposées non revues", "sont acceptées")
    # A final refusal needs the confirmation box, checked by the server.
    page.get_by_label("Motif du refus (communiqué à l'éditeur)").fill("Essai")
    page.get_by_role("button", name="Refuser le référencement", exact=True).click()
    summary = page.get_by_role("alert").filter(has_text="Le référencement n'est pas refusé")
    expect(summary).to_contain_text("Cochez la case « Je confirme »")
    expect(page.locator("#dossier-admin-status")).to_have_text("En instruction")
    # Nothing typed is lost: the reason is still there.
    expect(page.get_by_label("Motif du refus (communiqué à l'éditeur)")).to_have_value("Essai")
    # The refused form's 400 is the only thing the console says (and the page is accessible).
    assert [e for e in console_errors if "status of 400" not in e] == []
    console_errors.clear()
    _clean(page, console_errors)
    _decide(page, "Accorder le référencement", "Le référencement est accordé")
    expect(page.locator("#dossier-admin-status")).to_have_text("Référencé")
    expect(page.get_by_role("link", name="Attestation de référencement (PDF)")).to_be_visible()
    _clean(page, console_errors)
