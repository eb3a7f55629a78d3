"""With a real Celery worker process on Redis and PostgreSQL (CI, `.ci/run`): each notification
reaches its recipient once, even when the worker is killed in the middle of a send.

The "SMTP server" is tests/notifications/mailbox.py: one file per accepted message.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction

from segur_funding.core import clock
from segur_funding.notifications.constants import STUCK_AFTER, NotificationKind, NotificationStatus
from segur_funding.notifications.models import Notification
from segur_funding.notifications.services import notification_enqueue, notifications_requeue_stuck
from segur_funding.notifications.tasks import send_notification

from .factories import UserFactory

pytestmark = pytest.mark.worker

CONTEXT = {"quote_number": "D-2022-0042", "client_name": "Laboratoire BioRhône"}


@pytest.fixture
def mailbox(tmp_path):
    return tmp_path


@pytest.fixture
def celery_worker_env(mailbox):
    return {
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "SEGUR_TEST_MAILBOX": str(mailbox),
    }


def wait_for(predicate, *, timeout: float = 30, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"Délai dépassé en attendant : {what}")


def deliveries(mailbox) -> Counter:
    return Counter(int(path.name.split("-")[1]) for path in mailbox.glob("sent-*.eml"))


def enqueue(count: int) -> list[int]:
    users = [UserFactory() for _ in range(count)]
    with transaction.atomic():
        rows = notification_enqueue(
            kind=NotificationKind.QUOTE_SIGNED, recipients=users, context=CONTEXT, link="/devis/42/"
        )
    return [row.pk for row in rows]


def all_sent(ids) -> bool:
    return Notification.objects.filter(pk__in=ids, status=NotificationStatus.SENT).count() == len(ids)


def drain_queue(mailbox) -> None:
    """The worker runs one task at a time, in order: once a fresh notification is delivered,
    every message queued before it has been handled."""
    [sentinel] = enqueue(1)
    # The file lands before the row reads `sent`: wait for both, or a sweep run right after
    # would rightly see the sentinel still `sending`.
    wait_for(
        lambda: deliveries(mailbox)[sentinel] == 1 and all_sent([sentinel]),
        what="la notification témoin",
    )


def test_a_real_worker_sends_each_notification_once(celery_worker_process, mailbox):
    ids = enqueue(5)
    wait_for(lambda: all_sent(ids), what="l'envoi des 5 notifications")
    # The broker delivers the same messages again (acks_late after a lost connection).
    for pk in ids:
        send_notification.delay(pk)
    drain_queue(mailbox)
    counts = deliveries(mailbox)
    assert {pk: counts[pk] for pk in ids} == {pk: 1 for pk in ids}
    message = next(mailbox.glob(f"sent-{ids[0]}-*.eml")).read_text()
    assert "Subject: =?utf-8?" in message or "Devis sign" in message
    assert "https://segur.example.fr/devis/42/" in message


def test_a_worker_killed_mid_send_and_restarted_delivers_each_notification_once(
    celery_worker_process, mailbox
):
    (mailbox / "hold").touch()
    ids = enqueue(3)
    wait_for(lambda: any(mailbox.glob("started-*")), what="le début d'un envoi")
    [started] = mailbox.glob("started-*")
    held = int(started.name.split("-")[1])
    assert Notification.objects.get(pk=held).status == NotificationStatus.SENDING

    celery_worker_process.kill()  # in the middle of the SMTP conversation
    (mailbox / "hold").unlink()
    celery_worker_process.start()

    # The messages still queued go to the new worker.
    others = [pk for pk in ids if pk != held]
    wait_for(lambda: all_sent(others), what="l'envoi des notifications restées en file")
    # The killed send stays claimed: no task may take a `sending` row, whoever redelivers it...
    send_notification.delay(held)
    drain_queue(mailbox)
    assert Notification.objects.get(pk=held).status == NotificationStatus.SENDING
    assert deliveries(mailbox)[held] == 0
    # ...until the periodic sweep finds it stuck for longer than STUCK_AFTER and queues it again.
    with clock.travel_to(clock.now() + STUCK_AFTER + timedelta(seconds=1)):
        assert notifications_requeue_stuck() == 1
    wait_for(lambda: all_sent([held]), what="la reprise de la notification interrompue")

    # The killed worker's own message, redelivered by the broker long after, changes nothing.
    send_notification.delay(held)
    drain_queue(mailbox)
    counts = deliveries(mailbox)
    assert {pk: counts[pk] for pk in ids} == {pk: 1 for pk in ids}
    held_row = Notification.objects.get(pk=held)
    assert held_row.attempts == 2  # the interrupted try counts


def test_smtp_outage_with_a_real_worker_is_retried_with_backoff_then_delivered(
    celery_worker_process, mailbox
):
    (mailbox / "down").touch()
    [pk] = enqueue(1)
    wait_for(lambda: len(list(mailbox.glob("refused-*"))) == 2, what="deux refus du serveur")
    (mailbox / "down").unlink()
    wait_for(lambda: all_sent([pk]), what="l'envoi après la panne")
    row = Notification.objects.get(pk=pk)
    assert (row.attempts, row.last_error) == (3, "")
    refusals = sorted(p.stat().st_mtime for p in mailbox.glob("refused-*"))
    assert refusals[1] - refusals[0] >= 1.5  # countdown 2 ** 1 seconds
    assert deliveries(mailbox) == Counter({pk: 1})


def test_reminders_run_twice_by_a_real_worker_reach_each_person_once(
    celery_worker_process, mailbox, reference_data
):
    from segur_funding.notifications.tasks import send_due_reminders
    from segur_funding.quotes.models import QuoteStatus
    from segur_funding.referencing.constants import DossierStatus
    from segur_funding.referential.models import FundingWindow

    from .world import World

    # The worker keeps the real clock: a window whose signature deadline is five days away.
    w = World()
    FundingWindow.objects.filter(pk=w.window.pk).update(
        opens_on=None, order_signature_deadline=clock.today() + timedelta(days=5)
    )
    dossier = w.dossier(
        "BioLab", status=DossierStatus.REFERENCED, referenced_on=clock.today(),
        proofs_complete_on=clock.today(),
    )
    w.quote("D-7", dossier=dossier, order_date=clock.today(), status=QuoteStatus.ISSUED)

    send_due_reminders.delay()
    send_due_reminders.delay()
    drain_queue(mailbox)
    rows = Notification.objects.filter(kind=NotificationKind.REMINDER_WINDOW_DEADLINE)
    assert sorted(rows.values_list("recipient__email", flat=True)) == [
        "e1@test.example", "e2@test.example", "l1@test.example",
    ]
    wait_for(lambda: all_sent([r.pk for r in rows]), what="l'envoi des rappels")
    counts = deliveries(mailbox)
    assert {r.pk: counts[r.pk] for r in rows} == {r.pk: 1 for r in rows}
