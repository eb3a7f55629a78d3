"""The outbox: written with the state change, sent once after commit, retried, swept."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from segur_funding.core import clock
from segur_funding.notifications import services
from segur_funding.notifications.constants import (
    MAX_SEND_ATTEMPTS,
    STUCK_AFTER,
    NotificationKind,
    NotificationStatus,
)
from segur_funding.notifications.models import Notification, NotificationPreference
from segur_funding.notifications.services import (
    SendOutcome,
    notification_enqueue,
    notification_send,
    notifications_requeue_stuck,
    notifications_resend_failed,
    preference_set,
)
from segur_funding.notifications.tasks import send_notification, sweep_stuck_notifications

from .factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNED = {"quote_number": "D-2022-0042", "client_name": "Laboratoire BioRhône", "signed_on": "01/06/2022"}


def enqueue_signed(recipients, **kwargs):
    return notification_enqueue(
        kind=NotificationKind.QUOTE_SIGNED,
        recipients=recipients,
        context=SIGNED,
        link="/devis/42/",
        **kwargs,
    )


class StateChangeFailed(Exception):
    pass


def test_nothing_is_written_nor_sent_when_the_state_change_rolls_back(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(StateChangeFailed), transaction.atomic():
            enqueue_signed([alice])
            raise StateChangeFailed
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_nothing_leaves_before_commit_then_one_email_with_text_and_html(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            [row] = enqueue_signed([alice])
            assert mail.outbox == []
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)
    assert row.sent_at is not None and row.read_at is None
    [message] = mail.outbox
    assert message.to == ["alice@notif.test"]
    assert message.subject == "Devis signé — D-2022-0042"
    assert "Laboratoire BioRhône" in message.body
    assert "https://segur.example.fr/devis/42/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "Laboratoire BioRhône" in html
    assert message.extra_headers["X-Segur-Notification"] == str(row.pk)
    assert message.extra_headers["Message-ID"].startswith(f"<notification-{row.pk}.")


def test_a_redelivered_task_does_not_send_twice(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [row] = enqueue_signed([alice])
    assert len(mail.outbox) == 1
    # The broker hands the same message to a worker again (acks_late after a lost connection).
    assert send_notification.apply(args=[row.pk]).get() == SendOutcome.SKIPPED
    assert send_notification.apply(args=[row.pk]).get() == SendOutcome.SKIPPED
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


def test_a_second_worker_cannot_claim_a_row_being_sent(alice):
    row = NotificationFactory(recipient=alice)
    # Worker 1 won the claim and is talking to the SMTP server.
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENDING)
    assert notification_send(notification_id=row.pk).outcome == SendOutcome.SKIPPED
    assert mail.outbox == []


def test_a_deleted_row_is_skipped_quietly():
    assert send_notification.apply(args=[987654]).get() == SendOutcome.SKIPPED


def test_smtp_outage_is_retried_then_delivered(alice, smtp_outage, django_capture_on_commit_callbacks):
    smtp_outage.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        [row] = enqueue_signed([alice])
    row.refresh_from_db()
    assert smtp_outage.refused == 2
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 3, "")
    assert len(mail.outbox) == 1


def test_smtp_outage_ends_failed_after_the_last_try_with_the_error(
    alice, smtp_outage, django_capture_on_commit_callbacks
):
    smtp_outage.failures = None
    with django_capture_on_commit_callbacks(execute=True):
        [row] = enqueue_signed([alice])
    row.refresh_from_db()
    assert smtp_outage.refused == MAX_SEND_ATTEMPTS
    assert row.status == NotificationStatus.FAILED
    assert row.attempts == MAX_SEND_ATTEMPTS
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mail.outbox == []

    # The server is back; an administrator resends (admin action → service → task on commit).
    smtp_outage.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_failed(notification_ids=[row.pk]) == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1


def test_resend_ignores_rows_that_did_not_fail(alice, django_capture_on_commit_callbacks):
    sent = NotificationFactory(recipient=alice, sent=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_failed(notification_ids=[sent.pk]) == 0
    assert mail.outbox == []


def test_sweep_requeues_a_row_left_sending_by_a_killed_worker(
    alice, django_capture_on_commit_callbacks
):
    stuck = NotificationFactory(recipient=alice, stuck=True)
    busy = NotificationFactory(recipient=alice, status=NotificationStatus.SENDING)  # alive
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stuck_notifications.apply().get() == 1
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (NotificationStatus.SENT, 2)  # the killed try counts
    assert busy.status == NotificationStatus.SENDING
    assert [m.extra_headers["X-Segur-Notification"] for m in mail.outbox] == [str(stuck.pk)]


def test_sweep_requeues_a_pending_row_whose_task_was_lost(alice, django_capture_on_commit_callbacks):
    with clock.travel_to(clock.now() - timedelta(minutes=30)):
        lost = NotificationFactory(recipient=alice)
    fresh = NotificationFactory(recipient=alice)  # its task is on its way
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_requeue_stuck() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == NotificationStatus.SENT
    assert fresh.status == NotificationStatus.PENDING


def test_two_sweeps_queue_a_stuck_row_once(alice, django_capture_on_commit_callbacks):
    NotificationFactory(recipient=alice, stuck=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert notifications_requeue_stuck() == 1
        assert notifications_requeue_stuck() == 0
    assert len(callbacks) == 1


def test_a_row_that_kills_its_worker_every_time_ends_failed(alice, django_capture_on_commit_callbacks):
    row = NotificationFactory(recipient=alice, stuck=True, attempts=MAX_SEND_ATTEMPTS - 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notifications_requeue_stuck() == 0
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "interrompu" in row.last_error
    assert callbacks == []


def test_email_turned_off_keeps_the_in_app_entry(alice, bob, django_capture_on_commit_callbacks):
    preference_set(user=alice, kind=NotificationKind.QUOTE_SIGNED, email_enabled=False)
    preference_set(user=alice, kind=NotificationKind.PAYMENT_MADE, email_enabled=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = enqueue_signed([alice, bob])
    assert len(callbacks) == 1  # bob's only
    statuses = {r.recipient_id: Notification.objects.get(pk=r.pk).status for r in rows}
    assert statuses == {alice.pk: NotificationStatus.DISABLED, bob.pk: NotificationStatus.SENT}
    assert [m.to for m in mail.outbox] == [["bob@notif.test"]]
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 1


def test_preference_set_updates_in_place(alice):
    preference_set(user=alice, kind=NotificationKind.QUOTE_SIGNED, email_enabled=False)
    preference_set(user=alice, kind=NotificationKind.QUOTE_SIGNED, email_enabled=True)
    assert NotificationPreference.objects.get(user=alice).email_enabled is True
    with pytest.raises(ValueError):
        preference_set(user=alice, kind="nope", email_enabled=False)


def test_dedup_key_gives_each_recipient_one_row_whatever_the_number_of_runs(
    alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_signed([alice, bob], dedup_key="quote:42:signed")
        again = enqueue_signed([alice, bob], dedup_key="quote:42:signed")
    assert len(first) == 2 and again == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    # A person who joins later still gets it once.
    carol = UserFactory()
    assert len(enqueue_signed([alice, carol], dedup_key="quote:42:signed")) == 1


def test_a_concurrent_duplicate_is_refused_without_breaking_the_callers_transaction(
    alice, bob, monkeypatch, django_capture_on_commit_callbacks
):
    enqueue_signed([alice], dedup_key="quote:42:signed")
    # Another process inserted alice's row between our read and our write.
    monkeypatch.setattr(services, "_existing_dedup_keys", lambda keys: set())
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        rows = enqueue_signed([alice, bob], dedup_key="quote:42:signed")
        # The caller's transaction is still usable after the refused insert.
        UserFactory(email="after@notif.test")
    assert [r.recipient_id for r in rows] == [bob.pk]
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_duplicate_recipients_and_inactive_users(alice, django_capture_on_commit_callbacks):
    gone = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        rows = enqueue_signed([alice, alice, gone])
    assert [r.recipient_id for r in rows] == [alice.pk]
    assert len(mail.outbox) == 1


def test_context_must_be_complete_and_plain_values(alice):
    with pytest.raises(ValueError, match="quote_number"):
        notification_enqueue(kind=NotificationKind.QUOTE_SIGNED, recipients=[alice], context={})
    with pytest.raises(TypeError):
        notification_enqueue(
            kind=NotificationKind.QUOTE_SIGNED,
            recipients=[alice],
            context={"quote_number": "D-1", "client": alice},
        )
    with pytest.raises(ValueError, match="inconnu"):
        notification_enqueue(kind="nope", recipients=[alice], context={})
    assert not Notification.objects.exists()


def test_a_broker_outage_at_commit_leaves_the_row_pending_for_the_sweep(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis indisponible")

    monkeypatch.setattr(send_notification, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        [row] = enqueue_signed([alice])  # the state change commits; no error for the user
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING
    monkeypatch.undo()
    with clock.travel_to(clock.now() + timedelta(minutes=11)):
        with django_capture_on_commit_callbacks(execute=True):
            assert notifications_requeue_stuck() == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT


def test_send_task_is_safe_to_redeliver_and_bounded_in_time():
    assert send_notification.acks_late and send_notification.reject_on_worker_lost
    assert send_notification.soft_time_limit < send_notification.time_limit
    # The sweep must never take a slow but alive send for a dead one.
    assert timedelta(seconds=send_notification.time_limit + 2**MAX_SEND_ATTEMPTS) < STUCK_AFTER
    assert sweep_stuck_notifications.time_limit
