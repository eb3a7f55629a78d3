"""Issue 13: reviewers decide with the keyboard only, no click. An ANS reviewer (on a phone) signs
in with its code, opens a dossier from its queue, asks a correction (an incomplete one first,
refused), then, once the proofs come back, takes the dossier in, tries a final refusal without its
confirmation (refused), ticks the confirmation with Space to see it works, and grants. An ASP
reviewer (on a desktop) goes from « Mon espace » to a funding request and validates it from its
confirmation page. Every Tab stop shows its focus; every page: 0 axe violation of any impact, no
JavaScript error."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, assert_no_sideways_scroll
from .test_keyboard_journey import _assert_focus_shown, _skip_to_content, _tab_to

# The referencing journey's fixtures: private files in a temporary folder, tasks run at once.
from .test_referencing_journey import eager_celery, private_media  # noqa: F401
from .test_reviewer_dossier import version_six  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _clean(page, console_errors, *, status_400: bool = False) -> None:
    page.wait_for_load_state("load")
    if status_400:  # the browser logs a 400 answer's status: not a script error
        console_errors[:] = [e for e in console_errors if "status of 400" not in e]
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_no_sideways_scroll(page)
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


def _admin_skip(page) -> None:
    """The admin's first Tab stop is its own skip link; Enter takes the next Tab into the content.
    A page reached at an anchor (the sign-in's #content survives its redirects) starts there."""
    if "#" in page.url:
        return
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"] == "Passer au contenu principal"
    page.keyboard.press("Enter")


def _keyboard_sign_in(page, email: str, next_url: str = "") -> None:
    """The e-mail, the password, Enter; then the code of the authenticator app, Enter."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from segur_funding.organizations.two_factor import totp_next_code

    page.goto("/connexion/" + (f"?next={next_url}" if next_url else ""))
    _skip_to_content(page)
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["id"] == "id_username"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Code de vérification"))
    # The page opens at its content (the skip link's #content survives the redirect): the first
    # Tab stop is the code's field.
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["id"] == "id_code"
    page.keyboard.type(totp_next_code(TOTPDevice.objects.get(user__email=email, confirmed=True)))
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def _press(page, button: str, message: str, *, limit: int = 120) -> None:
    _tab_to(page, f"^{re.escape(button)}$", limit=limit)
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text(message)


def test_reviewers_decide_with_the_keyboard_only(page, console_errors, version_six):  # noqa: F811
    from segur_funding.referencing import services

    dossier, editor_user = version_six

    # --- ANS, on a phone -------------------------------------------------------------------------
    page.set_viewport_size(PHONE)
    _keyboard_sign_in(page, "ans@demo.test", "/admin/referencing/dossier/")
    expect(page).to_have_title(re.compile("File d'instruction des dossiers de référencement"))
    _clean(page, console_errors)
    _admin_skip(page)
    _tab_to(page, "^BioLab SGL 6.0$", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator("#dossier-admin-status")).to_have_text("En instruction")
    _clean(page, console_errors)
    dossier_page = page.url

    # An incomplete correction request: refused, in French, on a page of its own.
    _admin_skip(page)
    _press(page, "Demander une correction", "Demande de correction incomplète")
    _clean(page, console_errors, status_400=True)
    # The summary has the focus; its link takes the reviewer to the message left empty.
    summary = page.get_by_role("alert").filter(has_text="La demande de correction n'est pas envoyée")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"].startswith("Message à l'éditeur : Ce champ est obligatoire")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Message à l'éditeur")).to_be_focused()
    page.keyboard.type("Merci de préciser la preuve EX-01.")
    # The reason chosen is kept; another one is picked with the arrow keys.
    _tab_to(page, "^Motif", back=True)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Motif", exact=True)).not_to_have_value("")
    _press(page, "Demander une correction", "La demande de correction est envoyée")
    expect(page.locator("#dossier-admin-status")).to_have_text("Correction demandée")
    _clean(page, console_errors)

    # The editor sends the proofs back (their own pages are tested elsewhere).
    services.proofs_resubmit(user=editor_user, dossier=dossier)
    page.goto(dossier_page)
    _admin_skip(page)
    _press(page, "Prendre le dossier en instruction", "Le dossier est pris en instruction.")
    _admin_skip(page)
    _press(page, "Accepter toutes les preuves déposées non revues", "sont acceptées")

    # A final refusal without its confirmation is refused; the confirmation takes Space.
    _admin_skip(page)
    _tab_to(page, "^Motif du refus")
    page.keyboard.type("Essai")
    _tab_to(page, "^Refuser le référencement$")
    page.keyboard.press("Enter")
    # The page comes back with the refusal on top, focused; its link takes the reviewer to the
    # box to tick, the reason typed kept.
    summary = page.get_by_role("alert").filter(has_text="Le référencement n'est pas refusé")
    expect(summary).to_be_focused()
    expect(page.locator("#dossier-admin-status")).to_have_text("En instruction")
    _clean(page, console_errors, status_400=True)
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"].startswith("Cochez la case « Je confirme »")
    page.keyboard.press("Enter")
    confirm = page.get_by_label("Je confirme le refus du référencement (décision définitive).")
    expect(confirm).to_be_focused()
    expect(page.get_by_label("Motif du refus (communiqué à l'éditeur)")).to_have_value("Essai")
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    page.keyboard.press("Space")
    expect(confirm).not_to_be_checked()

    # The grant, from the top of the page: Shift+Tab goes back to it.
    _tab_to(page, "^Accorder le référencement$", back=True)
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Le référencement est accordé")
    expect(page.locator("#dossier-admin-status")).to_have_text("Référencé")
    _clean(page, console_errors)
    page.context.clear_cookies()

    # --- ASP, on a desktop -----------------------------------------------------------------------
    page.set_viewport_size(DESKTOP)
    _keyboard_sign_in(page, "asp@demo.test")
    expect(page).to_have_title(re.compile("^Mon espace"))
    _clean(page, console_errors)
    _tab_to(page, "^Demandes de financement à instruire$")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/funding/fundingrequest/\?file=decision"))
    _clean(page, console_errors)
    first = page.locator("#result_list tbody tr").first.get_by_role("link").first.inner_text()
    _admin_skip(page)
    _tab_to(page, f"^{re.escape(first.strip())}$", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator("#request-status")).to_be_visible()
    _clean(page, console_errors)
    _admin_skip(page)
    _tab_to(page, "^Valider$", limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Valider la demande")).to_be_visible()
    _clean(page, console_errors)
    _admin_skip(page)
    _tab_to(page, "^Valider la demande$", limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_text("La demande est validée")).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("Validée")
    _clean(page, console_errors)
