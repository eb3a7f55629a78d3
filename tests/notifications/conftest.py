import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SEGUR_SITE_URL = "https://segur.example.fr"


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@notif.test", first_name="Alice", last_name="Martin")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@notif.test", first_name="Bob", last_name="Leroy")


@pytest.fixture
def smtp_outage(monkeypatch):
    """The mail server refuses the next `failures` messages (all of them with None)."""

    class Outage:
        failures: int | None = None
        refused = 0

    outage = Outage()
    deliver = EmailBackend.send_messages

    def send_messages(self, messages):
        if outage.failures is None or outage.refused < outage.failures:
            outage.refused += 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return outage
