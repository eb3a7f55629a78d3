"""Issue 13: the second factor's backup codes, on a phone (375 px) and a desktop (1280 px). An ASP
reviewer renews its backup codes (shown once, with what to do with them), then signs in with one
instead of the application's code: a wrong one is refused in French, the right one opens the
admin and says how many are left and what to do next. Every page: French, 0 axe violation of any
impact, no JavaScript error."""

import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, assert_no_sideways_scroll, login

pytestmark = pytest.mark.browser

# Both screens in one test: the demo data is loaded once (the file stays well under a minute).
SCREENS = ({"width": 375, "height": 812}, {"width": 1280, "height": 800})
ASP = "asp@demo.test"


def _clean(page, console_errors) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_no_sideways_scroll(page)
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


def test_a_reviewer_renews_its_backup_codes_and_signs_in_with_one(page, console_errors, demo):
    for screen in SCREENS:
        page.context.clear_cookies()
        page.set_viewport_size(screen)
        _renew_then_sign_in_with_a_backup_code(page, console_errors)


def _renew_then_sign_in_with_a_backup_code(page, console_errors) -> None:
    login(page, ASP)

    # 1. From the admin, its second factor's page: the codes left and how to renew them.
    page.goto("/admin/")
    page.get_by_role("link", name="Double authentification").click()
    expect(page).to_have_title("Double authentification — Ségur numérique SONS")
    expect(page.get_by_text("Codes de secours encore utilisables")).to_be_visible()
    expect(page.get_by_text(re.compile("Téléphone perdu ou changé"))).to_be_visible()
    _clean(page, console_errors)

    # 2. New codes, shown once, with what to do with them; the way back to the admin.
    page.get_by_role("button", name="Générer de nouveaux codes de secours").click()
    expect(page.get_by_text("Vos nouveaux codes de secours sont prêts")).to_be_visible()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    expect(page.get_by_text(re.compile("Notez-les ou imprimez-les maintenant"))).to_be_visible()
    codes = page.locator(".segur-backup-codes li").all_inner_texts()
    assert len(codes) == 10
    expect(page.get_by_text("Codes de secours encore utilisables : 10.")).to_be_visible()
    _clean(page, console_errors)
    page.reload()
    expect(page.locator(".segur-backup-codes")).to_have_count(0)
    page.get_by_role("link", name="Continuer").click()
    assert page.url.endswith("/admin/")
    page.context.clear_cookies()

    # 3. Next login without the phone: the code page says a backup code will do.
    page.goto("/connexion/?next=/admin/")
    page.get_by_label("Adresse e-mail").fill(ASP)
    page.get_by_label("Mot de passe").fill("demo-password")
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page).to_have_title("Code de vérification — Ségur numérique SONS")
    expect(page.get_by_role("heading", name="Vous n'avez plus votre téléphone ?")).to_be_visible()
    expect(page.get_by_text(re.compile("Saisissez l'un des codes de secours"))).to_be_visible()
    _clean(page, console_errors)

    # A wrong backup code is refused in French, and the page says what to type.
    page.get_by_label("Code à 6 chiffres").fill("zzzz9999")
    page.get_by_role("button", name="Vérifier le code").click()
    expect(page.get_by_text(re.compile("^Code incorrect.*l'un de vos codes de secours"))).to_be_visible()
    _clean(page, console_errors)
    time.sleep(1.1)  # a failure makes the next try wait a second

    # The right one opens the admin and says how many are left and what to do next.
    page.get_by_label("Code à 6 chiffres").fill(codes[0])
    page.get_by_role("button", name="Vérifier le code").click()
    assert page.url.endswith("/admin/")
    notice = page.locator(".messagelist")
    expect(notice).to_contain_text("Code de secours accepté ; il ne servira plus (il vous en reste 9)")
    expect(notice).to_contain_text("générer de nouveaux codes de secours")
    _clean(page, console_errors)
    page.get_by_role("link", name="Double authentification").click()
    expect(page.get_by_text("Codes de secours encore utilisables : 9.")).to_be_visible()
    _clean(page, console_errors)
