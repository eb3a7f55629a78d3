"""Issue 14, journey 3, on a phone and a desktop: a lab uploads a quote received by e-mail, reads
the checker's verdict, reports the quote to the Ségur team; an ASP reviewer answers it from the
admin queue; the lab reads the answer from « Mon espace ». Every lab page: 0 JavaScript error and
0 axe-core violation (admin pages: none critical or serious)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, login, logout

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parent.parent / "quotes" / "corpus" / "pdfs"
SCREENS = [
    pytest.param({"width": 375, "height": 812}, id="375px"),
    pytest.param({"width": 1280, "height": 800}, id="1280px"),
]
MESSAGE = "La ligne « Formation complémentaire » nous est facturée 1 200 € : est-ce normal ?"
ANSWER = "L'éditeur a retiré cette ligne : un nouveau devis vous est adressé sous huit jours."


def _clean(page, console_errors, *, admin: bool = False) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_accessible(page, impact=("critical", "serious") if admin else AXE_ALL_IMPACTS)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_lab_reports_an_uploaded_quote_and_reads_the_segur_teams_answer(
    page, console_errors, demo, screen
):
    from segur_funding.alerts.models import QuoteAlert

    page.set_viewport_size(screen)

    # 1. The lab uploads the PDF it received; the checker says something is left to pay.
    login(page, "labo@demo.test")
    page.goto("/devis/laboratoire/deposer/")
    expect(page).to_have_title("Vérifier un devis PDF — Ségur numérique SONS")
    _clean(page, console_errors)
    page.locator("#id_file").set_input_files(str(CORPUS / "docx_remainder.pdf"))
    page.get_by_label("Éditeur").fill("Éditeur Rhône Santé")
    page.get_by_role("button", name="Déposer et vérifier").click()
    expect(page.get_by_role("link", name="Signaler ce devis")).to_be_visible()
    expect(page.get_by_text("non conforme", exact=False).first).to_be_visible()
    _clean(page, console_errors)

    # 2. It reports the quote with a reason and a message.
    page.get_by_role("link", name="Signaler ce devis").click()
    expect(page.get_by_role("heading", name="Signaler le devis", exact=False)).to_be_visible()
    _clean(page, console_errors)
    page.get_by_role("button", name="Envoyer le signalement").click()  # nothing chosen yet
    expect(page.get_by_text("Ce champ est obligatoire.").first).to_be_visible()
    console_errors.clear()  # the refused form answers 400, as it should
    assert QuoteAlert.objects.filter(reported_by__email="labo@demo.test").count() == 1  # the demo's
    page.get_by_label("Il me reste quelque chose à payer pour la Prestation Ségur").check(force=True)
    page.get_by_label("Votre message à l'équipe Ségur").fill(MESSAGE)
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_text("Votre signalement est transmis à l'équipe Ségur")).to_be_visible()
    expect(page.get_by_text("Pas encore de réponse")).to_be_visible()
    _clean(page, console_errors)
    alert = QuoteAlert.objects.get(message=MESSAGE)
    logout(page)

    # 3. An ASP reviewer finds it in the queue and answers the lab.
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "asp@demo.test")
    page.goto("/admin/alerts/quotealert/?status__exact=open")
    row = page.locator("#result_list tr", has=page.locator(f"input[value='{alert.pk}']"))
    row.locator("input[type=checkbox]").check()
    page.locator("select[name=action]").select_option("answer")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", name="Répondre au laboratoire")).to_be_visible()
    _clean(page, console_errors, admin=True)
    page.get_by_label("Réponse au laboratoire (obligatoire)").fill(ANSWER)
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_text("réponse envoyée.")).to_be_visible()
    logout(page)

    # 4. The lab sees « réponse à lire » in its space and reads the answer.
    page.set_viewport_size(screen)
    login(page, "labo@demo.test")
    page.goto("/mon-espace/")
    link = page.get_by_role("link", name=f"Signalement n° {alert.pk}", exact=False)
    expect(link.locator("xpath=..")).to_contain_text("réponse à lire")
    _clean(page, console_errors)
    link.click()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    _clean(page, console_errors)
