"""Issue 13: the other lists an ASP reviewer works from, on a phone (375 px): payments, quotes and
quote alerts, each list and one of its pages. French titles, the page never scrolls sideways
(a wide table scrolls inside its own container), axe finds no violation of any impact, no
JavaScript error."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, assert_no_sideways_scroll, login

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}

# (list address, the list's title, the title of one of its pages)
LISTS = [
    ("/admin/funding/payment/", "Versements", "versement"),
    ("/admin/quotes/quote/", "Devis", "devis"),
    ("/admin/alerts/quotealert/", "Signalements", "signalement"),
]


def _phone_ready(page, console_errors) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_no_sideways_scroll(page)
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


def test_asp_reviewer_reads_payments_quotes_and_alerts_on_a_phone(page, console_errors, demo):
    page.set_viewport_size(PHONE)
    login(page, "asp@demo.test")
    for address, list_title, item_title in LISTS:
        page.goto(address)
        expect(page).to_have_title(re.compile(f"^(Sélectionnez|Choisissez)?.*{list_title}", re.IGNORECASE))
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        rows = page.locator("#result_list tbody tr")
        assert rows.count() > 0, f"{address} : liste vide"
        _phone_ready(page, console_errors)
        # The wide table scrolls in its own container, which the keyboard can reach.
        rows.first.locator("th a, td a").first.click()
        expect(page).to_have_title(re.compile(item_title, re.IGNORECASE))
        _phone_ready(page, console_errors)
