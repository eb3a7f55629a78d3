"""Issue 6 pages in a real browser: the public statistics page and the API token page."""

import pytest

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_statistics_page_shows_the_table_and_charts_and_is_accessible(page, demo):
    page.goto("/statistiques/")
    assert page.get_by_role("heading", name="Où en est le programme ?").is_visible()
    table = page.get_by_role("table", name="Données au")
    assert table.get_by_role("rowheader", name="SGL-V1").is_visible()
    assert page.get_by_role("img", name="Montants versés par semaine").is_visible()
    assert_accessible(page)
    page.get_by_label("Données au").fill("2022-03-01")
    page.get_by_role("button", name="Afficher").click()
    assert page.get_by_role("heading", name="Données au 1 mars 2022").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger ce tableau (CSV)").click()
    assert download.value.suggested_filename == "segur-donnees-par-dsr-2022-03-01.csv"


def test_editor_creates_then_revokes_an_api_token(page, demo):
    login(page, "editeur@demo.test")
    page.goto("/compte/jeton-api/")
    page.get_by_role("button", name="Créer un jeton d'API").click()
    key = page.get_by_label("Jeton d'API").input_value()
    assert len(key) == 40
    assert_accessible(page)
    page.reload()
    assert page.get_by_label("Jeton d'API").count() == 0
    page.get_by_text("Je confirme la révocation du jeton.").click()  # the DSFR label covers the box
    page.get_by_role("button", name="Révoquer le jeton").click()
    assert page.get_by_text("Vous n'avez pas de jeton d'API.").is_visible()
