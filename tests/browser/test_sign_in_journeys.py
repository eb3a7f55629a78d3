"""Signing in beyond the password, on a phone (375 px) and a desktop (1280 px): a new ASP reviewer
enrols an authenticator app before reaching the admin, then gives a code at each login (a wrong
one refused in French); a lab signs in with ProConnect, here a local OpenID Connect provider
started by the test. Every page: 0 JavaScript error and 0 axe-core violation."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from segur_funding.organizations.constants import ASP_REVIEWERS_GROUP
from segur_funding.organizations.models import User
from segur_funding.organizations.services import reviewer_groups_setup
from segur_funding.organizations.two_factor import totp_next_code

from .conftest import AXE_ALL_IMPACTS, assert_accessible

pytestmark = pytest.mark.browser

SCREENS = [
    pytest.param({"width": 375, "height": 812}, id="375px"),
    pytest.param({"width": 1280, "height": 800}, id="1280px"),
]
PASSWORD = "Instruction-ASP-2026"


def _clean(page, console_errors) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


def _password(page, email: str, password: str) -> None:
    page.goto("/connexion/?next=/admin/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()


@pytest.mark.parametrize("screen", SCREENS)
def test_a_new_reviewer_enrols_then_gives_a_code_at_each_login(
    page, console_errors, transactional_db, screen
):
    page.set_viewport_size(screen)
    groups = reviewer_groups_setup()
    reviewer = User.objects.create_user("paul.moreau@asp.example.fr", PASSWORD, is_staff=True)
    reviewer.groups.add(groups[ASP_REVIEWERS_GROUP])

    # 1. The password leads to the enrolment page, not to the admin.
    _password(page, reviewer.email, PASSWORD)
    expect(page).to_have_title("Activer la double authentification — Ségur numérique SONS")
    expect(page.get_by_role("img", name=re.compile("QR code à scanner"))).to_be_visible()
    _clean(page, console_errors)
    page.goto("/admin/")
    expect(page).to_have_title("Activer la double authentification — Ségur numérique SONS")

    # 2. The secret typed by hand into an app gives the code that confirms the enrolment.
    secret = page.get_by_label("Clé secrète").input_value().replace(" ", "")
    code = f"{hotp(b32decode(secret + '=' * (-len(secret) % 8)), int(time.time()) // 30):06d}"
    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(code)
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page).to_have_title("Double authentification — Ségur numérique SONS")
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    assert page.locator(".segur-backup-codes li").count() == 10
    _clean(page, console_errors)
    page.get_by_role("link", name="Continuer").click()
    expect(page).to_have_title(re.compile("Ségur numérique SONS"))
    assert page.url.endswith("/admin/")
    page.context.clear_cookies()

    # 3. Next login: the code page; a wrong code is refused in French, the right one opens the admin.
    _password(page, reviewer.email, PASSWORD)
    expect(page).to_have_title("Code de vérification — Ségur numérique SONS")
    _clean(page, console_errors)
    device = TOTPDevice.objects.get(user=reviewer, confirmed=True)
    right = totp_next_code(device)
    page.get_by_label("Code à 6 chiffres").fill(f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Vérifier le code").click()
    expect(page.get_by_text(re.compile("^Code incorrect"))).to_be_visible()
    _clean(page, console_errors)
    time.sleep(1.1)  # a failure makes the next try wait a second
    page.get_by_label("Code à 6 chiffres").fill(right)
    page.get_by_role("button", name="Vérifier le code").click()
    expect(page).to_have_title(re.compile("Ségur numérique SONS"))
    assert page.url.endswith("/admin/")
    expect(page.locator("#site-name")).to_have_text("Ségur numérique — instruction ANS / ASP")


@pytest.mark.parametrize("screen", SCREENS)
def test_a_lab_signs_in_with_proconnect(page, console_errors, transactional_db, oidc_provider, screen):
    page.set_viewport_size(screen)
    User.objects.create_user("claire.martin@tilleuls.example", "inutilise-ici-2026")
    oidc_provider.person("claire.martin@tilleuls.example", given_name="Claire", usual_name="Martin")

    page.goto("/connexion/")
    expect(page).to_have_title("Connexion — Ségur numérique SONS")
    _clean(page, console_errors)
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page).to_have_title("Mon espace — Ségur numérique SONS")
    _clean(page, console_errors)

    # Someone the platform does not know is sent back to the login page, told why.
    page.context.clear_cookies()
    oidc_provider.person("inconnu@ailleurs.example")
    page.goto("/connexion/")
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page).to_have_title("Connexion — Ségur numérique SONS")
    expect(page.get_by_text(re.compile("aucun compte actif de la plateforme"))).to_be_visible()
    _clean(page, console_errors)
