"""The notification pages in Chromium, with the axe-core accessibility check."""

import pytest

from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.models import Notification, NotificationPreference
from tests.browser_support import assert_accessible, login

from .factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def reader(transactional_db):
    user = UserFactory(email="lecteur@notif.test", first_name="Léa", last_name="Petit")
    NotificationFactory(recipient=user, context={"quote_number": "D-2022-0001"})
    NotificationFactory(recipient=user, context={"quote_number": "D-2022-0002"}, link="")
    NotificationFactory(recipient=user, read=True, context={"quote_number": "D-2022-0003"})
    return user


def test_reader_marks_notifications_read_and_turns_an_email_off(page, reader):
    login(page, "lecteur@notif.test", "pw")
    page.goto("/notifications/")
    assert page.get_by_role("heading", name="Mes notifications").is_visible()
    assert page.get_by_text("2 notifications non lues.").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Marquer comme lue : Devis D-2022-0002 signé.").click()
    assert page.get_by_text("1 notification non lue.").is_visible()
    page.get_by_role("button", name="Tout marquer comme lu").click()
    assert page.get_by_text("Aucune notification non lue.").is_visible()
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()

    page.get_by_role("link", name="Notifications par e-mail").click()
    assert_accessible(page)
    page.get_by_text("Versement effectué").click()  # the label toggles its box
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("Vos préférences de notification sont enregistrées.").is_visible()
    off = NotificationPreference.objects.filter(user=reader, email_enabled=False)
    assert [p.kind for p in off] == [NotificationKind.PAYMENT_MADE]
