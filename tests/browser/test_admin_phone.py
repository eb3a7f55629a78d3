"""Issue 15: reviewers on a phone (375 px). The queues of dossiers and funding requests, a
dossier's page and a funding request's decision pages, the second factor's devices: the page
never scrolls sideways (only wide tables scroll, inside their own container), the decision buttons
are on screen when scrolled to, and axe finds no violation of any impact."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, assert_no_sideways_scroll, login

# The referencing journey's fixtures: private files in a temporary folder, tasks run at once.
from .test_keyboard_journey import _assert_focus_shown, _tab_to
from .test_referencing_journey import eager_celery, private_media  # noqa: F401
from .test_reviewer_dossier import version_six  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _phone_ready(page, console_errors) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_no_sideways_scroll(page)
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


def _reachable(page, control) -> None:
    """Scrolled to, the control is whole inside the phone's width and can be pressed."""
    control.scroll_into_view_if_needed()
    expect(control).to_be_visible()
    box = control.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["height"] >= 24, box  # a target a finger can hit (WCAG 2.5.8)


def test_ans_reviewer_decides_a_dossier_on_a_phone(page, console_errors, version_six):  # noqa: F811
    page.set_viewport_size(PHONE)
    login(page, "ans@demo.test")

    page.goto("/admin/referencing/dossier/")
    expect(page).to_have_title(re.compile("File d'instruction des dossiers de référencement"))
    _phone_ready(page, console_errors)

    page.get_by_role("link", name="BioLab SGL 6.0", exact=True).click()
    expect(page.locator("#dossier-admin-status")).to_have_text("En instruction")
    dossier_page = page.url
    _phone_ready(page, console_errors)
    for name in ("Demander une correction", "Accorder le référencement", "Refuser le référencement"):
        _reachable(page, page.get_by_role("button", name=name, exact=True))
    # An incomplete correction request: the page that says so (answered 400) fits the phone too.
    page.get_by_role("button", name="Demander une correction", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Demande de correction incomplète")
    assert [e for e in console_errors if "status of 400" not in e] == []
    console_errors.clear()
    _phone_ready(page, console_errors)
    _reachable(page, page.get_by_role("button", name="Demander une correction", exact=True))
    page.goto(dossier_page)
    # With the keyboard: from the skip link to the decision, every stop shows its focus.
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"] == "Passer au contenu principal"
    page.keyboard.press("Enter")
    _tab_to(page, "^Accorder le référencement$", limit=80)
    page.get_by_role("button", name="Accorder le référencement", exact=True).click()
    # Refused (proofs not all accepted): the page comes back with the reason on top, on the phone too.
    expect(page.get_by_role("alert").filter(has_text="Le référencement n'est pas accordé")).to_be_visible()
    assert [e for e in console_errors if "status of 400" not in e] == []
    console_errors.clear()
    _phone_ready(page, console_errors)


def test_asp_reviewer_decides_a_funding_request_on_a_phone(page, console_errors, demo):
    page.set_viewport_size(PHONE)
    login(page, "asp@demo.test")

    page.goto("/admin/funding/fundingrequest/")
    _phone_ready(page, console_errors)
    page.goto("/admin/funding/fundingrequest/?file=decision")
    _phone_ready(page, console_errors)
    page.locator("#result_list tbody tr").first.get_by_role("link").first.click()
    _phone_ready(page, console_errors)
    _reachable(page, page.get_by_role("link", name="Valider", exact=True))
    # With the keyboard: the skip link, then Tab to the decision and Enter.
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"] == "Passer au contenu principal"
    page.keyboard.press("Enter")
    _tab_to(page, "^Valider$", limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Valider la demande")).to_be_visible()
    _phone_ready(page, console_errors)
    _reachable(page, page.get_by_role("button", name="Valider la demande"))
    _tab_to(page, "^Valider la demande$", limit=80)


def test_administrator_reads_the_second_factor_devices_on_a_phone(page, console_errors, demo):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.set_viewport_size(PHONE)
    login(page, "admin@demo.test")
    page.goto("/admin/otp_totp/totpdevice/")
    expect(page).to_have_title(re.compile("^Applications d'authentification"))
    expect(page.locator("#result_list")).to_contain_text("ans@demo.test")
    _phone_ready(page, console_errors)
    device = TOTPDevice.objects.get(user__email="ans@demo.test", confirmed=True)
    page.goto(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    expect(page.get_by_text("Codes faux d'affilée")).to_be_visible()
    _phone_ready(page, console_errors)
    delete = page.get_by_role("link", name="Supprimer")
    _reachable(page, delete)
    delete.click()
    _phone_ready(page, console_errors)
    _reachable(page, page.get_by_role("button", name=re.compile("Oui, je suis sûr")))
