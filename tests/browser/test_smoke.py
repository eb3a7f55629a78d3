import pytest

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_home_lists_the_published_dsrs_and_is_accessible(page, demo):
    page.goto("/")
    assert page.get_by_role("heading", name="SGL-V1").is_visible()
    assert page.get_by_role("heading", name="LOINC-V1").is_visible()
    assert_accessible(page)


def test_editor_logs_in_with_email_and_wrong_password_is_refused(page, demo):
    login(page, "editeur@demo.test", "wrong-password")
    assert page.get_by_text("Adresse e-mail ou mot de passe incorrect").is_visible()
    login(page, "editeur@demo.test")
    assert page.get_by_role("button", name="Se déconnecter (editeur@demo.test)").is_visible()
    assert_accessible(page)
