"""Thin tasks: an id in, a service out. Queued by name on commit by services.py (sends, through
`core.tasks.enqueue_on_commit`) or by beat (sweep, reminders), never by views."""

from celery import shared_task

from .constants import MAX_SEND_ATTEMPTS
from .reminders import reminders_send_due
from .services import SendOutcome, notification_send, notifications_requeue_stuck


@shared_task(
    name="notifications.send_notification",
    bind=True,
    # Acknowledged after the run, and requeued if the worker dies: the row's status guard makes a
    # second delivery of the message harmless (services.py explains the one at-least-once point).
    acks_late=True,
    reject_on_worker_lost=True,
    # Attempts are counted on the row (they survive sweeps and resends); this is only a backstop.
    max_retries=MAX_SEND_ATTEMPTS - 1,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def send_notification(self, notification_id: int) -> str:
    result = notification_send(notification_id=notification_id)
    if self.request.is_eager:
        # Eager (the embedded default, tests): there is no broker to hold a countdown, and Celery
        # re-raises `Retry` to the caller when eager exceptions propagate. Retry inline, without
        # waiting, until delivered or failed; the row tells the same story as with a worker.
        while result.outcome == SendOutcome.RETRY:
            result = notification_send(notification_id=notification_id)
    elif result.outcome == SendOutcome.RETRY:
        raise self.retry(countdown=2**result.attempts)
    return result.outcome.value


# Idempotent (compare-and-set on each row): a redelivered sweep queues nothing twice.
@shared_task(
    name="notifications.sweep_stuck_notifications",
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
)
def sweep_stuck_notifications() -> int:
    return notifications_requeue_stuck()


@shared_task(
    name="notifications.send_due_reminders",
    # Idempotent through the dedup keys: a redelivered or overlapping run adds nothing, so the
    # message may be acknowledged late and replayed after a lost worker.
    acks_late=True,
    reject_on_worker_lost=True,
    # Each reminder commits on its own: a run stopped by the soft limit keeps what it did and the
    # next hourly run goes on from there.
    soft_time_limit=600,
    time_limit=660,
    ignore_result=True,
)
def send_due_reminders() -> int:
    return reminders_send_due().created
