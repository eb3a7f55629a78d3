from datetime import timedelta

import factory

from segur_funding.core import clock
from segur_funding.notifications.constants import NotificationKind, NotificationStatus
from segur_funding.notifications.models import Notification
from segur_funding.organizations.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"personne{n}@notif.test")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    password = factory.django.Password("pw")


class NotificationFactory(factory.django.DjangoModelFactory):
    """A row written directly, in a given state (the services write the real ones)."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.QUOTE_SIGNED
    context = factory.LazyFunction(lambda: {"quote_number": "D-2022-0042", "client_name": "Labo X"})
    link = "/devis/42/"
    status = NotificationStatus.PENDING

    class Params:
        sent = factory.Trait(
            status=NotificationStatus.SENT, attempts=1, sent_at=factory.LazyFunction(clock.now)
        )
        read = factory.Trait(read_at=factory.LazyFunction(clock.now))
        failed = factory.Trait(status=NotificationStatus.FAILED, attempts=6, last_error="SMTPException: boom")
        # A worker died mid-send an hour ago.
        stuck = factory.Trait(
            status=NotificationStatus.SENDING,
            status_changed_at=factory.LazyFunction(lambda: clock.now() - timedelta(hours=1)),
        )
