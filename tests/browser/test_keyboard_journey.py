"""Issue 13: the lab journey with the keyboard only, in Chromium, on a phone and on a desktop.

A lab signs in, goes to « Mon espace », opens the quote waiting there, reads the verdict, declines
an option with the arrow keys, forgets its role, is taken to the error summary, follows its link
to the field, signs, then declares the delivery. Only Tab, Shift+Tab, Enter, Space, the arrow keys
and typed text: no click. At every stop the focused element shows an outline and is on screen.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, assert_no_sideways_scroll
from .test_sign_journey import NUMBER, PHONE, SCREENS, _issue_quote_to_the_demo_lab

pytestmark = pytest.mark.browser

# What the focused element looks like. The ring is the outline of the element itself (unless it
# is invisible, opacity 0) or of its ::before; DSFR draws a radio button's or a checkbox's on its
# label's ::before (the input is visually hidden), an enlarged link's (a tile) on the link's
# ::before, which covers the whole tile.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body', name: '', visible: false, onScreen: false};
  const label = el.labels && el.labels.length ? el.labels[0] : null;
  const drawn = (node, pseudo) => {
    const style = getComputedStyle(node, pseudo);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
      && style.outlineColor !== 'rgba(0, 0, 0, 0)' && getComputedStyle(node).opacity !== '0';
  };
  const rings = [el, label].filter(Boolean);
  const shown = rings.find((node) => drawn(node, null) || drawn(node, '::before'));
  const box = (shown || el).getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    type: el.getAttribute('type') || '',
    name: (el.getAttribute('aria-label') || (label && label.textContent) || el.textContent || el.value || '')
      .replace(/\\s+/g, ' ').trim(),
    visible: Boolean(shown),
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
      && box.right > 0 && box.left < innerWidth,
  };
}"""


def _focused(page) -> dict:
    return page.evaluate(FOCUS)


def _assert_focus_shown(page) -> dict:
    focus = _focused(page)
    assert focus["visible"], f"Focus sans contour visible sur {page.url} : {focus}"
    assert focus["onScreen"], f"Focus hors de l'écran sur {page.url} : {focus}"
    return focus


def _tab_to(page, name, *, back: bool = False, limit: int = 60) -> dict:
    """Tab (or Shift+Tab) until the focused element's name matches; every stop on the way must
    show its focus."""
    pattern = re.compile(name) if isinstance(name, str) else name
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focus = _assert_focus_shown(page)
        if pattern.search(focus["name"]):
            return focus
    raise AssertionError(f"« {pattern.pattern} » jamais atteint au clavier sur {page.url}")


def _skip_to_content(page) -> None:
    """The first Tab stop of every page is « Aller au contenu »; Enter takes the next Tab into
    the main content, past the header and its menu."""
    page.keyboard.press("Tab")
    focus = _assert_focus_shown(page)
    assert focus["name"] == "Aller au contenu", focus
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#content$"))


def _clean(page, console_errors) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_lab_checks_signs_and_declares_delivery_with_the_keyboard_only(page, console_errors, demo, screen):
    _issue_quote_to_the_demo_lab()
    page.set_viewport_size(screen)

    # 1. Sign in: the skip link, then the e-mail, the password and Enter.
    page.goto("/connexion/")
    _skip_to_content(page)
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["id"] == "id_username"
    page.keyboard.type("labo@demo.test")
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["id"] == "id_password"
    page.keyboard.type("demo-password")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Mon espace"))
    _clean(page, console_errors)

    # 2. « Mon espace » opens at its content (the skip link's #content survives the sign-in's
    # redirect): the first Tab stop is the quote waiting to be signed.
    expect(page).to_have_url(re.compile("/mon-espace/#content$"))
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"] == "Devis à vérifier et à signer"
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Devis reçus"))
    _skip_to_content(page)
    _tab_to(page, f"^{NUMBER}$")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(f"^Devis {NUMBER}"))
    expect(page.locator(".verdict--conform")).to_contain_text("Vous pouvez le signer.")
    _clean(page, console_errors)

    # 3. The option: Tab enters the group on the checked answer, an arrow key declines it.
    _skip_to_content(page)
    focus = _tab_to(page, "^J'accepte cette option$")
    option = page.get_by_role("group", name=re.compile("Option n° 6 : Module statistiques avancées"))
    while not option.get_by_label("J'accepte cette option").evaluate("el => el === document.activeElement"):
        focus = _tab_to(page, "^J'accepte cette option$")
    page.keyboard.press("ArrowRight")
    focus = _assert_focus_shown(page)
    assert focus["name"] == "Je refuse cette option"
    expect(option.get_by_label("Je refuse cette option")).to_be_checked()

    # 4. The name, no role, the confirmation with Space, Enter on the button: refused.
    focus = _tab_to(page, "^Nom du signataire")
    page.keyboard.type("Dr Claire Martin")
    focus = _tab_to(page, "^J'accepte ce devis")
    page.keyboard.press("Space")
    expect(page.get_by_label(re.compile("J'accepte ce devis"))).to_be_checked()
    _tab_to(page, "^Signer le devis$")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")

    # The focus is on the error summary, which links to the field to correct.
    summary = page.get_by_role("alert").filter(has_text="La signature n'est pas enregistrée")
    expect(summary).to_be_focused()
    _assert_focus_shown(page)
    _clean(page, console_errors)
    page.keyboard.press("Tab")
    assert _assert_focus_shown(page)["name"].startswith("Fonction du signataire")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Fonction du signataire")).to_be_focused()
    _assert_focus_shown(page)
    page.keyboard.type("biologiste responsable")

    # What was chosen before the error is kept: the declined option, the name, the confirmation.
    expect(option.get_by_label("Je refuse cette option")).to_be_checked()
    expect(page.get_by_label("Nom du signataire")).to_have_value("Dr Claire Martin")
    expect(page.get_by_label(re.compile("J'accepte ce devis"))).to_be_checked()
    # Shift+Tab goes back through the form the way it came.
    assert _tab_to(page, "^Nom du signataire", back=True)["id"] == "id_signatory_name"
    _tab_to(page, "^Signer le devis$")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Devis {NUMBER} signé")).to_be_visible()
    expect(page.get_by_role("heading", name="Devis signé : la suite")).to_be_visible()
    expect(page.get_by_text("Options refusées : n° 6 « Module statistiques avancées »")).to_be_visible()
    _clean(page, console_errors)

    # 5. The delivery: the date is today's, Space on the declaration, Enter on the button.
    _skip_to_content(page)
    _tab_to(page, "^Date de mise en ordre de marche|^Date")
    _tab_to(page, "^Je déclare que la prestation est livrée")
    page.keyboard.press("Space")
    _tab_to(page, "^Déclarer la mise en ordre de marche$")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Mise en ordre de marche déclarée")).to_be_visible()
    expect(page.get_by_role("heading", name="Prestation livrée : la suite")).to_be_visible()
    _clean(page, console_errors)

    if screen == PHONE:
        # Nothing wider than the phone: the page never scrolls sideways.
        assert_no_sideways_scroll(page)
