"""Issue 13: the editor's journey with the keyboard only (no click), on a phone and on a desktop.

The editor signs in, goes from « Mon espace » to its quotes, writes a quote and forgets the
solution: the error summary takes the focus and links to the field; it picks the solution with
the arrow keys, types two lines, checks the quote, adds the State-funding line the checker
suggests, saves and issues it. Once the lab has signed, it goes from « Mon espace » to the funding
requests and files the advance. Only Tab, Shift+Tab, Enter, Space, the arrow keys and typed text:
every stop shows its focus and is on screen; every page: 0 axe violation of any impact, no
JavaScript error, no sideways scroll on the phone.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, assert_no_sideways_scroll
from .test_funding_journey import INVOICE
from .test_keyboard_journey import _assert_focus_shown, _skip_to_content, _tab_to
from .test_sign_journey import PHONE, SCREENS

pytestmark = pytest.mark.browser


def _clean(page, console_errors) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_accessible(page, impact=AXE_ALL_IMPACTS)
    if page.viewport_size == PHONE:
        assert_no_sideways_scroll(page)


def _choose(page, text: str) -> None:
    """Arrow Down on the focused list until its chosen option contains the text."""
    for _ in range(40):
        chosen = page.evaluate("() => document.activeElement.selectedOptions[0].text")
        if text in chosen:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"« {text} » introuvable dans la liste")


def _type_line(page, n: int, *, label: str, amount_ht: str, amount_ttc: str) -> None:
    """A line of the Prestation Ségur (the default scope) on SGL-V1."""
    _tab_to(page, f"^Libellé, ligne {n}$")
    page.keyboard.type(label)
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"].startswith(f"Périmètre, ligne {n}")
    _choose(page, "Prestation Ségur")
    page.keyboard.press("Tab")
    page.keyboard.type("SGL-V1")
    _tab_to(page, f"^Montant HT, ligne {n}$")
    page.keyboard.type(amount_ht)
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"] == f"Montant TTC, ligne {n}"
    page.keyboard.type(amount_ttc)


def _lab_signs(number: str) -> None:
    """The lab signs (its own keyboard journey is test_keyboard_journey.py)."""
    from segur_funding.organizations.models import User
    from segur_funding.quotes import services
    from segur_funding.quotes.models import Quote

    services.quote_sign(
        quote=Quote.objects.get(number=number, editor__name="Biologiciel SAS"),
        user=User.objects.get(email="labo@demo.test"),
        signatory_name="Dr Claire Martin",
        signatory_role="biologiste responsable",
    )


def test_an_editor_issues_a_quote_and_files_the_advance_with_the_keyboard_only(page, console_errors, demo):
    # Both screens in one test: the demo data is loaded once (the file stays about a minute).
    for screen in SCREENS:
        page.context.clear_cookies()
        page.set_viewport_size(screen.values[0])
        _editor_journey(page, console_errors)


def _sign_in(page, console_errors) -> None:
    page.goto("/connexion/")
    _skip_to_content(page)
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["id"] == "id_username"
    page.keyboard.type("editeur@demo.test")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Mon espace"))
    _clean(page, console_errors)


def _editor_journey(page, console_errors) -> None:
    # 1. Sign in, « Mon espace » opens at its content; its drafts lead to the quotes.
    _sign_in(page, console_errors)
    _tab_to(page, "^Devis en brouillon à émettre$")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Mes devis|^Devis"))
    _skip_to_content(page)
    _tab_to(page, "^Rédiger un devis$")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Rédiger un devis"))
    _clean(page, console_errors)

    # 2. The client chosen with the arrow keys, the solution forgotten: « Vérifier » is refused.
    _skip_to_content(page)
    _tab_to(page, "^Client")
    _choose(page, "BioRhône")
    _tab_to(page, "^Vérifier$")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    summary = page.get_by_role("alert").filter(has_text="Le devis n'est ni vérifié ni enregistré")
    expect(summary).to_be_focused()
    _assert_focus_shown(page)
    _clean(page, console_errors)

    # 3. The summary's link takes the focus to the solution; the client chosen is kept.
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"].startswith("Solution proposée")
    page.keyboard.press("Enter")
    expect(page.get_by_label(re.compile("^Solution proposée"))).to_be_focused()
    _assert_focus_shown(page)
    _choose(page, "SGL-V1")
    expect(page.locator("#id_client option:checked")).to_contain_text("BioRhône")

    # 4. Two lines, « Vérifier »: the checker suggests the State-funding line; Enter adds it.
    _type_line(page, 1, label="Droits d'utilisation de la version référencée", amount_ht="10000,00",
               amount_ttc="12000,00")
    _type_line(page, 2, label="Installation, maintenance 6 ans et formation", amount_ht="17450,00",
               amount_ttc="20940,00")
    _tab_to(page, "^Vérifier$")
    page.keyboard.press("Enter")
    check = page.locator("#verification")
    expect(check.get_by_text("Ligne de prise en charge par l'État à ajouter")).to_be_visible()
    _clean(page, console_errors)
    _skip_to_content(page)
    _tab_to(page, "^Ajouter cette ligne au devis$", limit=120)
    page.keyboard.press("Enter")
    expect(page.locator("#verification").get_by_text("Conforme", exact=True)).to_be_visible()
    _clean(page, console_errors)

    # 5. Saved, then issued from the quote's page.
    _skip_to_content(page)
    _tab_to(page, "^Enregistrer le brouillon$", limit=120)
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Devis \S+$"))
    number = heading.inner_text().split()[1]
    _clean(page, console_errors)
    _skip_to_content(page)
    _tab_to(page, "^Émettre le devis$")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Devis {number} émis")).to_be_visible()
    _clean(page, console_errors)

    # 6. Signed by the lab: « Mon espace » leads to the request to file; Enter files the advance.
    _lab_signs(number)
    page.goto("/mon-espace/")
    _skip_to_content(page)
    _tab_to(page, "^Demandes de financement à déposer$")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Demandes de financement"))
    _clean(page, console_errors)
    _skip_to_content(page)
    _tab_to(page, f"^{re.escape(number)}$")
    _tab_to(page, "^demander l'avance$")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(f"^Demander l'avance — devis {re.escape(number)}"))
    _clean(page, console_errors)
    _skip_to_content(page)
    _tab_to(page, "^Déposer la demande d'avance$")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Demande d'avance déposée")).to_be_visible()
    _clean(page, console_errors)


def test_an_editor_files_the_balance_with_its_invoice_with_the_keyboard_only(page, console_errors, demo):
    """The demo's D-DEMO-0003 has its advance paid and its delivery declared: the balance is due.
    On both screens the editor forgets the invoice: the summary takes the focus and leads to the
    file field. On the last screen the file is attached to that focused field, and it files."""
    for index, screen in enumerate(SCREENS):
        page.context.clear_cookies()
        page.set_viewport_size(screen.values[0])
        _sign_in(page, console_errors)
        _tab_to(page, "^Demandes de financement à déposer$")
        page.keyboard.press("Enter")
        expect(page).to_have_title(re.compile("^Demandes de financement"))
        _skip_to_content(page)
        _tab_to(page, "^D-DEMO-0003$")
        _tab_to(page, "^demander le solde$")
        page.keyboard.press("Enter")
        expect(page).to_have_title(re.compile("^Demander le solde — devis D-DEMO-0003"))
        _clean(page, console_errors)

        # No invoice: nothing is filed, the summary says what to fix and links to the field.
        _skip_to_content(page)
        _tab_to(page, "^Déposer la demande de solde$")
        page.keyboard.press("Enter")
        summary = page.get_by_role("alert").filter(has_text="La demande de solde n'est pas déposée")
        expect(summary).to_be_focused()
        _clean(page, console_errors)
        page.keyboard.press("Tab")
        assert _assert_focus_shown(page)["name"].startswith("Facture (PDF)")
        page.keyboard.press("Enter")
        expect(page.get_by_label(re.compile("^Facture \\(PDF\\)"))).to_be_focused()
        _assert_focus_shown(page)
        if index < len(SCREENS) - 1:
            continue

        # The file goes into the focused field (the system's file dialog is not the page's: a
        # test cannot drive it, and headless Chromium does not always open it on Space).
        page.locator(":focus").set_input_files(
            files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": INVOICE}]
        )
        _tab_to(page, "^Déposer la demande de solde$")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Demande de solde déposée")).to_be_visible()
        _clean(page, console_errors)
